// Nova (compute) calls the build runner makes: the build's SSH keypair, imported from a public key
// the runner generated, and deleted after the build (docs: README "The builder side").
//
// Node's fetch, no dependencies. Every request has its own deadline; redirects are refused (fetch
// would send X-Auth-Token on to wherever a redirect points). Errors are one line with the method,
// the path, the status and Nova's message; never the request headers (the token).
import { deadline } from '../common';
import { requestFailure } from './request-failure';

export type NovaHeaders = Record<string, string>;

export interface NovaClientOptions {
  /** The catalog's `compute` URL, e.g. https://compute.example:8774/v2.1 (a project id suffix is kept). */
  endpoint: string;
  /** Auth headers for each request (X-Auth-Token); a function is called per request. */
  headers: NovaHeaders | (() => Promise<NovaHeaders> | NovaHeaders);
  /** Per-request timeout; default 60 s. */
  timeoutMs?: number;
}

/** A keypair as Nova returns it (the fields goldsmith reads). */
export interface NovaKeypair {
  name: string;
  public_key?: string;
  fingerprint?: string;
}

/** A server as Nova's /servers/detail returns it (the fields goldsmith reads). */
export interface NovaServer {
  id: string;
  name?: string;
  /** The server's project (Nova calls it tenant_id). */
  tenant_id?: string;
  status?: string;
  /** `{id, links}`, or "" for a server booted from a volume. */
  image?: { id?: string } | string;
}

/** A Nova API failure: one line, `Nova <METHOD> <path>: <status> <reason>: <message>`. */
export class NovaError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NovaError';
  }
}

/** Nova's keypair names: what every Nova release accepts (letters, digits, _ and -), 1-255 long. */
export const KEYPAIR_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export class NovaClient {
  readonly endpoint: string;
  private readonly headers: () => Promise<NovaHeaders> | NovaHeaders;
  private readonly timeoutMs: number;

  constructor(opts: NovaClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    const h = opts.headers;
    this.headers = typeof h === 'function' ? h : () => h;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** POST /os-keypairs with `name` and `public_key`: imports a public key (OpenSSH format) as keypair `name`. */
  async createKeypair(name: string, publicKey: string, opts: { signal?: AbortSignal } = {}): Promise<NovaKeypair> {
    if (!KEYPAIR_NAME.test(name)) throw new NovaError(`keypair name ${JSON.stringify(name)} is not [A-Za-z0-9_-]{1,255}`);
    if (/[\r\n]/.test(publicKey) || !/^ssh-(ed25519|rsa) |^ecdsa-sha2-nistp(256|384|521) /.test(publicKey)) {
      throw new NovaError(`keypair ${name}: the public key must be one line of OpenSSH format`);
    }
    const { status, text, where } = await this.request('POST', '/os-keypairs', [200, 201], {
      body: { keypair: { name, public_key: publicKey } },
      signal: opts.signal,
    });
    const keypair = parseJson(text, where, status) as { keypair?: NovaKeypair };
    if (keypair?.keypair?.name !== name) throw new NovaError(`${where}: ${status} but the body names no keypair ${name}`, status);
    return keypair.keypair;
  }

  /** DELETE /os-keypairs/{name}; true when deleted, false when it was already gone (404). */
  async deleteKeypair(name: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    const { status } = await this.request('DELETE', `/os-keypairs/${encodeURIComponent(name)}`, [202, 204, 404], { signal: opts.signal });
    return status !== 404;
  }

  /** GET /os-keypairs: the names of the user's keypairs. */
  async listKeypairs(opts: { signal?: AbortSignal } = {}): Promise<string[]> {
    const { status, text, where } = await this.request('GET', '/os-keypairs', [200], { signal: opts.signal });
    const body = parseJson(text, where, status) as { keypairs?: unknown };
    if (!Array.isArray(body?.keypairs)) throw new NovaError(`${where}: ${status} but the body has no "keypairs" list`, status);
    return (body.keypairs as { keypair?: { name?: unknown } }[])
      .map((k) => k?.keypair?.name)
      .filter((n): n is string => typeof n === 'string');
  }

  /**
   * GET /servers/detail?image=<id>: the servers booted from image `imageId`; with `allTenants`
   * (all_tenants=1, which Nova's default policy allows admins only, else 403) of every project.
   * Pages are followed through `servers_links` rel=next, whose `marker` is sent to this client's
   * endpoint again (the link's own host is not used: Nova builds it from its configured prefix).
   */
  async listServersByImage(
    imageId: string,
    opts: { allTenants?: boolean; pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<NovaServer[]> {
    const out: NovaServer[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (;;) {
      const q = new URLSearchParams();
      if (opts.allTenants) q.set('all_tenants', '1');
      q.set('image', imageId);
      if (opts.pageSize !== undefined) q.set('limit', String(opts.pageSize));
      if (marker !== undefined) q.set('marker', marker);
      const { status, text, where } = await this.request('GET', `/servers/detail?${q}`, [200], { signal: opts.signal });
      const body = parseJson(text, where, status) as { servers?: unknown; servers_links?: unknown };
      if (!Array.isArray(body?.servers)) throw new NovaError(`${where}: ${status} but the body has no "servers" list`, status);
      for (const s of body.servers as NovaServer[]) {
        if (typeof s?.id !== 'string') throw new NovaError(`${where}: ${status} but a server has no id`, status);
        // Another image's server means the filter was not applied (a proxy?): leave it out.
        const from = typeof s.image === 'object' && s.image !== null ? s.image.id : undefined;
        if (from === undefined || from === imageId) out.push(s);
      }
      const next = nextMarker(body.servers_links);
      if (next === undefined) return out;
      if (next === '') throw new NovaError(`${where}: ${status} but its next link names no marker`, status);
      if (seen.has(next)) throw new NovaError(`${where}: pagination does not end (marker ${next} again)`, status);
      seen.add(next);
      marker = next;
    }
  }

  private async request(
    method: string,
    pathPart: string,
    expect: readonly number[],
    opts: { body?: unknown; signal?: AbortSignal },
  ): Promise<{ status: number; text: string; where: string }> {
    const url = this.endpoint + pathPart;
    const where = `Nova ${method} ${new URL(url).pathname}`;
    const d = deadline(this.timeoutMs, opts.signal);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(await this.headers()),
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: d.signal,
        // Requests carry X-Auth-Token, which fetch would forward to a redirect's target.
        redirect: 'error',
      });
      text = await res.text();
    } catch (e) {
      throw new NovaError(`${where} (${new URL(url).host}): request failed: ${d.timedOut ? 'timed out' : requestFailure(e)}`);
    } finally {
      d.clear();
    }
    if (!expect.includes(res.status)) throw new NovaError(`${where}: ${res.status} ${res.statusText}: ${novaMessage(text)}`, res.status);
    return { status: res.status, text, where };
  }
}

/**
 * The `marker` of a `*_links` list's rel=next link (Nova's servers_links, Cinder's volumes_links):
 * undefined when there is no next page, '' when the link names no marker.
 */
export function nextMarker(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  const next = (links as { rel?: unknown; href?: unknown }[]).find((l) => l?.rel === 'next');
  if (!next) return undefined;
  try {
    return new URL(String(next.href), 'http://x').searchParams.get('marker') ?? '';
  } catch {
    return '';
  }
}

function parseJson(text: string, where: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new NovaError(`${where}: ${status} but the body is not JSON`, status);
  }
}

/** Nova's error text: `{"<kind>": {"message": …}}` (or a plain message), one line, at most 300 characters. */
export function novaMessage(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const inner = Object.values(j ?? {}).find((v) => typeof (v as { message?: unknown })?.message === 'string') as { message: string } | undefined;
    msg = inner?.message ?? (typeof j?.message === 'string' ? j.message : text);
  } catch {
    msg = text.replace(/<[^>]*>/g, ' ');
  }
  const line = msg.replace(/\s+/g, ' ').trim();
  if (!line) return '(empty body)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
