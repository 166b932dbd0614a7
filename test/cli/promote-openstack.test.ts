// `goldsmith promote` through the CLI exactly as an operator runs it: no injected sources, only a
// clouds.yaml entry (OS_CLIENT_CONFIG_FILE) whose Keystone hands out a token and a service catalog,
// and the image, compute and volumev3 services of that catalog. The second step of a promotion is
// exercised on the bundled catalog's bgo: ubuntu_2404 has the candidate 20261202, GOLD 20261104 and
// Outdated 20261007 and 20260902; keep_outdated 2 lets 20260902 go once the candidate is GOLD.
//
// Keystone, Nova and Cinder cannot run here (databases, a message queue, fernet keys, a scheduler,
// a hypervisor, a storage back end): they are loopback doubles (test/openstack/fake-keystone.ts,
// fake-nova.ts, fake-cinder.ts) that answer like the real APIs and record every request. Glance is
// a double too (test/openstack/fake-glance.ts): the real Glance the other tests start
// (test/promote/promote-builder.test.ts) trusts identity headers and cannot take a Keystone token.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog } from '../../lib/catalog';
import { CliIo, main } from '../../lib/cli/main';
import { startFakeCinder, type FakeCinder } from '../openstack/fake-cinder';
import { startFakeGlance, type FakeGlance, type FakeGlanceImage } from '../openstack/fake-glance';
import { startFakeKeystone, type FakeKeystone } from '../openstack/fake-keystone';
import { startFakeNova, type FakeIdentity, type FakeNova } from '../openstack/fake-nova';
import { cloudsYaml } from '../support/clouds-yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const CLOUD = 'bgo-imagebuilder';
const PROJECT = 'p-imagebuilder';
const ADMIN_PASSWORD = 'admin-pa55-never-printed';
const MEMBER_PASSWORD = 'member-pa55-never-printed';
const ADMIN_TOKEN = 'gAAAAABadmin-token-never-printed';
const MEMBER_TOKEN = 'gAAAAABmember-token-never-printed';
const SECRETS = [ADMIN_PASSWORD, MEMBER_PASSWORD, ADMIN_TOKEN, MEMBER_TOKEN];
const TOKENS: Record<string, FakeIdentity> = {
  [ADMIN_TOKEN]: { project: PROJECT, admin: true },
  [MEMBER_TOKEN]: { project: PROJECT, admin: false },
};

// The Glance images of ubuntu_2404's releases (as the deploys left them) and one of another line.
const CANDIDATE_ID = '0c2b1e4a-2026-4120-8202-000000001202';
const GOLD_ID = '0c2b1e4a-2026-4110-8104-000000001104';
const OUTDATED_ID = '0c2b1e4a-2026-4100-8007-000000001007';
const OLDEST_ID = '0c2b1e4a-2026-4090-8002-000000000902';
const OTHER_LINE_ID = '0c2b1e4a-2026-4110-8104-000000002204';
const CANDIDATE_MD5 = 'f7ea0ef202c80ac835ded28993a647d7';
const CANDIDATE_SIZE = 702545920;

function release(id: string, buildId: string, state: string, hidden: boolean, name: string, md5: string, size: number, image = 'ubuntu_2404'): FakeGlanceImage {
  const date = `${buildId.slice(0, 4)}-${buildId.slice(4, 6)}-${buildId.slice(6)}`;
  return {
    id,
    name,
    status: 'active',
    visibility: 'public',
    owner: PROJECT,
    hidden,
    tags: ['gold', image],
    checksum: md5,
    size,
    created_at: `${date}T08:00:00Z`,
    properties: { goldsmith_image: image, goldsmith_build_id: buildId, goldsmith_build_date: date, goldsmith_state: state },
  };
}

const GLANCE_IMAGES = (): FakeGlanceImage[] => [
  release(GOLD_ID, '20261104', 'gold', false, 'GOLD Ubuntu 24.04 LTS', '5fdd8fd8e6efba1e05d89ca4218253ec', 694016000),
  release(OTHER_LINE_ID, '20261104', 'gold', false, 'GOLD Ubuntu 22.04 LTS', 'be310d19772a87f4fb70092f71e5eb4b', 677362176, 'ubuntu_2204'),
  release(OLDEST_ID, '20260902', 'outdated', true, 'Outdated (Ubuntu 24.04)', 'dd1bcae492c2dbce4e4d52d352a04ad9', 839474688),
  release(CANDIDATE_ID, '20261202', 'candidate', true, 'Candidate (Ubuntu 24.04 LTS)', CANDIDATE_MD5, CANDIDATE_SIZE),
  release(OUTDATED_ID, '20261007', 'outdated', true, 'Outdated (Ubuntu 24.04)', '7566eef3f060786a0b7fa8e29f7072f1', 541455360),
];

/** The builder's vhost: records what it is asked and answers 404 (no build record). */
class Builder {
  readonly requests: string[] = [];
  private readonly server = http.createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let work: string;
let clouds: string;
let builder: Builder;
let keystone: FakeKeystone;
let glance: FakeGlance;
let nova: FakeNova;
let cinder: FakeCinder;

beforeEach(async () => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-cli-promote-os-')));
  fs.cpSync(path.join(ROOT, 'config'), path.join(work, 'config'), { recursive: true });
  clouds = path.join(work, 'clouds.yaml');
  builder = new Builder();
  replaceOnce(path.join(work, 'config', 'environments.yaml'), 'base_url: http://builder.mgmt.bgo.uhdc.no/', `base_url: ${await builder.start()}`);
  // The catalog's entry for bgo is the one this clouds.yaml holds.
  const envs = fs.readFileSync(path.join(work, 'config', 'environments.yaml'), 'utf8');
  if (!/\n {2}bgo:\n {4}region: bgo\n {4}cloud: bgo-imagebuilder\n/.test(envs)) throw new Error('fixture changed: bgo is not region bgo, cloud bgo-imagebuilder');

  keystone = await startFakeKeystone({
    'imagebuilder-admin': { password: ADMIN_PASSWORD, token: ADMIN_TOKEN, project: { name: 'imagebuilder', id: PROJECT }, roles: ['admin', 'member', 'reader'] },
    'imagebuilder-member': { password: MEMBER_PASSWORD, token: MEMBER_TOKEN, project: { name: 'imagebuilder', id: PROJECT }, roles: ['member', 'reader'] },
  });
  glance = await startFakeGlance({ tokens: TOKENS });
  nova = await startFakeNova({ tokens: TOKENS });
  cinder = await startFakeCinder({ tokens: TOKENS });
  const endpoint = (url: string, region = 'bgo', iface = 'public') => ({ interface: iface, region_id: region, region, url });
  const dead = 'http://127.0.0.1:9';
  keystone.catalog = [
    { type: 'identity', name: 'keystone', endpoints: [endpoint(keystone.authUrl)] },
    // Only bgo's public endpoints are ever asked: the others would fail the test.
    { type: 'image', name: 'glance', endpoints: [endpoint(`${dead}/osl-image`, 'osl'), endpoint(`${dead}/internal-image`, 'bgo', 'internal'), endpoint(glance.endpoint)] },
    { type: 'compute', name: 'nova', endpoints: [endpoint(`${dead}/osl-compute`, 'osl'), endpoint(nova.endpoint)] },
    { type: 'volumev3', name: 'cinderv3', endpoints: [endpoint(`${dead}/osl-volume`, 'osl'), endpoint(cinder.endpoint)] },
  ];
  glance.images = GLANCE_IMAGES();
  // Glance pages of two: the hidden list of ubuntu_2404 (candidate, 20261007, 20260902) takes two.
  glance.apiLimitMax = 2;
  // What the cloud runs, none of it made from 20260902's image.
  nova.servers = [
    { id: 'a1c0ffee-0000-4000-8000-000000000001', name: 'web-1', project: 'p-webteam', image: GOLD_ID },
    { id: 'a1c0ffee-0000-4000-8000-000000000002', name: 'ci-runner', project: 'p-research', image: OUTDATED_ID },
    { id: 'a1c0ffee-0000-4000-8000-000000000003', name: 'bfv', project: 'p-research', image: '' },
  ];
  cinder.volumes = [
    { id: 'b0b0b0b0-0000-4000-8000-000000000001', name: 'root-web-1', project: 'p-webteam', image: GOLD_ID },
    { id: 'b0b0b0b0-0000-4000-8000-000000000002', name: 'data', project: 'p-research', image: '' },
  ];
  writeClouds('admin');
});

afterEach(async () => {
  // Whatever beforeEach got to start, even when it failed half-way.
  await Promise.all([builder?.stop(), keystone?.close(), glance?.close(), nova?.close(), cinder?.close()]);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** clouds.yaml with entry bgo-imagebuilder: an admin user, a member user, or a Keystone at `authUrl`. */
function writeClouds(who: 'admin' | 'member', authUrl = keystone.authUrl): void {
  const [user, password] = who === 'admin' ? ['imagebuilder-admin', ADMIN_PASSWORD] : ['imagebuilder-member', MEMBER_PASSWORD];
  fs.writeFileSync(clouds, cloudsYaml(CLOUD, authUrl, user, password), { mode: 0o600 });
}

/** A loopback port nothing listens on (a Keystone that is down). */
async function deadPort(): Promise<number> {
  const gone = http.createServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
  const port = (gone.address() as AddressInfo).port;
  await new Promise<void>((r) => gone.close(() => r()));
  return port;
}

function replaceOnce(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  if (text.split(from).length !== 2) throw new Error(`fixture changed: ${path.basename(file)} does not hold exactly one ${JSON.stringify(from)}`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** `text` with `from` (which it must hold exactly once) replaced. */
function edit(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

const buildsFile = () => path.join(work, 'config', 'builds', 'bgo.yaml');
const readBuilds = () => fs.readFileSync(buildsFile(), 'utf8');
const buildsDir = () => fs.readdirSync(path.dirname(buildsFile())).sort();

// The two edits the second step makes to bgo.yaml: the candidate's `state` line goes, and 20260902.
const CANDIDATE_TAIL = [
  '        upstream_checksum: sha256:13c5da70493974e387d5adf5b099b20b3dfc6d620369dc495d87c14121f3c911',
  '        state: candidate',
  '      - build_id: "20261104"',
  '',
].join('\n');
const GOLD_TAIL = CANDIDATE_TAIL.replace('        state: candidate\n', '');
const OLDEST_BLOCK = [
  '      - build_id: "20260902"',
  '        date: 2026-09-02',
  '        file: ubuntu_2404-20260902.qcow2',
  '        md5: dd1bcae492c2dbce4e4d52d352a04ad9',
  '        sha256: 44df1b3fdb2429c0ad0c1027f796d675ca540d981b898b3c1ecaa047428db6a5',
  '        size_bytes: 839474688',
  '',
].join('\n');
const becomesGold = (before: string) => edit(before, CANDIDATE_TAIL, GOLD_TAIL);
const withoutOldest = (text: string) => edit(text, OLDEST_BLOCK, '');

const GOLD_LINE = `bgo · ubuntu_2404: 20261202 becomes GOLD (Glance image ${CANDIDATE_ID} is active with md5 ${CANDIDATE_MD5} and ${CANDIDATE_SIZE} bytes); 20261104 becomes Outdated`;
const REMOVE_LINE = 'bgo · ubuntu_2404: remove 20260902 (beyond keep_outdated 2; no server or volume uses it)';
const ADMIN_NEEDED =
  'goldsmith promote: bgo · ubuntu_2404: 20260902 stays (beyond keep_outdated 2): cannot tell whether a server or volume uses it: ' +
  'clouds.yaml entry "bgo-imagebuilder" must be able to list all projects\' servers and volumes ' +
  'to tell whether an image is in use (Nova refused all_tenants=1 with 403): use an admin entry, or --offline';

/** Runs goldsmith in-process with only PATH and OS_CLIENT_CONFIG_FILE; no line may hold a password or token. */
async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: work, env: { PATH: process.env.PATH, OS_CLIENT_CONFIG_FILE: clouds } };
  const code = await main(argv, io);
  for (const line of [...out, ...err]) for (const secret of SECRETS) expect(line).not.toContain(secret);
  return { code, out, err };
}

/** The Glance list requests of ubuntu_2404 (shown, then hidden over two pages), with `token`. */
function glanceListing(token: string) {
  const q = { tag: 'ubuntu_2404', visibility: 'all', limit: '100' };
  const get = (query: Record<string, string>) => ({ method: 'GET', path: '/image/v2/images', token, query: { ...q, ...query } });
  return [get({ os_hidden: 'false' }), get({ os_hidden: 'true' }), get({ os_hidden: 'true', marker: OUTDATED_ID })];
}

const TOKEN_REQUEST = (user: string, password: string) => ({
  method: 'POST',
  path: '/identity/v3/auth/tokens',
  body: {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      scope: { project: { name: 'imagebuilder', domain: { name: 'Default' } } },
    },
  },
});

describe('goldsmith promote bgo with its clouds.yaml entry (Keystone, Glance, Nova, Cinder)', () => {
  test('the candidate is active with its md5 and size, nothing uses 20260902: it becomes GOLD and 20260902 leaves; a second run has nothing to do', async () => {
    const before = readBuilds();
    const filesBefore = buildsDir();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 0,
      out: [GOLD_LINE, REMOVE_LINE, 'wrote 2 changes to config/builds/bgo.yaml'],
      err: [],
    });
    expect(readBuilds()).toBe(withoutOldest(becomesGold(before)));

    // One token for all three services, from the entry's credentials.
    expect(keystone.requests).toEqual([TOKEN_REQUEST('imagebuilder-admin', ADMIN_PASSWORD)]);
    expect(glance.requests).toEqual(glanceListing(ADMIN_TOKEN));
    // Every project's servers and volumes made from 20260902's Glance image; Cinder at 3.4, whose glance_metadata filter it needs.
    expect(nova.requests).toEqual([{ method: 'GET', path: '/compute/v2.1/servers/detail', token: ADMIN_TOKEN, query: { all_tenants: '1', image: OLDEST_ID } }]);
    expect(cinder.requests).toEqual([
      {
        method: 'GET',
        path: `/volume/v3/${PROJECT}/volumes/detail`,
        token: ADMIN_TOKEN,
        query: { all_tenants: '1', glance_metadata: `{"image_id":"${OLDEST_ID}"}` },
        microversion: 'volume 3.4',
      },
    ]);
    // A pending candidate is never looked for on the builder.
    expect(builder.requests).toEqual([]);

    // Idempotent: the builder has nothing newer, nothing is beyond retention any more.
    const after = readBuilds();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 0,
      out: ['note: bgo · ubuntu_2404: no build on the builder yet', 'nothing to change in config/builds/bgo.yaml'],
      err: [],
    });
    expect(readBuilds()).toBe(after);
    expect(builder.requests).toEqual(['GET /ubuntu_2404-latest.json']);
    expect(buildsDir()).toEqual(filesBefore);
  });

  test("a tenant's look-alike (same tags, properties and build id, another owner) is not counted", async () => {
    const lookalike = { ...release('0c2b1e4a-2026-4120-8202-00000000beef', '20261202', 'candidate', true, 'Candidate (Ubuntu 24.04 LTS)', '0'.repeat(32), 1), owner: 'p-tenant' };
    glance.images = [...GLANCE_IMAGES(), lookalike];
    const before = readBuilds();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 0,
      out: [GOLD_LINE, REMOVE_LINE, 'wrote 2 changes to config/builds/bgo.yaml'],
      err: [],
    });
    expect(readBuilds()).toBe(withoutOldest(becomesGold(before)));
  });

  test('a server of another project was booted from 20260902: it stays, and a note says why', async () => {
    nova.servers.push({ id: 'a1c0ffee-0000-4000-8000-000000000004', name: 'legacy-app', project: 'p-chemistry', image: OLDEST_ID });
    const before = readBuilds();
    const filesBefore = buildsDir();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 0,
      out: [GOLD_LINE, 'note: bgo · ubuntu_2404: 20260902 stays (beyond keep_outdated 2): used by 1 server and 0 volumes', 'wrote 1 change to config/builds/bgo.yaml'],
      err: [],
    });
    expect(readBuilds()).toBe(becomesGold(before));
    expect(buildsDir()).toEqual(filesBefore);
    expect(nova.requests.map((r) => r.query)).toEqual([{ all_tenants: '1', image: OLDEST_ID }]);
    expect(cinder.requests.map((r) => [r.query, r.microversion])).toEqual([[{ all_tenants: '1', glance_metadata: `{"image_id":"${OLDEST_ID}"}` }, 'volume 3.4']]);
  });

  test("a clouds.yaml entry without the admin role: GOLD is written, 20260902 stays, one problem line, exit 1; an admin entry later removes it", async () => {
    writeClouds('member');
    const before = readBuilds();
    const filesBefore = buildsDir();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 1,
      out: [GOLD_LINE, 'wrote 1 change to config/builds/bgo.yaml'],
      err: [ADMIN_NEEDED],
    });
    // Glance verified the candidate (a member token lists its project's images): that step is
    // done and written. Whether 20260902 is in use could not be told: it stays (the safe side).
    expect(readBuilds()).toBe(becomesGold(before));
    expect(keystone.requests).toEqual([TOKEN_REQUEST('imagebuilder-member', MEMBER_PASSWORD)]);
    expect(glance.requests).toEqual(glanceListing(MEMBER_TOKEN));
    expect(nova.requests).toEqual([{ method: 'GET', path: '/compute/v2.1/servers/detail', token: MEMBER_TOKEN, query: { all_tenants: '1', image: OLDEST_ID } }]);
    // Cinder would silently list the member's own project only: it is not asked.
    expect(cinder.requests).toEqual([]);

    // With the admin entry the next run finishes the step.
    writeClouds('admin');
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 0,
      out: [REMOVE_LINE, 'note: bgo · ubuntu_2404: no build on the builder yet', 'wrote 1 change to config/builds/bgo.yaml'],
      err: [],
    });
    expect(readBuilds()).toBe(withoutOldest(becomesGold(before)));
    expect(buildsDir()).toEqual(filesBefore);
  });

  test('Keystone unreachable: one line, exit 1, no file changed, no service asked', async () => {
    const port = await deadPort();
    writeClouds('admin', `http://127.0.0.1:${port}/identity`);
    const before = readBuilds();
    const filesBefore = buildsDir();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404')).toEqual({
      code: 1,
      out: ['nothing to change in config/builds/bgo.yaml'],
      err: [`goldsmith promote: bgo · ubuntu_2404: Keystone POST /identity/v3/auth/tokens (127.0.0.1:${port}): request failed: ECONNREFUSED`],
    });
    expect(readBuilds()).toBe(before);
    expect(buildsDir()).toEqual(filesBefore);
    expect([...keystone.requests, ...glance.requests, ...nova.requests, ...cinder.requests]).toEqual([]);
  });

  test('as the scheduled job runs it (every image of bgo): only ubuntu_2404 needs Keystone; down, it is one line', async () => {
    // Every other image of bgo asks the builder (which has no record) and needs no cloud.
    const catalog = loadCatalog(path.join(work, 'config'));
    const bgo = catalog.environments.find((e) => e.name === 'bgo')!;
    const others = [...new Set([...bgo.images, ...(catalog.builds.bgo ?? []).map((e) => e.image)])].filter((i) => i !== 'ubuntu_2404').sort();
    expect(others.length).toBeGreaterThan(5);
    const notes = others.map((i) => `note: bgo · ${i}: no build on the builder yet`);

    const port = await deadPort();
    writeClouds('admin', `http://127.0.0.1:${port}/identity`);
    const before = readBuilds();
    expect(await run('promote', 'bgo')).toEqual({
      code: 1,
      out: [...notes, 'nothing to change in config/builds/bgo.yaml'],
      err: [`goldsmith promote: bgo · ubuntu_2404: Keystone POST /identity/v3/auth/tokens (127.0.0.1:${port}): request failed: ECONNREFUSED`],
    });
    expect(readBuilds()).toBe(before);

    writeClouds('admin');
    expect(await run('promote', 'bgo')).toEqual({
      code: 0,
      out: [GOLD_LINE, REMOVE_LINE, ...notes, 'wrote 2 changes to config/builds/bgo.yaml'],
      err: [],
    });
    expect(readBuilds()).toBe(withoutOldest(becomesGold(before)));
    expect(keystone.requests).toHaveLength(1);
    expect(glance.requests).toEqual(glanceListing(ADMIN_TOKEN));
    expect(nova.requests.map((r) => r.query)).toEqual([{ all_tenants: '1', image: OLDEST_ID }]);
    expect(cinder.requests).toHaveLength(1);
    expect(builder.requests.sort()).toEqual([...others, ...others].map((i) => `GET /${i}-latest.json`).sort());
  });

  test('--dry-run: the same lines, nothing written', async () => {
    const before = readBuilds();
    const filesBefore = buildsDir();
    expect(await run('promote', 'bgo', '--image', 'ubuntu_2404', '--dry-run')).toEqual({
      code: 0,
      out: [GOLD_LINE, REMOVE_LINE, 'dry run: 2 changes to config/builds/bgo.yaml, nothing written'],
      err: [],
    });
    expect(readBuilds()).toBe(before);
    expect(buildsDir()).toEqual(filesBefore);
    // Only reads went out.
    expect([...glance.requests, ...nova.requests, ...cinder.requests].map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET', 'GET']);
  });
});
