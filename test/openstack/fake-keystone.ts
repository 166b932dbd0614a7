// A loopback fake of Keystone v3's token API for tests that go through a clouds.yaml entry.
// Keystone cannot run here (it needs its database, fernet key repository and a WSGI server), so
// this small http server on 127.0.0.1 answers the one call goldsmith makes the way Keystone does
// (lib/openstack/keystone.ts):
//   POST <base>/v3/auth/tokens  {"auth": {"identity": {"methods": ["password"], "password":
//        {"user": {"name", "domain", "password"}}}, "scope": {"project": {"name", "domain"}}}}
//        -> 201, the token in X-Subject-Token, the body {"token": {expires_at, user, project,
//           roles: [{id, name}], catalog}}; unknown user, wrong password or a project the user
//           has no role on -> 401 (Keystone's fixed text), anything else -> 404.
// Every request is recorded (method, path, parsed body) for exact assertions; the recorded body
// holds the password, so tests must never print it.
import * as http from 'http';
import type { CatalogService } from '../../lib/openstack/keystone';

/** A user of the fake: who it is, and the token and roles Keystone gives it in its project. */
export interface FakeKeystoneUser {
  password: string;
  /** The X-Subject-Token issued to this user. */
  token: string;
  /** The one project the user has roles on: its name (as clouds.yaml names it) and id. */
  project: { name: string; id: string };
  roles: string[];
}

export interface KeystoneRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface FakeKeystone {
  /** The clouds.yaml auth_url, e.g. http://127.0.0.1:41234/identity */
  authUrl: string;
  /** The service catalog every token carries. */
  catalog: CatalogService[];
  users: Record<string, FakeKeystoneUser>;
  requests: KeystoneRequest[];
  close(): Promise<void>;
}

const BASE = '/identity';

type Named = { name?: string; domain?: { name?: string } };
interface AuthBody {
  identity?: { methods?: string[]; password?: { user?: Named & { password?: string } } };
  scope?: { project?: Named };
}

export async function startFakeKeystone(users: Record<string, FakeKeystoneUser>): Promise<FakeKeystone> {
  const fake = { catalog: [], users, requests: [] } as unknown as FakeKeystone;
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
      const path = new URL(req.url!, 'http://x').pathname;
      fake.requests.push({ method: req.method!, path, ...(body !== undefined ? { body } : {}) });
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (req.method !== 'POST' || path !== `${BASE}/v3/auth/tokens`) {
        return reply(404, { error: { code: 404, title: 'Not Found', message: 'The resource could not be found.' } });
      }
      const auth = (body as { auth?: AuthBody } | undefined)?.auth;
      const user = auth?.identity?.password?.user;
      const scope = auth?.scope?.project;
      const known = user?.name !== undefined ? fake.users[user.name] : undefined;
      if (
        !known ||
        auth?.identity?.methods?.[0] !== 'password' ||
        user?.password !== known.password ||
        user?.domain?.name !== 'Default' ||
        scope?.name !== known.project.name ||
        scope?.domain?.name !== 'Default'
      ) {
        return reply(401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
      }
      reply(
        201,
        {
          token: {
            methods: ['password'],
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
            issued_at: new Date().toISOString(),
            user: { id: `u-${user!.name}`, name: user!.name, domain: { id: 'default', name: 'Default' } },
            project: { id: known.project.id, name: known.project.name, domain: { id: 'default', name: 'Default' } },
            roles: known.roles.map((name, i) => ({ id: `r${i + 1}`, name })),
            catalog: fake.catalog,
          },
        },
        { 'X-Subject-Token': known.token },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.authUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}${BASE}`;
  fake.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return fake;
}
