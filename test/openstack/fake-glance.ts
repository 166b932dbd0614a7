// A loopback DOUBLE of Glance's image list for tests that reach Glance through Keystone.
//
// A real Glance is used where it can be (test/openstack/glance.test.ts, and end to end in
// test/promote/promote-builder.test.ts), but that test Glance runs without keystonemiddleware:
// it trusts identity headers (X-Identity-Status, X-Project-Id, X-Roles; test/support/glance.ts)
// and knows nothing of Keystone tokens. goldsmith sends only `X-Auth-Token` from a Keystone token
// (lib/openstack/index.ts, OpenStackSession.headers), so a test whose Keystone is a fake needs an
// image service that takes that token: this small http server on 127.0.0.1. It answers the one
// call `goldsmith promote` makes (lib/openstack/glance-releases.ts, GlanceClient.listImages) the
// way Glance's v2 API does (openstack/glance: glance/api/v2/images.py ImagesController.index and
// ResponseSerializer.index; glance/db/sqlalchemy/api.py image_get_all):
//   GET <base>/v2/images ?tag, os_hidden, visibility, status, name, limit, marker
//       (anything else: 400 here; Glance would read it as a property filter, which goldsmith
//       never sends, so a client change shows up as a failing test rather than a silent filter)
//   - os_hidden: `true` or `false` (else 400), absent means false: one list never holds both;
//   - visibility: public, private, shared, community or all (else 400); absent: community
//     images of other projects are left out; an admin token sees every project's images, any
//     other token public and community images and its own project's (shared ones only its own:
//     the double has no members);
//   - `killed` images are never listed (Glance's database layer leaves them out);
//   - newest first (created_at desc, then id desc); limit is capped at `apiLimitMax` (Glance's
//     api_limit_max), default 25 (limit_param_default); a full page gets
//     `next: /v2/images?<the request's parameters, marker=<last id>>`, relative to the Glance
//     root (Glance builds it from the request's own parameters, so `limit` stays as asked);
//     an unknown marker is 400.
// Tokens are checked (401 without a known X-Auth-Token). Every request is recorded (method, path,
// token, query) for exact assertions.
import * as http from 'http';
import type { FakeIdentity } from './fake-nova';

export interface GlanceRequest {
  method: string;
  path: string;
  token?: string;
  query: Record<string, string>;
}

/** An image the double holds; `properties` are Glance's custom (top-level string) properties. */
export interface FakeGlanceImage {
  id: string;
  name: string;
  status: string;
  visibility: 'public' | 'private' | 'shared' | 'community';
  owner: string;
  hidden: boolean;
  tags: string[];
  checksum: string | null;
  size: number | null;
  created_at: string;
  properties: Record<string, string>;
}

export interface FakeGlance {
  /** The catalog URL, e.g. http://127.0.0.1:41234/image (Glance's root, without /v2). */
  endpoint: string;
  images: FakeGlanceImage[];
  /** Glance's api_limit_max: no page is longer, whatever `limit` asks. */
  apiLimitMax: number;
  requests: GlanceRequest[];
  close(): Promise<void>;
}

const BASE = '/image';
const FILTERS = ['tag', 'os_hidden', 'visibility', 'status', 'name', 'limit', 'marker'];
const VISIBILITIES = ['public', 'private', 'shared', 'community', 'all'];

/** Glance's sort: created_at desc, then id desc. */
function newestFirst(a: FakeGlanceImage, b: FakeGlanceImage): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function view(img: FakeGlanceImage): Record<string, unknown> {
  return {
    ...img.properties,
    id: img.id,
    name: img.name,
    status: img.status,
    visibility: img.visibility,
    protected: false,
    os_hidden: img.hidden,
    owner: img.owner,
    checksum: img.checksum,
    os_hash_algo: img.checksum ? 'sha512' : null,
    os_hash_value: img.checksum ? 'f'.repeat(128) : null,
    size: img.size,
    virtual_size: null,
    min_ram: 0,
    min_disk: 0,
    disk_format: 'qcow2',
    container_format: 'bare',
    tags: [...img.tags],
    created_at: img.created_at,
    updated_at: img.created_at,
    self: `/v2/images/${img.id}`,
    file: `/v2/images/${img.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export async function startFakeGlance(opts: { tokens: Record<string, FakeIdentity> }): Promise<FakeGlance> {
  const fake = { images: [], apiLimitMax: 1000, requests: [] } as unknown as FakeGlance;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const query = Object.fromEntries(url.searchParams);
      fake.requests.push({ method: req.method!, path: url.pathname, token: req.headers['x-auth-token'] as string | undefined, query });
      const reply = (status: number, json: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const bad = (message: string) => reply(400, { code: 400, title: 'Bad Request', message });
      const who = opts.tokens[String(req.headers['x-auth-token'])];
      if (!who) return reply(401, { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' });
      if (req.method !== 'GET' || url.pathname !== `${BASE}/v2/images`) {
        return reply(404, { code: 404, title: 'Not Found', message: 'The resource could not be found.' });
      }
      const unknown = Object.keys(query).filter((k) => !FILTERS.includes(k));
      if (unknown.length) return bad(`the double knows no filter ${unknown.join(', ')}`);
      const hidden = (query.os_hidden ?? 'false').toLowerCase();
      if (hidden !== 'true' && hidden !== 'false') return bad(`Invalid value '${query.os_hidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'.`);
      if (query.visibility !== undefined && !VISIBILITIES.includes(query.visibility)) return bad(`Invalid visibility value: ${query.visibility}`);
      let limit = 25;
      if (query.limit !== undefined) {
        limit = Number(query.limit);
        if (!/^-?\d+$/.test(query.limit)) return bad('limit param must be an integer');
        if (limit < 0) return bad('limit param must be positive');
      }
      limit = Math.min(fake.apiLimitMax, limit);

      let list = fake.images
        .filter((img) => img.status !== 'killed')
        .filter((img) => who.admin || img.owner === who.project || img.visibility === 'public' || img.visibility === 'community')
        .filter((img) => img.hidden === (hidden === 'true'));
      if (query.visibility === undefined) list = list.filter((img) => img.visibility !== 'community' || img.owner === who.project);
      else if (query.visibility !== 'all') list = list.filter((img) => img.visibility === query.visibility);
      if (query.tag !== undefined) list = list.filter((img) => img.tags.includes(query.tag));
      if (query.status !== undefined) list = list.filter((img) => img.status === query.status);
      if (query.name !== undefined) list = list.filter((img) => img.name === query.name);
      list.sort(newestFirst);
      if (query.marker !== undefined) {
        const marker = fake.images.find((img) => img.id === query.marker);
        if (!marker) return bad(`marker ${query.marker} could not be found.`);
        list = list.filter((img) => newestFirst(marker, img) < 0);
      }
      const page = list.slice(0, limit);
      const params = new URLSearchParams(url.searchParams);
      params.delete('marker');
      const first = params.size ? `/v2/images?${params}` : '/v2/images';
      const full = page.length > 0 && page.length === limit;
      if (full) params.set('marker', page[page.length - 1].id);
      reply(200, {
        images: page.map(view),
        first,
        schema: '/v2/schemas/images',
        ...(full ? { next: `/v2/images?${params}` } : {}),
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}${BASE}`;
  fake.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return fake;
}
