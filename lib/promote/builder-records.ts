// Reading a builder's latest build record for promote: `<image>-latest.json` from the builder's
// web server (the store directory the runner publishes, docs/builder-bundle.md), checked against
// the contract's schema and against the files it names: the build's .md5 and .sha256 files must
// agree with it and its image file must be there with the recorded size.
import { deadline, oneLine } from '../common';
import { BuildRecordSchema, BundleFileError, IMAGE_NAME, parseContractJson, type BuildRecord } from '../contract';

/** Largest `-latest.json` accepted (a record is about 2 KiB). */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Largest `.md5`/`.sha256` file accepted (one line). */
export const MAX_SUM_FILE_BYTES = 4096;
/** Default time for each request, its body included. */
export const DEFAULT_RECORD_TIMEOUT_MS = 30_000;

const USER_AGENT = 'goldsmith-promote/0.1';

/** Why the builder's latest record cannot be used: `message` is one line, `<url>: <why>`. */
export class BuilderRecordError extends Error {
  constructor(
    /** The URL of the request that failed, or of the record whose content is wrong. */
    readonly url: string,
    readonly why: string,
  ) {
    super(`${url}: ${why}`);
    this.name = 'BuilderRecordError';
  }
}

export interface FetchRecordOptions {
  /** Per request, body included (default DEFAULT_RECORD_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Cancels the requests (message: `cancelled`). */
  readonly signal?: AbortSignal;
}

/**
 * The latest build record of `image` on the builder whose store is served at `baseUrl` (http or
 * https, ending with '/'), or undefined when `<baseUrl><image>-latest.json` answers 404: no build
 * yet (or only builds of a runner older than build records), which promote reports as such.
 *
 * GETs the record (no redirect followed: a redirect is an error; at most MAX_RECORD_BYTES), parses
 * it with the contract's BuildRecordSchema and checks that it is of `image` and that its
 * verification passed; then that `<image>-<build_id>.md5` and `.sha256` (md5sum format) name the
 * record's file with the record's hashes, and that a HEAD of the file answers 200 with a
 * Content-Length equal to `size_bytes`. Every problem throws a BuilderRecordError (one line naming
 * the URL and why; never a stack). The requests run one after the other, each with its own timeout.
 */
export async function fetchLatestRecord(baseUrl: string, image: string, opts: FetchRecordOptions = {}): Promise<BuildRecord | undefined> {
  checkArguments(baseUrl, image);
  const url = `${baseUrl}${image}-latest.json`;
  const text = await getText(url, MAX_RECORD_BYTES, opts, true);
  if (text === undefined) return undefined;
  let record: BuildRecord;
  try {
    record = parseContractJson(BuildRecordSchema, text, url);
  } catch (e) {
    if (e instanceof BundleFileError) throw new BuilderRecordError(url, e.message.slice(url.length + 2));
    throw e;
  }
  if (record.image !== image) throw new BuilderRecordError(url, `the record is of image ${record.image}, not ${image}`);
  if (record.verification.result !== 'passed') {
    const failed = record.verification.checks.filter((c) => c.result !== 'passed').map((c) => c.name);
    throw new BuilderRecordError(url, `the build's verification failed${failed.length ? ` (${failed.join(', ')})` : ' (no checks)'}`);
  }
  const base = `${image}-${record.build_id}`;
  for (const [ext, hexLength, value] of [['md5', 32, record.md5], ['sha256', 64, record.sha256]] as const) {
    const sumUrl = `${baseUrl}${base}.${ext}`;
    const line = (await getText(sumUrl, MAX_SUM_FILE_BYTES, opts, false))!;
    const m = /^([0-9a-f]+) [ *]([^\s/]+)\n?$/.exec(line);
    if (!m || m[1].length !== hexLength) throw new BuilderRecordError(sumUrl, `not one ${ext}sum line (<hex>  <file>)`);
    if (m[2] !== record.file) throw new BuilderRecordError(url, `${base}.${ext} is for ${m[2]}, the record for ${record.file}`);
    if (m[1] !== value) throw new BuilderRecordError(url, `${ext} in the record (${value}) differs from ${base}.${ext} (${m[1]})`);
  }
  const fileUrl = `${baseUrl}${record.file}`;
  const length = await headLength(fileUrl, opts);
  if (length !== record.size_bytes) {
    throw new BuilderRecordError(url, `size in the record (${record.size_bytes} bytes) differs from the Content-Length of ${record.file} (${length} bytes)`);
  }
  return record;
}

/** The base URL must be an http(s) URL of a directory without credentials; the image a valid name. */
function checkArguments(baseUrl: string, image: string): void {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    // an unparsable string is not shown when it may hold a password (user:password@host)
    throw new BuilderRecordError(baseUrl.includes('@') ? '(builder URL)' : oneLine(baseUrl, 200), 'not a URL');
  }
  // only http(s) URLs have a known place for credentials: another string with '@' is not shown
  const web = u.protocol === 'http:' || u.protocol === 'https:';
  const shown = web ? redacted(u) : baseUrl.includes('@') ? '(builder URL)' : u.href;
  if (!web) throw new BuilderRecordError(shown, 'only http and https builder URLs are supported');
  if (u.username || u.password) throw new BuilderRecordError(shown, 'credentials in the builder URL are not supported');
  if (u.search || u.hash || !baseUrl.endsWith('/')) throw new BuilderRecordError(shown, "the builder URL must name a directory: end with '/', no query");
  if (!IMAGE_NAME.test(image)) throw new BuilderRecordError(`${baseUrl}${encodeURIComponent(image)}-latest.json`, `${JSON.stringify(image)} is not an image name`);
}

/** A URL as shown in messages: without user name and password. */
function redacted(u: URL): string {
  if (!u.username && !u.password) return u.href;
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  return c.href;
}

/** The body of a 200 answer to GET `url` as UTF-8 text; undefined for a 404 when `missingOk`. */
async function getText(url: string, maxBytes: number, opts: FetchRecordOptions, missingOk: boolean): Promise<string | undefined> {
  return request(url, 'GET', opts, missingOk, async (res) => {
    const declared = res.headers.get('content-length');
    if (declared !== null && Number(declared) > maxBytes) throw new BuilderRecordError(url, `body larger than ${maxBytes} bytes`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new BuilderRecordError(url, `body larger than ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new BuilderRecordError(url, 'body is not UTF-8 text');
    }
  });
}

/** The Content-Length of a 200 answer to HEAD `url`. */
async function headLength(url: string, opts: FetchRecordOptions): Promise<number> {
  const length = await request(url, 'HEAD', opts, false, async (res) => {
    const header = res.headers.get('content-length');
    if (header === null || !/^\d+$/.test(header)) throw new BuilderRecordError(url, 'no Content-Length in the answer to HEAD');
    return Number(header);
  });
  return length!;
}

/**
 * One request with its own timeout (answer and body): redirects and statuses other than 200 are
 * errors, except a 404 when `missingOk` (undefined); transport failures become one line.
 */
async function request<T>(url: string, method: 'GET' | 'HEAD', opts: FetchRecordOptions, missingOk: boolean, use: (res: Response) => Promise<T>): Promise<T | undefined> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RECORD_TIMEOUT_MS;
  const d = deadline(timeoutMs, opts.signal);
  let res: Response | undefined;
  try {
    res = await fetch(url, { method, redirect: 'manual', signal: d.signal, headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity' } });
    if (res.status >= 300 && res.status < 400) throw new BuilderRecordError(url, `HTTP ${res.status} redirect to ${location(res, url)} (redirects are not followed)`);
    if (res.status === 404 && missingOk) return undefined;
    if (res.status !== 200) throw new BuilderRecordError(url, `HTTP ${res.status} ${res.statusText}`.trim());
    return await use(res);
  } catch (e) {
    if (e instanceof BuilderRecordError) throw e;
    if (d.timedOut) throw new BuilderRecordError(url, `no complete answer within ${timeoutMs} ms`);
    if (opts.signal?.aborted) throw new BuilderRecordError(url, 'cancelled');
    throw new BuilderRecordError(url, transportProblem(e));
  } finally {
    d.clear();
    await res?.body?.cancel().catch(() => undefined);
  }
}

/** Where a redirect points (credentials removed), for the message. */
function location(res: Response, url: string): string {
  const l = res.headers.get('location');
  if (l === null) return 'nowhere (no Location)';
  try {
    return oneLine(redacted(new URL(l, url)), 200);
  } catch {
    return 'an invalid Location';
  }
}

const TRANSPORT_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** A fetch failure (undici puts the reason in `cause`) as a few words. */
function transportProblem(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code !== undefined && TRANSPORT_CODES[code]) return `${TRANSPORT_CODES[code]} (${code})`;
  return `request failed (${oneLine(e, 200)})`;
}
