// goldsmith import nrec on NREC's real files (test/fixtures/nrec-config: himlarcli 1a54800, himlar
// 46f0c742, copied unchanged): the catalog it writes validates, its Glance side is the bundled
// catalog's (written by hand from the same files), and it names every value it could not map.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog, type Catalog, type Image } from '../../lib/catalog';
import { importCommand } from '../../lib/cli/import';
import type { CliIo } from '../../lib/cli/command';
import { synthCatalog } from '../../synth/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const NREC = path.join(ROOT, 'test', 'fixtures', 'nrec-config');
const HIMLARCLI = path.join(NREC, 'himlarcli');
const HIMLAR = path.join(NREC, 'himlar');
const BUNDLED_ENVS = ['bgo', 'osl', 'test01', 'test02'];

let work: string;
beforeEach(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-import-')));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: work, env: {} };
  const code = await importCommand.run(args, io);
  return { code, out, err };
}

const importArgs = (out: string, ...extra: string[]) => ['nrec', '--himlarcli', HIMLARCLI, '--himlar', HIMLAR, '--out', out, ...extra];
const bundledEnvArgs = BUNDLED_ENVS.flatMap((e) => ['--environment', e]);

/** What the import prints about the real files: every value it could not map, and why. */
const UNMAPPED = [
  'himlarcli cirros.yaml: cirros (CirrOS debug image): type test, downloaded from http://download.cirros-cloud.net/0.5.2/cirros-0.5.2-x86_64-disk.img, not built by the builder: not a goldsmith image',
  "himlarcli default.yaml: debian11 (GOLD Debian 11): publishes http://builder/debian11-latest.qcow2, but no build job `debian11` is in himlar builder.yaml or a node's windows_images: not a goldsmith image (its Glance images stay as they are)",
  'himlarcli retired.yaml: 29 retired images (centos6, centos7, centos8, centosstream8, debian9, debian10, fedora_27, fedora_28, fedora_29, fedora_30, fedora_31, fedora_32, fedora_33, fedora_34, fedora_35, fedora_36, fedora_37, fedora_38, fedora_39, fedora_40, fedora_41, fedora_42, ubuntu_1604, ubuntu_1804, ubuntu_1904, ubuntu_1910, ubuntu_2104, ubuntu_2110, ubuntu_2004): not catalog entries (retired with image.py retire); their Glance images stay as they are (goldsmith adopt --leave-unknown)',
  'himlarcli retired_uio.yaml: 1 retired image (uio_rhel7): not a catalog entry (retired with image.py retire); its Glance images stay as they are (goldsmith adopt --leave-unknown)',
  'himlarcli retired_vgpu.yaml: 4 retired images (centos7, vgpu_centos8, ubuntu_2004, almalinux8): not catalog entries (retired with image.py retire); their Glance images stay as they are (goldsmith adopt --leave-unknown)',
  'himlarcli retired_windows.yaml: 3 retired images (winsrv2016std, winsrv2019core, winsrv2019std): not catalog entries (retired with image.py retire); their Glance images stay as they are (goldsmith adopt --leave-unknown)',
  'himlarcli vagrant.yaml: cirros (CirrOS vagrant image): type test, downloaded from http://download.cirros-cloud.net/0.5.0/cirros-0.5.0-x86_64-disk.img, not built by the builder: not a goldsmith image',
  'himlar windows_images.winsrv_2022.buildhost (bgo, osl, test01): a site value, not a catalog one: set WINDOWS_BUILD_HOST in /etc/goldsmith/env/windows.env on each builder',
  'himlar windows_images.winsrv_2025.buildhost (bgo, osl, test01): a site value, not a catalog one: set WINDOWS_BUILD_HOST in /etc/goldsmith/env/windows.env on each builder',
  "himlar builder.yaml: images.<job>.image_name (23 jobs): the name of imagebuilder's bootstrap image; goldsmith names its temporary source image itself",
  "himlar builder.yaml: images.<job>.min_ram, min_disk (23 jobs): the bootstrap image's sizes; the catalog's min_ram_mb/min_disk_gb are himlarcli's (Glance's), which goldsmith's source image uses too",
  'himlar builder.yaml: images.<job>.flavor m1.small (almalinux8, almalinux9, almalinux10, almalinux9_nv_vgpu, almalinux10_nv_vgpu, almalinux10_uib_puppet, centosstream10, debian12, debian13, ubuntu_2204_nv_vgpu, ubuntu_2404_nv_vgpu): goldsmith has one build flavor per environment (builder.flavor, written as img.zerodisk): choose one that fits these builds',
  "himlar builder.yaml: package_url, template_dir, download_dir, rc_file: imagebuilder's installation and paths, replaced by goldsmith's bundle and store on the builder",
  "himlar builder.yaml: Sensu check imagebuild-check-multiplex (24 job annotations): NREC's build monitoring (check-imagebuild.rb reads imagebuilder's reports): remove it at cutover (docs/migration.md)",
  "himlar builder.yaml: 20 other keys (include, profile::base, named_interfaces::config, profile::webserver, profile::openstack, profile::monitoring, sensu::agent, sensu::plugins): the builder host's Puppet settings, not catalog values: keep what the host still needs (the Apache vhost serves goldsmith's store too)",
  "himlar bgo-proxy-02.yaml: cron update_images (7:15 on day 1): himlarcli's upload (image_update.sh), replaced by goldsmith promote and deploy: stop it at cutover (docs/migration.md)",
  "himlar osl-proxy-02.yaml: cron update_images (7:15 on day 1): himlarcli's upload (image_update.sh), replaced by goldsmith promote and deploy: stop it at cutover (docs/migration.md)",
];

/** The catalog values the files do not hold (placeholders among them), for review. */
const ASSUMED = (envs: string) => [
  'images.*.schedule.weekday: left out, as himlar does (fqdn_rand(6, job) per builder host): goldsmith staggers the weekday itself',
  "templates.*.custom_scripts: report.sh added to every packer template (himlar's template.erb runs it in every build; goldsmith's standard sequence does not)",
  "templates.uio_rhel (uio_rhel8, uio_rhel9): himlar builds these with the default template, and imagebuilder's uio-rhel.sh holds the Satellite settings; goldsmith's reads RHSM_ORG, RHSM_ACTIVATION_KEY, SATELLITE_URL and UIO_RPM_URL from the builder's env file",
  "templates.*.variables: the site variables goldsmith's scripts read (names only): set their values in /etc/goldsmith/env/<template>.env on each builder (docs/builder-bundle.md)",
  'defaults.yaml image.keep_outdated: 2 (himlarcli keeps every Outdated image until a manual purge; goldsmith promote proposes removing the older ones no server or volume uses)',
  ...(envs === 'all'
    ? ['environments: bgo, local1, osl, test01, test02, vagrant: every location with a builder node; keep those goldsmith runs (--environment NAME chooses)']
    : []),
  "environments.*.cloud: <env>-imagebuilder (himlar's openrc user and project imagebuilder): name your clouds.yaml entries so, or change them",
  'environments.*.owner_clouds: nrec-images: <env>-nrec-images (the image owners of himlarcli): clouds.yaml entries of those projects',
  `environments.*.builder.ssh_source_cidrs: 192.0.2.0/24 (TEST-NET, a placeholder): not in himlar; replace it with the addresses the builder connects from (${envs === 'all' ? 'bgo, local1, osl, test01, test02, vagrant' : 'bgo, osl, test01, test02'})`,
  envs === 'all'
    ? "environments.*.builder.base_url: local1: http://builder.mgmt.local1.uhdc.no/, test02: http://builder.mgmt.test02.uhdc.no/, vagrant: http://builder.mgmt.vagrant.uhdc.no/: no Windows build host names the location's management domain; derived from bgo's mgmt.bgo.uhdc.no"
    : "environments.*.builder.base_url: test02: http://builder.mgmt.test02.uhdc.no/: no Windows build host names the location's management domain; derived from bgo's mgmt.bgo.uhdc.no",
  "environments.*.builder.availability_zone: <env>-default-1 (the builder class's default az)",
  'environments.*.backend: none (local state terraform.<env>.tfstate): configure a shared backend before the first deploy',
  'images winsrv_2022, winsrv_2025: upstream is a placeholder (https://windows-iso.invalid/) and the schedule is disabled until it is set; ssh_user Admin, efi true as packer-windows builds them',
];

test('the real NREC files: a valid catalog, and a line for every value that could not be mapped', async () => {
  const r = await run(...importArgs('imported'));
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.out).toEqual([
    'read 11 himlarcli image files and 6 himlar locations',
    'wrote imported: 25 images in 5 files, 5 templates, 6 environments (it validates: goldsmith validate --config imported)',
    ...UNMAPPED.map((l) => `unmapped: ${l}`),
    ...ASSUMED('all').map((l) => `assumed: ${l}`),
  ]);
  const catalog = loadCatalog(path.join(work, 'imported'));
  expect(catalog.environments.map((e) => e.name)).toEqual(['bgo', 'local1', 'osl', 'test01', 'test02', 'vagrant']);
  expect(fs.readdirSync(path.join(work, 'imported', 'images')).sort()).toEqual(['default.yaml', 'uib.yaml', 'uio.yaml', 'vgpu.yaml', 'windows.yaml']);
  // Windows only where a builder node has the Windows jobs.
  const carried = Object.fromEntries(catalog.environments.map((e) => [e.name, e.images.filter((i) => i.startsWith('winsrv'))]));
  expect(carried).toEqual({ bgo: ['winsrv_2022', 'winsrv_2025'], local1: [], osl: ['winsrv_2022', 'winsrv_2025'], test01: ['winsrv_2022', 'winsrv_2025'], test02: [], vagrant: [] });
  // No staging directory is left beside it.
  expect(fs.readdirSync(work)).toEqual(['imported']);
});

test('an imported image entry: the vGPU job keeps himlarcli\'s key as short_name, the Glance names and the build side', async () => {
  expect((await run(...importArgs('imported', ...bundledEnvArgs))).code).toBe(0);
  const vgpu = fs.readFileSync(path.join(work, 'imported', 'images', 'vgpu.yaml'), 'utf8');
  expect(vgpu).toContain(
    [
      'type: vgpu',
      'images:',
      '  # himlarcli vgpu.yaml ubuntu_2204 · himlar job ubuntu_2204_nv_vgpu',
      '  ubuntu_2204_nv_vgpu:',
      '    short_name: ubuntu_2204',
      '    display_name: vGPU Ubuntu 22.04 LTS',
      '    gold_name: vGPU Ubuntu 22.04 LTS',
      '    outdated_name: Outdated vGPU (Ubuntu 22.04)',
      '    upstream:',
      '      url: https://cloud-images.ubuntu.com/jammy/current/',
      '      file: jammy-server-cloudimg-amd64.img',
      '      checksum_file: SHA256SUMS',
      '      algorithm: sha256',
      '    ssh_user: ubuntu',
      '    efi: false',
      '    min_ram_mb: 768',
      '    min_disk_gb: 8',
      '    visibility: shared',
      '    owner: nrec-images',
      "    properties: { hw_firmware_type: uefi, hw_vif_multiqueue_enabled: 'yes' }",
      '    template: nv_vgpu',
      '    schedule: { hour: 9, minute: 30 }',
      '',
    ].join('\n'),
  );
  expect(fs.readFileSync(path.join(work, 'imported', 'environments.yaml'), 'utf8')).toContain(
    [
      '  test02:',
      '    region: test02',
      '    cloud: test02-imagebuilder',
      '    owner_clouds:',
      '      nrec-images: test02-nrec-images',
      '    builder:',
      '      base_url: http://builder.mgmt.test02.uhdc.no/',
      '      flavor: img.zerodisk',
      '      availability_zone: test02-default-1',
      '      ssh_source_cidrs: [ 192.0.2.0/24 ]',
      '    images: all',
      '    exclude_images: [ winsrv_2022, winsrv_2025 ]',
      '',
    ].join('\n'),
  );
});

/** The fields of an image that Glance (and users) see, and the build side the catalog took from himlar. */
function glanceSide(i: Image) {
  return {
    type: i.type,
    shortName: i.shortName,
    goldName: i.goldName,
    outdatedName: i.outdatedName,
    minRamMb: i.minRamMb,
    minDiskGb: i.minDiskGb,
    diskFormat: i.diskFormat,
    visibility: i.visibility,
    owner: i.owner,
    properties: i.properties,
  };
}

function buildSide(i: Image) {
  const { url, file, checksumFile, algorithm } = i.upstream;
  return {
    upstream: i.template === 'windows' ? undefined : { url, file, checksumFile, algorithm },
    sshUser: i.sshUser,
    efi: i.efi,
    template: i.template,
    hour: i.schedule.hour,
    minute: i.schedule.minute,
    weekOfMonth: i.schedule.weekOfMonth,
  };
}

test('the imported catalog is the bundled one where both say the same thing: every image\'s Glance side and build side', async () => {
  expect((await run(...importArgs('imported', ...bundledEnvArgs))).code).toBe(0);
  const imported = loadCatalog(path.join(work, 'imported'));
  const bundled = loadCatalog(path.join(ROOT, 'config'));
  expect(imported.images.map((i) => i.name)).toEqual(bundled.images.map((i) => i.name));
  for (const image of imported.images) {
    const other = bundled.images.find((i) => i.name === image.name)!;
    expect([image.name, glanceSide(image)]).toEqual([image.name, glanceSide(other)]);
    expect([image.name, buildSide(image)]).toEqual([image.name, buildSide(other)]);
  }
  expect(imported.environments.map((e) => [e.name, e.region, e.images])).toEqual(bundled.environments.map((e) => [e.name, e.region, e.images]));
});

/** The Glance images of each environment's synthesized stack: what Terraform asks Glance for. */
function glanceImages(catalog: Catalog, outdir: string): Record<string, Record<string, unknown>> {
  synthCatalog(catalog, outdir, { stateBaseDir: outdir });
  const out: Record<string, Record<string, unknown>> = {};
  for (const env of BUNDLED_ENVS) {
    const stack = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', env, 'cdk.tf.json'), 'utf8'));
    for (const [id, r] of Object.entries(stack.resource.openstack_images_image_v2 as Record<string, Record<string, unknown>>)) {
      const props = r.properties as Record<string, string>;
      out[`${env}/${id}`] = {
        // Candidate and Withdrawn names are goldsmith's own (from the display name): not compared.
        name: ['gold', 'outdated'].includes(props.goldsmith_state) ? r.name : props.goldsmith_state,
        tags: r.tags,
        properties: props,
        min_ram_mb: r.min_ram_mb,
        min_disk_gb: r.min_disk_gb,
        visibility: r.visibility,
        disk_format: r.disk_format,
        container_format: r.container_format,
        hidden: r.hidden,
        provider: r.provider,
      };
    }
  }
  return out;
}

test('synthesized with the bundled builds files, both catalogs ask Glance for the same images (names, tags, properties, min_*)', async () => {
  expect((await run(...importArgs('imported', ...bundledEnvArgs))).code).toBe(0);
  fs.cpSync(path.join(ROOT, 'config', 'builds'), path.join(work, 'imported', 'builds'), { recursive: true });
  const fromImport = glanceImages(loadCatalog(path.join(work, 'imported')), path.join(work, 'out-imported'));
  const fromBundled = glanceImages(loadCatalog(path.join(ROOT, 'config')), path.join(work, 'out-bundled'));
  expect(Object.keys(fromImport).length).toBeGreaterThan(40);
  expect(fromImport).toEqual(fromBundled);
  // himlarcli's tags: [vgpu, almalinux9], [gold, winsrv2025std].
  expect(fromImport['bgo/almalinux9_nv_vgpu_20261102'].tags).toEqual(['vgpu', 'almalinux9']);
  expect(fromImport['bgo/winsrv_2025_20261111'].tags).toEqual(['gold', 'winsrv2025std']);
});

describe('bad input: one line, nothing written', () => {
  test('--out is not empty', async () => {
    fs.mkdirSync(path.join(work, 'taken'));
    fs.writeFileSync(path.join(work, 'taken', 'keep.txt'), 'x');
    const r = await run(...importArgs('taken'));
    expect(r).toEqual({ code: 1, out: [], err: [`goldsmith import: ${path.join(work, 'taken')} is not empty: give a new directory (nothing written)`] });
    expect(fs.readdirSync(path.join(work, 'taken'))).toEqual(['keep.txt']);
  });

  test('a himlar checkout without the builder role', async () => {
    const r = await run('nrec', '--himlarcli', HIMLARCLI, '--himlar', HIMLARCLI, '--out', 'x');
    expect(r).toEqual({ code: 1, out: [], err: [`goldsmith import: ${HIMLARCLI}: no hieradata/common/roles/builder.yaml (give the himlar checkout)`] });
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('a broken himlarcli file names its line', async () => {
    fs.cpSync(HIMLARCLI, path.join(work, 'cli'), { recursive: true });
    const file = path.join(work, 'cli', 'config', 'images', 'uio.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("    'min_ram':          1024\n", "    'min_ram':          1024\n    'min_ram':          2048\n"));
    const r = await run('nrec', '--himlarcli', path.join(work, 'cli'), '--himlar', HIMLAR, '--out', 'x');
    // The duplicate key is the one on line 11 (its second copy follows it).
    expect(r).toEqual({ code: 1, out: [], err: [`goldsmith import: ${file}:11: yaml syntax error: Map keys must be unique`] });
    expect(fs.existsSync(path.join(work, 'x'))).toBe(false);
  });

  test('an environment without a builder node', async () => {
    const r = await run(...importArgs('x', '--environment', 'bgo', '--environment', 'trd'));
    expect(r).toEqual({
      code: 1,
      out: [],
      err: ['goldsmith import: no builder node for environment `trd` in himlar hieradata/nodes/ (locations: bgo, local1, osl, test01, test02, vagrant)'],
    });
  });

  test('what would not validate is not written', async () => {
    // A himlarcli entry whose GOLD name another entry has: the catalog refuses two images of one name.
    fs.cpSync(HIMLARCLI, path.join(work, 'cli'), { recursive: true });
    const file = path.join(work, 'cli', 'config', 'images', 'uib.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("'UiB Almalinux 10 with Puppet'\n", "'UiB Rocky Linux 8 with Puppet'\n"));
    const r = await run('nrec', '--himlarcli', path.join(work, 'cli'), '--himlar', HIMLAR, '--out', 'x');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'goldsmith import: the imported catalog does not validate (1 problem), nothing written: images/uib.yaml:28:5: images.almalinux10_uib_puppet.gold_name: gold name `UiB Rocky Linux 8 with Puppet` is also the gold name of image `rockylinux8_uib_puppet`',
    ]);
    expect(fs.readdirSync(work)).toEqual(['cli']);
  });

  test('the command line', async () => {
    await expect(run('nrec', '--himlar', HIMLAR, '--out', 'x')).rejects.toThrow('--himlarcli DIR is required');
    await expect(run('himlar', '--himlarcli', HIMLARCLI, '--himlar', HIMLAR, '--out', 'x')).rejects.toThrow('unknown source `himlar` (known: nrec)');
  });
});
