// Keystone is a boundary we cannot run here (no keystone package/DB/fernet setup on the runners),
// so these tests use a tiny local fake (http.createServer on 127.0.0.1) that records what the
// client sends and answers like Keystone v3 does: token in X-Subject-Token, catalog in the body.
// Glance itself is tested against a real Glance in glance.test.ts.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { authenticate, buildAuthRequest, CatalogService, findEndpoint, identityV3Url, KeystoneError } from '../../lib/openstack/keystone';
import { openStackSession } from '../../lib/openstack';

const PASSWORD = 'pa55-never-print';
const SECRET = 'app-secret-never-print';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Fake {
  url: string;
  seen: Seen[];
  /** Next responses for POST /v3/auth/tokens (default: success). */
  tokenReplies: Array<{ status: number; body: unknown; token?: string }>;
  expiresInMs: number;
  catalog: CatalogService[];
  close(): Promise<void>;
}

let tokenCounter = 0;

async function fakeKeystone(): Promise<Fake> {
  const fake = { seen: [] as Seen[], tokenReplies: [], expiresInMs: 3_600_000, catalog: [] } as unknown as Fake;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      fake.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.method === 'POST' && req.url === '/identity/v3/auth/tokens') {
        const reply = fake.tokenReplies.shift();
        if (reply && reply.status >= 400) {
          res.writeHead(reply.status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(reply.body));
          return;
        }
        const token = reply?.token ?? `gAAAAtoken${++tokenCounter}`;
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': token });
        res.end(
          JSON.stringify({
            token: {
              expires_at: new Date(Date.now() + fake.expiresInMs).toISOString(),
              project: { id: 'proj-1', name: 'imagebuilder' },
              user: { id: 'user-1' },
              catalog: fake.catalog,
            },
          }),
        );
        return;
      }
      // A stand-in image service for openStackSession().glance(): answers only with the right token.
      if (req.url?.startsWith('/image/v2/images')) {
        const ok = typeof req.headers['x-auth-token'] === 'string' && req.headers['x-auth-token'].startsWith('gAAAA');
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(ok ? { images: [] } : { message: 'no token' }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

let fake: Fake;
beforeEach(async () => {
  fake = await fakeKeystone();
  fake.catalog = [
    {
      type: 'identity',
      name: 'keystone',
      endpoints: [{ interface: 'public', region_id: 'bgo', region: 'bgo', url: `${fake.url}/identity` }],
    },
    {
      type: 'image',
      name: 'glance',
      endpoints: [
        { interface: 'public', region_id: 'bgo', region: 'bgo', url: `${fake.url}/image` },
        { interface: 'internal', region_id: 'bgo', region: 'bgo', url: 'http://glance-internal.bgo:9292' },
        { interface: 'public', region_id: 'osl', region: 'osl', url: 'https://image.osl.example' },
      ],
    },
  ];
});
afterEach(() => fake.close());

test('identityV3Url appends /v3 once', () => {
  expect(identityV3Url('https://k:5000')).toBe('https://k:5000/v3');
  expect(identityV3Url('https://k:5000/')).toBe('https://k:5000/v3');
  expect(identityV3Url('https://k/identity/v3/')).toBe('https://k/identity/v3');
});

test('password auth: request body, token, expiry and catalog', async () => {
  const t = await authenticate({
    authType: 'password',
    auth: {
      auth_url: `${fake.url}/identity`,
      username: 'builder',
      password: PASSWORD,
      user_domain_name: 'Default',
      project_name: 'imagebuilder',
      project_domain_id: 'default',
    },
  });
  expect(fake.seen).toHaveLength(1);
  expect(fake.seen[0].headers['content-type']).toBe('application/json');
  expect(JSON.parse(fake.seen[0].body)).toEqual({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: 'builder', domain: { name: 'Default' }, password: PASSWORD } },
      },
      scope: { project: { name: 'imagebuilder', domain: { id: 'default' } } },
    },
  });
  expect(t.token).toMatch(/^gAAAAtoken\d+$/);
  expect(t.projectId).toBe('proj-1');
  expect(t.userId).toBe('user-1');
  expect(t.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  expect(t.catalog.map((s) => s.type)).toEqual(['identity', 'image']);
});

test('password auth by ids; domain_name as fallback for both domains', () => {
  expect(
    buildAuthRequest({ authType: 'password', auth: { auth_url: 'x', user_id: 'u1', password: 'p', project_id: 'p1' } }),
  ).toEqual({
    auth: {
      identity: { methods: ['password'], password: { user: { id: 'u1', password: 'p' } } },
      scope: { project: { id: 'p1' } },
    },
  });
  expect(
    buildAuthRequest({
      authType: 'password',
      auth: { auth_url: 'x', username: 'u', password: 'p', project_name: 'pn', domain_name: 'D' },
    }),
  ).toEqual({
    auth: {
      identity: { methods: ['password'], password: { user: { name: 'u', domain: { name: 'D' }, password: 'p' } } },
      scope: { project: { name: 'pn', domain: { name: 'D' } } },
    },
  });
});

test('application credential auth: by id (no scope) and by name with user', async () => {
  await authenticate({
    authType: 'v3applicationcredential',
    auth: { auth_url: `${fake.url}/identity/v3`, application_credential_id: 'ac-1', application_credential_secret: SECRET },
  });
  expect(JSON.parse(fake.seen[0].body)).toEqual({
    auth: {
      identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: SECRET } },
    },
  });
  expect(
    buildAuthRequest({
      authType: 'v3applicationcredential',
      auth: {
        auth_url: 'x',
        application_credential_name: 'builder-cred',
        username: 'builder',
        user_domain_id: 'default',
        application_credential_secret: SECRET,
      },
    }),
  ).toEqual({
    auth: {
      identity: {
        methods: ['application_credential'],
        application_credential: {
          name: 'builder-cred',
          user: { name: 'builder', domain: { id: 'default' } },
          secret: SECRET,
        },
      },
    },
  });
});

test.each([
  ['username without domain', { auth_url: 'x', username: 'u', password: PASSWORD, project_id: 'p' }, 'user_domain_name or user_domain_id is required with username'],
  ['no project', { auth_url: 'x', user_id: 'u', password: PASSWORD }, 'project_id or project_name is required'],
  ['project name without domain', { auth_url: 'x', user_id: 'u', password: PASSWORD, project_name: 'p' }, 'project_domain_name or project_domain_id is required'],
  ['no password', { auth_url: 'x', user_id: 'u', project_id: 'p' }, 'password is missing'],
])('incomplete password auth: %s', (_what, auth, msg) => {
  let err: unknown;
  try {
    buildAuthRequest({ authType: 'password', auth, name: 'bgo' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KeystoneError);
  expect((err as Error).message).toContain(`cloud "bgo": ${msg}`);
  expect((err as Error).message).not.toContain(PASSWORD);
});

test('401 from Keystone: one line with status and message, no credentials', async () => {
  fake.tokenReplies.push({
    status: 401,
    body: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } },
  });
  const err = await authenticate({
    authType: 'password',
    auth: { auth_url: `${fake.url}/identity`, user_id: 'u', password: PASSWORD, project_id: 'p' },
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(KeystoneError);
  expect((err as KeystoneError).status).toBe(401);
  expect((err as Error).message).toBe('Keystone POST /identity/v3/auth/tokens: 401 Unauthorized: the credentials were not accepted');
});

/** Every substring of at least 4 characters of `secret` that occurs in `text`. */
function leaks(text: string, secret: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i + 4 <= secret.length; i++) if (text.includes(secret.slice(i, i + 4))) found.add(secret.slice(i, i + 4));
  return [...found];
}

test.each([400, 401, 403, 500, 502])('a proxy echoing the request (%i): no part of the password or secret in the error', async (status) => {
  // The password has what JSON escaping and whitespace collapsing turn into something else.
  const password = 'p"w\\d  x\tq"Z9  \\"k';
  const secret = 'sEcReT  "with\\back  slashes"';
  const proxy = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const reason = body.replace(/[^\t\x20-\x7e]/g, '?');
      res.writeHead(status, reason.slice(0, 200), { 'Content-Type': 'application/json', 'X-Echo': encodeURIComponent(body) });
      res.end(JSON.stringify({ error: { code: status, title: body, message: `echo: ${body}` }, request: body, raw: body }));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}/identity`;
    for (const [input, secretValue] of [
      [{ authType: 'password', auth: { auth_url: url, user_id: 'u', password, project_id: 'p' } }, password],
      [{ authType: 'v3applicationcredential', auth: { auth_url: url, application_credential_id: 'a', application_credential_secret: secret } }, secret],
    ] as const) {
      const err = await authenticate(input as Parameters<typeof authenticate>[0]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeystoneError);
      const msg = (err as Error).message;
      expect(msg).toMatch(new RegExp(`^Keystone POST /identity/v3/auth/tokens: ${status} [^\\n]+$`));
      for (const variant of [secretValue, JSON.stringify(secretValue), secretValue.replace(/\s+/g, ' ')]) expect(leaks(msg, variant)).toEqual([]);
    }
  } finally {
    await new Promise<void>((r) => proxy.close(() => r()));
  }
});

describe('findEndpoint', () => {
  test('by region and interface (public default)', () => {
    expect(findEndpoint(fake.catalog, { type: 'image', region: 'bgo' })).toBe(`${fake.url}/image`);
    expect(findEndpoint(fake.catalog, { type: 'image', region: 'bgo', interface: 'internal' })).toBe(
      'http://glance-internal.bgo:9292',
    );
    expect(findEndpoint(fake.catalog, { type: 'image', region: 'bgo', interface: 'internalURL' })).toBe(
      'http://glance-internal.bgo:9292',
    );
    expect(findEndpoint(fake.catalog, { type: 'image', region: 'osl' })).toBe('https://image.osl.example');
  });
  test('region may be omitted when only one region has the interface', () => {
    expect(findEndpoint(fake.catalog, { type: 'image', interface: 'internal' })).toBe('http://glance-internal.bgo:9292');
  });
  test('clear errors', () => {
    expect(() => findEndpoint(fake.catalog, { type: 'image' })).toThrow(
      '"image" has public endpoints in several regions (bgo, osl): give a region',
    );
    expect(() => findEndpoint(fake.catalog, { type: 'image', region: 'trd' })).toThrow(
      'no public "image" endpoint in region "trd" (catalog has: bgo/internal, bgo/public, osl/public)',
    );
    expect(() => findEndpoint(fake.catalog, { type: 'image', region: 'osl', interface: 'admin' })).toThrow(
      'no admin "image" endpoint in region "osl"',
    );
    expect(() => findEndpoint(fake.catalog, { type: 'compute' })).toThrow(
      'no "compute" service in the catalog (has: identity, image)',
    );
  });
});

describe('openStackSession().glance()', () => {
  let dir: string;
  let cloudsFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-keystone-'));
    cloudsFile = path.join(dir, 'clouds.yaml');
    fs.writeFileSync(
      cloudsFile,
      `clouds:
  bgo-imagebuilder:
    auth:
      auth_url: ${fake.url}/identity
      username: builder
      password: ${PASSWORD}
      project_name: imagebuilder
      user_domain_name: Default
      project_domain_name: Default
    region_name: bgo
`,
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const tokenRequests = () => fake.seen.filter((s) => s.url === '/identity/v3/auth/tokens').length;

  test('clouds.yaml -> token -> image endpoint of region_name; token reused while fresh', async () => {
    const g = await openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile] }).glance();
    expect(g.endpoint).toBe(`${fake.url}/image`);
    expect(await g.listImages()).toEqual([]);
    expect(await g.listImages({ name: 'x' })).toEqual([]);
    expect(tokenRequests()).toBe(1);
    const imageCalls = fake.seen.filter((s) => s.url.startsWith('/image/'));
    expect(imageCalls).toHaveLength(2);
    expect(imageCalls[0].headers['x-auth-token']).toMatch(/^gAAAAtoken\d+$/);
  });

  test('an explicit region wins over region_name', async () => {
    const g = await openStackSession('bgo-imagebuilder', 'osl', { paths: [cloudsFile] }).glance();
    expect(g.endpoint).toBe('https://image.osl.example');
  });

  test('the token is refreshed when close to expiry', async () => {
    fake.expiresInMs = 60_000; // inside the 5 min default margin: every use re-authenticates
    const g = await openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile] }).glance();
    await g.listImages();
    await g.listImages();
    expect(tokenRequests()).toBe(3);
    const tokens = fake.seen.filter((s) => s.url.startsWith('/image/')).map((s) => s.headers['x-auth-token']);
    expect(new Set(tokens).size).toBe(2);

    fake.expiresInMs = 3_600_000;
    const g2 = await openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile], refreshMarginMs: 1_000 }).glance();
    await g2.listImages();
    expect(tokenRequests()).toBe(4);
  });

  test('auth failure and unknown cloud: one line, no password', async () => {
    fake.tokenReplies.push({ status: 401, body: { error: { message: 'The request you have made requires authentication.' } } });
    const err = await (async () => openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile] }).glance())().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^Keystone POST \/identity\/v3\/auth\/tokens: 401 Unauthorized: /);
    expect((err as Error).message).not.toContain(PASSWORD);
    await expect((async () => openStackSession('nope', undefined, { paths: [cloudsFile] }).glance())()).rejects.toThrow(
      `clouds.yaml entry "nope" not found in ${cloudsFile}`,
    );
  });

  test('image_endpoint_override skips the catalog; verify:false and cacert are refused clearly', async () => {
    fs.appendFileSync(cloudsFile, `    image_endpoint_override: ${fake.url}/image\n`);
    const g = await openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile] }).glance();
    expect(g.endpoint).toBe(`${fake.url}/image`);
    expect(tokenRequests()).toBe(0); // lazily, on the first request
    await g.listImages();
    expect(tokenRequests()).toBe(1);

    fs.appendFileSync(cloudsFile, '    cacert: /etc/ssl/private-ca.pem\n');
    await expect((async () => openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile], env: {} }).glance())()).rejects.toThrow(
      'clouds.bgo-imagebuilder.cacert is set; start node with NODE_EXTRA_CA_CERTS=/etc/ssl/private-ca.pem',
    );
    fs.appendFileSync(cloudsFile, '    verify: false\n');
    await expect((async () => openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile] }).glance())()).rejects.toThrow(
      'has verify: false, which goldsmith does not support',
    );
  });
});

describe('redirects are refused: the password and tokens never go to another url', () => {
  async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string; hits: string[] }> {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hits.push(`${req.method} ${req.url} ${body} ${String(req.headers['x-auth-token'] ?? '')}`);
        handler(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits };
  }
  const close = (s: http.Server) => new Promise<void>((r) => s.close(() => r()));

  test.each([307, 308])('Keystone answering %i: one line, nothing reaches the target', async (status) => {
    const target = await listen((_req, res) => res.end('{}'));
    const keystone = await listen((_req, res) => {
      res.writeHead(status, { Location: `${target.url}/v3/auth/tokens` });
      res.end();
    });
    try {
      const err = await authenticate({
        authType: 'password',
        auth: { auth_url: keystone.url, user_id: 'u', password: PASSWORD, project_id: 'p' },
      } as Parameters<typeof authenticate>[0]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeystoneError);
      expect((err as Error).message).toBe(
        `Keystone POST /v3/auth/tokens (${new URL(keystone.url).host}): request failed: redirect refused (credentials and tokens are never sent on)`,
      );
      expect(keystone.hits).toHaveLength(1);
      expect(target.hits).toEqual([]);
    } finally {
      await close(target.server);
      await close(keystone.server);
    }
  });
});
