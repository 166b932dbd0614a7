// fetchLatestRecord against a store the runner itself produced (a real build: real qemu-img, the
// fake baker), served by a loopback static HTTP server (GET and HEAD, symlinks followed, dot-files
// denied, like the builder's vhost), with the faults promote must report in one line.

import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { BuildRecordSchema, parseContractJson } from '../../lib/contract';
import { BuilderRecordError, fetchLatestRecord, MAX_RECORD_BYTES } from '../../lib/promote/builder-records';
import { runBuild } from '../../lib/runner';
import { createFixture, IMAGE, runOptions, type Fixture } from '../runner/fixture';
import { StaticServer } from '../support/static-server';
import { describeWithTools } from '../support/tools';

const BASE = `${IMAGE}-20261125`;

describeWithTools(['qemu-img'], 'fetchLatestRecord', () => {
  let fx: Fixture;
  let built: string;
  const server = new StaticServer('');
  let root: string;
  let store: string;
  let url: string;

  beforeAll(async () => {
    fx = await createFixture();
    const report = await runBuild(runOptions(fx));
    expect(report.result).toBe('success');
    built = fx.config.paths.store;
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await fx?.close();
  });
  beforeEach(() => {
    // each test gets its own copy of the runner's store (links copied as links)
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-promote-'));
    store = path.join(root, 'store');
    fs.cpSync(built, store, { recursive: true, verbatimSymlinks: true });
    server.root = store;
    server.requests.length = 0;
    server.overrides.clear();
    url = `${server.baseUrl}${IMAGE}-latest.json`;
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The message fetchLatestRecord rejects with (a BuilderRecordError, one line). */
  async function failure(p: Promise<unknown>): Promise<string> {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BuilderRecordError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/\bat .*:\d+:\d+/); // no stack
    return message;
  }

  function editRecord(change: (r: Record<string, any>) => void): void {
    const file = path.join(store, `${BASE}.json`);
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    change(r);
    fs.writeFileSync(file, JSON.stringify(r, null, 2));
  }

  const recordOnDisk = () => parseContractJson(BuildRecordSchema, fs.readFileSync(path.join(store, `${BASE}.json`), 'utf8'), 'record');

  test('a good record: returned as parsed, after the .md5, .sha256 and a HEAD of the image', async () => {
    const r = await fetchLatestRecord(server.baseUrl, IMAGE);
    expect(r).toEqual(recordOnDisk());
    expect(r).toMatchObject({ image: IMAGE, build_id: '20261125', file: `${BASE}.qcow2`, verification: { result: 'passed' } });
    expect(server.requests).toEqual([
      `GET /store/${IMAGE}-latest.json`,
      `GET /store/${BASE}.md5`,
      `GET /store/${BASE}.sha256`,
      `HEAD /store/${BASE}.qcow2`,
    ]);
  });

  test('no -latest.json (no build yet, or only builds older than records): undefined', async () => {
    fs.rmSync(path.join(store, `${BASE}.json`)); // -latest.json dangles: the server answers 404
    expect(await fetchLatestRecord(server.baseUrl, IMAGE)).toBeUndefined();
    expect(await fetchLatestRecord(server.baseUrl, 'otherimg')).toBeUndefined();
    expect(server.requests).toEqual([`GET /store/${IMAGE}-latest.json`, 'GET /store/otherimg-latest.json']);
  });

  test('an md5 in the record that differs from the .md5 file', async () => {
    const r = recordOnDisk();
    const wrong = 'f'.repeat(32);
    fs.writeFileSync(path.join(store, `${BASE}.md5`), `${wrong}  ${BASE}.qcow2\n`);
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: md5 in the record (${r.md5}) differs from ${BASE}.md5 (${wrong})`);
  });

  test('a .sha256 file for another file, and one that is not a sha256sum line', async () => {
    const r = recordOnDisk();
    fs.writeFileSync(path.join(store, `${BASE}.sha256`), `${r.sha256}  ${IMAGE}-20261124.qcow2\n`);
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: ${BASE}.sha256 is for ${IMAGE}-20261124.qcow2, the record for ${BASE}.qcow2`);
    fs.writeFileSync(path.join(store, `${BASE}.sha256`), `${r.md5}  ${BASE}.qcow2\n`);
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${server.baseUrl}${BASE}.sha256: not one sha256sum line (<hex>  <file>)`);
  });

  test('a missing .sha256 file', async () => {
    fs.rmSync(path.join(store, `${BASE}.sha256`));
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${server.baseUrl}${BASE}.sha256: HTTP 404 Not Found`);
  });

  test('an image file whose size differs from the record, and a missing image file', async () => {
    const r = recordOnDisk();
    fs.appendFileSync(path.join(store, `${BASE}.qcow2`), 'x');
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(
      `${url}: size in the record (${r.size_bytes} bytes) differs from the Content-Length of ${BASE}.qcow2 (${r.size_bytes + 1} bytes)`,
    );
    fs.rmSync(path.join(store, `${BASE}.qcow2`));
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${server.baseUrl}${BASE}.qcow2: HTTP 404 Not Found`);
  });

  test('a build whose verification failed', async () => {
    editRecord((r) => {
      r.verification.result = 'failed';
      r.verification.checks.find((c: { name: string }) => c.name === 'qemu-img-compare').result = 'failed';
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: the build's verification failed (qemu-img-compare)`);
  });

  test('a record of another image', async () => {
    editRecord((r) => {
      r.image = 'otherimg';
      r.file = 'otherimg-20261125.qcow2';
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: the record is of image otherimg, not ${IMAGE}`);
  });

  test('a record the contract refuses: one line naming the key', async () => {
    editRecord((r) => delete r.md5);
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: md5: is missing`);
    editRecord((r) => {
      r.md5 = 'f'.repeat(32);
      r.file = `${IMAGE}-20261124.qcow2`;
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(
      `${url}: file: must be ${BASE}.qcow2 (image, build_id, disk_format), got "${IMAGE}-20261124.qcow2"`,
    );
  });

  test('a redirect is not followed', async () => {
    server.overrides.set(`/store/${IMAGE}-latest.json`, (_req, res) => {
      res.writeHead(302, { Location: '/elsewhere/x.json' });
      res.end();
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(
      `${url}: HTTP 302 redirect to ${server.origin}/elsewhere/x.json (redirects are not followed)`,
    );
    expect(server.requests).toEqual([`GET /store/${IMAGE}-latest.json`]);
  });

  test('an HTTP 500', async () => {
    server.overrides.set(`/store/${IMAGE}-latest.json`, (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('boom');
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: HTTP 500 Internal Server Error`);
  });

  test('a server that does not answer, or stops in the middle of the body: the timeout', async () => {
    server.overrides.set(`/store/${IMAGE}-latest.json`, () => undefined);
    const t0 = Date.now();
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE, { timeoutMs: 300 }))).toBe(`${url}: no complete answer within 300 ms`);
    expect(Date.now() - t0).toBeLessThan(5000);
    server.overrides.set(`/store/${IMAGE}-latest.json`, (_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('{"record_format": 1,');
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE, { timeoutMs: 300 }))).toBe(`${url}: no complete answer within 300 ms`);
  }, 10_000);

  test('cancelled by the caller', async () => {
    server.overrides.set(`/store/${IMAGE}-latest.json`, () => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE, { signal: ac.signal }))).toBe(`${url}: cancelled`);
  }, 10_000);

  test('an unreachable port', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const base = `http://127.0.0.1:${port}/store/`;
    expect(await failure(fetchLatestRecord(base, IMAGE, { timeoutMs: 2000 }))).toBe(`${base}${IMAGE}-latest.json: connection refused (ECONNREFUSED)`);
  });

  test('invalid JSON', async () => {
    const body = 'not json {';
    server.overrides.set(`/store/${IMAGE}-latest.json`, (_req, res) => res.end(body));
    let why = '';
    try {
      JSON.parse(body);
    } catch (e) {
      why = (e as Error).message;
    }
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: invalid JSON: ${why}`);
  });

  test('an oversized body, declared or streamed', async () => {
    const big = Buffer.alloc(MAX_RECORD_BYTES + 1, ' ');
    server.overrides.set(`/store/${IMAGE}-latest.json`, (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(big.length) });
      res.end(big);
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: body larger than ${MAX_RECORD_BYTES} bytes`);
    server.overrides.set(`/store/${IMAGE}-latest.json`, (_req, res) => {
      res.writeHead(200); // chunked: no Content-Length
      for (let i = 0; i < 17; i++) res.write(Buffer.alloc(64 * 1024, ' '));
      res.end();
    });
    expect(await failure(fetchLatestRecord(server.baseUrl, IMAGE))).toBe(`${url}: body larger than ${MAX_RECORD_BYTES} bytes`);
  });

  test('unusable arguments: never a request, never a credential in the message', async () => {
    const o = server.origin;
    expect(await failure(fetchLatestRecord(`${o}/store`, IMAGE))).toBe(`${o}/store: the builder URL must name a directory: end with '/', no query`);
    expect(await failure(fetchLatestRecord(`${o}/store/?x=/`, IMAGE))).toBe(`${o}/store/?x=/: the builder URL must name a directory: end with '/', no query`);
    expect(await failure(fetchLatestRecord('ftp://builder.example.org/store/', IMAGE))).toBe(`ftp://builder.example.org/store/: only http and https builder URLs are supported`);
    const withSecret = `http://goldsmith:s3cret@127.0.0.1:1/store/`;
    expect(await failure(fetchLatestRecord(withSecret, IMAGE))).toBe(`http://127.0.0.1:1/store/: credentials in the builder URL are not supported`);
    expect(await failure(fetchLatestRecord('builder/store/', IMAGE))).toBe('builder/store/: not a URL');
    expect(await failure(fetchLatestRecord('goldsmith:s3cret@builder/store/', IMAGE))).toBe('(builder URL): only http and https builder URLs are supported');
    expect(await failure(fetchLatestRecord('//goldsmith:s3cret@builder/store/', IMAGE))).toBe('(builder URL): not a URL');
    expect(await failure(fetchLatestRecord(server.baseUrl, '../etc/passwd'))).toBe(`${server.baseUrl}..%2Fetc%2Fpasswd-latest.json: "../etc/passwd" is not an image name`);
    expect(server.requests).toEqual([]);
  });
});
