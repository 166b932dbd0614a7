// Hostile or broken mirrors against downloadFile/fetchText and the runner, on 127.0.0.1 only:
// a trickling server (timeouts must hold, also under GC), redirects (https → http downgrade, final
// URL in the report), text served as an image, gzip Content-Encoding.

import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { runBuild } from '../../lib/runner';
import { downloadFile, redirectProblem, type FetchFn } from '../../lib/runner/download';
import { describeWithTools } from '../support/tools';
import { createFixture, readReport, runOptions, type Fixture } from './fixture';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; requests: http.IncomingMessage[]; close(): Promise<void> }> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function runChild(mode: string): Promise<{ error: string | null; ms: number; requests: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'trickle-child.js'), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // Far above the 2 × 1 s the download may take; a vanished timeout would run until this kill.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, sig) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`child ended with ${code ?? sig} (timeout never fired?): ${out}${err}`));
      resolve(JSON.parse(out.trim()));
    });
  });
}

describe('timeouts hold against a mirror that trickles a byte at a time (GC running)', () => {
  test.each(['download', 'text'])('%s: every attempt times out, the whole call ends', async (mode) => {
    const r = await runChild(mode);
    expect(r.error).toMatch(/failed after 2 attempts: timed out after 1 s/);
    expect(r.requests).toBe(2);
    expect(r.ms).toBeLessThan(20_000);
  }, 60_000);

  test('the deadline primitive fires under constant GC (the AbortSignal.any pattern does not)', async () => {
    const r = await runChild('deadline');
    expect(r.error).toBe('timed out');
    expect(r.ms).toBeLessThan(20_000);
  }, 60_000);
});

describe('redirects', () => {
  test('redirectProblem: https → http only with the waiver; only http(s) targets', () => {
    const u = (s: string): URL => new URL(s);
    expect(redirectProblem(u('https://a/x'), u('http://b/x'), false)).toBe('redirect from https to plain http (http://b) refused: the image has no insecure_http_waiver');
    expect(redirectProblem(u('https://a/x'), u('http://b/x'), true)).toBeUndefined();
    expect(redirectProblem(u('https://a/x'), u('https://b/x'), false)).toBeUndefined();
    expect(redirectProblem(u('http://a/x'), u('http://b/x'), false)).toBeUndefined();
    expect(redirectProblem(u('http://a/x'), u('file:///etc/shadow'), true)).toBe('redirect to a file: URL refused');
  });

  // Simulated: there is no TLS server here. The injected fetch answers the https hop itself (a 302
  // to the loopback http server) and hands every http URL to node's real fetch.
  function httpsHop(to: string): FetchFn & { urls: string[] } {
    const urls: string[] = [];
    const f = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      urls.push(url);
      if (url.startsWith('https://')) return new Response(null, { status: 302, headers: { Location: to } });
      return fetch(url, init);
    }) as FetchFn & { urls: string[] };
    f.urls = urls;
    return f;
  }

  test('an https URL redirecting to http is refused before any byte of the http response is used', async () => {
    const srv = await serve((_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024)));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-redir-'));
    try {
      const f = httpsHop(`${srv.url}/plain.img`);
      const o = { fetch: f, timeoutMs: 5000, algorithms: ['sha256'], log: () => undefined, attempts: 3, backoffMs: 1 };
      await expect(downloadFile('https://mirror.example/img', path.join(dir, 'x'), o)).rejects.toThrow(
        `download https://mirror.example/img failed: GET https://mirror.example/img: redirect from https to plain http (${srv.url}) refused: the image has no insecure_http_waiver`,
      );
      expect(srv.requests).toHaveLength(0);
      expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
      // with the waiver it is followed, and the final URL is returned
      const r = await downloadFile('https://mirror.example/img', path.join(dir, 'x'), { ...o, allowHttpDowngrade: true });
      expect(r.finalUrl).toBe(`${srv.url}/plain.img`);
      expect(srv.requests).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await srv.close();
    }
  });

  test('redirect loops end after 5 hops', async () => {
    const srv = await serve((req, res) => {
      res.writeHead(302, { Location: `${req.url}x` });
      res.end();
    });
    try {
      await expect(
        downloadFile(`${srv.url}/a`, path.join(os.tmpdir(), `goldsmith-loop-${process.pid}`), { timeoutMs: 5000, algorithms: ['sha256'], log: () => undefined, attempts: 1 }),
      ).rejects.toThrow(`GET ${srv.url}/a: more than 5 redirects`);
      expect(srv.requests).toHaveLength(6);
    } finally {
      await srv.close();
    }
  });
});

describe('what a mirror serves', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-mirror-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('Content-Type text/html is refused at once (not retried), nothing kept', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(Buffer.alloc(2 * 1024 * 1024, 'x'));
    });
    try {
      await expect(
        downloadFile(`${srv.url}/img`, path.join(dir, 'x'), { timeoutMs: 5000, algorithms: ['sha256'], log: () => undefined, attempts: 3, backoffMs: 1 }),
      ).rejects.toThrow(`download ${srv.url}/img failed: GET ${srv.url}/img: Content-Type text/html is not a disk image`);
      expect(srv.requests).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
    } finally {
      await srv.close();
    }
  });

  test('gzip Content-Encoding with a Content-Length: identity is asked for; a gzipping server still works', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024, 'compressible image data ');
    const gz = zlib.gzipSync(data);
    const srv = await serve((_req, res) => {
      // ignores Accept-Encoding, as some mirrors do
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Encoding': 'gzip', 'Content-Length': String(gz.length) });
      res.end(gz);
    });
    const lines: string[] = [];
    try {
      const r = await downloadFile(`${srv.url}/img`, path.join(dir, 'x'), { timeoutMs: 5000, algorithms: ['sha256'], log: (l) => lines.push(l), attempts: 3, backoffMs: 1 });
      expect(r.bytes).toBe(data.length);
      expect(r.digests.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(srv.requests).toHaveLength(1);
      expect(srv.requests[0].headers['accept-encoding']).toBe('identity');
      expect(lines).toContain('download: the server sent Content-Encoding gzip; Content-Length is not compared (the decoded file is what is hashed)');
    } finally {
      await srv.close();
    }
  });
});

describeWithTools(['qemu-img'], 'runner: redirects recorded', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  test('an http → http redirect is followed and the report records the final URL', async () => {
    fx.server.set('/images/moved.qcow2', { body: fx.upstream });
    fx.server.set(fx.imagePath, { body: Buffer.alloc(0), status: 302, headers: { Location: '/images/moved.qcow2' } });
    const report = await runBuild(runOptions(fx));
    expect(report.error).toBeUndefined();
    expect(report.result).toBe('success');
    expect(readReport(fx).upstream).toMatchObject({ url: `${fx.server.baseUrl}cloud-generic.qcow2`, final_url: `${fx.server.baseUrl}moved.qcow2` });
  });
});
