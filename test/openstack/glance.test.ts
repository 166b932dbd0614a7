// GlanceClient against a REAL Glance (Debian's python3-glance, trusted-auth, sqlite, file store),
// started per test file by test/support/glance.ts.
import { execFileSync } from 'child_process';
import { createHash, randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { GlanceClient, GlanceError, glanceMessage } from '../../lib/openstack/glance';
import { describeWithGlance } from '../support/glance';
import { hasTool } from '../support/tools';

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-glance-test-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** A real small qcow2 when qemu-img exists, else random bytes (disk_format raw). */
function sampleImage(): { file: string; diskFormat: 'qcow2' | 'raw' } {
  const file = path.join(work, `sample-${randomUUID()}`);
  if (hasTool('qemu-img')) {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M'], { stdio: 'ignore' });
    // Some non-zero bytes past the header so the content is not all-default.
    fs.appendFileSync(file, randomBytes(4096));
    return { file, diskFormat: 'qcow2' };
  }
  fs.writeFileSync(file, randomBytes(256 * 1024));
  return { file, diskFormat: 'raw' };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

test('glanceMessage: JSON and HTML bodies become one line', () => {
  expect(glanceMessage('{"message": "No image found with ID abc<br /><br />\\n\\n\\n", "code": "404 Not Found"}')).toBe(
    'No image found with ID abc',
  );
  expect(
    glanceMessage('<html><body><h1>404 Not Found</h1>\n  No image found with ID x<br /><br />\n\n</body></html>'),
  ).toBe('No image found with ID x');
  expect(glanceMessage('{"message": "Provided object does not match\\n\\nFailed validating"}')).toBe(
    'Provided object does not match',
  );
  expect(glanceMessage('')).toBe('(empty body)');
});

describeWithGlance('GlanceClient against a real Glance', (glance) => {
  let client: GlanceClient;
  let headerCalls = 0;
  beforeAll(() => {
    const g = glance();
    process.stderr.write(g.startMs ? `Glance started in ${g.startMs} ms at ${g.endpoint}\n` : `Glance at ${g.endpoint}\n`);
    client = new GlanceClient({
      endpoint: `${g.endpoint}/v2/`, // a trailing /v2 is accepted
      headers: async () => {
        headerCalls++;
        return g.headers;
      },
    });
  });

  test('create, upload, active, list, download, delete, delete again, 404', async () => {
    const { file, diskFormat } = sampleImage();
    const data = fs.readFileSync(file);
    const name = `goldsmith-test-${randomUUID()}`;
    const tag = `t-${randomUUID().slice(0, 8)}`;

    const created = await client.createImage({
      name,
      diskFormat,
      containerFormat: 'bare',
      visibility: 'private',
      minRamMb: 768,
      minDiskGb: 1,
      properties: { hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi' },
      tags: [tag, 'goldsmith'],
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.status).toBe('queued');
    expect(created.owner).toBe(glance().projectId);

    await client.uploadFile(created.id, file);
    const active = await client.waitForStatus(created.id, 'active', { timeoutMs: 30_000 });
    expect(active).toMatchObject({
      id: created.id,
      name,
      status: 'active',
      disk_format: diskFormat,
      container_format: 'bare',
      visibility: 'private',
      min_ram: 768,
      min_disk: 1,
      size: data.length,
      checksum: md5(data),
      hw_disk_bus: 'scsi',
      hw_scsi_model: 'virtio-scsi',
    });
    expect([...active.tags].sort()).toEqual([tag, 'goldsmith'].sort());
    expect(active.os_hash_algo).toBe('sha512');
    expect(active.os_hash_value).toBe(createHash('sha512').update(data).digest('hex'));

    const byName = await client.listImages({ name });
    expect(byName.map((i) => i.id)).toEqual([created.id]);
    const byTag = await client.listImages({ tag, status: 'active' });
    expect(byTag.map((i) => i.id)).toEqual([created.id]);
    expect(await client.listImages({ tag, status: 'queued' })).toEqual([]);

    const dest = path.join(work, 'downloaded.img');
    const got = await client.downloadToFile(created.id, dest);
    expect(got).toEqual({
      bytes: data.length,
      md5: md5(data),
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
    // No temp file left beside it.
    expect(fs.readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    await client.deleteImage(created.id);
    await client.deleteImage(created.id); // idempotent: 404 is fine
    expect(await client.listImages({ name })).toEqual([]);

    const err = await client.getImage(created.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlanceError);
    expect((err as GlanceError).status).toBe(404);
    expect((err as Error).message).toBe(
      `Glance GET /v2/images/${created.id}: 404 Not Found: No image found with ID ${created.id}`,
    );
    expect(headerCalls).toBeGreaterThan(0);
  });

  test('listImages follows next pagination', async () => {
    const tag = `page-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const img = await client.createImage({
        name: `goldsmith-page-${i}`,
        diskFormat: 'raw',
        containerFormat: 'bare',
        visibility: 'private',
        tags: [tag],
      });
      ids.push(img.id);
    }
    try {
      const listed = await client.listImages({ tag, pageSize: 2 });
      expect(listed.map((i) => i.id).sort()).toEqual([...ids].sort());
    } finally {
      for (const id of ids) await client.deleteImage(id);
    }
  });

  test('upload to a bad id: one-line error with method, path, status, message', async () => {
    const { file } = sampleImage();
    const bad = randomUUID();
    const err = await client.uploadFile(bad, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlanceError);
    expect((err as GlanceError).status).toBe(404);
    expect((err as Error).message).toBe(`Glance PUT /v2/images/${bad}/file: 404 Not Found: No image found with ID ${bad}`);
  });

  test('bad requests and download of an image without data', async () => {
    const err = await client
      .createImage({ name: 'x', diskFormat: 'bogus' as 'raw', containerFormat: 'bare', visibility: 'private' })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^Glance POST \/v2\/images: 400 Bad Request: Provided object does not match schema 'image': 'bogus' is not one of/,
    );
    expect((err as Error).message).not.toContain('\n');

    await expect(
      client.createImage({ name: 'x', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private', properties: { size: '1' } }),
    ).rejects.toThrow('property "size" is a core image field');

    const queued = await client.createImage({ name: 'empty', diskFormat: 'raw', containerFormat: 'bare', visibility: 'private' });
    try {
      const dest = path.join(work, 'empty.img');
      const e2 = await client.downloadToFile(queued.id, dest).catch((e: unknown) => e);
      expect((e2 as Error).message).toBe(`Glance GET /v2/images/${queued.id}/file: image has no data (status queued)`);
      expect(fs.existsSync(dest)).toBe(false);
      const e3 = await client.waitForStatus(queued.id, 'active', { timeoutMs: 300, intervalMs: 100 }).catch((e: unknown) => e);
      expect((e3 as Error).message).toBe(
        `Glance GET /v2/images/${queued.id}: timed out after 0 s waiting for status active (last: queued)`,
      );
    } finally {
      await client.deleteImage(queued.id);
    }
  });

  test('errors never contain the auth headers', async () => {
    const secret = `tok-${randomUUID()}`;
    const c = new GlanceClient({ endpoint: glance().endpoint, headers: { 'X-Auth-Token': secret } });
    const err = await c.listImages().catch((e: unknown) => e);
    expect((err as GlanceError).status).toBe(401);
    expect((err as Error).message).toMatch(/^Glance GET \/v2\/images: 401 Unauthorized: /);
    expect((err as Error).message).not.toContain(secret);
  });
});

test('connection refused is a one-line error', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  const c = new GlanceClient({ endpoint: `http://127.0.0.1:${port}`, headers: {} });
  await expect(c.getImage('abc')).rejects.toThrow(/^Glance GET \/v2\/images\/abc: request failed: ECONNREFUSED$/);
});
