// A loopback fake of Cinder's volume list for the tests. Cinder cannot run here (it needs its
// database, a message queue, a scheduler and a storage back end), so this small http server on
// 127.0.0.1 answers the one call goldsmith makes the way Cinder's v3 API does (openstack/cinder:
// cinder/api/v3/volumes.py, cinder/volume/api.py, cinder/db/sqlalchemy/api.py):
//   GET <base>/v3/<project>/volumes/detail ?all_tenants, glance_metadata, limit, marker
//       (anything else: 400 "Invalid filters")
//   - the microversion comes from `OpenStack-API-Version: volume X.Y` (none: 3.0; above 3.70:
//     406) and is echoed; below 3.4 the glance_metadata filter is dropped without a word;
//   - glance_metadata is read as a literal dict (JSON here); a value that is not one matches no
//     volume at all; each key/value must match the volume's glance metadata;
//   - all_tenants lists every project only for an admin token; for others it is ignored and the
//     token's own project is listed (no error: that is what Cinder does);
//   - the project in the URL must be the token's (else 400 "Malformed request url");
//   - a full page gets `volumes_links` rel=next with the last id as marker.
// Every request is recorded (path, token, query, microversion) for exact assertions.
import * as http from 'http';
import type { FakeIdentity } from './fake-nova';

export interface CinderRequest {
  method: string;
  path: string;
  token?: string;
  query: Record<string, string>;
  microversion?: string;
}

/** A volume the fake holds; `image` is the Glance image it was created from ('' for a blank volume). */
export interface FakeVolume {
  id: string;
  name: string;
  project: string;
  image: string;
}

export interface FakeCinder {
  /** e.g. http://127.0.0.1:41234/volume/v3/p-admin (the project of the first token). */
  endpoint: string;
  /** scheme://host:port of the fake. */
  origin: string;
  volumes: FakeVolume[];
  requests: CinderRequest[];
  /** The page size when the request names none (Cinder's osapi_max_limit). */
  maxLimit: number;
  /** Never answer (timeouts). */
  hang?: boolean;
  /** Answer every request with this instead. */
  fail?: { status: number; body: string };
  /** Leave glance_metadata out whatever the microversion (a proxy dropping it). */
  ignoreGlanceMetadata?: boolean;
  close(): Promise<void>;
}

/** The tokens the fake accepts unless told otherwise. */
export const FAKE_CINDER_TOKENS: Record<string, FakeIdentity> = { 'nova-test-token': { project: 'p-admin', admin: true } };

function version(header: string | undefined): [number, number] | 'bad' {
  if (header === undefined) return [3, 0];
  const m = /^volume (\d+)\.(\d+)$/.exec(header.trim());
  if (!m) return 'bad';
  const v: [number, number] = [Number(m[1]), Number(m[2])];
  return v[0] !== 3 || v[1] > 70 ? 'bad' : v;
}

export async function startFakeCinder(opts: { tokens?: Record<string, FakeIdentity> } = {}): Promise<FakeCinder> {
  const tokens = opts.tokens ?? FAKE_CINDER_TOKENS;
  const fake = { volumes: [], requests: [], maxLimit: 1000 } as unknown as FakeCinder;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const query = Object.fromEntries(url.searchParams);
      const microversion = req.headers['openstack-api-version'] as string | undefined;
      fake.requests.push({
        method: req.method!,
        path: url.pathname,
        token: req.headers['x-auth-token'] as string | undefined,
        query,
        ...(microversion !== undefined ? { microversion } : {}),
      });
      if (fake.hang) return; // the socket stays open until close()
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (fake.fail) {
        res.writeHead(fake.fail.status, { 'Content-Type': 'application/json' });
        return res.end(fake.fail.body);
      }
      const who = tokens[String(req.headers['x-auth-token'])];
      if (!who) return reply(401, { error: { message: 'The request you have made requires authentication.', code: 401 } });
      const v = version(microversion);
      if (v === 'bad') return reply(406, { notAcceptable: { code: 406, message: `Version ${microversion} is not supported by the API.` } });
      const echo = { 'OpenStack-API-Version': `volume ${v[0]}.${v[1]}`, Vary: 'OpenStack-API-Version' };
      const m = /^\/volume\/v3\/([^/]+)\/volumes\/detail$/.exec(url.pathname);
      if (req.method !== 'GET' || !m) return reply(404, { itemNotFound: { code: 404, message: 'The resource could not be found.' } }, echo);
      if (m[1] !== who.project) return reply(400, { badRequest: { code: 400, message: 'Malformed request url' } }, echo);
      const unknown = Object.keys(query).filter((k) => !['all_tenants', 'glance_metadata', 'limit', 'marker'].includes(k));
      if (unknown.length) return reply(400, { badRequest: { code: 400, message: `Invalid filters ${unknown.join(', ')} are found in query options.` } }, echo);

      let list = fake.volumes.filter((vol) => (query.all_tenants && who.admin ? true : vol.project === who.project));
      const honoured = v[1] >= 4 && !fake.ignoreGlanceMetadata;
      if (honoured && 'glance_metadata' in query) {
        let filter: unknown;
        try {
          filter = JSON.parse(query.glance_metadata);
        } catch {
          filter = query.glance_metadata;
        }
        if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) list = [];
        else {
          list = list.filter((vol) =>
            Object.entries(filter as Record<string, unknown>).every(([k, val]) => k === 'image_id' && vol.image !== '' && vol.image === val),
          );
        }
      }
      if ('marker' in query) {
        const at = list.findIndex((vol) => vol.id === query.marker);
        if (at < 0) return reply(404, { itemNotFound: { code: 404, message: `Marker ${query.marker} could not be found.` } }, echo);
        list = list.slice(at + 1);
      }
      const limit = Math.min(query.limit ? Number(query.limit) : fake.maxLimit, fake.maxLimit);
      const page = list.slice(0, limit);
      const next =
        page.length === limit && page.length > 0
          ? [{ rel: 'next', href: `${fake.origin}${url.pathname}?${new URLSearchParams({ ...query, limit: String(limit), marker: page[page.length - 1].id })}` }]
          : [];
      reply(
        200,
        {
          volumes: page.map((vol) => ({
            id: vol.id,
            name: vol.name,
            status: 'in-use',
            'os-vol-tenant-attr:tenant_id': vol.project,
            bootable: vol.image ? 'true' : 'false',
            ...(vol.image ? { volume_image_metadata: { image_id: vol.image, image_name: 'GOLD x', checksum: 'c' } } : {}),
            attachments: [],
          })),
          ...(next.length ? { volumes_links: next } : {}),
        },
        echo,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.endpoint = `${fake.origin}/volume/v3/${Object.values(tokens)[0].project}`;
  fake.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return fake;
}
