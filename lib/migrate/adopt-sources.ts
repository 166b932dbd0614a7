// adopt's view of Glance: the images of a tag (both os_hidden listings, all visibilities) and an
// image's member grants, through a GlanceClient and the headers of its clouds.yaml entry.
import { deadline } from '../common';
import { GlanceError, glanceMessage, type GlanceClient, type GlanceImage } from '../openstack/glance';
import { requestFailure } from '../openstack/request-failure';
import type { AdoptSources, ImageMemberGrant } from './adopt';

/** One clouds.yaml entry's Glance: the client, its auth headers, the token's project. */
export interface GlanceAccess {
  readonly glance: Pick<GlanceClient, 'listImages' | 'endpoint'>;
  headers(): Promise<Record<string, string>> | Record<string, string>;
  projectId?(): Promise<string | undefined>;
}

const TIMEOUT_MS = 60_000;

/** AdoptSources over the Glance of each clouds.yaml entry (`access(cloud)`, asked once per entry). */
export function glanceAdoptSources(access: (cloud: string) => Promise<GlanceAccess> | GlanceAccess): AdoptSources {
  const cache = new Map<string, Promise<GlanceAccess>>();
  const of = (cloud: string) => {
    let a = cache.get(cloud);
    if (!a) cache.set(cloud, (a = Promise.resolve(access(cloud))));
    return a;
  };
  return {
    async images(tag, cloud) {
      const { glance } = await of(cloud);
      const byId = new Map<string, GlanceImage>();
      // Glance lists hidden images only when asked for them (os_hidden=true), and never both at once.
      for (const hidden of [false, true]) {
        for (const img of await glance.listImages({ tag, visibility: 'all', hidden })) byId.set(img.id, img);
      }
      return [...byId.values()];
    },
    async members(imageId, cloud) {
      const a = await of(cloud);
      return listMembers(a.glance.endpoint, await a.headers(), imageId);
    },
    async projectId(cloud) {
      const a = await of(cloud);
      return a.projectId?.();
    },
  };
}

/** GET /v2/images/{id}/members: the member grants (project ids and their status). */
export async function listMembers(endpoint: string, headers: Record<string, string>, imageId: string): Promise<ImageMemberGrant[]> {
  const p = `/v2/images/${encodeURIComponent(imageId)}/members`;
  const timer = deadline(TIMEOUT_MS);
  try {
    let res: Response;
    try {
      res = await fetch(endpoint.replace(/\/+$/, '').replace(/\/v2$/, '') + p, {
        headers: { ...headers, Accept: 'application/json' },
        redirect: 'error',
        signal: timer.signal,
      });
    } catch (e) {
      throw new GlanceError('GET', p, undefined, `request failed: ${requestFailure(e)}`);
    }
    const text = await res.text();
    if (res.status !== 200) throw new GlanceError('GET', p, res.status, `${res.status} ${res.statusText}: ${glanceMessage(text)}`);
    let body: { members?: { member_id?: unknown; status?: unknown }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new GlanceError('GET', p, res.status, `${res.status} ${res.statusText}: response is not JSON`);
    }
    return (body.members ?? []).map((m) => ({ member_id: String(m.member_id), status: String(m.status) }));
  } finally {
    timer.clear();
  }
}
