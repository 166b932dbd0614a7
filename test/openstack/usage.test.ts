// imageUsage (lib/openstack/usage.ts), NovaClient.listServersByImage and CinderClient against
// loopback DOUBLES of Nova (test/openstack/fake-nova.ts) and Cinder (test/openstack/fake-cinder.ts):
// Nova and Cinder cannot run here (databases, a message queue, a scheduler, a hypervisor, a
// storage back end), so the doubles answer the calls the way Nova's v2.1 and Cinder's v3 APIs do,
// check the query parameters and microversion headers they get, and record every request.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { openStackSession } from '../../lib/openstack';
import { CinderClient, CinderError } from '../../lib/openstack/cinder';
import { NovaClient, NovaError } from '../../lib/openstack/nova';
import { ImageUsageError, imageUsage, type ImageUsageSource } from '../../lib/openstack/usage';
import { cloudsYaml } from '../support/clouds-yaml';
import { startFakeCinder, type FakeCinder } from './fake-cinder';
import { startFakeNova, type FakeIdentity, type FakeNova } from './fake-nova';

const ADMIN = 'nova-test-token';
const MEMBER = 'member-test-token';
const TOKENS: Record<string, FakeIdentity> = { [ADMIN]: { project: 'p-admin', admin: true }, [MEMBER]: { project: 'p-member', admin: false } };
const IMG = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const GLANCE_METADATA = JSON.stringify({ image_id: IMG });

let nova: FakeNova;
let cinder: FakeCinder;
beforeEach(async () => {
  nova = await startFakeNova({ tokens: TOKENS });
  cinder = await startFakeCinder({ tokens: TOKENS });
  nova.servers = [
    { id: 's1', name: 'web', project: 'p-admin', image: IMG },
    { id: 's2', name: 'db', project: 'p-a', image: OTHER },
    { id: 's3', name: 'hpc', project: 'p-b', image: IMG },
    { id: 's4', name: 'bfv', project: 'p-c', image: '' },
    { id: 's5', name: 'mine', project: 'p-member', image: IMG },
  ];
  cinder.volumes = [
    { id: 'v1', name: 'root-1', project: 'p-a', image: IMG },
    { id: 'v2', name: 'root-2', project: 'p-admin', image: OTHER },
    { id: 'v3', name: 'data', project: 'p-b', image: '' },
    { id: 'v4', name: 'root-4', project: 'p-member', image: IMG },
    { id: 'v5', name: '', project: 'p-c', image: IMG },
  ];
});
afterEach(async () => {
  await nova.close();
  await cinder.close();
});

function source(token: string, roles: string[] | undefined, timeoutMs = 5_000): ImageUsageSource {
  const headers = { 'X-Auth-Token': token };
  return {
    cloud: { name: 'bgo-admin' },
    nova: async () => new NovaClient({ endpoint: nova.endpoint, headers, timeoutMs }),
    cinder: async () => new CinderClient({ endpoint: cinder.endpoint, headers, timeoutMs }),
    roles: async () => roles,
  };
}

const EXPECTED_USAGE = {
  servers: [
    { id: 's1', name: 'web', project_id: 'p-admin' },
    { id: 's3', name: 'hpc', project_id: 'p-b' },
    { id: 's5', name: 'mine', project_id: 'p-member' },
  ],
  volumes: [
    { id: 'v1', name: 'root-1', project_id: 'p-a' },
    { id: 'v4', name: 'root-4', project_id: 'p-member' },
    { id: 'v5', project_id: 'p-c' },
  ],
};

test("imageUsage: every project's servers and volumes made from the image, two pages each; the exact requests", async () => {
  expect(await imageUsage(source(ADMIN, ['admin', 'member']), IMG, { pageSize: 2 })).toEqual(EXPECTED_USAGE);
  const servers = { all_tenants: '1', image: IMG, limit: '2' };
  expect(nova.requests).toEqual([
    { method: 'GET', path: '/compute/v2.1/servers/detail', token: ADMIN, query: servers },
    { method: 'GET', path: '/compute/v2.1/servers/detail', token: ADMIN, query: { ...servers, marker: 's3' } },
  ]);
  const volumes = { all_tenants: '1', glance_metadata: GLANCE_METADATA, limit: '2' };
  expect(cinder.requests).toEqual([
    { method: 'GET', path: '/volume/v3/p-admin/volumes/detail', token: ADMIN, query: volumes, microversion: 'volume 3.4' },
    { method: 'GET', path: '/volume/v3/p-admin/volumes/detail', token: ADMIN, query: { ...volumes, marker: 'v4' }, microversion: 'volume 3.4' },
  ]);
  // Without a page size the services' own (max_limit) pages apply: here one page each.
  nova.requests = [];
  expect(await imageUsage(source(ADMIN, ['admin']), IMG)).toEqual(EXPECTED_USAGE);
  expect(nova.requests.map((r) => r.query)).toEqual([{ all_tenants: '1', image: IMG }]);
  // An unused image.
  expect(await imageUsage(source(ADMIN, ['admin']), '33333333-3333-4333-8333-333333333333')).toEqual({ servers: [], volumes: [] });
});

test("next links are not followed to their host: only their marker goes to the client's endpoint", async () => {
  const hits: string[] = [];
  const trap = http.createServer((req, res) => {
    hits.push(String(req.headers['x-auth-token']));
    res.end('{"servers": []}');
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  try {
    nova.linkOrigin = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
    nova.maxLimit = 1;
    const got = await new NovaClient({ endpoint: nova.endpoint, headers: { 'X-Auth-Token': ADMIN } }).listServersByImage(IMG, { allTenants: true });
    expect(got.map((s) => s.id)).toEqual(['s1', 's3', 's5']);
    expect(nova.requests.map((r) => r.query?.marker)).toEqual([undefined, 's1', 's3', 's5']);
    expect(hits).toEqual([]);
  } finally {
    await new Promise<void>((r) => trap.close(() => r()));
  }
});

test("an entry that may not list all projects: Nova's 403 becomes one line naming the entry and --offline; Cinder is not asked", async () => {
  const e = (await imageUsage(source(MEMBER, ['member']), IMG).catch((x: Error) => x)) as Error;
  expect(e).toBeInstanceOf(ImageUsageError);
  expect(e.message).toBe(
    'clouds.yaml entry "bgo-admin" must be able to list all projects\' servers and volumes to tell whether an image is in use (Nova refused all_tenants=1 with 403): use an admin entry, or --offline',
  );
  expect(e.message).not.toContain(MEMBER);
  expect(nova.requests.map((r) => r.token)).toEqual([MEMBER]);
  expect(cinder.requests).toEqual([]);
  // The NovaError itself, as listServersByImage throws it.
  const raw = (await new NovaClient({ endpoint: nova.endpoint, headers: { 'X-Auth-Token': MEMBER } })
    .listServersByImage(IMG, { allTenants: true })
    .catch((x: Error) => x)) as NovaError;
  expect(raw.status).toBe(403);
  expect(raw.message).toBe(
    "Nova GET /compute/v2.1/servers/detail: 403 Forbidden: Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed.",
  );
  // Without all_tenants a member sees its own project's servers.
  expect((await new NovaClient({ endpoint: nova.endpoint, headers: { 'X-Auth-Token': MEMBER } }).listServersByImage(IMG)).map((s) => s.id)).toEqual(['s5']);
});

test('Cinder ignores all_tenants for a token that is not admin, so the token must carry the admin role', async () => {
  // What Cinder does: no error, just the caller's own project.
  const own = new CinderClient({ endpoint: `${cinder.origin}/volume/v3/p-member`, headers: { 'X-Auth-Token': MEMBER } });
  expect((await own.listVolumesFromImage(IMG, { allTenants: true })).map((v) => v.id)).toEqual(['v4']);
  cinder.requests = [];
  // So imageUsage refuses to trust Cinder without the role, even when Nova let it through.
  for (const roles of [['member', 'reader'], undefined]) {
    const e = (await imageUsage(source(ADMIN, roles), IMG).catch((x: Error) => x)) as Error;
    expect(e).toBeInstanceOf(ImageUsageError);
    expect(e.message).toBe(
      'clouds.yaml entry "bgo-admin" must be able to list all projects\' servers and volumes to tell whether an image is in use (its token has no admin role, and Cinder then lists the entry\'s own project only): use an admin entry, or --offline',
    );
  }
  expect(cinder.requests).toEqual([]);
  expect(await imageUsage(source(ADMIN, ['reader', 'Admin']), IMG)).toEqual(EXPECTED_USAGE);
  // A Cinder policy that does refuse with 403 gets the same line.
  cinder.fail = { status: 403, body: '{"forbidden": {"code": 403, "message": "Policy doesn\'t allow volume:get_all to be performed."}}' };
  await expect(imageUsage(source(ADMIN, ['admin']), IMG)).rejects.toThrow('(Cinder refused all_tenants=1 with 403): use an admin entry, or --offline');
});

test("Cinder below microversion 3.4 drops the glance_metadata filter: goldsmith sends 3.4, and drops other images' volumes should a filter be lost anyway", async () => {
  const q = `?${new URLSearchParams({ glance_metadata: GLANCE_METADATA })}`;
  const get = async (headers: Record<string, string>) =>
    (await (await fetch(`${cinder.endpoint}/volumes/detail${q}`, { headers: { 'X-Auth-Token': ADMIN, ...headers } })).json()) as { volumes: { id: string }[] };
  // v2 was made from another image: without the header the filter is gone.
  expect((await get({})).volumes.map((v) => v.id)).toEqual(['v2']);
  expect((await get({ 'OpenStack-API-Version': 'volume 3.4' })).volumes).toEqual([]);

  cinder.ignoreGlanceMetadata = true;
  const client = new CinderClient({ endpoint: cinder.endpoint, headers: { 'X-Auth-Token': ADMIN } });
  // v2 (another image) is left out; v3 (no image metadata to tell) counts: the safe side of a delete guard.
  expect((await client.listVolumesFromImage(IMG, { allTenants: true })).map((v) => v.id)).toEqual(['v1', 'v3', 'v4', 'v5']);
});

test('every request has a deadline: a Nova or Cinder that does not answer fails after the timeout', async () => {
  nova.delayMs = 3_000;
  let t0 = Date.now();
  await expect(imageUsage(source(ADMIN, ['admin'], 200), IMG)).rejects.toThrow(
    /^Nova GET \/compute\/v2\.1\/servers\/detail \(127\.0\.0\.1:\d+\): request failed: timed out$/,
  );
  expect(Date.now() - t0).toBeLessThan(1_500);
  nova.delayMs = 0;
  cinder.hang = true;
  t0 = Date.now();
  const e = (await imageUsage(source(ADMIN, ['admin'], 200), IMG).catch((x: Error) => x)) as Error;
  expect(e).toBeInstanceOf(CinderError);
  expect(e.message).toMatch(/^Cinder GET \/volume\/v3\/p-admin\/volumes\/detail \(127\.0\.0\.1:\d+\): request failed: timed out$/);
  expect(Date.now() - t0).toBeLessThan(1_500);
  // an outer signal cancels too
  const ac = new AbortController();
  const p = imageUsage(source(ADMIN, ['admin']), IMG, { signal: ac.signal }).catch((x: Error) => x.message);
  setTimeout(() => ac.abort(), 50);
  expect(await p).toMatch(/request failed: aborted$/);
});

test('failures are one line: method, path, status, the service\'s message; never the token', async () => {
  await expect(imageUsage(source(ADMIN, ['admin']), 'not-a-uuid')).rejects.toThrow('image id "not-a-uuid" is not a uuid');
  const secret = 'gAAAAA-secret-token';
  const bad = (await imageUsage(source(secret, ['admin']), IMG).catch((x: Error) => x)) as NovaError;
  expect(bad.message).toBe('Nova GET /compute/v2.1/servers/detail: 401 Unauthorized: The request you have made requires authentication.');
  const badCinder = (await new CinderClient({ endpoint: cinder.endpoint, headers: { 'X-Auth-Token': secret } })
    .listVolumesFromImage(IMG)
    .catch((x: Error) => x)) as CinderError;
  expect(badCinder.message).toBe('Cinder GET /volume/v3/p-admin/volumes/detail: 401 Unauthorized: The request you have made requires authentication.');
  for (const m of [bad.message, badCinder.message]) expect(m).not.toContain(secret);

  const client = new CinderClient({ endpoint: cinder.endpoint, headers: { 'X-Auth-Token': ADMIN } });
  cinder.fail = { status: 500, body: '{"computeFault": {"code": 500, "message": "boom\\n  again"}}' };
  await expect(client.listVolumesFromImage(IMG)).rejects.toThrow('Cinder GET /volume/v3/p-admin/volumes/detail: 500 Internal Server Error: boom again');
  cinder.fail = { status: 200, body: '<html>proxy</html>' };
  await expect(client.listVolumesFromImage(IMG)).rejects.toThrow('Cinder GET /volume/v3/p-admin/volumes/detail: 200 but the body is not JSON');
  cinder.fail = { status: 200, body: '{"volume": {}}' };
  await expect(client.listVolumesFromImage(IMG)).rejects.toThrow('Cinder GET /volume/v3/p-admin/volumes/detail: 200 but the body has no "volumes" list');
  cinder.fail = { status: 200, body: '{"volumes": [], "volumes_links": [{"rel": "next", "href": "http://x/v?marker=v9"}]}' };
  await expect(client.listVolumesFromImage(IMG)).rejects.toThrow('Cinder GET /volume/v3/p-admin/volumes/detail: pagination does not end (marker v9 again)');

  const n = new NovaClient({ endpoint: nova.endpoint, headers: { 'X-Auth-Token': ADMIN } });
  nova.fail = { status: 200, body: '{"servers": [{"id": "s1"}], "servers_links": [{"rel": "next", "href": "http://x/servers/detail?limit=1"}]}' };
  await expect(n.listServersByImage(IMG)).rejects.toThrow('Nova GET /compute/v2.1/servers/detail: 200 but its next link names no marker');
  nova.fail = { status: 200, body: '{"servers": [{"name": "x"}]}' };
  await expect(n.listServersByImage(IMG)).rejects.toThrow('Nova GET /compute/v2.1/servers/detail: 200 but a server has no id');
  nova.fail = { status: 200, body: '{"servers": [{"id": "s2", "image": {"id": "22222222-2222-4222-8222-222222222222"}}, {"id": "s4", "image": ""}]}' };
  // A server of another image means a lost filter: left out. A server booted from a volume cannot be told: kept.
  expect((await n.listServersByImage(IMG)).map((s) => s.id)).toEqual(['s4']);
});

describe('OpenStackSession: cinder(), roles() and imageUsage() from the Keystone catalog', () => {
  let keystone: http.Server;
  let catalog: unknown[];
  let roles: unknown;
  let dir: string;
  let clouds: string;
  beforeEach(async () => {
    roles = [{ id: 'r1', name: 'admin' }, { id: 'r2', name: 'member' }];
    keystone = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': ADMIN });
        res.end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog, roles, project: { id: 'p-admin' } } }));
      });
    });
    await new Promise<void>((r) => keystone.listen(0, '127.0.0.1', r));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-usage-'));
    clouds = path.join(dir, 'clouds.yaml');
    fs.writeFileSync(clouds, cloudsYaml('bgo-admin', `http://127.0.0.1:${(keystone.address() as { port: number }).port}`, 'admin', 'pw'));
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((r) => keystone.close(() => r()));
  });
  const service = (type: string, url: string) => ({ type, endpoints: [{ interface: 'public', region_id: 'bgo', url }] });

  test('block-storage when the catalog has no volumev3; imageUsage end to end', async () => {
    catalog = [service('compute', nova.endpoint), service('block-storage', cinder.endpoint)];
    const session = openStackSession('bgo-admin', 'bgo', { paths: [clouds] });
    expect((await session.cinder()).endpoint).toBe(cinder.endpoint);
    expect(await session.roles()).toEqual(['admin', 'member']);
    expect(await session.imageUsage(IMG, { pageSize: 2 })).toEqual(EXPECTED_USAGE);
    expect([...nova.requests, ...cinder.requests].map((r) => r.token)).toEqual([ADMIN, ADMIN, ADMIN, ADMIN]);
  });

  test('volumev3 first; no volume service is a one-line catalog error; a token without roles is refused', async () => {
    catalog = [service('compute', nova.endpoint), service('block-storage', 'https://other.example/v3/p'), service('volumev3', cinder.endpoint)];
    expect(await openStackSession('bgo-admin', 'bgo', { paths: [clouds] }).volumeEndpoint()).toBe(cinder.endpoint);
    catalog = [service('compute', nova.endpoint), service('identity', 'http://x')];
    await expect(openStackSession('bgo-admin', 'bgo', { paths: [clouds] }).cinder()).rejects.toThrow(
      'no "volumev3" or "block-storage" service in the catalog (has: compute, identity)',
    );
    catalog = [service('compute', nova.endpoint), service('volumev3', cinder.endpoint)];
    roles = undefined;
    const session = openStackSession('bgo-admin', 'bgo', { paths: [clouds] });
    expect(await session.roles()).toBeUndefined();
    await expect(session.imageUsage(IMG)).rejects.toThrow(/^clouds\.yaml entry "bgo-admin" must be able to list all projects' servers and volumes .*its token has no admin role/);
  });
});
