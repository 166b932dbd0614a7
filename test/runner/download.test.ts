// Downloads with an injected fetch (no network): progress lines, retry, size checks, hashing.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { downloadFile, fetchText, type FetchFn } from '../../lib/runner/download';

function fakeFetch(responses: Array<() => Response>): FetchFn & { calls: number } {
  const f = (async () => {
    const next = responses[Math.min(f.calls, responses.length - 1)];
    f.calls++;
    return next();
  }) as unknown as FetchFn & { calls: number };
  f.calls = 0;
  return f;
}

function body(buf: Buffer, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= buf.length) return c.close();
      c.enqueue(new Uint8Array(buf.subarray(off, off + chunk)));
      off += chunk;
    },
  });
}

describe('downloadFile', () => {
  let dir: string;
  const data = Buffer.alloc(2 * 1024 * 1024, 'abc');
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-dl-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('hashes while streaming, logs progress every 10 %', async () => {
    const f = fakeFetch([() => new Response(body(data), { headers: { 'Content-Length': String(data.length) } })]);
    const lines: string[] = [];
    const dest = path.join(dir, 'x');
    const r = await downloadFile('http://up/x', dest, { fetch: f, timeoutMs: 5000, algorithms: ['sha256', 'md5'], log: (l) => lines.push(l) });
    expect(r.bytes).toBe(data.length);
    expect(r.digests.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(r.digests.md5).toBe(createHash('md5').update(data).digest('hex'));
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
    const pct = lines.filter((l) => /^download: .*%\)$/.test(l)).map((l) => Number(/\((\d+)%\)/.exec(l)![1]));
    expect(pct.map((p) => Math.floor(p / 10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines[lines.length - 1]).toMatch(/^download: complete, 2\.0 MiB in /);
  });

  test('Content-Length mismatch is retried; the file is removed after the last attempt', async () => {
    const short = (): Response => new Response(body(data.subarray(0, 1024 * 1024)), { headers: { 'Content-Length': String(data.length) } });
    const f = fakeFetch([short]);
    const dest = path.join(dir, 'x');
    const lines: string[] = [];
    await expect(
      downloadFile('http://up/x', dest, { fetch: f, timeoutMs: 5000, algorithms: ['sha256'], log: (l) => lines.push(l), attempts: 3, backoffMs: 1 }),
    ).rejects.toThrow('download http://up/x failed after 3 attempts: truncated: got 1048576 of 2097152 bytes (Content-Length)');
    expect(f.calls).toBe(3);
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('recovers on a later attempt; 5xx retried, 4xx not', async () => {
    const f = fakeFetch([() => new Response('busy', { status: 503 }), () => new Response(body(data))]);
    const r = await downloadFile('http://up/x', path.join(dir, 'x'), { fetch: f, timeoutMs: 5000, algorithms: ['sha256'], log: () => undefined, backoffMs: 1 });
    expect(r.bytes).toBe(data.length);
    expect(f.calls).toBe(2);
    const g = fakeFetch([() => new Response('no', { status: 403, statusText: 'Forbidden' })]);
    await expect(downloadFile('http://up/x', path.join(dir, 'y'), { fetch: g, timeoutMs: 5000, algorithms: ['sha256'], log: () => undefined, backoffMs: 1 })).rejects.toThrow(
      'download http://up/x failed: GET http://up/x: HTTP 403 Forbidden',
    );
    expect(g.calls).toBe(1);
  });

  test('minimum size is configurable', async () => {
    const f = fakeFetch([() => new Response(body(data))]);
    await expect(
      downloadFile('http://up/x', path.join(dir, 'x'), { fetch: f, timeoutMs: 5000, algorithms: ['sha256'], log: () => undefined, minBytes: 4 * 1024 * 1024 }),
    ).rejects.toThrow(/is only 2097152 bytes \(minimum 4194304\)/);
  });

  test('a stalled transfer times out', async () => {
    const f = fakeFetch([() => new Response(new ReadableStream({ pull: () => new Promise(() => undefined) }))]);
    await expect(
      downloadFile('http://up/x', path.join(dir, 'x'), { fetch: f, timeoutMs: 200, algorithms: ['sha256'], log: () => undefined, attempts: 1 }),
    ).rejects.toThrow(/timed out/);
  }, 10000);
});

describe('fetchText', () => {
  test('returns the body; retries network errors', async () => {
    let n = 0;
    const f = (async () => {
      if (n++ === 0) throw new TypeError('fetch failed');
      return new Response('hello');
    }) as unknown as FetchFn;
    expect(await fetchText('http://up/SUMS', { fetch: f, timeoutMs: 1000, backoffMs: 1 })).toBe('hello');
    expect(n).toBe(2);
  });
});
