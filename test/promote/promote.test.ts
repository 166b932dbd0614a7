// planPromotion on the bundled catalog: candidate → GOLD → retention, withdraw, and what Terraform
// then gets. Glance, Nova and Cinder are in-memory doubles here (they cannot run on these
// machines; the Glance listing itself is tested against a real Glance in
// test/promote/promote-builder.test.ts and test/openstack/glance-releases.test.ts); the builder
// record is built as the runner writes it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog } from '../../lib/catalog';
import type { BuildRecord } from '../../lib/contract';
import type { ReleaseImage } from '../../lib/openstack/glance-releases';
import type { ImageUsage } from '../../lib/openstack/usage';
import { planPromotion, type PromoteSources } from '../../lib/promote/promote';
import { withdrawRelease } from '../../lib/promote/withdraw';
import { checkEditedCatalog } from '../../lib/promote/write-builds';
import { synthCatalog } from '../../synth/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const UUID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The bundled ubuntu_2404 line in bgo, as Glance holds it after the candidate's deploy. */
function glanceLine(overrides: Partial<Record<string, Partial<ReleaseImage>>> = {}): ReleaseImage[] {
  const line: [string, string, number, string][] = [
    ['20261202', 'f7ea0ef202c80ac835ded28993a647d7', 702545920, 'candidate'],
    ['20261104', '5fdd8fd8e6efba1e05d89ca4218253ec', 694016000, 'gold'],
    ['20261007', '7566eef3f060786a0b7fa8e29f7072f1', 541455360, 'outdated'],
    ['20260902', 'dd1bcae492c2dbce4e4d52d352a04ad9', 839474688, 'outdated'],
  ];
  return line.map(([build, md5, size, state], i) => ({
    id: UUID(i + 1),
    name: null,
    status: 'active',
    hidden: state !== 'gold',
    visibility: 'public',
    owner: 'p1',
    checksum: md5,
    size,
    os_hash_algo: 'sha512',
    os_hash_value: null,
    tags: ['gold', 'ubuntu_2404'],
    created_at: '2026-12-02T10:00:00Z',
    goldsmith_image: 'ubuntu_2404',
    goldsmith_build_id: build,
    goldsmith_state: state,
    ...overrides[build],
  }));
}

function record(image: string, buildId: string, extra: Partial<BuildRecord> = {}): BuildRecord {
  const date = `${buildId.slice(0, 4)}-${buildId.slice(4, 6)}-${buildId.slice(6, 8)}`;
  return {
    record_format: 1,
    image,
    environment: 'bgo',
    build_id: buildId,
    run_id: `${buildId.slice(0, 8)}T031500Z`,
    date,
    finished_at: `${date}T04:01:02Z`,
    file: `${image}-${buildId}.qcow2`,
    disk_format: 'qcow2',
    md5: '0123456789abcdef0123456789abcdef',
    sha256: 'ab'.repeat(32),
    size_bytes: 712345600,
    upstream: { url: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img', checksum: `sha256:${'cd'.repeat(32)}` },
    fingerprint: 'ef'.repeat(32),
    tools: { 'qemu-img': '7.2.0' },
    reason: { code: 'periodic', detail: 'the last success is older than this period' },
    verification: { result: 'passed', checks: [{ name: 'qemu-img-check', result: 'passed' }] },
    ...extra,
  } as BuildRecord;
}

interface World {
  records?: Record<string, BuildRecord | undefined>;
  glance?: Record<string, ReleaseImage[]>;
  usage?: Record<string, Partial<ImageUsage>>;
  smoke?: string;
}

function sources(world: World, calls: string[] = []): PromoteSources {
  return {
    latestRecord: async (image) => {
      calls.push(`record ${image}`);
      return world.records?.[image];
    },
    releaseImages: async (image, cloud) => {
      calls.push(`glance ${image} ${cloud}`);
      return world.glance?.[image] ?? [];
    },
    usage: async (id, cloud) => {
      calls.push(`usage ${id} ${cloud}`);
      return { servers: [], volumes: [], ...world.usage?.[id] };
    },
    ...(world.smoke !== undefined ? { smokeTest: async () => (world.smoke === 'pass' ? undefined : world.smoke) } : {}),
  };
}

let work: string;
let config: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-promote-'));
  config = path.join(work, 'config');
  fs.cpSync(path.join(ROOT, 'config'), config, { recursive: true });
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const buildsFile = () => path.join(config, 'builds', 'bgo.yaml');

async function promote(world: World, opts: { images?: string[]; offline?: boolean; now?: () => Date } = { images: ['ubuntu_2404'] }, calls?: string[]) {
  const catalog = loadCatalog(config);
  const env = catalog.environments.find((e) => e.name === 'bgo')!;
  const before = fs.readFileSync(buildsFile(), 'utf8');
  const plan = await planPromotion(catalog, env, before, sources(world, calls), opts);
  return { plan, before };
}

/** Lines only in `a` (-) or only in `b` (+), in order (a longest-common-subsequence diff): what a merge request shows. */
function changedLines(a: string, b: string): string[] {
  const left = a.split('\n');
  const right = b.split('\n');
  const common: number[][] = Array.from({ length: left.length + 1 }, () => new Array<number>(right.length + 1).fill(0));
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      common[i][j] = left[i] === right[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i < left.length && j < right.length && left[i] === right[j]) {
      i++;
      j++;
    } else if (j < right.length && (i === left.length || common[i][j + 1] >= common[i + 1][j])) out.push(`+${right[j++]}`);
    else out.push(`-${left[i++]}`);
  }
  return out;
}

/** The bgo stack's Glance images of `image` after the catalog is synthesized: id → [name, hidden, state, depends_on]. */
function glanceResources(image: string): Record<string, unknown[]> {
  const out = path.join(work, 'cdktf.out');
  synthCatalog(loadCatalog(config), out, { stateBaseDir: work });
  const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'bgo', 'cdk.tf.json'), 'utf8'));
  const images = stack.resource.openstack_images_image_v2 as Record<string, Record<string, any>>;
  return Object.fromEntries(
    Object.entries(images)
      .filter(([id]) => id.startsWith(`${image}_`))
      .map(([id, r]) => [id, [r.name, r.hidden, r.properties.goldsmith_state, r.depends_on ?? []]]),
  );
}

describe('the bundled catalog, step by step', () => {
  test('before: 20261202 is a hidden candidate, 20261104 GOLD', () => {
    expect(glanceResources('ubuntu_2404')).toEqual({
      ubuntu_2404_20261202: ['Candidate (Ubuntu 24.04 LTS)', true, 'candidate', []],
      ubuntu_2404_20261104: ['GOLD Ubuntu 24.04 LTS', false, 'gold', []],
      ubuntu_2404_20261007: ['Outdated (Ubuntu 24.04)', true, 'outdated', ['openstack_images_image_v2.ubuntu_2404_20261104']],
      ubuntu_2404_20260902: ['Outdated (Ubuntu 24.04)', true, 'outdated', ['openstack_images_image_v2.ubuntu_2404_20261104']],
    });
  });

  test('the verified candidate becomes GOLD and retention removes 20260902 in the same reviewed change', async () => {
    const calls: string[] = [];
    const { plan, before } = await promote({ glance: { ubuntu_2404: glanceLine() } }, { images: ['ubuntu_2404'] }, calls);
    expect(plan.problems).toEqual([]);
    expect(plan.notes).toEqual([]);
    expect(plan.changes).toEqual([
      `bgo · ubuntu_2404: 20261202 becomes GOLD (Glance image ${UUID(1)} is active with md5 f7ea0ef202c80ac835ded28993a647d7 and 702545920 bytes); 20261104 becomes Outdated`,
      'bgo · ubuntu_2404: remove 20260902 (beyond keep_outdated 2; no server or volume uses it)',
    ]);
    // Glance once, Nova/Cinder for the one release retention drops, never the builder (a candidate is pending).
    expect(calls).toEqual(['glance ubuntu_2404 bgo-imagebuilder', `usage ${UUID(4)} bgo-imagebuilder`]);
    expect(changedLines(before, plan.text)).toEqual([
      '-        state: candidate',
      '-      - build_id: "20260902"',
      '-        date: 2026-09-02',
      '-        file: ubuntu_2404-20260902.qcow2',
      '-        md5: dd1bcae492c2dbce4e4d52d352a04ad9',
      '-        sha256: 44df1b3fdb2429c0ad0c1027f796d675ca540d981b898b3c1ecaa047428db6a5',
      '-        size_bytes: 839474688',
    ]);
    checkEditedCatalog(config, 'bgo', plan.text);
    fs.writeFileSync(buildsFile(), plan.text);
    expect(glanceResources('ubuntu_2404')).toEqual({
      ubuntu_2404_20261202: ['GOLD Ubuntu 24.04 LTS', false, 'gold', []],
      ubuntu_2404_20261104: ['Outdated (Ubuntu 24.04)', true, 'outdated', ['openstack_images_image_v2.ubuntu_2404_20261202']],
      ubuntu_2404_20261007: ['Outdated (Ubuntu 24.04)', true, 'outdated', ['openstack_images_image_v2.ubuntu_2404_20261202']],
    });

    // Then the next build arrives: a candidate again; the GOLD stays.
    const next = await promote({ records: { ubuntu_2404: record('ubuntu_2404', '20261209') } });
    expect(next.plan.changes).toEqual([
      'bgo · ubuntu_2404: new build 20261209 (candidate; built 2026-12-09, periodic); 20261202 stays GOLD until it is verified',
    ]);
    expect(changedLines(next.before, next.plan.text)).toEqual([
      '+      - build_id: "20261209"',
      '+        date: 2026-12-09',
      '+        file: ubuntu_2404-20261209.qcow2',
      '+        md5: 0123456789abcdef0123456789abcdef',
      `+        sha256: ${'ab'.repeat(32)}`,
      '+        size_bytes: 712345600',
      '+        upstream_url: https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img',
      `+        upstream_checksum: sha256:${'cd'.repeat(32)}`,
      '+        state: candidate',
    ]);
    fs.writeFileSync(buildsFile(), next.plan.text);
    // Idempotent: the same record again changes nothing (the candidate waits for its deploy).
    const again = await promote({ records: { ubuntu_2404: record('ubuntu_2404', '20261209') } });
    expect(again.plan.changed).toBe(false);
    expect(again.plan.notes).toEqual(['bgo · ubuntu_2404: candidate 20261209 waits: not in Glance yet (deploy the environment first)']);
  });

  test('a release still in use stays, and says by what', async () => {
    const { plan } = await promote({ glance: { ubuntu_2404: glanceLine() }, usage: { [UUID(4)]: { servers: [{ id: 's1', project_id: 'p' }, { id: 's2', project_id: 'q' }], volumes: [{ id: 'v', project_id: 'p' }] } } });
    expect(plan.changes).toHaveLength(1);
    expect(plan.notes).toEqual(['bgo · ubuntu_2404: 20260902 stays (beyond keep_outdated 2): used by 2 servers and 1 volume']);
  });

  test('--offline: the candidate waits, nothing is asked', async () => {
    const calls: string[] = [];
    const { plan } = await promote({ glance: { ubuntu_2404: glanceLine() } }, { images: ['ubuntu_2404'], offline: true }, calls);
    expect(calls).toEqual([]);
    expect(plan.changed).toBe(false);
    expect(plan.notes).toEqual(['bgo · ubuntu_2404: candidate 20261202 waits: verifying it needs Glance (--offline)']);
  });

  test.each<[string, Partial<ReleaseImage> | 'absent', 'notes' | 'problems', string]>([
    ['still importing', { status: 'importing', checksum: null, size: null }, 'notes', `candidate 20261202 waits: Glance image ${UUID(1)} is importing`],
    ['not deployed yet', 'absent', 'notes', 'candidate 20261202 waits: not in Glance yet (deploy the environment first)'],
    [
      'a failed web-download (back to queued)',
      { status: 'queued', checksum: null, size: null, os_glance_failed_import: 'rbd' },
      'problems',
      `candidate 20261202 failed: Glance image ${UUID(1)}: the import failed (store rbd); withdraw it: goldsmith withdraw bgo ubuntu_2404 20261202`,
    ],
    [
      'other bytes than the reviewed ones',
      { checksum: '00000000000000000000000000000000' },
      'problems',
      `candidate 20261202 failed: Glance image ${UUID(1)} holds other bytes: md5 00000000000000000000000000000000 and 702545920 bytes, the builds file says md5 f7ea0ef202c80ac835ded28993a647d7 and 702545920 bytes; withdraw it: goldsmith withdraw bgo ubuntu_2404 20261202`,
    ],
    ['deactivated', { status: 'deactivated' }, 'problems', `candidate 20261202 failed: Glance image ${UUID(1)} is deactivated, not active; withdraw it: goldsmith withdraw bgo ubuntu_2404 20261202`],
  ])('a candidate %s does not become GOLD and nothing is removed', async (_what, candidate, kind, line) => {
    const images = candidate === 'absent' ? glanceLine().slice(1) : glanceLine({ '20261202': candidate });
    const { plan } = await promote({ glance: { ubuntu_2404: images } });
    expect(plan.changed).toBe(false);
    expect(plan[kind]).toEqual([`bgo · ubuntu_2404: ${line}`]);
  });

  test('a single-store Glance: a candidate still queued without data long after its creation has failed', async () => {
    const created = '2026-12-02T10:00:00Z';
    const queued = { status: 'queued', checksum: null, size: null, created_at: created };
    const at = (minutes: number) => ({ now: () => new Date(Date.parse(created) + minutes * 60_000), images: ['ubuntu_2404'] });
    // 702545920 bytes: a 6-minute import timeout, plus 10 minutes' margin.
    const early = await promote({ glance: { ubuntu_2404: glanceLine({ '20261202': queued }) } }, at(16));
    expect(early.plan.notes).toEqual([`bgo · ubuntu_2404: candidate 20261202 waits: Glance image ${UUID(1)} is queued`]);
    const late = await promote({ glance: { ubuntu_2404: glanceLine({ '20261202': queued }) } }, at(17));
    expect(late.plan.problems).toEqual([
      `bgo · ubuntu_2404: candidate 20261202 failed: Glance image ${UUID(1)} is still queued 17 minutes after it was created (the import timeout is 6): its web-download failed; withdraw it: goldsmith withdraw bgo ubuntu_2404 20261202`,
    ]);
  });

  test('a withdrawn candidate leaves Glance and is never added again; a newer build is', async () => {
    const catalog = loadCatalog(config);
    const env = catalog.environments.find((e) => e.name === 'bgo')!;
    const text = fs.readFileSync(buildsFile(), 'utf8');
    const withdrawal = withdrawRelease(env, catalog.builds.bgo.find((e) => e.image === 'ubuntu_2404'), text, 'ubuntu_2404', '20261202');
    expect(withdrawal.line).toBe('bgo · ubuntu_2404: candidate 20261202 withdrawn (it leaves Glance; never promoted again)');
    const lines = changedLines(text, withdrawal.text);
    expect(lines.filter((l) => l.startsWith('+'))).toEqual(['+    withdrawn_builds:', '+      - "20261202"']);
    expect(lines.filter((l) => l.startsWith('-'))).toEqual([
      '-      - build_id: "20261202"',
      '-        date: 2026-12-02',
      '-        file: ubuntu_2404-20261202.qcow2',
      '-        md5: f7ea0ef202c80ac835ded28993a647d7',
      '-        sha256: ba6ecbe38b8fabd0b45c2550c8bb44d20cdf18fb884d981bff263da215844109',
      '-        size_bytes: 702545920',
      '-        upstream_url: https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img',
      '-        upstream_checksum: sha256:13c5da70493974e387d5adf5b099b20b3dfc6d620369dc495d87c14121f3c911',
      '-        state: candidate',
    ]);
    checkEditedCatalog(config, 'bgo', withdrawal.text);
    fs.writeFileSync(buildsFile(), withdrawal.text);
    expect(Object.keys(glanceResources('ubuntu_2404'))).toEqual(['ubuntu_2404_20260902', 'ubuntu_2404_20261007', 'ubuntu_2404_20261104']);
    const again = await promote({ records: { ubuntu_2404: record('ubuntu_2404', '20261202') } });
    expect(again.plan.changed).toBe(false);
    expect(again.plan.notes).toEqual(["bgo · ubuntu_2404: the builder's newest build 20261202 was withdrawn: it is not promoted again"]);
    const newer = await promote({ records: { ubuntu_2404: record('ubuntu_2404', '20261203') } });
    expect(newer.plan.changes).toEqual(['bgo · ubuntu_2404: new build 20261203 (candidate; built 2026-12-03, periodic); 20261104 stays GOLD until it is verified']);
  });

  test('a failed smoke test keeps the candidate a candidate', async () => {
    const { plan } = await promote({ glance: { ubuntu_2404: glanceLine() }, smoke: 'smoke exited 3: no ssh after 300 s' });
    expect(plan.changed).toBe(false);
    expect(plan.problems).toEqual(['bgo · ubuntu_2404: candidate 20261202 failed its smoke test: smoke exited 3: no ssh after 300 s']);
  });

  test('withdraw the new GOLD: the one before is GOLD again, and the withdrawn build is never added again', async () => {
    const first = await promote({ glance: { ubuntu_2404: glanceLine() } });
    fs.writeFileSync(buildsFile(), first.plan.text);
    const catalog = loadCatalog(config);
    const env = catalog.environments.find((e) => e.name === 'bgo')!;
    const entry = catalog.builds.bgo.find((e) => e.image === 'ubuntu_2404');
    const withdrawal = withdrawRelease(env, entry, first.plan.text, 'ubuntu_2404');
    expect(withdrawal.line).toBe('bgo · ubuntu_2404: 20261202 withdrawn (hidden, never GOLD again); 20261104 is GOLD again');
    expect(changedLines(first.plan.text, withdrawal.text)).toEqual(['+        state: withdrawn']);
    fs.writeFileSync(buildsFile(), withdrawal.text);
    expect(glanceResources('ubuntu_2404')).toEqual({
      ubuntu_2404_20261202: ['Withdrawn (Ubuntu 24.04 LTS)', true, 'withdrawn', []],
      ubuntu_2404_20261104: ['GOLD Ubuntu 24.04 LTS', false, 'gold', ['openstack_images_image_v2.ubuntu_2404_20261202']],
      ubuntu_2404_20261007: ['Outdated (Ubuntu 24.04)', true, 'outdated', ['openstack_images_image_v2.ubuntu_2404_20261104']],
    });
    const again = await promote({ records: { ubuntu_2404: record('ubuntu_2404', '20261202') } });
    expect(again.plan.changed).toBe(false);
    // Withdrawn twice is no change; the only released build cannot be withdrawn.
    expect(withdrawRelease(env, loadCatalog(config).builds.bgo.find((e) => e.image === 'ubuntu_2404'), withdrawal.text, 'ubuntu_2404', '20261202').changed).toBe(false);
    const centos = catalog.builds.bgo.find((e) => e.image === 'centosstream9');
    expect(() => withdrawRelease(env, centos, withdrawal.text, 'centosstream9')).toThrow(
      '20261101 is the only released build of centosstream9 in bgo: withdrawing it leaves no GOLD to roll back to (retire the image instead)',
    );
  });

  test('a record of another environment, or older than the newest release, is not added', async () => {
    const other = await promote({ records: { debian12: record('debian12', '20261209', { environment: 'osl' }) } }, { images: ['debian12'] });
    expect(other.plan.problems).toEqual(["bgo · debian12: the builder's record is of environment osl, not bgo"]);
    const older = await promote({ records: { debian12: record('debian12', '20261007') } }, { images: ['debian12'] });
    expect(older.plan.changed).toBe(false);
    expect(older.plan.problems).toEqual([]);
    const none = await promote({}, { images: ['debian12'] });
    expect(none.plan.notes).toEqual(['bgo · debian12: no build on the builder yet']);
  });

  test('a same-day rebuild (-2) is newer than the first build of that day', async () => {
    const { plan } = await promote({ records: { debian12: record('debian12', '20261104-2') } }, { images: ['debian12'] });
    expect(plan.changes).toEqual(['bgo · debian12: new build 20261104-2 (candidate; built 2026-11-04, periodic); 20261104 stays GOLD until it is verified']);
    checkEditedCatalog(config, 'bgo', plan.text);
  });
});
