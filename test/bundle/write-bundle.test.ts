import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import type { Environment, Image } from '../../lib/catalog/model';
import { canonicalJson, sha256Hex } from '../../lib/common';
import { fingerprintFor, runnerConfigFor, RunnerConfig } from '../../lib/constructs/runner-config';
import { BuilderBundle, BundleImage, bundleImage, renderBundle } from '../../lib/constructs/builder-bundle';
import { readManifest, writeBundle } from '../../synth/write-bundle';
import { BuildSchedule } from '../../lib/constructs/build-schedule';
import { MonitoringCheck } from '../../lib/constructs/monitoring-check';
import { sensuCheckFor } from '../../lib/constructs/sensu-check';

const ENV: Environment = {
  name: 'bgo',
  region: 'bgo',
  cloud: 'bgo-imagebuilder',
  ownerClouds: {},
  builder: {
    baseUrl: 'http://builder.mgmt.bgo.uhdc.no/',
    network: 'imagebuilder',
    flavor: 'img.zerodisk',
    availabilityZone: 'bgo-default-1',
    sshSourceCidrs: ['10.0.250.0/24'],
  },
  backend: { type: 'local', path: 'terraform.bgo.tfstate' },
  images: ['ubuntu_2404', 'almalinux9', 'winsrv_2025'],
  acceptMembers: false,
};

function image(name: string, over: Partial<Image> = {}): Image {
  return {
    name,
    type: 'gold',
    shortName: name,
    sourceFile: 'images/gold.yaml',
    displayName: name,
    goldName: `GOLD ${name}`,
    outdatedName: `Outdated (${name})`,
    upstream: {
      url: 'https://cloud-images.ubuntu.com/noble/current/',
      file: 'noble-server-cloudimg-amd64.img',
      checksumFile: 'SHA256SUMS',
      algorithm: 'sha256',
    },
    sshUser: 'ubuntu',
    efi: false,
    minRamMb: 768,
    minDiskGb: 8,
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    visibility: 'public',
    members: [],
    properties: { hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi', hw_rng_model: 'virtio', os_type: 'linux' },
    template: 'default',
    schedule: { enabled: true },
    rebuild: 'periodic',
    keepOutdated: 2,
    keepBuilds: 2,
    compression: 'zlib',
    ...over,
  };
}

const UBUNTU = image('ubuntu_2404', { schedule: { weekday: 3, hour: 9, minute: 40, enabled: true } });
const ALMA = image('almalinux9', {
  upstream: {
    url: 'https://repo.almalinux.org/almalinux/9/cloud/x86_64/images/',
    file: 'AlmaLinux-9-GenericCloud-latest.x86_64.qcow2',
    checksumFile: 'CHECKSUM',
    algorithm: 'sha256',
  },
  sshUser: 'almalinux',
  efi: true,
  properties: { hw_disk_bus: 'scsi', hw_qemu_guest_agent: 'yes', os_type: 'linux' },
  schedule: { enabled: true },
});
const WINDOWS = image('winsrv_2025', {
  upstream: { url: 'https://builder.example/windows/', file: 'winsrv_2025.raw', noChecksumWaiver: 'built in-house' },
  sshUser: 'Administrator',
  minRamMb: 4090,
  minDiskGb: 39,
  diskFormat: 'raw',
  compression: 'none',
  keepBuilds: 1,
  template: 'windows',
  schedule: { weekday: 3, hour: 3, minute: 0, weekOfMonth: 2, enabled: false },
});

const DEFAULT_TEMPLATE_JSON = canonicalJson({ builders: [{ type: 'openstack' }], provisioners: [{ type: 'shell', scripts: ['resolver.sh', 'cleanup.sh'] }] });
const WINDOWS_TEMPLATE_JSON = canonicalJson({ builders: [{ type: 'openstack' }], provisioners: [] });

interface Input {
  images: Image[];
  scripts: { name: string; content: string }[];
}

/** Builds a bundle the way synth does: schedule, templates, scripts, runner configs, checks, the Sensu check. */
function makeBundle(input: Input): BuilderBundle {
  const env: Environment = { ...ENV, images: input.images.map((i) => i.name) };
  const templates = [
    { name: 'default', json: DEFAULT_TEMPLATE_JSON, scripts: ['resolver.sh', 'cleanup.sh'] },
    { name: 'windows', json: WINDOWS_TEMPLATE_JSON, scripts: [] as string[] },
  ];
  const scriptSha = Object.fromEntries(input.scripts.map((s) => [s.name, sha256Hex(s.content)]));
  const sched = new BuildSchedule(Testing.app(), 'schedule', {
    environment: env.name,
    images: input.images.map((i) => ({ name: i.name, schedule: i.schedule })),
  });
  const images = input.images.map((img) => {
    const t = templates.find((x) => x.name === img.template)!;
    const used = Object.fromEntries(t.scripts.map((s) => [s, scriptSha[s]]));
    const rc = runnerConfigFor(img, env, { name: t.name, file: `templates/${t.name}.json`, sha256: sha256Hex(t.json) }, used);
    const entry = sched.entryFor(img.name);
    const check = new MonitoringCheck(Testing.app(), 'check', {
      image: img.name,
      environment: env.name,
      slot: rc.rebuild.slot,
      enabled: entry.enabled,
      paths: rc.paths,
      timeoutsS: rc.timeouts_s,
      endOfLife: img.endOfLife,
    });
    return bundleImage(rc, entry, check.checkConfig);
  });
  return {
    environment: env.name,
    cronFile: sched.cronFileText,
    templates: templates.map((t) => ({ name: t.name, json: t.json })),
    scripts: input.scripts,
    images,
    paths: { store: '/opt/images/public_builds', logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' },
    sensuChecks: [sensuCheckFor({ environment: env.name, entity: 'bgo-builder-01' })],
    retiredFiles: { debian11: ['debian11-20260801.qcow2', 'debian11-20260801.md5', 'debian11-20260801.md5'] },
  };
}

const SCRIPTS = [
  { name: 'resolver.sh', content: '#!/bin/sh\necho resolver\n' },
  { name: 'cleanup.sh', content: '#!/bin/sh\ncloud-init clean\n' },
];

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = fs.statSync(path.join(dir, r));
      if (st.isDirectory()) {
        out.push(`${r}/ ${(st.mode & 0o777).toString(8)}`);
        walk(r);
      } else out.push(`${r} ${(st.mode & 0o777).toString(8)}`);
    }
  };
  walk('');
  return out;
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of listTree(dir)) {
    const rel = line.split(' ')[0];
    if (!rel.endsWith('/')) out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  }
  return out;
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-bundle-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('runnerConfigFor', () => {
  test('exact object for one image', () => {
    const tsha = sha256Hex(DEFAULT_TEMPLATE_JSON);
    const scripts = { 'resolver.sh': sha256Hex('a'), 'cleanup.sh': sha256Hex('b') };
    const rc = runnerConfigFor(UBUNTU, ENV, { name: 'default', file: 'templates/default.json', sha256: tsha }, scripts);
    expect(rc).toEqual({
      image: 'ubuntu_2404',
      environment: 'bgo',
      cloud: 'bgo-imagebuilder',
      region: 'bgo',
      upstream: {
        url: 'https://cloud-images.ubuntu.com/noble/current/',
        file: 'noble-server-cloudimg-amd64.img',
        checksum_file: 'SHA256SUMS',
        algorithm: 'sha256',
      },
      template: 'default',
      template_file: 'templates/default.json',
      fingerprint: fingerprintFor(UBUNTU, tsha, scripts),
      packer_vars: {
        image_name: 'goldsmith-build-ubuntu_2404',
        ssh_username: 'ubuntu',
        flavor: 'img.zerodisk',
        network: 'imagebuilder',
        availability_zone: 'bgo-default-1',
        security_group: 'goldsmith-builder-ssh',
        cloud: 'bgo-imagebuilder',
        region: 'bgo',
      },
      source_image: {
        min_ram_mb: 768,
        min_disk_gb: 8,
        efi: false,
        properties: { hw_disk_bus: 'scsi', hw_rng_model: 'virtio', hw_scsi_model: 'virtio-scsi' },
      },
      output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2, keep_files: [] },
      rebuild: { policy: 'periodic', slot: { weekday: 3, hour: 9, minute: 40 } },
      paths: {
        store: '/opt/images/public_builds',
        logs: '/var/log/goldsmith',
        state: '/var/lib/goldsmith',
        work: '/var/lib/goldsmith/work',
      },
      timeouts_s: { download: 3600, packer: 7200, convert: 3600 },
    });
    expect(rc.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Key-sorted at every level.
    expect(Object.keys(rc)).toEqual([...Object.keys(rc)].sort());
    expect(Object.keys(rc.packer_vars)).toEqual([...Object.keys(rc.packer_vars)].sort());
  });

  test('efi images boot from a uefi/q35 source image; waiver images have no checksum keys', () => {
    const tsha = sha256Hex(DEFAULT_TEMPLATE_JSON);
    const alma = runnerConfigFor(ALMA, ENV, { name: 'default', file: 'templates/default.json', sha256: tsha }, {});
    expect(alma.source_image).toEqual({
      min_ram_mb: 768,
      min_disk_gb: 8,
      efi: true,
      properties: {
        hw_disk_bus: 'scsi',
        hw_firmware_type: 'uefi',
        hw_machine_type: 'q35',
        hw_qemu_guest_agent: 'yes',
        hw_rng_model: 'virtio',
        hw_scsi_model: 'virtio-scsi',
      },
    });
    const win = runnerConfigFor(WINDOWS, ENV, { name: 'windows', file: 'templates/windows.json', sha256: tsha }, {});
    expect(win.upstream).toEqual({ url: 'https://builder.example/windows/', file: 'winsrv_2025.raw' });
    expect(win.output).toEqual({ disk_format: 'raw', compression: 'none', keep_builds: 1, keep_files: [] });
  });

  test('the efi flag alone decides the build VM firmware: an image published as UEFI but built with BIOS (centosstream9)', () => {
    const tsha = sha256Hex(DEFAULT_TEMPLATE_JSON);
    const bios = image('centosstream9', { efi: false, properties: { hw_firmware_type: 'uefi', hw_machine_type: 'q35', os_type: 'linux' } });
    const config = runnerConfigFor(bios, { ...ENV, images: ['centosstream9'] }, { name: 'default', file: 'templates/default.json', sha256: tsha }, {});
    expect(config.source_image).toEqual({
      min_ram_mb: 768,
      min_disk_gb: 8,
      efi: false,
      properties: { hw_disk_bus: 'scsi', hw_machine_type: 'q35', hw_rng_model: 'virtio', hw_scsi_model: 'virtio-scsi' },
    });
  });

  test('rejects inconsistent input', () => {
    const t = { name: 'default', file: 'templates/default.json', sha256: sha256Hex('x') };
    expect(() => runnerConfigFor(image('debian12'), ENV, t, {})).toThrow(
      'runner config bgo/debian12: environment bgo does not carry image debian12',
    );
    expect(() => runnerConfigFor(WINDOWS, ENV, t, {})).toThrow(
      'runner config bgo/winsrv_2025: image uses template windows but template default was given',
    );
    expect(() => runnerConfigFor(UBUNTU, ENV, { ...t, sha256: 'abc' }, {})).toThrow(/sha256 must be 64 lower-case hex digits/);
    expect(() => runnerConfigFor(UBUNTU, ENV, { ...t, file: '/abs/default.json' }, {})).toThrow(/relative to the bundle root/);
    expect(() => runnerConfigFor(UBUNTU, ENV, t, { 'x.sh': 'nothex' })).toThrow(/script x.sh sha256/);
  });

  test('fingerprint: changes with a script, the template or a build setting, not with other settings', () => {
    const tsha = sha256Hex('template');
    const scripts = { 'resolver.sh': sha256Hex('a'), 'cleanup.sh': sha256Hex('b') };
    const base = fingerprintFor(UBUNTU, tsha, scripts);
    expect(fingerprintFor(UBUNTU, tsha, { ...scripts })).toBe(base);
    expect(fingerprintFor(UBUNTU, tsha, { 'cleanup.sh': scripts['cleanup.sh'], 'resolver.sh': scripts['resolver.sh'] })).toBe(base);
    expect(fingerprintFor(UBUNTU, tsha, { ...scripts, 'resolver.sh': sha256Hex('a2') })).not.toBe(base);
    expect(fingerprintFor(UBUNTU, sha256Hex('template2'), scripts)).not.toBe(base);
    for (const over of [
      { sshUser: 'root' },
      { efi: true },
      { minRamMb: 1024 },
      { minDiskGb: 9 },
      { diskFormat: 'raw' as const },
      { compression: 'zstd' as const },
      { upstream: { ...UBUNTU.upstream, file: 'other.img' } },
      { properties: { ...UBUNTU.properties, hw_disk_bus: 'virtio' } },
    ]) {
      expect(fingerprintFor({ ...UBUNTU, ...over }, tsha, scripts)).not.toBe(base);
    }
    for (const over of [
      { schedule: { enabled: false } },
      { keepBuilds: 5 },
      { goldName: 'GOLD Other' },
      { properties: { ...UBUNTU.properties, os_type: 'other' } },
    ]) {
      expect(fingerprintFor({ ...UBUNTU, ...over }, tsha, scripts)).toBe(base);
    }
  });
});

describe('writeBundle', () => {
  const INPUT: Input = { images: [UBUNTU, ALMA, WINDOWS], scripts: SCRIPTS };

  test('exact tree listing', () => {
    const dir = path.join(tmp, 'builder');
    writeBundle(dir, makeBundle(INPUT));
    expect(listTree(dir)).toEqual([
      'checks/ 755',
      'checks/almalinux9.json 644',
      'checks/ubuntu_2404.json 644',
      'checks/winsrv_2025.json 644',
      'cron.d/ 755',
      'cron.d/goldsmith 644',
      'images/ 755',
      'images/almalinux9.json 644',
      'images/ubuntu_2404.json 644',
      'images/winsrv_2025.json 644',
      'manifest.json 644',
      'scripts/ 755',
      'scripts/cleanup.sh 755',
      'scripts/resolver.sh 755',
      'sensu/ 755',
      'sensu/checks.yaml 644',
      'templates/ 755',
      'templates/default.json 644',
      'templates/windows.json 644',
    ]);
    // Nothing left behind beside the bundle.
    expect(fs.readdirSync(tmp)).toEqual(['builder']);
  });

  test('the manifest records images, schedules, hashes and paths', () => {
    const dir = path.join(tmp, 'builder');
    const bundle = makeBundle(INPUT);
    const written = writeBundle(dir, bundle);
    const manifest = readManifest(dir);
    expect(manifest).toEqual(written);
    const ubuntuLine = '40 9 * * 3 goldsmith /usr/local/bin/goldsmith build ubuntu_2404 --bundle /etc/goldsmith/bundle --quiet';
    const file = (rel: string) => fs.readFileSync(path.join(dir, rel));
    expect(manifest.bundle_format).toBe(1);
    expect(manifest.environment).toBe('bgo');
    expect(manifest.images.map((i) => i.name)).toEqual(['almalinux9', 'ubuntu_2404', 'winsrv_2025']);
    expect(manifest.images[1]).toEqual({
      name: 'ubuntu_2404',
      template: 'default',
      enabled: true,
      cron_schedule: '40 9 * * 3',
      cron_line: ubuntuLine,
      runner_config_sha256: sha256Hex(file('images/ubuntu_2404.json')),
    });
    expect(manifest.images[2]).toEqual({
      name: 'winsrv_2025',
      template: 'windows',
      enabled: false,
      runner_config_sha256: sha256Hex(file('images/winsrv_2025.json')),
    });
    expect(manifest.templates).toEqual({
      default: sha256Hex(file('templates/default.json')),
      windows: sha256Hex(file('templates/windows.json')),
    });
    expect(manifest.scripts).toEqual({
      'cleanup.sh': sha256Hex(SCRIPTS[1].content),
      'resolver.sh': sha256Hex(SCRIPTS[0].content),
    });
    expect(manifest.paths).toEqual({ store: '/opt/images/public_builds', logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' });
    expect(manifest.checks).toEqual({
      almalinux9: sha256Hex(file('checks/almalinux9.json')),
      ubuntu_2404: sha256Hex(file('checks/ubuntu_2404.json')),
      winsrv_2025: sha256Hex(file('checks/winsrv_2025.json')),
    });
    expect(manifest.sensu).toEqual({ 'checks.yaml': sha256Hex(file('sensu/checks.yaml')) });
    // Sorted, each file once: what `goldsmith install` keeps of a retired image's builds.
    expect(manifest.retired_files).toEqual({ debian11: ['debian11-20260801.md5', 'debian11-20260801.qcow2'] });
    // The disabled monthly image keeps its check (end of life, failed manual runs) but is never overdue.
    expect(JSON.parse(file('checks/winsrv_2025.json').toString('utf8'))).toMatchObject({
      schedule: { enabled: false, slot: { weekday: 3, hour: 3, minute: 0, week_of_month: 2 } },
    });
    expect(file('checks/ubuntu_2404.json').toString('utf8')).toBe(canonicalJson(JSON.parse(file('checks/ubuntu_2404.json').toString('utf8'))));
    // Files: 2-space key-sorted JSON with a trailing newline; the cron file as rendered.
    const text = file('manifest.json').toString('utf8');
    expect(text).toBe(canonicalJson(JSON.parse(text)));
    expect(text.startsWith('{\n  "bundle_format": 1,\n  "checks": {\n')).toBe(true);
    expect(text).toContain('\n  "environment": "bgo",\n');
    expect(file('cron.d/goldsmith').toString('utf8')).toBe(bundle.cronFile);
    expect(file('cron.d/goldsmith').toString('utf8')).toContain(ubuntuLine + '\n');
    expect(file('cron.d/goldsmith').toString('utf8')).not.toContain('winsrv_2025');
    const rc = JSON.parse(file('images/ubuntu_2404.json').toString('utf8')) as RunnerConfig;
    expect(rc.template_file).toBe('templates/default.json');
    expect(file('images/ubuntu_2404.json').toString('utf8')).toBe(canonicalJson(rc));
  });

  test('same input twice gives byte-identical bundles; rewriting replaces the old one', () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    writeBundle(a, makeBundle(INPUT));
    writeBundle(b, makeBundle({ images: [WINDOWS, ALMA, UBUNTU], scripts: [...SCRIPTS].reverse() }));
    expect(readTree(b)).toEqual(readTree(a));
    expect(listTree(b)).toEqual(listTree(a));
    // Rewrite in place: stale files disappear.
    fs.writeFileSync(path.join(a, 'images', 'stale.json'), '{}\n');
    writeBundle(a, makeBundle(INPUT));
    expect(readTree(a)).toEqual(readTree(b));
    expect(fs.readdirSync(tmp).sort()).toEqual(['a', 'b']);
  });

  test('the fingerprint changes when a script changes, not when an unrelated image changes', () => {
    const fp = (input: Input, name: string) => {
      const files = renderBundle(makeBundle(input));
      return (JSON.parse(files.get(`images/${name}.json`)!.content) as RunnerConfig).fingerprint;
    };
    const base = fp(INPUT, 'ubuntu_2404');
    const changedScript = {
      ...INPUT,
      scripts: [{ name: 'resolver.sh', content: '#!/bin/sh\necho resolver v2\n' }, SCRIPTS[1]],
    };
    expect(fp(changedScript, 'ubuntu_2404')).not.toBe(base);
    // The windows template does not use resolver.sh.
    expect(fp(changedScript, 'winsrv_2025')).toBe(fp(INPUT, 'winsrv_2025'));
    const changedAlma = { ...INPUT, images: [UBUNTU, { ...ALMA, minRamMb: 2048, sshUser: 'root' }, WINDOWS] };
    expect(fp(changedAlma, 'ubuntu_2404')).toBe(base);
    expect(fp(changedAlma, 'almalinux9')).not.toBe(fp(INPUT, 'almalinux9'));
    // Dropping an unrelated image changes neither the fingerprint nor the runner config bytes.
    const withoutAlma = renderBundle(makeBundle({ ...INPUT, images: [UBUNTU, WINDOWS] }));
    expect(withoutAlma.get('images/ubuntu_2404.json')).toEqual(renderBundle(makeBundle(INPUT)).get('images/ubuntu_2404.json'));
  });

  test('rejects an inconsistent bundle and leaves nothing behind', () => {
    const good = makeBundle(INPUT);
    const dir = path.join(tmp, 'builder');
    const bad = (b: BuilderBundle, msg: string | RegExp) => {
      expect(() => writeBundle(dir, b)).toThrow(msg);
      expect(fs.existsSync(dir)).toBe(false);
      expect(fs.readdirSync(tmp)).toEqual([]);
    };
    bad({ ...good, templates: good.templates.filter((t) => t.name !== 'windows') }, 'builder bundle bgo: image winsrv_2025 uses template windows, which the bundle does not hold');
    bad({ ...good, templates: [...good.templates, { name: 'broken', json: '{' }] }, /template broken is not valid JSON/);
    bad({ ...good, scripts: [...good.scripts, { name: '../evil.sh', content: '' }] }, /script name must match/);
    bad({ ...good, scripts: [...good.scripts, SCRIPTS[0]] }, 'builder bundle bgo: script resolver.sh is listed twice');
    bad({ ...good, cronFile: good.cronFile.trimEnd() }, /the cron file must end with a newline/);
    bad({ ...good, images: [...good.images, good.images[0]] }, /image ubuntu_2404 is listed twice/);
    bad({ ...good, images: good.images.map((i) => (i.name === 'ubuntu_2404' ? { ...i, cronLine: '* * * * * root x' } : i)) }, /its cron line is not in the cron file/);
    bad({ ...good, environment: 'Bad Env' }, /environment name must match/);
    const withCheck = (name: string, over: object) =>
      good.images.map((i) => (i.name === name ? { ...i, checkConfig: { ...(i.checkConfig as object), ...over } as BundleImage['checkConfig'] } : i));
    bad({ ...good, images: withCheck('ubuntu_2404', { schedule: { enabled: true, slot: { weekday: 1, hour: 9, minute: 40 } } }) },
      'builder bundle bgo: image ubuntu_2404: its check config has another schedule slot than the runner config');
    bad({ ...good, images: withCheck('ubuntu_2404', { paths: { logs: '/tmp/logs', state: '/var/lib/goldsmith' } }) },
      'builder bundle bgo: image ubuntu_2404: its check config reads other logs or state directories than the runner config writes');
    bad({ ...good, images: withCheck('winsrv_2025', { schedule: { enabled: true, slot: { weekday: 3, hour: 3, minute: 0, week_of_month: 2 } } }) },
      'builder bundle bgo: image winsrv_2025: its check config says the schedule is enabled, the cron file does not');
    bad({ ...good, images: withCheck('almalinux9', { image: 'ubuntu_2404' }) }, 'builder bundle bgo: image almalinux9: its check config is of image ubuntu_2404');
    bad({ ...good, images: withCheck('almalinux9', { grace_s: 0 }) }, 'builder bundle bgo: checks/almalinux9.json: grace_s: must be >= 1, got 0');
    bad({ ...good, retiredFiles: { ubuntu_2404: ['ubuntu_2404-20261104.qcow2'] } }, 'builder bundle bgo: image ubuntu_2404 is both built and retired');
    bad({ ...good, retiredFiles: { debian11: ['../etc/passwd'] } }, /builder bundle bgo: manifest.json: retired_files.debian11\[0\]: "..\/etc\/passwd" is not a plain file name/);
    bad({ ...good, sensuChecks: [...good.sensuChecks!, ...good.sensuChecks!] }, 'builder bundle bgo: sensu check goldsmith-bgo is listed twice');
  });

  test('a failed rewrite keeps the previous bundle', () => {
    const dir = path.join(tmp, 'builder');
    writeBundle(dir, makeBundle(INPUT));
    const before = readTree(dir);
    const broken = { ...makeBundle(INPUT), templates: [{ name: 'default', json: 'not json' }] };
    expect(() => writeBundle(dir, broken)).toThrow(/not valid JSON/);
    expect(readTree(dir)).toEqual(before);
    expect(fs.readdirSync(tmp)).toEqual(['builder']);
  });

  test('readManifest rejects other formats', () => {
    const dir = path.join(tmp, 'm');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"bundle_format": 2}\n');
    expect(() => readManifest(dir)).toThrow(/manifest.json: bundle_format: must be 1, got 2$/);
    expect(() => readManifest(path.join(tmp, 'missing'))).toThrow(/cannot read the bundle manifest/);
  });
});
