// HTTP for the build runner: small text files and large streamed downloads, with timeout and retry.

import * as fs from 'fs';
import { createHash } from 'crypto';
import { oneLine, rmQuiet } from './util';

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

function timeoutSignal(ms: number, outer?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return outer ? AbortSignal.any([outer, t]) : t;
}

async function get(url: string, fetchFn: FetchFn, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, { signal, headers: { 'User-Agent': USER_AGENT }, redirect: 'follow' });
  } catch (e) {
    if ((e as Error)?.name === 'TimeoutError') throw new Error(`timed out fetching ${url}`);
    throw new Error(`cannot fetch ${url}: ${oneLine(e)}`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const msg = `GET ${url}: HTTP ${res.status} ${res.statusText}`.trim();
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
    throw new Error(msg);
  }
  return res;
}

export interface FetchTextOptions extends RetryOptions {
  readonly fetch?: FetchFn;
  readonly timeoutMs: number;
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** GET a small text file (checksum list) with timeout and retry. */
export async function fetchText(url: string, opts: FetchTextOptions): Promise<string> {
  const fetchFn = opts.fetch ?? fetch;
  const max = opts.maxBytes ?? 16 * 1024 * 1024;
  return withRetry(
    `fetch ${url}`,
    async () => {
      const signal = timeoutSignal(opts.timeoutMs, opts.signal);
      const res = await get(url, fetchFn, signal);
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
    },
    opts,
  );
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
}

export interface DownloadResult {
  readonly bytes: number;
  /** Hex digest per requested algorithm. */
  readonly digests: Record<string, string>;
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Streams `url` into `dest` (created or truncated), hashing on the way; retries on network errors
 * and truncation. Rejects short files and Content-Length mismatches. `dest` is removed on failure.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const fetchFn = opts.fetch ?? fetch;
  const minBytes = opts.minBytes ?? 1024 * 1024;
  const every = opts.progressIntervalMs ?? 30000;
  try {
    return await withRetry(
      `download ${url}`,
      async (attempt) => {
        const signal = timeoutSignal(opts.timeoutMs, opts.signal);
        const res = await get(url, fetchFn, signal);
        const lenHeader = res.headers.get('content-length');
        const expected = lenHeader !== null && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
        opts.log(`downloading ${url}${expected !== undefined ? ` (${mib(expected)})` : ''}${attempt > 1 ? `, attempt ${attempt}` : ''}`);
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
            if (signal.aborted && opts.signal?.aborted) throw new Error(`cancelled after ${mib(bytes)}`);
            if ((e as Error)?.name === 'TimeoutError' || signal.aborted) throw new Error(`timed out after ${mib(bytes)}`);
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
        return { bytes, digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])) };
      },
      opts,
    );
  } catch (e) {
    rmQuiet(dest);
    throw e;
  }
}
