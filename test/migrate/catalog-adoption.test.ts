// The catalog's side of the migration: `short_name` (the second Glance tag apart from the builder
// job), releases adopted from Glance (`glance_id`: imported by Terraform, sha256 then optional), and
// how the constructs, the builds file editor and promote's Glance lookup use them.
import { Testing, TerraformStack } from 'cdktf';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { CatalogError, formatProblems, loadCatalog } from '../../lib/catalog';
import { GoldImage } from '../../lib/constructs';
import type { ReleaseImage } from '../../lib/openstack/glance-releases';
import { BuildsFileEditor } from '../../lib/promote/builds-file';
import { planPromotion } from '../../lib/promote/promote';
import { HEX32, imageReleases, makeCatalog, makeEnvironment, makeSharedImage, release } from '../fixtures/model';
import { describeWithTools } from '../support/tools';

const FIXTURE = path.join(__dirname, '../fixtures/catalogs/valid');
const GLANCE_ID = '6c1f0c53-59c3-4c8e-9d3f-2a0e4c1b7a11';
const OTHER_ID = '0d3e2b55-1f1c-4e8a-9a4b-6f2d9e7c5b22';

let root: string;
let cfg: string;
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-adoption-')));
  cfg = path.join(root, 'config');
  fs.cpSync(FIXTURE, cfg, { recursive: true });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function edit(rel: string, from: string, to: string): void {
  const file = path.join(cfg, rel);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${rel} has no ${JSON.stringify(from)}`);
  fs.writeFileSync(file, text.replace(from, to));
}

function problems(): string[] {
  try {
    loadCatalog(cfg);
  } catch (e) {
    if (e instanceof CatalogError) return formatProblems(e.problems, root);
    throw e;
  }
  return [];
}

describe('catalog', () => {
  test('short_name: the model\'s second Glance tag (default: the image key); one image per pair of tags', () => {
    edit('images/vgpu.yaml', '  rocky_9:\n', '  rocky_9:\n    short_name: rocky9\n');
    const catalog = loadCatalog(cfg);
    expect(catalog.images.map((i) => [i.name, i.type, i.shortName])).toEqual([
      ['debian_12', 'gold', 'debian_12'],
      ['rocky_9', 'vgpu', 'rocky9'],
      ['ubuntu_2404', 'gold', 'ubuntu_2404'],
    ]);
    // Another type may use the same short name; the same type may not.
    edit('images/gold.yaml', '  debian_12:\n', '  debian_12:\n    short_name: ubuntu_2404\n');
    expect(problems()).toEqual(['config/images/gold.yaml:24:5: images.debian_12.short_name: glance tags [gold, ubuntu_2404] are also those of image `ubuntu_2404`']);
    edit('images/gold.yaml', 'short_name: ubuntu_2404', 'short_name: Debian-12');
    expect(problems()).toEqual(['config/images/gold.yaml:24:5: images.debian_12.short_name: invalid image name `Debian-12`: use a-z, 0-9 and _']);
  });

  test('a recorded short_name must be the catalog\'s (kept for when the image is retired)', () => {
    edit('images/vgpu.yaml', '  rocky_9:\n', '  rocky_9:\n    short_name: rocky9\n');
    fs.appendFileSync(
      path.join(cfg, 'builds', 'bgo.yaml'),
      ['  rocky_9:', '    type: vgpu', '    short_name: rocky_9', '    releases: []', ''].join('\n'),
    );
    expect(problems()).toEqual(['config/builds/bgo.yaml:36:5: images.rocky_9.short_name: records `rocky_9` but the catalog says `rocky9` (update the record)']);
  });

  test('an adopted release: glance_id (a uuid, once per environment), and only then may sha256 be left out', () => {
    const adopted = (id: string, buildId: string, sha256 = '') =>
      ['      - build_id: "' + buildId + '"', `        date: 2026-11-01`, `        file: ubuntu_2404-${buildId}.qcow2`, `        md5: ${HEX32}`, sha256, '        size_bytes: 5', `        glance_id: ${id}`]
        .filter((l) => l !== '')
        .join('\n') + '\n';
    edit('builds/bgo.yaml', '  centos_7:\n', adopted(GLANCE_ID, '20261101') + '  centos_7:\n');
    const catalog = loadCatalog(cfg);
    const r = catalog.builds.bgo.find((e) => e.image === 'ubuntu_2404')!.releases.find((x) => x.buildId === '20261101')!;
    expect(r).toEqual({ buildId: '20261101', date: '2026-11-01', file: 'ubuntu_2404-20261101.qcow2', md5: HEX32, sizeBytes: 5, state: 'released', glanceId: GLANCE_ID });

    edit('builds/bgo.yaml', `        glance_id: ${GLANCE_ID}\n`, '');
    expect(problems()).toEqual(['config/builds/bgo.yaml:24:9: images.ubuntu_2404.releases[3].sha256: missing required key (only a release adopted from Glance, with `glance_id`, may leave it out)']);
    edit('builds/bgo.yaml', '        size_bytes: 5\n', `        size_bytes: 5\n        glance_id: ${GLANCE_ID.toUpperCase()}\n`);
    expect(problems()).toEqual([`config/builds/bgo.yaml:29:9: images.ubuntu_2404.releases[3].glance_id: must be a Glance image id (a lower-case uuid), got string \`${GLANCE_ID.toUpperCase()}\``]);
    edit('builds/bgo.yaml', GLANCE_ID.toUpperCase(), GLANCE_ID);
    edit('builds/bgo.yaml', '  centos_7:\n', adopted(GLANCE_ID, '20261102') + '  centos_7:\n');
    expect(problems()).toEqual(['config/builds/bgo.yaml:35:9: images.ubuntu_2404.releases[4].glance_id: glance image 6c1f0c53-59c3-4c8e-9d3f-2a0e4c1b7a11 is also adopted by images.ubuntu_2404.releases[3]']);
  });
});

describe('constructs', () => {
  function synth(props: Omit<ConstructorParameters<typeof GoldImage>[2], 'environment'>, ownerProvider = false) {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-imagebuilder', region: 'bgo' });
    const provider = ownerProvider ? new OpenstackProvider(stack, 'openstack-nrec', { alias: 'bgo_nrec_images', cloud: 'bgo-nrec-images', region: 'bgo' }) : undefined;
    new GoldImage(stack, props.name, { ...props, environment: makeEnvironment(), provider });
    return JSON.parse(Testing.synth(stack)) as {
      import?: { to: string; id: string; provider?: string }[];
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
  }

  test('tags [type, short name]; an adopted release is an import block (through the owner\'s provider), without member grants', () => {
    const image = makeSharedImage({ shortName: 'almalinux9' });
    const releases = imageReleases('almalinux9_vgpu', [
      release('almalinux9_vgpu', '2026-11-05'),
      { ...release('almalinux9_vgpu', '2026-10-01', { glanceId: GLANCE_ID }), sha256: undefined },
      release('almalinux9_vgpu', '2026-09-01', { glanceId: OTHER_ID }),
    ]);
    const out = synth({ name: 'almalinux9_vgpu', image, releases, memberProjectIds: { 'project-a': 'pa', 'project-b': 'pb' } }, true);
    const images = out.resource.openstack_images_image_v2;
    expect(Object.values(images).map((r) => r.tags)).toEqual([['vgpu', 'almalinux9'], ['vgpu', 'almalinux9'], ['vgpu', 'almalinux9']]);
    expect([...out.import!].sort((a, b) => (a.to < b.to ? 1 : -1))).toEqual([
      { to: 'openstack_images_image_v2.almalinux9_vgpu_20261001', id: GLANCE_ID, provider: 'openstack.bgo_nrec_images' },
      { to: 'openstack_images_image_v2.almalinux9_vgpu_20260901', id: OTHER_ID, provider: 'openstack.bgo_nrec_images' },
    ]);
    // Grants only for the release goldsmith uploads; the adopted ones keep Glance's.
    expect(Object.keys(out.resource.openstack_images_image_access_v2)).toEqual(['almalinux9_vgpu_20261105_project_a', 'almalinux9_vgpu_20261105_project_b']);
  });

  test('a retired line keeps its recorded short name', () => {
    const releases = imageReleases('winsrv_2019', [release('winsrv_2019', '2026-01-14')], { type: 'gold', shortName: 'winsrv2019std', outdatedName: 'Outdated Windows Server 2019 Standard (Windows)' });
    const out = synth({ name: 'winsrv_2019', releases });
    expect(out.resource.openstack_images_image_v2.winsrv_2019_20260114).toMatchObject({ tags: ['gold', 'winsrv2019std'], name: 'Outdated Windows Server 2019 Standard (Windows)' });
    expect(out.import).toBeUndefined();
  });
});

describeWithTools(['terraform'], 'terraform reads the synthesized import blocks', () => {
  // The OpenStack provider cannot be fetched here: the blocks are moved onto terraform_data
  // resources of the same names (the built-in resource supports import), so Terraform itself parses
  // `import: [{to, id}]` as cdktf writes it and plans the imports. The `provider` of an owner's image
  // (openstack.<alias>) is checked above only: it needs the OpenStack provider's configuration.
  test('every adopted release is planned as an import, none as a creation', () => {
    const releases = imageReleases('almalinux9_vgpu', [
      release('almalinux9_vgpu', '2026-10-01', { glanceId: GLANCE_ID }),
      release('almalinux9_vgpu', '2026-09-01', { glanceId: OTHER_ID }),
    ]);
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-imagebuilder', region: 'bgo' });
    new GoldImage(stack, 'vgpu', { name: 'almalinux9_vgpu', image: makeSharedImage({ owner: undefined }), releases, environment: makeEnvironment(), memberProjectIds: { 'project-a': 'a', 'project-b': 'b' } });
    const synthesized = JSON.parse(Testing.synth(stack)) as { import: { to: string; id: string }[]; resource: Record<string, Record<string, unknown>> };
    const ids = Object.keys(synthesized.resource.openstack_images_image_v2);
    const probe = {
      resource: { terraform_data: Object.fromEntries(ids.map((id) => [id, { input: id }])) },
      import: synthesized.import.map((b) => ({ ...b, to: b.to.replace(/^openstack_images_image_v2\./, 'terraform_data.') })),
    };
    const dir = fs.mkdtempSync(path.join(root, 'probe-'));
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(probe));
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const tf = (...args: string[]) => spawnSync('terraform', [`-chdir=${dir}`, ...args], { env, encoding: 'utf8' });
    expect(tf('init', '-input=false', '-backend=false').status).toBe(0);
    const plan = tf('plan', '-input=false', '-lock=false', '-no-color');
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toMatch(/Plan: 2 to import, 0 to add, \d+ to change, 0 to destroy\./);
    expect(plan.stdout).toContain(`terraform_data.almalinux9_vgpu_20261001: Preparing import... [id=${GLANCE_ID}]`);
    expect(plan.stdout).toContain(`terraform_data.almalinux9_vgpu_20260901: Preparing import... [id=${OTHER_ID}]`);
  });
});

describe('builds file and promote', () => {
  test('recordLine records short_name only where it is not the image key, in the conventional place', () => {
    const editor = new BuildsFileEditor('images:\n  almalinux9_nv_vgpu:\n    releases: []\n');
    editor.recordLine('almalinux9_nv_vgpu', 'vgpu', 'Outdated vGPU (Alma Linux 9)', 'almalinux9');
    expect(editor.toString()).toBe(
      'images:\n  almalinux9_nv_vgpu:\n    type: vgpu\n    short_name: almalinux9\n    outdated_name: Outdated vGPU (Alma Linux 9)\n    releases: []\n',
    );
    editor.recordLine('almalinux9_nv_vgpu', 'vgpu', 'Outdated vGPU (Alma Linux 9)', 'almalinux9_nv_vgpu');
    expect(editor.toString()).toBe('images:\n  almalinux9_nv_vgpu:\n    type: vgpu\n    outdated_name: Outdated vGPU (Alma Linux 9)\n    releases: []\n');
  });

  test('promote lists a line by its short name and keeps only its own images (goldsmith_image) and its adopted ones', async () => {
    const vgpu = makeSharedImage({ name: 'almalinux9_vgpu', shortName: 'almalinux9', keepOutdated: 0 });
    const env = makeEnvironment();
    const releases = [release('almalinux9_vgpu', '2026-11-05'), release('almalinux9_vgpu', '2026-10-01', { glanceId: GLANCE_ID })];
    const catalog = makeCatalog({ images: [vgpu], builds: { bgo: [imageReleases('almalinux9_vgpu', releases)] } });
    const glance = (id: string, extra: Partial<ReleaseImage>): ReleaseImage => ({
      id, name: null, status: 'active', hidden: false, visibility: 'shared', owner: 'p', checksum: HEX32, size: 1, os_hash_algo: null, os_hash_value: null,
      tags: ['almalinux9', 'vgpu'], created_at: '2026-10-01T00:00:00Z', ...extra,
    });
    const asked: string[] = [];
    const text = [
      'images:',
      '  almalinux9_vgpu:',
      '    releases:',
      ...releases.flatMap((r) => [`      - build_id: "${r.buildId}"`, `        date: ${r.date}`, `        file: ${r.file}`, `        md5: ${r.md5}`, `        sha256: ${r.sha256}`, `        size_bytes: ${r.sizeBytes}`]),
      '',
    ].join('\n');
    const plan = await planPromotion(catalog, env, text, {
      latestRecord: async () => undefined,
      releaseImages: async (tag) => {
        asked.push(tag);
        return [
          // The GOLD Alma 9 (another line with the same short name) and the adopted vGPU image before its first deploy.
          glance('a', { tags: ['almalinux9', 'gold'], goldsmith_image: 'almalinux9', goldsmith_build_id: '20261001' }),
          glance(GLANCE_ID, {}),
        ];
      },
      usage: async (id) => ({ servers: id === GLANCE_ID ? [{ id: 's', name: 'vm', project_id: 'p' }] : [], volumes: [] }),
    });
    expect(asked).toEqual(['almalinux9']);
    // keep_outdated 0 would drop 20261001; the adopted image (found by its id) is in use: it stays.
    expect(plan.notes).toContain('bgo · almalinux9_vgpu: 20261001 stays (beyond keep_outdated 0): used by 1 server and 0 volumes');
  });
});
