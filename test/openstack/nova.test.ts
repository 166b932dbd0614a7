// The Nova client (lib/openstack/nova.ts) against a loopback fake Nova (test/openstack/fake-nova.ts):
// Nova cannot run here (database, message queue, placement, hypervisor), so the fake answers the
// keypair API the way Nova's v2.1 does, and records every request for exact assertions.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { openStackSession } from '../../lib/openstack';
import { KEYPAIR_NAME, NovaClient, NovaError, novaMessage } from '../../lib/openstack/nova';
import { FAKE_NOVA_HEADERS, startFakeNova, type FakeNova } from './fake-nova';
import { cloudsYaml } from '../support/clouds-yaml';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHMlQ6nyK1Xy3AexwcNZiJtnTFOmiPXwlz7jlns2kuTF goldsmith-x';

let nova: FakeNova;
let client: NovaClient;
beforeEach(async () => {
  nova = await startFakeNova();
  client = new NovaClient({ endpoint: `${nova.endpoint}/`, headers: FAKE_NOVA_HEADERS, timeoutMs: 5_000 });
});
afterEach(() => nova.close());

test('createKeypair imports the public key: exact request, the keypair back', async () => {
  const kp = await client.createKeypair('goldsmith-ubuntu-20261125T093000Z-0123abcd', KEY);
  expect(kp).toMatchObject({ name: 'goldsmith-ubuntu-20261125T093000Z-0123abcd', public_key: KEY });
  expect(nova.requests).toEqual([
    {
      method: 'POST',
      path: '/compute/v2.1/os-keypairs',
      token: 'nova-test-token',
      body: { keypair: { name: 'goldsmith-ubuntu-20261125T093000Z-0123abcd', public_key: KEY } },
    },
  ]);
  expect(nova.keypairs.get('goldsmith-ubuntu-20261125T093000Z-0123abcd')).toBe(KEY);
});

test('createKeypair refuses bad names and keys before any request', async () => {
  await expect(client.createKeypair('a b', KEY)).rejects.toThrow('keypair name "a b" is not [A-Za-z0-9_-]{1,255}');
  await expect(client.createKeypair('x', 'not a key')).rejects.toThrow('keypair x: the public key must be one line of OpenSSH format');
  await expect(client.createKeypair('x', `${KEY}\nssh-ed25519 AAAA`)).rejects.toThrow(/one line of OpenSSH format/);
  expect(nova.requests).toEqual([]);
  expect(KEYPAIR_NAME.test('x'.repeat(255))).toBe(true);
  expect(KEYPAIR_NAME.test('x'.repeat(256))).toBe(false);
});

test('Nova errors are one line: method, path, status, Nova\'s message; never the token', async () => {
  await client.createKeypair('k1', KEY);
  const e = (await client.createKeypair('k1', KEY).catch((x: Error) => x)) as NovaError;
  expect(e).toBeInstanceOf(NovaError);
  expect(e.message).toBe("Nova POST /compute/v2.1/os-keypairs: 409 Conflict: Key pair 'k1' already exists.");
  expect(e.status).toBe(409);
  const bad = new NovaClient({ endpoint: nova.endpoint, headers: { 'X-Auth-Token': 'gAAAA-secret-token' } });
  const u = (await bad.listKeypairs().catch((x: Error) => x)) as NovaError;
  expect(u.message).toBe('Nova GET /compute/v2.1/os-keypairs: 401 Unauthorized: The request you have made requires authentication.');
  expect(u.message).not.toContain('gAAAA-secret-token');
  nova.fail = { status: 200, body: '<html>proxy</html>' };
  await expect(client.listKeypairs()).rejects.toThrow('Nova GET /compute/v2.1/os-keypairs: 200 but the body is not JSON');
  nova.fail = { status: 200, body: '{"keypair": {"name": "other"}}' };
  await expect(client.createKeypair('k2', KEY)).rejects.toThrow('Nova POST /compute/v2.1/os-keypairs: 200 but the body names no keypair k2');
  expect(novaMessage('')).toBe('(empty body)');
  expect(novaMessage('{"badRequest": {"message": "a\\n  b", "code": 400}}')).toBe('a b');
  expect(novaMessage(`<h1>x</h1>${'y'.repeat(400)}`)).toHaveLength(301);
});

test('deleteKeypair: 202 deleted (true), 404 already gone (false)', async () => {
  await client.createKeypair('k1', KEY);
  expect(await client.deleteKeypair('k1')).toBe(true);
  expect(await client.deleteKeypair('k1')).toBe(false);
  expect(nova.requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual([
    'DELETE /compute/v2.1/os-keypairs/k1',
    'DELETE /compute/v2.1/os-keypairs/k1',
  ]);
  nova.fail = { method: 'DELETE', status: 500, body: '{"computeFault": {"message": "boom", "code": 500}}' };
  await expect(client.deleteKeypair('k1')).rejects.toThrow('Nova DELETE /compute/v2.1/os-keypairs/k1: 500 Internal Server Error: boom');
});

test('listKeypairs: the names', async () => {
  expect(await client.listKeypairs()).toEqual([]);
  await client.createKeypair('a', KEY);
  await client.createKeypair('b', KEY);
  expect(await client.listKeypairs()).toEqual(['a', 'b']);
});

test('every request has a deadline: a Nova that does not answer fails after the timeout', async () => {
  nova.delayMs = 2_000;
  const slow = new NovaClient({ endpoint: nova.endpoint, headers: FAKE_NOVA_HEADERS, timeoutMs: 200 });
  const t0 = Date.now();
  await expect(slow.listKeypairs()).rejects.toThrow(/^Nova GET \/compute\/v2\.1\/os-keypairs \(127\.0\.0\.1:\d+\): request failed: timed out$/);
  expect(Date.now() - t0).toBeLessThan(1_500);
  // an outer signal cancels too
  const ac = new AbortController();
  const p = slow.createKeypair('k', KEY, { signal: ac.signal }).catch((e: Error) => e.message);
  ac.abort();
  expect(await p).toMatch(/request failed: aborted$/);
});

test('a redirect is refused: the X-Auth-Token never reaches its target', async () => {
  const hits: string[] = [];
  const target = http.createServer((req, res) => {
    hits.push(String(req.headers['x-auth-token']));
    res.end('{"keypairs": []}');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const redirector = http.createServer((_req, res) => {
    res.writeHead(307, { Location: `http://127.0.0.1:${(target.address() as { port: number }).port}/os-keypairs` });
    res.end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
  try {
    const c = new NovaClient({ endpoint, headers: { 'X-Auth-Token': 'gAAAAsecret' } });
    await expect(c.listKeypairs()).rejects.toThrow(
      `Nova GET /os-keypairs (${new URL(endpoint).host}): request failed: redirect refused (credentials and tokens are never sent on)`,
    );
    await expect(c.deleteKeypair('k')).rejects.toThrow(/redirect refused/);
    expect(hits).toEqual([]);
  } finally {
    await new Promise<void>((r) => target.close(() => r()));
    await new Promise<void>((r) => redirector.close(() => r()));
  }
});

test('OpenStackSession.nova(): the compute endpoint of the Keystone catalog, with the session token', async () => {
  const keystone = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': 'nova-test-token' });
      res.end(
        JSON.stringify({
          token: {
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
            catalog: [
              { type: 'compute', endpoints: [{ interface: 'public', region_id: 'bgo', url: nova.endpoint }] },
              { type: 'compute', endpoints: [{ interface: 'public', region_id: 'osl', url: 'https://compute.osl.example:8774/v2.1' }] },
            ],
          },
        }),
      );
    });
  });
  await new Promise<void>((r) => keystone.listen(0, '127.0.0.1', r));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-nova-'));
  try {
    const clouds = path.join(dir, 'clouds.yaml');
    fs.writeFileSync(
      clouds,
      cloudsYaml('bgo-imagebuilder', `http://127.0.0.1:${(keystone.address() as { port: number }).port}`, 'builder', 'pw'),
    );
    const c = await openStackSession('bgo-imagebuilder', 'bgo', { paths: [clouds] }).nova();
    expect(c.endpoint).toBe(nova.endpoint);
    await c.createKeypair('k', KEY);
    expect(nova.requests.map((r) => r.token)).toEqual(['nova-test-token']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((r) => keystone.close(() => r()));
  }
});
