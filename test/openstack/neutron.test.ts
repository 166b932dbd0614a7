// Neutron is a boundary we cannot run here (no neutron server, no message queue, no database on the
// runners), so these tests use a tiny local fake (http.createServer on 127.0.0.1) that answers
// GET /v2.0/networks?name=... the way Neutron does ({"networks": [...]}, exact name filter,
// NeutronError bodies on failure) and, for the session test, a fake Keystone whose catalog has a
// `network` service. Glance is tested against a real Glance in glance.test.ts.
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { openStackSession } from '../../lib/openstack';
import { findNetworkId, isUuid, NeutronError, networkV2Url } from '../../lib/openstack/neutron';
import { PackerBaker, packerBuildArgs, type BakerGlance, type PackerBakerOptions } from '../../lib/runner/packer';
import { parseRunnerConfig } from '../../lib/contract';
import { cloudsYaml } from '../support/clouds-yaml';

interface Net {
  id: string;
  name: string;
}

interface Fake {
  url: string;
  seen: { url: string; token?: string }[];
  networks: Net[];
  /** When set, every networks request gets this reply. */
  reply?: { status: number; body: string };
  /** Names the fake ignores when filtering (an API that drops unknown filters). */
  ignoreFilter?: boolean;
  close(): Promise<void>;
}

const ID1 = '0b5c1c4a-8d8a-4c1e-9d8e-2f0e6a9f1a01';
const ID2 = '7e7f3a55-1b2c-4d3e-8f90-a1b2c3d4e5f6';

async function fakeOpenStack(): Promise<Fake> {
  const fake = { seen: [], networks: [] } as unknown as Fake;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const token = req.headers['x-auth-token'] as string | undefined;
    fake.seen.push({ url: req.url!, token });
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && u.pathname === '/identity/v3/auth/tokens') {
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': 'gAAAAtoken-n' });
        res.end(
          JSON.stringify({
            token: {
              expires_at: new Date(Date.now() + 3_600_000).toISOString(),
              project: { id: 'proj-1' },
              catalog: [
                { type: 'image', endpoints: [{ interface: 'public', region_id: 'bgo', url: `${fake.url}/image` }] },
                {
                  type: 'network',
                  endpoints: [
                    { interface: 'public', region_id: 'bgo', url: `${fake.url}/network/` },
                    { interface: 'public', region_id: 'osl', url: 'https://network.osl.example:9696' },
                  ],
                },
              ],
            },
          }),
        );
        return;
      }
      if (req.method === 'GET' && u.pathname === '/network/v2.0/networks') {
        if (token !== 'gAAAAtoken-n' && token !== 'static-token') {
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ NeutronError: { type: 'Unauthorized', message: 'Authentication required', detail: '' } }));
          return;
        }
        if (fake.reply) {
          res.writeHead(fake.reply.status, { 'Content-Type': 'application/json' });
          res.end(fake.reply.body);
          return;
        }
        const name = u.searchParams.get('name');
        const nets = fake.networks.filter((n) => fake.ignoreFilter || name === null || n.name === name);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ networks: nets.map((n) => ({ ...n, status: 'ACTIVE', shared: false, subnets: [] })) }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return fake;
}

let fake: Fake;
let endpoint: string;
const headers = { 'X-Auth-Token': 'static-token' };
beforeEach(async () => {
  fake = await fakeOpenStack();
  endpoint = `${fake.url}/network`;
  fake.networks = [
    { id: ID1, name: 'imagebuilder' },
    { id: ID2, name: 'public' },
  ];
});
afterEach(() => fake.close());

test('helpers: isUuid, networkV2Url', () => {
  expect(isUuid(ID1)).toBe(true);
  expect(isUuid(ID1.toUpperCase())).toBe(true);
  expect(isUuid('imagebuilder')).toBe(false);
  expect(isUuid(`${ID1}x`)).toBe(false);
  expect(networkV2Url('https://n:9696')).toBe('https://n:9696/v2.0');
  expect(networkV2Url('https://n:9696/')).toBe('https://n:9696/v2.0');
  expect(networkV2Url('https://n/network/v2.0/')).toBe('https://n/network/v2.0');
});

describe('findNetworkId', () => {
  test('exactly one match: its id; the name is url-encoded; the token is sent', async () => {
    expect(await findNetworkId(endpoint, headers, 'imagebuilder')).toBe(ID1);
    fake.networks.push({ id: ID2.replace('7e', '11'), name: 'build net/α&x' });
    expect(await findNetworkId(`${endpoint}/v2.0/`, headers, 'build net/α&x')).toBe(ID2.replace('7e', '11'));
    expect(fake.seen.map((s) => s.url)).toEqual([
      '/network/v2.0/networks?name=imagebuilder',
      `/network/v2.0/networks?name=${encodeURIComponent('build net/α&x')}`,
    ]);
    expect(fake.seen.every((s) => s.token === 'static-token')).toBe(true);
  });

  test('none: one-line error', async () => {
    await expect(findNetworkId(endpoint, headers, 'nope')).rejects.toThrow(
      new NeutronError('no network named "nope" is visible to the project'),
    );
  });

  test('several: one-line error listing the ids', async () => {
    fake.networks.push({ id: ID2, name: 'imagebuilder' });
    const e = await findNetworkId(endpoint, headers, 'imagebuilder').catch((x: Error) => x);
    expect(e).toBeInstanceOf(NeutronError);
    expect((e as Error).message).toBe(`2 networks are named "imagebuilder" (${ID1}, ${ID2}): give packer_vars.network as an id`);
  });

  test('a server that ignores the name filter is filtered client-side', async () => {
    fake.ignoreFilter = true;
    expect(await findNetworkId(endpoint, headers, 'public')).toBe(ID2);
  });

  test('HTTP errors: status and Neutron message, never the token', async () => {
    const e = (await findNetworkId(endpoint, { 'X-Auth-Token': 'secret-token-xyz' }, 'imagebuilder').catch((x: Error) => x)) as NeutronError;
    expect(e.message).toBe('Neutron GET /network/v2.0/networks?name=imagebuilder: 401 Unauthorized: Authentication required');
    expect(e.status).toBe(401);
    expect(e.message).not.toContain('secret-token-xyz');
    fake.reply = { status: 200, body: '<html>proxy</html>' };
    await expect(findNetworkId(endpoint, headers, 'x')).rejects.toThrow(/: 200 but the body is not JSON$/);
    fake.reply = { status: 200, body: '{"nets": []}' };
    await expect(findNetworkId(endpoint, headers, 'x')).rejects.toThrow(/: 200 but the body has no "networks" list$/);
  });

  test('connection refused: one line naming host', async () => {
    const closed = fake.url;
    await fake.close();
    const e = (await findNetworkId(`${closed}/network`, headers, 'imagebuilder').catch((x: Error) => x)) as Error;
    expect(e.message).toMatch(/^Neutron GET \/network\/v2\.0\/networks\?name=imagebuilder \(127\.0\.0\.1:\d+\): request failed: ECONNREFUSED$/);
    fake = await fakeOpenStack(); // for afterEach
  });
});

describe('OpenStackSession: network endpoint from the same Keystone catalog', () => {
  let dir: string;
  let cloudsFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-neutron-'));
    cloudsFile = path.join(dir, 'clouds.yaml');
    fs.writeFileSync(
      cloudsFile,
      cloudsYaml('bgo-imagebuilder', `${fake.url}/identity`, 'builder', 'pw'),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the session\'s network endpoint picks the region; session resolves names with one token for Glance and Neutron', async () => {
    expect(await openStackSession('bgo-imagebuilder', undefined, { paths: [cloudsFile] }).endpoint('network')).toBe(`${fake.url}/network/`);
    expect(await openStackSession('bgo-imagebuilder', 'osl', { paths: [cloudsFile] }).endpoint('network')).toBe('https://network.osl.example:9696');
    fake.seen.length = 0;
    const s = openStackSession('bgo-imagebuilder', 'bgo', { paths: [cloudsFile] });
    const g = await s.glance();
    expect(g.endpoint).toBe(`${fake.url}/image`);
    expect(await s.networkId('imagebuilder')).toBe(ID1);
    expect(fake.seen.map((x) => x.url)).toEqual(['/identity/v3/auth/tokens', '/network/v2.0/networks?name=imagebuilder']);
    expect(fake.seen[1].token).toBe('gAAAAtoken-n');
  });
});

describe('packerBuildArgs with a resolved network', () => {
  test('the id replaces packer_vars.network in place; image_name from packer_vars is never passed', () => {
    const c = parseRunnerConfig(
      {
        image: 'ubuntu_2404',
        environment: 'bgo',
        cloud: 'bgo-imagebuilder',
        region: 'bgo',
        upstream: { url: 'https://u.example/', file: 'f.img', checksum_file: 'SHA256SUMS', algorithm: 'sha256' },
        template: 'default',
        template_file: 'templates/default.json',
        fingerprint: 'a'.repeat(64),
        packer_vars: { image_name: 'goldsmith-build-ubuntu_2404', flavor: 'img.zerodisk', network: 'imagebuilder', region: 'bgo' },
        source_image: { min_ram_mb: 768, min_disk_gb: 8, efi: false, properties: {} },
        output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2 },
        rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
        paths: { store: '/s', logs: '/l', state: '/st', work: '/w' },
        timeouts_s: { download: 1, packer: 1, convert: 1 },
      },
      'x.json',
    );
    const args = packerBuildArgs(c, { sourceImage: 'SRC', imageName: 'ART', manifestPath: '/m.json', network: ID1 }, '/t.json');
    expect(args).toEqual([
      'build', '-color=false',
      '-var', 'flavor=img.zerodisk',
      '-var', `network=${ID1}`,
      '-var', 'region=bgo',
      '-var', 'source_image=SRC',
      '-var', 'image_name=ART',
      '-var', 'manifest_path=/m.json',
      '/t.json',
    ]);
    expect(args.join(' ')).not.toContain('goldsmith-build-ubuntu_2404');
  });
});

describe('PackerBaker resolves packer_vars.network before it creates anything', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-baker-net-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'templates', 'default.json'), '{}\n');
    fs.writeFileSync(path.join(dir, 'packer'), '#!/bin/sh\necho "Packer v1.6.6"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'source.img'), Buffer.alloc(4096));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function cfg(network: string) {
    return parseRunnerConfig(
      {
        image: 'testimg',
        environment: 'bgo',
        cloud: 'bgo-imagebuilder',
        region: 'bgo',
        upstream: { url: 'https://u.example/', file: 'f.img' },
        template: 'default',
        template_file: 'templates/default.json',
        fingerprint: 'a'.repeat(64),
        packer_vars: { network },
        source_image: { min_ram_mb: 1, min_disk_gb: 1, efi: false },
        output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 1 },
        rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
        paths: { store: '/s', logs: '/l', state: '/st', work: '/w' },
        timeouts_s: { download: 60, packer: 60, convert: 60 },
      },
      'x.json',
    );
  }

  /** A Glance stand-in that records calls and refuses to create images (the test stops there). */
  function glance(calls: string[]): BakerGlance {
    const stop = (what: string) => async (): Promise<never> => {
      calls.push(what);
      throw new Error('stop here');
    };
    return {
      listImages: async () => {
        calls.push('listImages');
        return [];
      },
      createImage: stop('createImage'),
      uploadFile: stop('uploadFile'),
      waitForStatus: stop('waitForStatus'),
      downloadToFile: stop('downloadToFile'),
      deleteImage: stop('deleteImage'),
      getImage: stop('getImage'),
    };
  }

  const stopNova = async (): Promise<never> => {
    throw new Error('no keypair here');
  };

  async function bake(network: string, opts: Partial<PackerBakerOptions>, calls: string[]) {
    const lines: string[] = [];
    const nova = { createKeypair: stopNova, deleteKeypair: async () => false, listKeypairs: async () => [] };
    const b = new PackerBaker({ bundleDir: dir, packer: path.join(dir, 'packer'), glance: glance(calls), nova, env: { PATH: process.env.PATH }, ...opts });
    const workDir = path.join(dir, 'testimg-20261125T093000Z');
    fs.mkdirSync(workDir, { recursive: true });
    const err = await b
      .bake({ config: cfg(network), sourceFile: path.join(dir, 'source.img'), workDir, log: (l) => lines.push(l), signal: new AbortController().signal })
      .then(() => undefined, (e: Error) => e.message);
    return { lines, err };
  }

  test('a name is resolved (with the real Neutron lookup against the fake) and logged', async () => {
    const calls: string[] = [];
    const seen: string[] = [];
    const r = await bake('imagebuilder', { networkId: async (_c, name) => (seen.push(name), findNetworkId(endpoint, headers, name)) }, calls);
    expect(seen).toEqual(['imagebuilder']);
    expect(r.lines).toContain(`network imagebuilder is ${ID1}`);
    expect(r.err).toBe('creating the temporary source image: stop here');
  });

  test('a lookup failure fails the bake with one line before any image is created', async () => {
    const calls: string[] = [];
    const r = await bake('nope', { networkId: (_c, name) => findNetworkId(endpoint, headers, name) }, calls);
    expect(r.err).toBe('cannot resolve network "nope" of cloud bgo-imagebuilder (bgo): no network named "nope" is visible to the project');
    expect(calls).toEqual([]);
  });

  test('a UUID is used as it is; without a resolver (injected Glance) a name is passed through with a log line', async () => {
    const resolver = jest.fn();
    const r = await bake(ID2, { networkId: resolver }, []);
    expect(resolver).not.toHaveBeenCalled();
    expect(r.err).toBe('creating the temporary source image: stop here');
    const p = await bake('imagebuilder', {}, []);
    expect(p.lines).toContain('network "imagebuilder" is not an id and no network resolver is configured: passed to packer as it is');
  });
});

test('a redirect is refused: the X-Auth-Token never reaches its target', async () => {
  const hits: string[] = [];
  const target = http.createServer((req, res) => {
    hits.push(String(req.headers['x-auth-token']));
    res.end('{"networks": []}');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
  const neutron = http.createServer((_req, res) => {
    res.writeHead(307, { Location: `${targetUrl}/v2.0/networks?name=x` });
    res.end();
  });
  await new Promise<void>((r) => neutron.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(neutron.address() as { port: number }).port}`;
  try {
    const err = await findNetworkId(endpoint, { 'X-Auth-Token': 'gAAAAsecret-token' }, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeutronError);
    expect((err as Error).message).toBe(
      `Neutron GET /v2.0/networks?name=x (${new URL(endpoint).host}): request failed: redirect refused (credentials and tokens are never sent on)`,
    );
    expect(hits).toEqual([]);
  } finally {
    await new Promise<void>((r) => target.close(() => r()));
    await new Promise<void>((r) => neutron.close(() => r()));
  }
});
