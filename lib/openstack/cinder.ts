// Cinder (block storage v3) reads goldsmith makes: the volumes created from an image, which keep
// a Ceph image from being deleted (its RBD clones) just as servers booted from it do.
//
// GET <volume endpoint>/volumes/detail?glance_metadata={"image_id": "<id>"} with
// `OpenStack-API-Version: volume 3.4`. What Cinder does with it (openstack/cinder):
// - the `glance_metadata` filter exists from microversion 3.4 on ("3.4: Added the filter
//   parameters glance_metadata to list/detail volumes requests", cinder/api/openstack/
//   rest_api_version_history.rst); below 3.4 Cinder drops it without a word
//   (cinder/api/v3/volumes.py, MV_ADDED_FILTERS) and lists every volume;
// - the value goes through `ast.literal_eval` (cinder/volume/api.py, check_volume_filters), so a
//   JSON object of strings is read as a dict; anything that is not a dict makes the database
//   layer return no volume at all (cinder/db/sqlalchemy/api.py, _process_volume_filters: "filter
//   value is not valid"), and each key/value must match a row of volume_glance_metadata;
// - `all_tenants=1` lists every project's volumes only when the context is admin; otherwise it
//   is ignored and only the caller's project is listed, with no error (cinder/volume/api.py,
//   API.get_all: `if context.is_admin and allTenants`). Callers must make sure of admin rights
//   themselves (lib/openstack/usage.ts checks the token's roles).
// The image id is also checked on each volume's volume_image_metadata, in case a proxy or an old
// API ignored the filter. Node's fetch; one deadline per request; redirects refused; errors are
// one line with the method, the path, the status and Cinder's message, never the headers.
import { deadline } from '../common';
import { nextMarker, novaMessage } from './nova';
import { requestFailure } from './request-failure';

export type CinderHeaders = Record<string, string>;

/** The microversion goldsmith asks for: the least that has the glance_metadata filter. */
export const CINDER_MICROVERSION = 'volume 3.4';

export interface CinderClientOptions {
  /** The catalog's volumev3 / block-storage URL, e.g. https://volume.example:8776/v3/<project id>. */
  endpoint: string;
  /** Auth headers for each request (X-Auth-Token); a function is called per request. */
  headers: CinderHeaders | (() => Promise<CinderHeaders> | CinderHeaders);
  /** Per-request timeout; default 60 s. */
  timeoutMs?: number;
}

/** A volume as Cinder's /volumes/detail returns it (the fields goldsmith reads). */
export interface CinderVolume {
  id: string;
  name?: string | null;
  status?: string;
  /** The volume's project (shown to admins and the owner). */
  'os-vol-tenant-attr:tenant_id'?: string;
  /** The Glance image's properties as copied at creation; image_id names the image. */
  volume_image_metadata?: Record<string, string>;
  attachments?: { server_id?: string }[];
}

/** A Cinder API failure: one line, `Cinder <METHOD> <path>: <status> <reason>: <message>`. */
export class CinderError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CinderError';
  }
}

export class CinderClient {
  readonly endpoint: string;
  private readonly headers: () => Promise<CinderHeaders> | CinderHeaders;
  private readonly timeoutMs: number;

  constructor(opts: CinderClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    const h = opts.headers;
    this.headers = typeof h === 'function' ? h : () => h;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /**
   * The volumes created from image `imageId` (their glance metadata names it); with `allTenants`
   * of every project, provided the token is admin (see the header: Cinder does not refuse). Pages
   * are followed through `volumes_links` rel=next, whose marker is sent to this endpoint again.
   */
  async listVolumesFromImage(
    imageId: string,
    opts: { allTenants?: boolean; pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<CinderVolume[]> {
    const out: CinderVolume[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (;;) {
      const q = new URLSearchParams();
      if (opts.allTenants) q.set('all_tenants', '1');
      q.set('glance_metadata', JSON.stringify({ image_id: imageId }));
      if (opts.pageSize !== undefined) q.set('limit', String(opts.pageSize));
      if (marker !== undefined) q.set('marker', marker);
      const { status, text, where } = await this.get(`/volumes/detail?${q}`, opts.signal);
      let body: { volumes?: unknown; volumes_links?: unknown };
      try {
        body = JSON.parse(text);
      } catch {
        throw new CinderError(`${where}: ${status} but the body is not JSON`, status);
      }
      if (!Array.isArray(body?.volumes)) throw new CinderError(`${where}: ${status} but the body has no "volumes" list`, status);
      for (const v of body.volumes as CinderVolume[]) {
        if (typeof v?.id !== 'string') throw new CinderError(`${where}: ${status} but a volume has no id`, status);
        // Another image's volume means the filter was not applied: leave it out. A volume without
        // volume_image_metadata cannot be told apart, and counts (the safe side for a delete guard).
        const fromImage = v.volume_image_metadata?.image_id;
        if (fromImage === undefined || fromImage === imageId) out.push(v);
      }
      const next = nextMarker(body.volumes_links);
      if (next === undefined) return out;
      if (next === '') throw new CinderError(`${where}: ${status} but its next link names no marker`, status);
      if (seen.has(next)) throw new CinderError(`${where}: pagination does not end (marker ${next} again)`, status);
      seen.add(next);
      marker = next;
    }
  }

  private async get(pathPart: string, signal?: AbortSignal): Promise<{ status: number; text: string; where: string }> {
    const url = this.endpoint + pathPart;
    const where = `Cinder GET ${new URL(url).pathname}`;
    const d = deadline(this.timeoutMs, signal);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'GET',
        headers: { Accept: 'application/json', 'OpenStack-API-Version': CINDER_MICROVERSION, ...(await this.headers()) },
        signal: d.signal,
        // Requests carry X-Auth-Token, which fetch would forward to a redirect's target.
        redirect: 'error',
      });
      text = await res.text();
    } catch (e) {
      throw new CinderError(`${where} (${new URL(url).host}): request failed: ${d.timedOut ? 'timed out' : requestFailure(e)}`);
    } finally {
      d.clear();
    }
    // Cinder's error bodies have Nova's shape: {"<kind>": {"message": …, "code": …}}.
    if (res.status !== 200) throw new CinderError(`${where}: ${res.status} ${res.statusText}: ${novaMessage(text)}`, res.status);
    return { status: res.status, text, where };
  }
}
