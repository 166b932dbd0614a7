// A loopback fake of Nova's API for the tests. Nova cannot run here (it needs its database, a
// message queue, placement and a hypervisor), so this small http server on 127.0.0.1 answers the
// calls goldsmith makes the way Nova's v2.1 API does:
//   POST   <base>/os-keypairs          {"keypair": {"name", "public_key"}} -> 200 {"keypair": {...}}
//                                      (409 conflictingRequest for a name in use, 400 badRequest
//                                      for a body without a valid name or public key)
//   DELETE <base>/os-keypairs/<name>  -> 202, or 404 itemNotFound
//   GET    <base>/os-keypairs         -> 200 {"keypairs": [{"keypair": {...}}, ...]}
//   GET    <base>/servers/detail      ?all_tenants, image, limit, marker (anything else: 400) ->
//          200 {"servers": [...], "servers_links": [{"rel": "next", "href": …marker=<last id>}]}
//          when the page is full; all_tenants from a token that is not admin -> 403, as Nova's
//          default policy (os_compute_api:servers:detail:get_all_tenants) answers; without
//          all_tenants only the token's project.
// Every request is recorded (method, path, token, body; query and microversion header when
// there are any) for exact assertions.
import { createHash } from 'crypto';
import * as http from 'http';

export interface NovaRequest {
  method: string;
  path: string;
  token?: string;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
  /** Query parameters, when there were any. */
  query?: Record<string, string>;
  /** The OpenStack-API-Version (or X-OpenStack-Nova-API-Version) header, when sent. */
  microversion?: string;
}

/** Who a token is to the fakes. */
export interface FakeIdentity {
  project: string;
  admin: boolean;
}

/** A server the fake holds; `image` is the Glance image id, '' when booted from a volume. */
export interface FakeServer {
  id: string;
  name: string;
  project: string;
  image: string;
}

export interface FakeNova {
  /** e.g. http://127.0.0.1:41234/compute/v2.1 */
  endpoint: string;
  /** Keypairs held: name -> public key. */
  keypairs: Map<string, string>;
  /** Servers held, in the order Nova would list them. */
  servers: FakeServer[];
  /** The page size when the request names none (Nova's max_limit). */
  maxLimit: number;
  /** Origin (scheme://host:port) for the next links instead of the fake's own (a misconfigured link prefix). */
  linkOrigin?: string;
  requests: NovaRequest[];
  /** When set, answers every request to this path prefix with this reply instead (method may restrict it). */
  fail?: { method?: string; status: number; body: string };
  /** Delay every reply by this long (timeouts). */
  delayMs?: number;
  close(): Promise<void>;
}

const BASE = '/compute/v2.1';
const TOKEN = 'nova-test-token';

/** The header set the fake accepts (an admin of project p-admin). */
export const FAKE_NOVA_HEADERS = { 'X-Auth-Token': TOKEN };

/** The tokens a fake accepts unless told otherwise. */
export const FAKE_NOVA_TOKENS: Record<string, FakeIdentity> = { [TOKEN]: { project: 'p-admin', admin: true } };

function fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
  return (createHash('md5').update(blob).digest('hex').match(/../g) ?? []).join(':');
}

export async function startFakeNova(opts: { tokens?: Record<string, FakeIdentity> } = {}): Promise<FakeNova> {
  const tokens = opts.tokens ?? FAKE_NOVA_TOKENS;
  const fake = { keypairs: new Map<string, string>(), servers: [], maxLimit: 1000, requests: [] as NovaRequest[] } as unknown as FakeNova;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const url = new URL(req.url!, 'http://x');
      const query = Object.fromEntries(url.searchParams);
      const microversion = (req.headers['openstack-api-version'] ?? req.headers['x-openstack-nova-api-version']) as string | undefined;
      fake.requests.push({
        method: req.method!,
        path: url.pathname,
        token: req.headers['x-auth-token'] as string | undefined,
        ...(body !== undefined ? { body } : {}),
        ...(url.search ? { query } : {}),
        ...(microversion !== undefined ? { microversion } : {}),
      });
      const reply = (status: number, json?: unknown): void => {
        const send = (): void => {
          res.writeHead(status, json !== undefined ? { 'Content-Type': 'application/json' } : {});
          res.end(json !== undefined ? JSON.stringify(json) : undefined);
        };
        if (fake.delayMs) timers.add(setTimeout(send, fake.delayMs));
        else send();
      };
      const who = tokens[String(req.headers['x-auth-token'])];
      if (!who) return reply(401, { error: { message: 'The request you have made requires authentication.', code: 401 } });
      if (fake.fail && (fake.fail.method === undefined || fake.fail.method === req.method)) {
        res.writeHead(fake.fail.status, { 'Content-Type': 'application/json' });
        return res.end(fake.fail.body);
      }
      const p = url.pathname;
      if (req.method === 'POST' && p === `${BASE}/os-keypairs`) {
        const kp = (body as { keypair?: { name?: unknown; public_key?: unknown } })?.keypair;
        if (typeof kp?.name !== 'string' || typeof kp.public_key !== 'string' || !/^ssh-ed25519 [A-Za-z0-9+/=]+( \S+)?$/.test(kp.public_key)) {
          return reply(400, { badRequest: { code: 400, message: 'Keypair data is invalid: failed to generate fingerprint' } });
        }
        if (fake.keypairs.has(kp.name)) return reply(409, { conflictingRequest: { code: 409, message: `Key pair '${kp.name}' already exists.` } });
        fake.keypairs.set(kp.name, kp.public_key);
        return reply(200, { keypair: { name: kp.name, public_key: kp.public_key, fingerprint: fingerprint(kp.public_key), user_id: 'u1' } });
      }
      if (req.method === 'GET' && p === `${BASE}/os-keypairs`) {
        return reply(200, {
          keypairs: [...fake.keypairs].map(([name, key]) => ({ keypair: { name, public_key: key, fingerprint: fingerprint(key) } })),
        });
      }
      if (req.method === 'GET' && p === `${BASE}/servers/detail`) {
        const unknown = Object.keys(query).filter((k) => !['all_tenants', 'image', 'limit', 'marker'].includes(k));
        if (unknown.length) return reply(400, { badRequest: { code: 400, message: `Invalid input for query parameters ${unknown.join(', ')}.` } });
        if ('all_tenants' in query && !who.admin) {
          return reply(403, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed." } });
        }
        let list = fake.servers.filter((s) => ('all_tenants' in query ? true : s.project === who.project));
        if ('image' in query) list = list.filter((s) => s.image === query.image);
        if ('marker' in query) {
          const at = list.findIndex((s) => s.id === query.marker);
          if (at < 0) return reply(400, { badRequest: { code: 400, message: `marker [${query.marker}] not found` } });
          list = list.slice(at + 1);
        }
        const limit = Math.min(query.limit ? Number(query.limit) : fake.maxLimit, fake.maxLimit);
        const page = list.slice(0, limit);
        const origin = fake.linkOrigin ?? fake.endpoint.replace(BASE, '');
        const links =
          page.length === limit && page.length > 0
            ? [{ rel: 'next', href: `${origin}${BASE}/servers/detail?${new URLSearchParams({ ...query, limit: String(limit), marker: page[page.length - 1].id })}` }]
            : [];
        return reply(200, {
          servers: page.map((s) => ({
            id: s.id,
            name: s.name,
            tenant_id: s.project,
            user_id: 'u1',
            status: 'ACTIVE',
            image: s.image ? { id: s.image, links: [{ rel: 'bookmark', href: `${origin}/compute/images/${s.image}` }] } : '',
          })),
          ...(links.length ? { servers_links: links } : {}),
        });
      }
      const m = /^\/compute\/v2\.1\/os-keypairs\/([^/]+)$/.exec(p);
      if (req.method === 'DELETE' && m) {
        const name = decodeURIComponent(m[1]);
        if (!fake.keypairs.delete(name)) return reply(404, { itemNotFound: { code: 404, message: `Keypair ${name} not found for user u1` } });
        return reply(202);
      }
      reply(404, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}${BASE}`;
  fake.close = () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return fake;
}
