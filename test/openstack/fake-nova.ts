// A loopback fake of Nova's keypair API for the tests. Nova cannot run here (it needs its
// database, a message queue, placement and a hypervisor), so this small http server on 127.0.0.1
// answers the three calls goldsmith makes the way Nova's v2.1 API does:
//   POST   <base>/os-keypairs          {"keypair": {"name", "public_key"}} -> 200 {"keypair": {...}}
//                                      (409 conflictingRequest for a name in use, 400 badRequest
//                                      for a body without a valid name or public key)
//   DELETE <base>/os-keypairs/<name>  -> 202, or 404 itemNotFound
//   GET    <base>/os-keypairs         -> 200 {"keypairs": [{"keypair": {...}}, ...]}
// Every request is recorded (method, path, token, body) for exact assertions.
import { createHash } from 'crypto';
import * as http from 'http';

export interface NovaRequest {
  method: string;
  path: string;
  token?: string;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
}

export interface FakeNova {
  /** e.g. http://127.0.0.1:41234/compute/v2.1 */
  endpoint: string;
  /** Keypairs held: name -> public key. */
  keypairs: Map<string, string>;
  requests: NovaRequest[];
  /** When set, answers every request to this path prefix with this reply instead (method may restrict it). */
  fail?: { method?: string; status: number; body: string };
  /** Delay every reply by this long (timeouts). */
  delayMs?: number;
  close(): Promise<void>;
}

const BASE = '/compute/v2.1';
const TOKEN = 'nova-test-token';

/** The header set the fake accepts. */
export const FAKE_NOVA_HEADERS = { 'X-Auth-Token': TOKEN };

function fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
  return (createHash('md5').update(blob).digest('hex').match(/../g) ?? []).join(':');
}

export async function startFakeNova(): Promise<FakeNova> {
  const fake = { keypairs: new Map<string, string>(), requests: [] as NovaRequest[] } as FakeNova;
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
      fake.requests.push({ method: req.method!, path: url.pathname, token: req.headers['x-auth-token'] as string | undefined, ...(body !== undefined ? { body } : {}) });
      const reply = (status: number, json?: unknown): void => {
        const send = (): void => {
          res.writeHead(status, json !== undefined ? { 'Content-Type': 'application/json' } : {});
          res.end(json !== undefined ? JSON.stringify(json) : undefined);
        };
        if (fake.delayMs) timers.add(setTimeout(send, fake.delayMs));
        else send();
      };
      if (req.headers['x-auth-token'] !== TOKEN) return reply(401, { error: { message: 'The request you have made requires authentication.', code: 401 } });
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
