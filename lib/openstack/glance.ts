// A small client for the Glance v2 REST API, on node's built-in fetch (no dependencies).
//
// Why not shell out to the `openstack` CLI: the runner's hot path then has no Python dependency
// (no python-openstackclient to install, pin and keep working on every builder); multi-GB images
// are streamed straight from and to disk while we compute md5/sha256 ourselves in the same pass
// (and check them against Glance's checksum / os_hash_value); failures are typed, one-line
// GlanceErrors with method, path, status and Glance's message instead of CLI output to scrape;
// and the whole client is tested against a real Glance (test/openstack/glance.test.ts).
//
// Errors never include request headers (the token), only the method, the URL path, the status and
// Glance's own message.
import { createHash, Hash, getHashes, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { deadline } from '../common';
import { requestFailure } from './request-failure';

export type HeaderMap = Record<string, string>;

export interface GlanceClientOptions {
  /** Glance root, e.g. https://image.example:9292 (a trailing /v2 is accepted and dropped). */
  endpoint: string;
  /** Auth headers for each request (X-Auth-Token, or trusted-auth headers in tests); a function is called per request. */
  headers: HeaderMap | (() => Promise<HeaderMap> | HeaderMap);
  /** Per-request timeout for API calls (not file transfers); default 60 s. */
  timeoutMs?: number;
}

export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  checksum: string | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  min_ram: number;
  min_disk: number;
  tags: string[];
  protected: boolean;
  owner?: string | null;
  created_at: string;
  updated_at: string;
  /** Custom properties are top-level string fields. */
  [property: string]: unknown;
}

export interface CreateImageInput {
  name: string;
  diskFormat: 'qcow2' | 'raw' | 'vmdk' | 'vdi' | 'vhd' | 'vhdx' | 'iso' | 'ami' | 'ari' | 'aki' | 'ploop';
  containerFormat: 'bare' | 'ovf' | 'ova' | 'aki' | 'ari' | 'ami' | 'docker' | 'compressed';
  visibility: 'public' | 'private' | 'shared' | 'community';
  minRamMb?: number;
  minDiskGb?: number;
  /** Custom image properties (Glance stores them as strings). */
  properties?: Record<string, string>;
  tags?: string[];
  /** Glance's `os_hidden`: left out of the default image list (default false). */
  hidden?: boolean;
}

export interface ListImagesQuery {
  name?: string;
  tag?: string;
  status?: string;
  /** `all` also lists community images of other projects (Glance leaves those out by default). */
  visibility?: 'public' | 'private' | 'shared' | 'community' | 'all';
  /**
   * Glance's `os_hidden` filter. Glance lists only images whose os_hidden equals it, and treats an
   * absent filter as false: hidden images are never in a list without `hidden: true`.
   */
  hidden?: boolean;
  /** Page size asked of Glance; all pages are followed regardless. */
  pageSize?: number;
}

export interface DownloadResult {
  bytes: number;
  md5: string;
  sha256: string;
}

/** A Glance API failure: one line, `Glance <METHOD> <path>: <status> <reason>: <message>`. */
export class GlanceError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly glanceMessage: string,
  ) {
    super(`Glance ${method} ${path}: ${glanceMessage}`);
    this.name = 'GlanceError';
  }
}

// Fields Glance owns; custom properties must not shadow them.
const CORE_FIELDS = new Set([
  'id', 'name', 'status', 'visibility', 'disk_format', 'container_format', 'size', 'virtual_size',
  'checksum', 'os_hash_algo', 'os_hash_value', 'min_ram', 'min_disk', 'tags', 'protected', 'owner',
  'created_at', 'updated_at', 'file', 'schema', 'self', 'direct_url', 'locations', 'os_hidden',
  'stores',
]);

export class GlanceClient {
  readonly endpoint: string;
  private readonly headers: () => Promise<HeaderMap> | HeaderMap;
  private readonly timeoutMs: number;

  constructor(opts: GlanceClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '').replace(/\/v2$/, '');
    const h = opts.headers;
    this.headers = typeof h === 'function' ? h : () => h;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** POST /v2/images: a queued image record, no data yet. */
  async createImage(input: CreateImageInput): Promise<GlanceImage> {
    const body: Record<string, unknown> = {
      name: input.name,
      disk_format: input.diskFormat,
      container_format: input.containerFormat,
      visibility: input.visibility,
    };
    if (input.minRamMb !== undefined) body.min_ram = input.minRamMb;
    if (input.minDiskGb !== undefined) body.min_disk = input.minDiskGb;
    if (input.tags) body.tags = input.tags;
    if (input.hidden !== undefined) body.os_hidden = input.hidden;
    for (const [k, v] of Object.entries(input.properties ?? {})) {
      if (CORE_FIELDS.has(k)) {
        throw new GlanceError('POST', '/v2/images', undefined, `property "${k}" is a core image field`);
      }
      body[k] = String(v);
    }
    return (await this.json('POST', '/v2/images', { body, expect: [201] })) as GlanceImage;
  }

  /** GET /v2/images/{id}. */
  async getImage(id: string): Promise<GlanceImage> {
    return (await this.json('GET', imagePath(id))) as GlanceImage;
  }

  /** GET /v2/images with filters, following `next` until the last page. */
  async listImages(q: ListImagesQuery = {}): Promise<GlanceImage[]> {
    const params = new URLSearchParams();
    if (q.name !== undefined) params.set('name', q.name);
    if (q.tag !== undefined) params.set('tag', q.tag);
    if (q.status !== undefined) params.set('status', q.status);
    if (q.visibility !== undefined) params.set('visibility', q.visibility);
    if (q.hidden !== undefined) params.set('os_hidden', String(q.hidden));
    params.set('limit', String(q.pageSize ?? 100));
    const out: GlanceImage[] = [];
    let next: string | undefined = `/v2/images?${params}`;
    for (let page = 0; next; page++) {
      if (page > 10_000) throw new GlanceError('GET', '/v2/images', undefined, 'pagination does not end');
      const res = (await this.json('GET', next)) as { images?: GlanceImage[]; next?: string };
      out.push(...(res.images ?? []));
      next = res.next;
    }
    return out;
  }

  /** PUT /v2/images/{id}/file, streaming the file with its Content-Length. */
  async uploadFile(id: string, file: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    const p = `${imagePath(id)}/file`;
    let size: number;
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
      size = st.size;
    } catch (e) {
      throw new GlanceError('PUT', p, undefined, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const stream = fs.createReadStream(file);
    try {
      await this.request('PUT', p, {
        rawBody: stream,
        contentType: 'application/octet-stream',
        contentLength: size,
        expect: [204],
        timeoutMs: opts.timeoutMs,
      });
    } finally {
      stream.destroy();
    }
  }

  /**
   * Poll GET /v2/images/{id} until it has `status`. Fails at once when the image turns
   * `killed` or `deleted` (unless that is what we wait for), or after `timeoutMs` (default 10 min).
   */
  async waitForStatus(
    id: string,
    status: string,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<GlanceImage> {
    const timeoutMs = opts.timeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    let interval = opts.intervalMs ?? 250;
    let last = 'unknown';
    for (;;) {
      const img = await this.getImage(id);
      last = img.status;
      if (img.status === status) return img;
      if ((img.status === 'killed' || img.status === 'deleted') && status !== img.status) {
        throw new GlanceError('GET', imagePath(id), undefined, `image is ${img.status}, not ${status}`);
      }
      if (Date.now() + interval > deadline) break;
      await new Promise((r) => setTimeout(r, interval));
      interval = Math.min(interval * 2, 5_000);
    }
    throw new GlanceError(
      'GET',
      imagePath(id),
      undefined,
      `timed out after ${Math.round(timeoutMs / 1000)} s waiting for status ${status} (last: ${last})`,
    );
  }

  /**
   * GET /v2/images/{id}/file into `dest`: streamed into a temp file beside it (`.<name>.<rand>.tmp`),
   * hashed on the way, verified against Content-MD5, the image's `checksum`, `os_hash_value` and
   * `size` when Glance has them, then renamed into place. On any failure the temp file is removed.
   */
  async downloadToFile(id: string, dest: string, opts: { timeoutMs?: number } = {}): Promise<DownloadResult> {
    const p = `${imagePath(id)}/file`;
    const image = await this.getImage(id);
    const res = await this.request('GET', p, {
      expect: [200, 204],
      timeoutMs: opts.timeoutMs,
      accept: 'application/octet-stream',
      extraHeaders: { 'Accept-Encoding': 'identity' },
    });
    if (res.status === 204 || !res.body) {
      await res.body?.cancel();
      throw new GlanceError('GET', p, res.status, `image has no data (status ${image.status})`);
    }

    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    const osAlgo = image.os_hash_algo && image.os_hash_value ? image.os_hash_algo.toLowerCase() : undefined;
    const osHash: Hash | undefined =
      osAlgo && osAlgo !== 'sha256' && osAlgo !== 'md5' && getHashes().includes(osAlgo) ? createHash(osAlgo) : undefined;
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        md5.update(chunk);
        sha256.update(chunk);
        osHash?.update(chunk);
        cb(null, chunk);
      },
    });

    const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      try {
        await pipeline(
          Readable.fromWeb(res.body as unknown as import('stream/web').ReadableStream<Uint8Array>),
          tap,
          fs.createWriteStream(tmp, { flags: 'wx' }),
        );
      } catch (e) {
        throw new GlanceError('GET', p, res.status, `download failed: ${requestFailure(e)}`);
      }
      const result = { bytes, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
      const mismatch = (what: string, want: string, got: string) =>
        new GlanceError('GET', p, res.status, `${what} mismatch: expected ${want}, got ${got}`);
      const headerMd5 = normalizeMd5(res.headers.get('content-md5'));
      if (headerMd5 && headerMd5 !== result.md5) throw mismatch('Content-MD5', headerMd5, result.md5);
      if (image.checksum && image.checksum.toLowerCase() !== result.md5) {
        throw mismatch('checksum (md5)', image.checksum.toLowerCase(), result.md5);
      }
      if (osAlgo && image.os_hash_value) {
        const got = osAlgo === 'sha256' ? result.sha256 : osAlgo === 'md5' ? result.md5 : osHash?.digest('hex');
        if (got && got !== image.os_hash_value.toLowerCase()) {
          throw mismatch(`os_hash_value (${osAlgo})`, image.os_hash_value.toLowerCase(), got);
        }
      }
      if (typeof image.size === 'number' && image.size !== bytes) {
        throw mismatch('size', `${image.size} bytes`, `${bytes} bytes`);
      }
      await fs.promises.rename(tmp, dest);
      return result;
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
  }

  /**
   * POST /v2/images/{id}/actions/deactivate: the image stays, but only admins can still download
   * its data (so others cannot boot it). Glance's default policy: admin, or a member of the owning project.
   */
  async deactivateImage(id: string): Promise<void> {
    await this.request('POST', `${imagePath(id)}/actions/deactivate`, { expect: [204] });
  }

  /** POST /v2/images/{id}/actions/reactivate: undoes deactivateImage (same policy). */
  async reactivateImage(id: string): Promise<void> {
    await this.request('POST', `${imagePath(id)}/actions/reactivate`, { expect: [204] });
  }

  /** DELETE /v2/images/{id}; an image that is already gone (404) is fine. */
  async deleteImage(id: string): Promise<void> {
    await this.request('DELETE', imagePath(id), { expect: [204, 404] });
  }

  private async json(
    method: string,
    pathAndQuery: string,
    opts: { body?: unknown; expect?: number[] } = {},
  ): Promise<unknown> {
    const res = await this.request(method, pathAndQuery, {
      expect: opts.expect ?? [200],
      ...(opts.body !== undefined ? { rawBody: JSON.stringify(opts.body), contentType: 'application/json' } : {}),
    });
    const pathOnly = pathAndQuery.split('?')[0];
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new GlanceError(method, pathOnly, res.status, `${res.status} ${res.statusText}: response is not JSON`);
    }
  }

  private async request(
    method: string,
    pathAndQuery: string,
    opts: {
      expect: number[];
      rawBody?: string | fs.ReadStream;
      contentType?: string;
      contentLength?: number;
      accept?: string;
      extraHeaders?: HeaderMap;
      timeoutMs?: number;
    },
  ): Promise<Response> {
    const pathOnly = pathAndQuery.split('?')[0];
    const headers: HeaderMap = {
      ...(await this.headers()),
      Accept: opts.accept ?? 'application/json',
      ...(opts.extraHeaders ?? {}),
    };
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    if (opts.contentLength !== undefined) headers['Content-Length'] = String(opts.contentLength);
    const streaming = opts.rawBody !== undefined && typeof opts.rawBody !== 'string';
    // API calls get the default timeout; streamed transfers only the one the caller asks for.
    const timeoutMs = opts.timeoutMs ?? (streaming || opts.accept === 'application/octet-stream' ? undefined : this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.endpoint + pathAndQuery, {
        method,
        headers,
        // Requests carry X-Auth-Token, which fetch would forward to a redirect's target.
        redirect: 'error',
        ...(opts.rawBody !== undefined ? { body: opts.rawBody as unknown as string } : {}),
        ...(streaming ? { duplex: 'half' as const } : {}),
        // Not cleared: the caller reads the body after this returns; the unref'd timer then aborts nothing.
        ...(timeoutMs ? { signal: deadline(timeoutMs).signal } : {}),
      } as RequestInit);
    } catch (e) {
      throw new GlanceError(method, pathOnly, undefined, `request failed: ${requestFailure(e)}`);
    }
    if (!opts.expect.includes(res.status)) {
      const text = await res.text().catch(() => '');
      throw new GlanceError(method, pathOnly, res.status, `${res.status} ${res.statusText}: ${glanceMessage(text)}`);
    }
    return res;
  }
}

function imagePath(id: string): string {
  return `/v2/images/${encodeURIComponent(id)}`;
}

/** Glance's error text: JSON `message` (with `Accept: application/json`) or HTML; first paragraph, one line. */
export function glanceMessage(body: string): string {
  let msg = body;
  try {
    const j = JSON.parse(body) as { message?: string; title?: string; error?: { message?: string } };
    msg = j.message ?? j.error?.message ?? j.title ?? body;
  } catch {
    const h1 = /<\/h1>([\s\S]*?)<\/body>/i.exec(body);
    if (h1) msg = h1[1];
  }
  msg = msg.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]*>/g, ' ');
  const first = msg.trim().split(/\n\s*\n/)[0] ?? '';
  const line = first.replace(/\s+/g, ' ').trim();
  if (!line) return '(empty body)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function normalizeMd5(v: string | null): string | undefined {
  if (!v) return undefined;
  const t = v.trim();
  if (/^[0-9a-f]{32}$/i.test(t)) return t.toLowerCase();
  const b = Buffer.from(t, 'base64');
  return b.length === 16 ? b.toString('hex') : undefined;
}
