// listReleaseImages (lib/openstack/glance-releases.ts) against a REAL Glance (Debian's
// python3-glance, started per test file by test/support/glance.ts): images tagged and
// propertied as goldsmith publishes them, hidden and not, in several statuses.
import { createHash, randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GlanceClient, type GlanceImage } from '../../lib/openstack/glance';
import { listReleaseImages } from '../../lib/openstack/glance-releases';
import { describeWithGlance, trustedAuthHeaders } from '../support/glance';

test('listReleaseImages: two listings (os_hidden false, then true), tag checked again, properties picked', async () => {
  const name = 'ubuntu-24.04';
  const base = { status: 'active', visibility: 'public', size: 1, checksum: 'c', os_hash_algo: 'sha512', os_hash_value: 'h', owner: 'p' };
  const img = (id: string, extra: Partial<GlanceImage>): GlanceImage =>
    ({ id, name: `GOLD ${name}`, tags: ['linux', name], created_at: '2026-01-01T00:00:00Z', ...base, ...extra }) as GlanceImage;
  const calls: unknown[] = [];
  const glance = {
    listImages: async (q: unknown) => {
      calls.push(q);
      return (q as { hidden: boolean }).hidden
        ? [img('b', { os_hidden: true, created_at: '2026-01-02T00:00:00Z', os_glance_failed_import: 'ceph2', goldsmith_state: 'outdated' })]
        : [
            img('a', { os_hidden: false, goldsmith_build_id: '20260101T000000Z', goldsmith_state: 'gold', goldsmith_image: name }),
            // a case-insensitive database collation would match this one
            img('x', { tags: ['Ubuntu-24.04'] }),
            // hidden between the two listings: listed twice, kept once
            img('b', { os_hidden: false, created_at: '2026-01-02T00:00:00Z' }),
          ];
    },
  };
  const got = await listReleaseImages(glance, name, { pageSize: 7 });
  expect(calls).toEqual([
    { tag: name, visibility: 'all', hidden: false, pageSize: 7 },
    { tag: name, visibility: 'all', hidden: true, pageSize: 7 },
  ]);
  expect(got).toEqual([
    {
      id: 'b', name: `GOLD ${name}`, status: 'active', hidden: true, visibility: 'public', owner: 'p', checksum: 'c', size: 1,
      os_hash_algo: 'sha512', os_hash_value: 'h', tags: ['linux', name], created_at: '2026-01-02T00:00:00Z',
      goldsmith_state: 'outdated', os_glance_failed_import: 'ceph2',
    },
    {
      id: 'a', name: `GOLD ${name}`, status: 'active', hidden: false, visibility: 'public', owner: 'p', checksum: 'c', size: 1,
      os_hash_algo: 'sha512', os_hash_value: 'h', tags: ['linux', name], created_at: '2026-01-01T00:00:00Z',
      goldsmith_image: name, goldsmith_build_id: '20260101T000000Z', goldsmith_state: 'gold',
    },
  ]);
  await expect(listReleaseImages(glance, '')).rejects.toThrow('listReleaseImages: the image name is empty');
});

describeWithGlance('listReleaseImages against a real Glance', (glance) => {
  let client: GlanceClient;
  let work: string;
  const created: { id: string; client: GlanceClient }[] = [];
  beforeAll(() => {
    client = new GlanceClient({ endpoint: glance().endpoint, headers: glance().headers });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-releases-'));
  });
  afterAll(async () => {
    for (const c of created) await c.client.deleteImage(c.id).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** An image as goldsmith publishes one: tags [type, name], the goldsmith_* properties. */
  async function publish(
    c: GlanceClient,
    imageName: string,
    buildId: string,
    state: string,
    opts: { hidden?: boolean; visibility?: 'public' | 'private' | 'community'; data?: Buffer; label?: string } = {},
  ): Promise<string> {
    const img = await c.createImage({
      name: opts.label ?? (state === 'gold' ? `GOLD ${imageName}` : `Outdated (${imageName})`),
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: opts.visibility ?? 'private',
      tags: ['linux', imageName],
      properties: { goldsmith_image: imageName, goldsmith_build_id: buildId, goldsmith_build_date: buildId.slice(0, 8), goldsmith_state: state },
      ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
    });
    created.push({ id: img.id, client: c });
    if (opts.data) {
      const file = path.join(work, img.id);
      fs.writeFileSync(file, opts.data);
      await c.uploadFile(img.id, file);
      await c.waitForStatus(img.id, 'active', { timeoutMs: 30_000 });
    }
    return img.id;
  }

  test('every image tagged with the name: hidden or not, queued, uploading, active, deactivated, another project\'s community image', async () => {
    const imageName = `rel-${randomUUID().slice(0, 8)}`;
    const data = randomBytes(64 * 1024);
    const gold = await publish(client, imageName, '20260301T000000Z', 'gold', { data, visibility: 'public' });
    const outdated = await publish(client, imageName, '20260201T000000Z', 'outdated', { hidden: true, data: randomBytes(1024) });
    await client.deactivateImage(outdated);
    const hiddenQueued = await publish(client, imageName, '20260101T000000Z', 'outdated', { hidden: true });
    const candidate = await publish(client, imageName, '20260302T000000Z', 'candidate', { label: `Candidate (${imageName})` });
    // Data staged for an interoperable import, never imported: status `uploading`.
    const staged = await publish(client, imageName, '20260303T000000Z', 'candidate', { label: 'staged' });
    const stage = await fetch(`${glance().endpoint}/v2/images/${staged}/stage`, {
      method: 'PUT',
      headers: { ...glance().headers, 'Content-Type': 'application/octet-stream' },
      body: randomBytes(512),
    });
    expect(stage.status).toBe(204);
    // Another project's community image: Glance lists it to others only with visibility=all.
    const other = new GlanceClient({ endpoint: glance().endpoint, headers: trustedAuthHeaders(randomUUID().replace(/-/g, '')) });
    const community = await publish(other, imageName, '20251201T000000Z', 'withdrawn', { visibility: 'community', hidden: true, label: 'community' });
    // Not this image's: another tag, and the name only as a property.
    await publish(client, `${imageName}-other`, '20260301T000000Z', 'gold');

    const got = await listReleaseImages(client, imageName, { pageSize: 2 });
    const summary = got.map((r) => [r.id, r.status, r.hidden, r.visibility, r.goldsmith_state, r.goldsmith_build_id]);
    expect(summary.sort()).toEqual(
      [
        [gold, 'active', false, 'public', 'gold', '20260301T000000Z'],
        [outdated, 'deactivated', true, 'private', 'outdated', '20260201T000000Z'],
        [hiddenQueued, 'queued', true, 'private', 'outdated', '20260101T000000Z'],
        [candidate, 'queued', false, 'private', 'candidate', '20260302T000000Z'],
        [staged, 'uploading', false, 'private', 'candidate', '20260303T000000Z'],
        [community, 'queued', true, 'community', 'withdrawn', '20251201T000000Z'],
      ].sort(),
    );
    // Newest first.
    expect(got.map((r) => r.id)).toEqual([...got].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : 1)).map((r) => r.id));

    const g = got.find((r) => r.id === gold)!;
    expect(g).toEqual({
      id: gold,
      name: `GOLD ${imageName}`,
      status: 'active',
      hidden: false,
      visibility: 'public',
      owner: glance().projectId,
      checksum: createHash('md5').update(data).digest('hex'),
      size: data.length,
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(data).digest('hex'),
      tags: ['linux', imageName].sort(),
      created_at: g.created_at,
      goldsmith_image: imageName,
      goldsmith_build_id: '20260301T000000Z',
      goldsmith_build_date: '20260301',
      goldsmith_state: 'gold',
    });
    const q = got.find((r) => r.id === hiddenQueued)!;
    expect([q.checksum, q.size, q.os_hash_value]).toEqual([null, null, null]);
    expect(got.find((r) => r.id === outdated)!.checksum).toMatch(/^[0-9a-f]{32}$/);

    // Glance's own default list: hidden images are missing, which is why two listings are needed.
    const plain = (await client.listImages({ tag: imageName })).map((i) => i.id).sort();
    expect(plain).toEqual([gold, candidate, staged].sort());
    expect((await client.listImages({ tag: imageName, hidden: true })).map((i) => i.id).sort()).toEqual([outdated, hiddenQueued].sort());
  });

  test('deactivateImage and reactivateImage; a missing image is a one-line 404', async () => {
    // Glance's default policy (glance/policies/image.py): admin, or a member of the owning project.
    const imageName = `rel-${randomUUID().slice(0, 8)}`;
    const id = await publish(client, imageName, '20260301T000000Z', 'gold', { data: randomBytes(1024) });
    await client.deactivateImage(id);
    expect((await client.getImage(id)).status).toBe('deactivated');
    await client.reactivateImage(id);
    expect((await client.getImage(id)).status).toBe('active');
    const missing = randomUUID();
    await expect(client.deactivateImage(missing)).rejects.toThrow(
      `Glance POST /v2/images/${missing}/actions/deactivate: 404 Not Found: No image found with ID ${missing}`,
    );
  });
});
