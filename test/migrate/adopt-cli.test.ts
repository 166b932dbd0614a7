// `goldsmith adopt` as an operator runs it: a clouds.yaml entry (OS_CLIENT_CONFIG_FILE), Keystone's
// token and service catalog, Glance's image list. Keystone and Glance are loopback doubles here (the
// real Glance the other adopt tests start trusts identity headers and takes no Keystone token);
// what Glance answers is what a real one answered in test/migrate/adopt.test.ts.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog } from '../../lib/catalog';
import { adoptCommand } from '../../lib/cli/adopt';
import type { CliIo } from '../../lib/cli/command';
import type { GlanceImage } from '../../lib/openstack/glance';
import { cloudsYaml } from '../support/clouds-yaml';
import { closedPort } from './net';

const ROOT = path.resolve(__dirname, '..', '..');
const TOKEN = 'gAAAAAB-adopt-token-never-printed';
const PASSWORD = 'adopt-pa55-never-printed';
const PROJECT = 'p-imagebuilder';
const GOLD = '5d92b98b-459b-435d-92ca-068953d513d5';
const OUTDATED = '45edbddf-a9e8-44d9-a866-5284eccf69b4';

const PROPERTIES = {
  hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi', hw_rng_model: 'virtio', hw_qemu_guest_agent: 'yes', hw_machine_type: 'q35',
  hw_firmware_type: 'uefi', hw_vif_multiqueue_enabled: 'yes', os_require_quiesce: 'yes', os_type: 'linux',
};

function image(id: string, name: string, status: string, created: string, hidden = false): GlanceImage {
  return {
    id, name, status, visibility: 'public', disk_format: 'qcow2', container_format: 'bare', size: 694016000,
    checksum: id === GOLD ? '5fdd8fd8e6efba1e05d89ca4218253ec' : '7566eef3f060786a0b7fa8e29f7072f1', os_hash_algo: 'sha512',
    os_hash_value: 'ab'.repeat(64), os_hidden: hidden, min_ram: 768, min_disk: 8, tags: ['gold', 'ubuntu_2404'], protected: false,
    owner: PROJECT, created_at: created, updated_at: created, ...PROPERTIES,
  } as GlanceImage;
}

/** Keystone (POST /identity/v3/auth/tokens) and Glance (GET /image/v2/images) on one loopback server. */
class FakeCloud {
  images: GlanceImage[] = [];
  imageEndpoint = '';
  readonly requests: string[] = [];
  private readonly server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/identity/v3/auth/tokens') {
      req.resume();
      const endpoints = (u: string) => [{ interface: 'public', region: 'bgo', region_id: 'bgo', url: u }];
      return reply(
        201,
        {
          token: {
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
            project: { id: PROJECT, name: 'imagebuilder' },
            roles: [{ id: 'r1', name: 'admin' }],
            catalog: [{ type: 'image', name: 'glance', endpoints: endpoints(this.imageEndpoint) }],
          },
        },
        { 'X-Subject-Token': TOKEN },
      );
    }
    if (req.headers['x-auth-token'] !== TOKEN) return reply(401, { message: 'unauthorized' });
    if (req.method === 'GET' && url.pathname === '/image/v2/images') {
      const tag = url.searchParams.get('tag');
      const hidden = url.searchParams.get('os_hidden') === 'true';
      return reply(200, { images: this.images.filter((i) => i.tags.includes(tag!) && (i.os_hidden === true) === hidden) });
    }
    reply(404, { message: 'not found' });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.imageEndpoint = `${this.url}/image`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

let work: string;
let cloud: FakeCloud;
let builds: string;

beforeEach(async () => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-adopt-cli-')));
  fs.cpSync(path.join(ROOT, 'config'), path.join(work, 'config'), { recursive: true });
  builds = path.join(work, 'config', 'builds', 'bgo.yaml');
  fs.rmSync(builds);
  cloud = new FakeCloud();
  await cloud.start();
  const auth = `${cloud.url}/identity`;
  fs.writeFileSync(
    path.join(work, 'clouds.yaml'),
    cloudsYaml('bgo-imagebuilder', auth, 'imagebuilder', PASSWORD) + cloudsYaml('bgo-nrec-images', auth, 'nrec-images', PASSWORD, 'nrec-images').replace('clouds:\n', ''),
  );
  cloud.images = [
    image(OUTDATED, 'Outdated (Ubuntu 24.04)', 'deactivated', '2026-10-01T07:15:31Z'),
    image(GOLD, 'GOLD Ubuntu 24.04 LTS', 'active', '2026-11-01T07:15:12Z'),
  ];
});

afterEach(async () => {
  await cloud.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function adopt(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: work, env: { OS_CLIENT_CONFIG_FILE: path.join(work, 'clouds.yaml') } };
  const code = await adoptCommand.run(args, io);
  // No secret is ever printed.
  for (const line of [...out, ...err]) expect(line).not.toMatch(/never-printed/);
  return { code, out, err };
}

const CHANGE = `bgo · ubuntu_2404: adopt 2 Glance images: GOLD 20261101 (${GOLD}), Outdated 20261001 (${OUTDATED}, deactivated)`;

test('--dry-run prints what it would adopt and writes nothing', async () => {
  const r = await adopt('bgo', '--dry-run');
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.out[0]).toBe(CHANGE);
  expect(r.out.filter((l) => !l.endsWith('nothing to adopt'))).toEqual([CHANGE, 'dry run: would adopt 2 Glance images (1 image line) into config/builds/bgo.yaml, nothing written']);
  expect(fs.existsSync(builds)).toBe(false);
  // Both os_hidden listings of every catalog type, through both clouds.yaml entries.
  expect(cloud.requests.filter((r) => r.startsWith('GET')).sort()).toEqual(
    ['gold', 'uib', 'uio', 'vgpu'].flatMap((t) => [false, true].map((h) => `GET /image/v2/images?tag=${t}&visibility=all&os_hidden=${h}&limit=100`)).flatMap((r) => [r, r]).sort(),
  );
});

test('writes the builds file, which validates; the GOLD is the active image, the deactivated one Outdated', async () => {
  const r = await adopt('bgo');
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.out[r.out.length - 1]).toBe(
    'adopted 2 Glance images (1 image line) into config/builds/bgo.yaml: the next deploy imports them (plan: 2 to import, none to add or replace)',
  );
  const releases = loadCatalog(path.join(work, 'config')).builds.bgo.find((e) => e.image === 'ubuntu_2404')!.releases;
  expect(releases.map((r) => [r.buildId, r.state, r.glanceId, r.md5, r.sizeBytes, r.sha256])).toEqual([
    ['20261101', 'released', GOLD, '5fdd8fd8e6efba1e05d89ca4218253ec', 694016000, undefined],
    ['20261001', 'released', OUTDATED, '7566eef3f060786a0b7fa8e29f7072f1', 694016000, undefined],
  ]);
  expect((await adopt('bgo')).out.pop()).toBe('nothing to adopt in bgo: config/builds/bgo.yaml unchanged');
});

test('two active images with the same tags: one line, exit 1, nothing written', async () => {
  cloud.images.push(image('0c2b1e4a-2026-4110-8104-000000001104', 'GOLD Ubuntu 24.04 LTS', 'active', '2026-11-02T07:15:12Z'));
  const r = await adopt('bgo');
  expect(r.code).toBe(1);
  expect(r.err).toEqual([
    `goldsmith adopt: bgo · ubuntu_2404: 2 active Glance images carry the tags [gold, ubuntu_2404]: ${GOLD} "GOLD Ubuntu 24.04 LTS" (active, created 2026-11-01), ` +
      '0c2b1e4a-2026-4110-8104-000000001104 "GOLD Ubuntu 24.04 LTS" (active, created 2026-11-02): deactivate the one that is not GOLD (openstack image set --deactivate <id>), then run again; nothing written',
  ]);
  expect(fs.existsSync(builds)).toBe(false);
});

test('an unreachable Glance: one line, exit 1, nothing written', async () => {
  cloud.imageEndpoint = `http://127.0.0.1:${await closedPort()}/image`;
  const r = await adopt('bgo');
  expect(r).toEqual({ code: 1, out: [], err: ['goldsmith adopt: bgo: Glance GET /v2/images: request failed: ECONNREFUSED; nothing written'] });
  expect(fs.existsSync(builds)).toBe(false);
});

test('an unknown environment is a usage error', async () => {
  await expect(adopt('trd')).rejects.toThrow('no environment `trd` in environments.yaml (bgo, osl, test01, test02)');
});
