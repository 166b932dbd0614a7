// HTTP for the build runner: small text files and large streamed downloads, with timeout and retry.

import * as fs from 'fs';
import { createHash } from 'crypto';
import { deadline, oneLine, type Deadline } from '../common';
import { rmQuiet } from './files';

export type FetchFn = typeof fetch;

export interface RetryOptions {
  /** Attempts in total (default 3). */
  readonly attempts?: number;
  /** Delay before the 2nd attempt in ms, doubled each time (default 2000). */
  readonly backoffMs?: number;
}

export const USER_AGENT = 'goldsmith-build/0.1 (+https://github.com/; image builder)';

/** An error a retry cannot fix (HTTP 4xx, bad content). */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` up to `attempts` times with exponential backoff; PermanentError and aborts are not retried. */
export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions & { log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 3;
  const backoff = opts.backoffMs ?? 2000;
  let last: unknown;
  let tried = 0;
  for (let i = 1; i <= attempts; i++) {
    tried = i;
    try {
      return await fn(i);
    } catch (e) {
      last = e;
      if (e instanceof PermanentError || opts.signal?.aborted || i === attempts) break;
      const delay = backoff * 2 ** (i - 1);
      opts.log?.(`${what}: attempt ${i}/${attempts} failed (${oneLine(e)}); retrying in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, opts.signal);
    }
  }
  throw new Error(`${what} failed${tried > 1 ? ` after ${tried} attempts` : ''}: ${oneLine(last)}`);
}

/** Redirects followed per request. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/**
 * Why a redirect from `from` to `to` must not be followed, or undefined. Only http(s) targets; an
 * https → http downgrade only for an image with an insecure_http_waiver.
 */
export function redirectProblem(from: URL, to: URL, allowHttpDowngrade: boolean): string | undefined {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return `redirect to a ${to.protocol} URL refused`;
  if (from.protocol === 'https:' && to.protocol === 'http:' && !allowHttpDowngrade) {
    return `redirect from https to plain http (${to.origin}) refused: the image has no insecure_http_waiver`;
  }
  return undefined;
}

interface GetOptions {
  readonly allowHttpDowngrade?: boolean;
}

/**
 * GET with redirects followed here (`redirect: 'manual'`): each hop is checked (redirectProblem)
 * before anything of its response is used. Asks for the identity encoding. Returns the response of
 * the final URL.
 */
async function get(url: string, fetchFn: FetchFn, signal: AbortSignal, opts: GetOptions = {}): Promise<{ res: Response; finalUrl: string }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetchFn(current, { signal, headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity' }, redirect: 'manual' });
    } catch (e) {
      if (signal.aborted) throw new Error(`timed out or cancelled fetching ${current}`);
      throw new Error(`cannot fetch ${current}: ${oneLine(e)}`);
    }
    if (REDIRECT_STATUS.has(res.status)) {
      await res.body?.cancel().catch(() => undefined);
      const location = res.headers.get('location');
      if (!location) throw new PermanentError(`GET ${current}: HTTP ${res.status} without a Location`);
      if (hop >= MAX_REDIRECTS) throw new PermanentError(`GET ${url}: more than ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new PermanentError(`GET ${current}: HTTP ${res.status} with an invalid Location`);
      }
      const problem = redirectProblem(new URL(current), next, opts.allowHttpDowngrade ?? false);
      if (problem) throw new PermanentError(`GET ${current}: ${problem}`);
      current = next.href;
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const msg = `GET ${current}: HTTP ${res.status} ${res.statusText}`.trim();
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
      throw new Error(msg);
    }
    return { res, finalUrl: current };
  }
}

export interface FetchTextOptions extends RetryOptions {
  readonly fetch?: FetchFn;
  readonly timeoutMs: number;
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Follow an https → http redirect (images with an insecure_http_waiver only). */
  readonly allowHttpDowngrade?: boolean;
}

/** GET a small text file (checksum list) with timeout and retry. */
export async function fetchText(url: string, opts: FetchTextOptions): Promise<string> {
  const fetchFn = opts.fetch ?? fetch;
  const max = opts.maxBytes ?? 16 * 1024 * 1024;
  return withRetry(
    `fetch ${url}`,
    async () => {
      const d = deadline(opts.timeoutMs, opts.signal);
      try {
        const { res } = await get(url, fetchFn, d.signal, opts);
        return await readText(url, res, max);
      } catch (e) {
        if (d.timedOut) throw new Error(`timed out after ${opts.timeoutMs / 1000} s fetching ${url}`);
        throw e;
      } finally {
        d.clear();
      }
    },
    opts,
  );
}

async function readText(url: string, res: Response, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      n += chunk.length;
      if (n > max) throw new PermanentError(`${url} is larger than ${max} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (e) {
    if (e instanceof PermanentError) throw e;
    throw new Error(`reading ${url}: ${oneLine(e)}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface DownloadOptions extends RetryOptions {
  readonly fetch?: FetchFn;
  /** Per attempt, for the whole transfer. */
  readonly timeoutMs: number;
  /** Digests computed while streaming, e.g. ['sha256']. */
  readonly algorithms: readonly string[];
  /** Files smaller than this are rejected (default 1 MiB). */
  readonly minBytes?: number;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** Progress line at least every this many ms (default 30000), and at every 10 %. */
  readonly progressIntervalMs?: number;
  /** Follow an https → http redirect (images with an insecure_http_waiver only). */
  readonly allowHttpDowngrade?: boolean;
}

export interface DownloadResult {
  readonly bytes: number;
  /** Hex digest per requested algorithm. */
  readonly digests: Record<string, string>;
  /** The URL the file came from, after redirects. */
  readonly finalUrl: string;
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Streams `url` into `dest` (created or truncated), hashing on the way; retries on network errors,
 * timeouts and truncation. Rejects short files, text (Content-Type text/*) and Content-Length
 * mismatches. `dest` is removed on failure. Every attempt ends within `timeoutMs`.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const fetchFn = opts.fetch ?? fetch;
  try {
    return await withRetry(
      `download ${url}`,
      async (attempt) => {
        const d = deadline(opts.timeoutMs, opts.signal);
        try {
          return await downloadOnce(url, dest, fetchFn, d, attempt, opts);
        } catch (e) {
          if (d.timedOut && !(e instanceof PermanentError) && !oneLine(e).startsWith('timed out')) throw new Error(`timed out after ${opts.timeoutMs / 1000} s (${oneLine(e)})`);
          throw e;
        } finally {
          d.clear();
        }
      },
      opts,
    );
  } catch (e) {
    rmQuiet(dest);
    throw e;
  }
}

async function downloadOnce(url: string, dest: string, fetchFn: FetchFn, d: Deadline, attempt: number, opts: DownloadOptions): Promise<DownloadResult> {
  const minBytes = opts.minBytes ?? 1024 * 1024;
  const every = opts.progressIntervalMs ?? 30000;
  const signal = d.signal;
  const { res, finalUrl } = await get(url, fetchFn, signal, opts);
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('text/')) {
    await res.body?.cancel().catch(() => undefined);
    throw new PermanentError(`GET ${finalUrl}: Content-Type ${type.split(';')[0]} is not a disk image`);
  }
  // fetch decodes a Content-Encoding (we ask for identity; some servers gzip anyway): Content-Length
  // then counts encoded bytes and cannot check the decoded file. Such a download is accepted (the
  // checksum verifies the content, the decoder detects a cut stream) rather than failed as "truncated".
  const encoding = (res.headers.get('content-encoding') ?? 'identity').toLowerCase();
  const encoded = encoding !== 'identity' && encoding !== '';
  const lenHeader = res.headers.get('content-length');
  const expected = !encoded && lenHeader !== null && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
  const via = finalUrl !== url ? ` (redirected to ${finalUrl})` : '';
  opts.log(`downloading ${url}${via}${expected !== undefined ? ` (${mib(expected)})` : ''}${attempt > 1 ? `, attempt ${attempt}` : ''}`);
  if (encoded) opts.log(`download: the server sent Content-Encoding ${encoding}; Content-Length is not compared (the decoded file is what is hashed)`);
  const hashes = opts.algorithms.map((a) => [a, createHash(a)] as const);
  const fh = await fs.promises.open(dest, 'w', 0o644);
  let bytes = 0;
  let nextPct = 10;
  let lastLog = Date.now();
  const started = Date.now();
  try {
    if (!res.body) throw new Error('empty response body');
    const reader = res.body.getReader();
    // Not every fetch ties the body to the signal: cancel the reader ourselves on timeout/abort.
    const onAbort = (): void => void reader.cancel(signal.reason).catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (done) break;
        for (const [, h] of hashes) h.update(chunk);
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
          off += bytesWritten;
        }
        bytes += chunk.length;
        const pct = expected ? Math.floor((bytes * 100) / expected) : 0;
        const now = Date.now();
        if ((expected && pct >= nextPct && pct < 100) || now - lastLog >= every) {
          if (expected) while (nextPct <= pct) nextPct += 10;
          lastLog = now;
          opts.log(`download: ${mib(bytes)}${expected ? ` of ${mib(expected)} (${pct}%)` : ''}`);
        }
      }
    } catch (e) {
      if (d.timedOut) throw new Error(`timed out after ${opts.timeoutMs / 1000} s, ${mib(bytes)} received`);
      if (signal.aborted) throw new Error(`cancelled after ${mib(bytes)}`);
      throw new Error(`connection broken after ${mib(bytes)}${expected !== undefined ? ` of ${mib(expected)}` : ''}: ${oneLine(e)}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (expected !== undefined && bytes !== expected) throw new Error(`truncated: got ${bytes} of ${expected} bytes (Content-Length)`);
  if (bytes < minBytes) throw new PermanentError(`${url} is only ${bytes} bytes (minimum ${minBytes}); not an image`);
  const secs = (Date.now() - started) / 1000;
  opts.log(`download: complete, ${mib(bytes)} in ${secs.toFixed(1)} s`);
  return { bytes, digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])), finalUrl };
}
