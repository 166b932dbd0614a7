// PackerBaker against a REAL Glance (Debian's python3-glance via test/support/glance.ts).
//
// Packer itself needs Nova: it boots the uploaded source image as a VM, provisions it over SSH and
// snapshots it into Glance. Nova (and a VM to SSH into) is a boundary these tests cannot run, so
// most tests replace packer with test/runner/fake-packer.js, which does packer's Glance side for
// real (checks the source image, creates and uploads the "snapshot", writes packer's manifest),
// and the baker's own Nova calls (the build keypair) go to a loopback fake Nova
// (test/openstack/fake-nova.ts), which fake-packer also asks whether the keypair exists.
// The real packer binary is still run where that is possible without Nova: `packer version`,
// `packer validate -syntax-only` on a rendered template with the baker's exact -var list, and a
// full `packer build` through the baker that gets past template and variable checks and fails at
// Keystone (a closed loopback port), so argv, cwd, env and the error line are packer's own.
import execa from 'execa';
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  detectDiskFormat,
  manifestArtifactId,
  PackerBaker,
  packerBuildArgs,
  packerEnv,
  packerErrorLine,
  runIdFor,
  temporaryImageNames,
  temporaryNameRe,
  type PackerBakerOptions,
} from '../../lib/runner/packer';
import { renderPackerTemplate, requiredScriptFiles } from '../../lib/constructs/packer-template';
import { parseRunnerConfig, type RunnerConfig } from '../../lib/contract';
import { GlanceClient, type GlanceImage } from '../../lib/openstack/glance';
import { NovaClient } from '../../lib/openstack/nova';
import { SiteValues } from '../../lib/runner/site-values';
import { FAKE_NOVA_HEADERS, startFakeNova, type FakeNova } from '../openstack/fake-nova';
import { describeWithGlance } from '../support/glance';
import { hasTool } from '../support/tools';
import { errorOf, pidGone } from './fixture';
import { cloudsYaml } from '../support/clouds-yaml';

const IMAGE = 'testimg';
const BUILD_ID = '20261125T093000Z';
const FAKE_PACKER = path.join(__dirname, 'fake-packer.js');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-packer-baker-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function rawConfig(over: { packer_timeout?: number; packer_vars?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    image: IMAGE,
    environment: 'bgo',
    cloud: 'bgo-imagebuilder',
    region: 'bgo',
    upstream: { url: 'https://upstream.invalid/images/', file: 'cloud.qcow2', checksum_file: 'SHA256SUMS', algorithm: 'sha256' },
    template: 'default',
    template_file: 'templates/default.json',
    fingerprint: 'f'.repeat(64),
    packer_vars: over.packer_vars ?? {
      image_name: 'goldsmith-build-testimg',
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
      properties: { hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi', hw_rng_model: 'virtio' },
    },
    output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2 },
    rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
    paths: { store: '/opt/images/public_builds', logs: '/var/log/goldsmith', state: '/var/lib/goldsmith', work: '/var/lib/goldsmith/work' },
    timeouts_s: { download: 600, packer: over.packer_timeout ?? 60, convert: 600 },
  };
}

function config(over: Parameters<typeof rawConfig>[0] = {}): RunnerConfig {
  return parseRunnerConfig(rawConfig(over), `images/${IMAGE}.json`);
}

/** A bundle directory with the real rendered default template and (empty) scripts. */
function makeBundle(): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'bundle-'));
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.writeFileSync(path.join(dir, 'templates', 'default.json'), JSON.stringify(renderPackerTemplate({ name: 'default', customScripts: [] }), null, 2));
  for (const s of requiredScriptFiles([])) fs.writeFileSync(path.join(dir, 'scripts', s), '#!/bin/sh\nexit 0\n');
  return dir;
}

describe('packer-baker helpers', () => {
  test('packerBuildArgs: packer_vars, then the baker-owned variables (which win), each once, template last', () => {
    const c = config({ packer_vars: { image_name: 'goldsmith-build-testimg', flavor: 'f1', ssh_pty: true, retries: 3, source_image: 'nope' } });
    expect(packerBuildArgs(c, { sourceImage: 'SRC', imageName: 'ART', manifestPath: '/w/m.json' }, '/b/templates/default.json')).toEqual([
      'build',
      '-color=false',
      '-var', 'flavor=f1',
      '-var', 'ssh_pty=true',
      '-var', 'retries=3',
      '-var', 'source_image=SRC',
      '-var', 'image_name=ART',
      '-var', 'manifest_path=/w/m.json',
      '/b/templates/default.json',
    ]);
    // values are single argv entries, never split or interpreted by a shell
    const odd = config({ packer_vars: { network: 'net with spaces; rm -rf /', empty: '' } });
    const args = packerBuildArgs(odd, { sourceImage: 's', imageName: 'i', manifestPath: 'm' }, 't');
    expect(args).toContain('network=net with spaces; rm -rf /');
    expect(args).toContain('empty=');
  });

  test('packer_vars with {{ }} or control characters never reach packer (real packer expands them)', async () => {
    const hostile = '{{env `OS_PASSWORD`}}';
    const own = { sourceImage: 's', imageName: 'i', manifestPath: 'm' };
    for (const [value, why] of [
      [hostile, 'contains a template expression ({{ or }})'],
      ['ubuntu}}', 'contains a template expression ({{ or }})'],
      ['ubuntu\nx', 'contains a control character'],
      ['a\x1b[31m', 'contains a control character'],
    ]) {
      expect(() => packerBuildArgs(config({ packer_vars: { ssh_username: value } }), own, 't')).toThrow(`packer variable ssh_username ${why}; refusing it`);
    }
    expect(() => packerBuildArgs(config({ packer_vars: { 'a=b': 'x' } }), own, 't')).toThrow(/packer variable name "a=b" is not/);

    // what the check prevents, shown with the real packer (offline: null builder, shell-local)
    if (!hasTool('packer')) {
      if (process.env.GOLDSMITH_REQUIRE_TOOLS === '1') throw new Error('GOLDSMITH_REQUIRE_TOOLS=1 but packer not found on PATH');
      process.stderr.write('SKIPPED the real-packer part: packer not found on PATH\n');
      return;
    }
    const dir = fs.mkdtempSync(path.join(tmp, 'expand-'));
    const out = path.join(dir, 'out.txt');
    fs.writeFileSync(
      path.join(dir, 't.json'),
      JSON.stringify({
        variables: { ssh_username: '' },
        builders: [{ type: 'null', communicator: 'none' }],
        provisioners: [{ type: 'shell-local', inline: [`printf '%s' "{{user \`ssh_username\`}}" > ${out}`] }],
      }),
    );
    const packer = (varArg: string): Promise<unknown> =>
      execa('packer', ['build', '-color=false', '-var', varArg, 't.json'], { cwd: dir, env: { CHECKPOINT_DISABLE: '1', OS_PASSWORD: 'builder-secret-42' }, timeout: 60_000 });
    await packer(`ssh_username=${hostile}`);
    expect(fs.readFileSync(out, 'utf8')).toBe('builder-secret-42'); // the leak
    // a value the check lets through arrives as it is
    const args = packerBuildArgs(config({ packer_vars: { ssh_username: 'cloud-user {x} 100%' } }), own, 't');
    await packer(args[args.indexOf('-var', args.findIndex((a) => a.startsWith('ssh_username=')) - 1) + 1]);
    expect(fs.readFileSync(out, 'utf8')).toBe('cloud-user {x} 100%');
  });

  test('packerEnv sets the cloud, the region and no colour/checkpoint on top of the base', () => {
    const env = packerEnv(config(), { PATH: '/bin', OS_CLOUD: 'other', HOME: '/root' });
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/root',
      OS_CLOUD: 'bgo-imagebuilder',
      OS_REGION_NAME: 'bgo',
      PACKER_NO_COLOR: '1',
      CHECKPOINT_DISABLE: '1',
    });
  });

  test('packerEnv: site values as GOLDSMITH_SITE_<NAME>, none inherited from the base; TMPDIR the build\'s own', () => {
    const values = new SiteValues(new Map([['RHSM_ACTIVATION_KEY', 'k3y']]), ['RHSM_ACTIVATION_KEY']);
    const env = packerEnv(config(), { PATH: '/bin', GOLDSMITH_SITE_RHSM_ORG: 'injected', GOLDSMITH_SITE_RHSM_ACTIVATION_KEY: 'old' }, { values, tmpDir: '/w/packer-tmp' });
    expect(env).toEqual({
      PATH: '/bin',
      OS_CLOUD: 'bgo-imagebuilder',
      OS_REGION_NAME: 'bgo',
      PACKER_NO_COLOR: '1',
      CHECKPOINT_DISABLE: '1',
      TMPDIR: '/w/packer-tmp',
      GOLDSMITH_SITE_RHSM_ACTIVATION_KEY: 'k3y',
    });
  });

  test('packerBuildArgs: the keypair name and key file path are baker-owned (packer_vars cannot set them)', () => {
    const c = config({ packer_vars: { ssh_keypair_name: 'operator-key', ssh_private_key_file: '/root/.ssh/id_rsa', flavor: 'f1' } });
    const own = { sourceImage: 'S', imageName: 'I', manifestPath: 'M', sshKeypairName: 'goldsmith-x-1', sshPrivateKeyFile: '/w/build-key' };
    expect(packerBuildArgs(c, own, 't')).toEqual([
      'build', '-color=false',
      '-var', 'flavor=f1',
      '-var', 'source_image=S',
      '-var', 'image_name=I',
      '-var', 'manifest_path=M',
      '-var', 'ssh_keypair_name=goldsmith-x-1',
      '-var', 'ssh_private_key_file=/w/build-key',
      't',
    ]);
  });

  test('packerErrorLine picks the summary, the Error block, or the last error-ish line', () => {
    expect(
      packerErrorLine([
        "==> openstack: Waiting for SSH to become available...",
        "Build 'openstack' errored: Timeout waiting for SSH.",
        '',
        "==> Some builds didn't complete successfully and had errors:",
        '--> openstack: Timeout waiting for SSH.',
        '',
        '==> Builds finished but no artifacts were created.',
      ]),
    ).toBe('openstack: Timeout waiting for SSH.');
    expect(packerErrorLine(["Build 'openstack' errored: Build was cancelled."])).toBe("Build 'openstack' errored: Build was cancelled.");
    // packer 1.6.6, verbatim (wrapped line included)
    expect(
      packerErrorLine([
        'Error: Failed to prepare build: "openstack"',
        '',
        '1 error(s) occurred:',
        '',
        '* Post "http://127.0.0.1:1/v3/auth/tokens": dial tcp 127.0.0.1:1: connect:',
        'connection refused',
        '',
        '==> Wait completed after 15 microseconds',
        '',
        '==> Builds finished but no artifacts were created.',
      ]),
    ).toBe('Failed to prepare build: "openstack": Post "http://127.0.0.1:1/v3/auth/tokens": dial tcp 127.0.0.1:1: connect: connection refused');
    expect(
      packerErrorLine(['Error: ', '', '2 errors occurred:', '\t* required variable not set: flavor', '\t* required variable not set: network', '']),
    ).toBe('required variable not set: flavor; required variable not set: network');
    expect(packerErrorLine(['something', 'an ERROR happened', 'bye'])).toBe('an ERROR happened');
    expect(packerErrorLine(['just', 'output'])).toBe('output');
    expect(packerErrorLine([])).toBe('(no output)');
  });

  test('manifestArtifactId: last build, region prefix dropped, one-line errors', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'manifest-'));
    const m = path.join(dir, 'packer-manifest.json');
    expect(() => manifestArtifactId(m)).toThrow(`packer wrote no manifest (${m})`);
    fs.writeFileSync(m, '{"builds": [');
    expect(() => manifestArtifactId(m)).toThrow(new RegExp(`^packer manifest ${m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not JSON: `));
    fs.writeFileSync(m, JSON.stringify({ builds: [] }));
    expect(() => manifestArtifactId(m)).toThrow('packer manifest has no artifact id');
    fs.writeFileSync(m, JSON.stringify({ builds: [{ artifact_id: 'old' }, { name: 'openstack', artifact_id: '' }] }));
    expect(() => manifestArtifactId(m)).toThrow('packer manifest has no artifact id');
    fs.writeFileSync(m, JSON.stringify({ builds: [{ artifact_id: 'old' }, { artifact_id: 'bgo:0f4e2c3a-1111-4222-8333-944445555666' }] }));
    expect(manifestArtifactId(m)).toBe('0f4e2c3a-1111-4222-8333-944445555666');
    fs.writeFileSync(m, JSON.stringify({ builds: [{ artifact_id: '../../v2/images' }] }));
    expect(() => manifestArtifactId(m)).toThrow('packer manifest artifact id "../../v2/images" is not a Glance image id');
  });

  test('detectDiskFormat: qcow2 magic, else raw', () => {
    const f = path.join(tmp, 'fmt');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]), randomBytes(100)]));
    expect(detectDiskFormat(f)).toBe('qcow2');
    fs.writeFileSync(f, randomBytes(4096).fill(0, 0, 4));
    expect(detectDiskFormat(f)).toBe('raw');
    fs.writeFileSync(f, 'QFI');
    expect(detectDiskFormat(f)).toBe('raw');
  });

  test('run ids and temporary names: build id from the work directory, matched for this image only', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    expect(runIdFor('ubuntu', `/w/ubuntu-${BUILD_ID}`, now)).toMatch(new RegExp(`^${BUILD_ID}-[0-9a-f]{8}$`));
    expect(runIdFor('ubuntu', '/w/something-else', now)).toMatch(/^20260102T030405Z-[0-9a-f]{8}$/);
    const names = temporaryImageNames('ubuntu', `${BUILD_ID}-0123abcd`);
    expect(names).toEqual({ source: `goldsmith-source-ubuntu-${BUILD_ID}-0123abcd`, artifact: `goldsmith-artifact-ubuntu-${BUILD_ID}-0123abcd` });
    const re = temporaryNameRe('ubuntu');
    expect(re.test(names.source)).toBe(true);
    expect(re.test(names.artifact)).toBe(true);
    expect(re.test(`goldsmith-source-ubuntu-x-${BUILD_ID}-0123abcd`)).toBe(false);
    expect(re.test(`goldsmith-source-ubuntu_2404-${BUILD_ID}-0123abcd`)).toBe(false);
    expect(re.test(`goldsmith-source-ubuntu-${BUILD_ID}-0123abcd-x`)).toBe(false);
    expect(re.test('goldsmith-artifact-ubuntu-latest')).toBe(false);
    expect(temporaryNameRe('a.b').test(`goldsmith-source-aXb-${BUILD_ID}-0123abcd`)).toBe(false);
  });
});

describeWithGlance('PackerBaker against a real Glance (packer faked: no Nova here)', (glance) => {
  let client: GlanceClient;
  let bundleDir: string;
  let packerWrapper: string;
  let sourceFile: string;
  let sourceFormat: 'qcow2' | 'raw';
  let artifactBytes: Buffer;
  let artifactFile: string;
  let nova: FakeNova;

  beforeAll(async () => {
    nova = await startFakeNova();
    const g = glance();
    client = new GlanceClient({ endpoint: g.endpoint, headers: g.headers });
    bundleDir = makeBundle();
    // `packer` for the baker: exec keeps the pid, so the baker's signals reach the fake itself.
    packerWrapper = path.join(tmp, 'packer');
    fs.writeFileSync(packerWrapper, `#!/bin/sh\nexec '${process.execPath}' '${FAKE_PACKER}' "$@"\n`, { mode: 0o755 });
    sourceFile = path.join(tmp, 'upstream.img');
    if (hasTool('qemu-img')) {
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', sourceFile, '64M'], { stdio: 'ignore' });
      fs.appendFileSync(sourceFile, randomBytes(4096));
      sourceFormat = 'qcow2';
    } else {
      fs.writeFileSync(sourceFile, randomBytes(128 * 1024).fill(0, 0, 4));
      sourceFormat = 'raw';
    }
    artifactBytes = randomBytes(300 * 1024 + 17);
    artifactFile = path.join(tmp, 'artifact-bytes');
    fs.writeFileSync(artifactFile, artifactBytes);
  });

  interface Run {
    lines: string[];
    workDir: string;
    record: string;
    pidFile: string;
  }

  afterAll(() => nova?.close());
  beforeEach(() => {
    nova.requests.length = 0;
    nova.fail = undefined;
  });

  function newRun(): Run {
    const workDir = path.join(fs.mkdtempSync(path.join(tmp, 'work-')), `${IMAGE}-${BUILD_ID}`);
    fs.mkdirSync(workDir);
    return { lines: [], workDir, record: path.join(workDir, '..', 'record.json'), pidFile: path.join(workDir, '..', 'fake.pid') };
  }

  function baker(run: Run, env: Record<string, string> = {}, opts: Partial<PackerBakerOptions> = {}): PackerBaker {
    const g = glance();
    return new PackerBaker({
      bundleDir,
      glance: client,
      nova: new NovaClient({ endpoint: nova.endpoint, headers: FAKE_NOVA_HEADERS, timeoutMs: 10_000 }),
      packer: packerWrapper,
      killGraceMs: 2_000,
      activeTimeoutMs: 30_000,
      env: {
        ...process.env,
        FAKE_NOVA_ENDPOINT: nova.endpoint,
        FAKE_NOVA_HEADERS: JSON.stringify(FAKE_NOVA_HEADERS),
        FAKE_GLANCE_ENDPOINT: g.endpoint,
        FAKE_GLANCE_HEADERS: JSON.stringify(g.headers),
        FAKE_PACKER_ARTIFACT: artifactFile,
        FAKE_PACKER_RECORD: run.record,
        FAKE_PACKER_PID_FILE: run.pidFile,
        ...env,
      },
      ...opts,
    });
  }

  function bake(b: PackerBaker, run: Run, c: RunnerConfig = config(), signal = new AbortController().signal, siteValues?: SiteValues) {
    return b.bake({ config: c, sourceFile, workDir: run.workDir, log: (l) => run.lines.push(l), signal, ...(siteValues ? { siteValues } : {}) });
  }

  async function goldsmithImages(): Promise<GlanceImage[]> {
    return (await client.listImages()).filter((i) => (i.name ?? '').startsWith('goldsmith-'));
  }

  /** Glance holds no temporary image (none tagged goldsmith-temporary, none named goldsmith-*) and Nova no keypair. */
  async function expectGlanceClean(): Promise<void> {
    expect((await client.listImages({ tag: 'goldsmith-temporary' })).map((i) => i.name)).toEqual([]);
    expect((await goldsmithImages()).map((i) => i.name)).toEqual([]);
    expect([...nova.keypairs.keys()]).toEqual([]);
  }

  /** The run's keypair was created and deleted again, and its private key file is gone. */
  function expectKeypairGone(run: Run): void {
    const created = nova.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { keypair: { name: string } }).keypair.name);
    expect(created).toEqual([expect.stringMatching(new RegExp(`^goldsmith-${IMAGE}-${BUILD_ID}-[0-9a-f]{8}$`))]);
    expect(nova.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toContain(`/compute/v2.1/os-keypairs/${created[0]}`);
    expect(nova.keypairs.has(created[0])).toBe(false);
    expect(run.lines).toContain(`deleted keypair ${created[0]}`);
    expect(fs.existsSync(path.join(run.workDir, 'build-key'))).toBe(false);
    expect(fs.existsSync(path.join(run.workDir, 'packer-tmp'))).toBe(false);
  }

  function processGone(pidFile: string): boolean {
    return pidGone(Number(fs.readFileSync(pidFile, 'utf8')));
  }

  test('success: source uploaded as a temporary private image, packer run as specified, artifact downloaded byte-exact, temporaries deleted', async () => {
    const run = newRun();
    const result = await bake(baker(run), run);

    expect(result.artifactFile).toBe(path.join(run.workDir, 'artifact.raw'));
    expect(fs.readFileSync(result.artifactFile).equals(artifactBytes)).toBe(true);
    expect(result.toolVersions).toEqual({ packer: '1.6.6-fake' });

    // what packer saw
    const rec = JSON.parse(fs.readFileSync(run.record, 'utf8'));
    const src: GlanceImage = rec.source;
    expect(src.name).toMatch(new RegExp(`^goldsmith-source-${IMAGE}-${BUILD_ID}-[0-9a-f]{8}$`));
    const runId = src.name!.slice(`goldsmith-source-${IMAGE}-`.length);
    expect(src).toMatchObject({
      status: 'active',
      visibility: 'private',
      disk_format: sourceFormat,
      container_format: 'bare',
      min_ram: 768,
      min_disk: 8,
      tags: ['goldsmith-temporary'],
      hw_disk_bus: 'scsi',
      hw_scsi_model: 'virtio-scsi',
      hw_rng_model: 'virtio',
      size: fs.statSync(sourceFile).size,
    });
    expect(rec.argv).toEqual([
      'build',
      '-color=false',
      '-var', 'ssh_username=ubuntu',
      '-var', 'flavor=img.zerodisk',
      '-var', 'network=imagebuilder',
      '-var', 'availability_zone=bgo-default-1',
      '-var', 'security_group=goldsmith-builder-ssh',
      '-var', 'cloud=bgo-imagebuilder',
      '-var', 'region=bgo',
      '-var', `source_image=${src.id}`,
      '-var', `image_name=goldsmith-artifact-${IMAGE}-${runId}`,
      '-var', `manifest_path=${path.join(run.workDir, 'packer-manifest.json')}`,
      '-var', `ssh_keypair_name=goldsmith-${IMAGE}-${runId}`,
      '-var', `ssh_private_key_file=${path.join(run.workDir, 'build-key')}`,
      path.join(bundleDir, 'templates', 'default.json'),
    ]);
    expect(fs.realpathSync(rec.cwd)).toBe(fs.realpathSync(bundleDir));
    expect(rec.env).toEqual({ OS_CLOUD: 'bgo-imagebuilder', OS_REGION_NAME: 'bgo', PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' });
    expect(rec.site).toEqual({});
    expect(rec.tmpdir).toEqual({ path: path.join(run.workDir, 'packer-tmp'), mode: '700' });

    // the build keypair: an ed25519 public key imported into Nova under the run's name; packer
    // read the matching private key (OpenSSH format) from a 0600 file; no key material in its
    // argv or environment; keypair and file gone afterwards
    const name = `goldsmith-${IMAGE}-${runId}`;
    const post = nova.requests.find((r) => r.method === 'POST')!;
    expect(post).toEqual({
      method: 'POST',
      path: '/compute/v2.1/os-keypairs',
      token: 'nova-test-token',
      body: { keypair: { name, public_key: expect.stringMatching(new RegExp(`^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} ${name}$`)) } },
    });
    const publicKey = (post.body as { keypair: { public_key: string } }).keypair.public_key;
    expect(rec.key).toEqual({ mode: '600', header: '-----BEGIN OPENSSH PRIVATE KEY-----', publicBlob: publicKey.split(' ')[1] });
    expect(rec.keyInEnv).toBe(false);
    expect(rec.argv.join(' ')).not.toMatch(/PRIVATE KEY|AAAAC3NzaC1lZDI1NTE5/);
    expect(nova.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /compute/v2.1/os-keypairs', // sweep of earlier runs' keypairs
      'POST /compute/v2.1/os-keypairs',
      'GET /compute/v2.1/os-keypairs', // fake packer: the server launches only with an existing keypair
      'GET /compute/v2.1/os-keypairs', // the finally's sweep
      `DELETE /compute/v2.1/os-keypairs/${name}`,
    ]);
    expect(run.lines).toContain(`created keypair ${name} (ed25519) for the build VM`);
    expectKeypairGone(run);
    expect(run.lines.join('\n')).not.toContain('PRIVATE KEY');

    // every packer line in the log and in packer.log
    const packerLog = fs.readFileSync(path.join(run.workDir, 'packer.log'), 'utf8');
    expect(packerLog).toContain(`==> openstack: Creating the image: goldsmith-artifact-${IMAGE}-${runId}`);
    expect(packerLog).toContain("Build 'openstack' finished.");
    for (const l of packerLog.trimEnd().split('\n')) expect(run.lines).toContain(`packer: ${l}`);
    expect(run.lines[0]).toBe(`packer 1.6.6-fake (${packerWrapper})`);

    // both temporaries deleted, each deletion logged
    const deleted = run.lines.filter((l) => l.startsWith('deleted temporary image'));
    expect(deleted).toHaveLength(2);
    expect(deleted[0]).toBe(`deleted temporary image goldsmith-source-${IMAGE}-${runId} (${src.id})`);
    expect(deleted[1]).toMatch(new RegExp(`^deleted temporary image goldsmith-artifact-${IMAGE}-${runId} \\([0-9a-f-]{36}\\)$`));
    await expectGlanceClean();
  });

  test('an artifact id with a region prefix (region:id) is accepted', async () => {
    const run = newRun();
    const result = await bake(baker(run, { FAKE_PACKER_ID_PREFIX: 'bgo:' }), run);
    expect(fs.readFileSync(result.artifactFile).equals(artifactBytes)).toBe(true);
    await expectGlanceClean();
  });

  test('packer fails after creating the artifact: one-line error, source and artifact deleted', async () => {
    const run = newRun();
    expect(await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'fail' }), run))).toBe(
      'packer build failed (exit 1): openstack: Error waiting for image: fake snapshot failure',
    );
    // the artifact never made it into a manifest: found and deleted by its name
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image goldsmith-artifact-'))).toHaveLength(1);
    // the keypair too, although packer failed
    expectKeypairGone(run);
    await expectGlanceClean();
  });

  test('packer hangs: SIGINT at the timeout, packer cleans up and exits, temporaries deleted', async () => {
    const run = newRun();
    const t0 = Date.now();
    expect(await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'hang' }), run, config({ packer_timeout: 1.5 })))).toBe(
      'packer build timed out after 1.5 s',
    );
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(processGone(run.pidFile)).toBe(true);
    expect(run.lines).toContain('packer: timed out after 1.5 s, sending SIGINT (it cleans up its instance)');
    expect(run.lines).toContain('packer: ==> openstack: Terminating the source server: 00000000-fake-server ...');
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image goldsmith-source-'))).toHaveLength(1);
    expectKeypairGone(run);
    await expectGlanceClean();
  });

  test('packer ignores SIGINT: SIGKILL after the grace period', async () => {
    const run = newRun();
    expect(
      await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'hang-hard' }, { killGraceMs: 500 }), run, config({ packer_timeout: 1 }))),
    ).toBe('packer build timed out after 1 s');
    expect(processGone(run.pidFile)).toBe(true);
    expect(run.lines).toContain('packer: still running 1 s after SIGINT, sending SIGKILL');
    expectKeypairGone(run);
    await expectGlanceClean();
  });

  test('cancelled through the signal while packer runs: packer stopped, temporaries deleted', async () => {
    const run = newRun();
    const ac = new AbortController();
    const p = bake(baker(run, { FAKE_PACKER_MODE: 'hang' }), run, config(), ac.signal);
    const deadline = Date.now() + 30_000;
    while (!run.lines.some((l) => l.includes('Waiting for SSH')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // while packer runs, the private key is a 0600 file in the work directory
    const keyFile = path.join(run.workDir, 'build-key');
    expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    ac.abort();
    expect(await errorOf(p)).toBe('packer build cancelled');
    expect(processGone(run.pidFile)).toBe(true);
    expectKeypairGone(run);
    await expectGlanceClean();
  });

  test('site values reach packer through its environment only: never its argv, the log or packer.log', async () => {
    const secret = 'https://drivers.example/grid.run?token=0f9e8d7c6b';
    const values = new SiteValues(
      new Map([
        ['NVIDIA_GRID_DRIVER_URL', secret],
        ['NVIDIA_GRID_DRIVER_SHA256', 'ab'.repeat(32)],
      ]),
      ['NVIDIA_GRID_DRIVER_URL'],
    );
    const run = newRun();
    // the runner's own environment may not inject a site value: only the env file's count
    const b = baker(run, { FAKE_PACKER_ECHO_SITE: 'NVIDIA_GRID_DRIVER_URL', GOLDSMITH_SITE_PUPPET_SERVER: 'from-the-environment' });
    await bake(b, run, config(), new AbortController().signal, values);
    const rec = JSON.parse(fs.readFileSync(run.record, 'utf8'));
    expect(rec.site).toEqual({ GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_URL: secret, GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_SHA256: 'ab'.repeat(32) });
    expect(rec.argv.join(' ')).not.toContain(secret);
    expect(rec.argv.join(' ')).not.toContain('ab'.repeat(32));
    // a script that prints the secret: redacted before the log and packer.log see it
    expect(run.lines).toContain('packer:     openstack: the script says: <sensitive>');
    expect(run.lines.join('\n')).not.toContain(secret);
    expect(fs.readFileSync(path.join(run.workDir, 'packer.log'), 'utf8')).not.toContain(secret);
    await expectGlanceClean();
  });

  test('Nova refuses the keypair: one-line error, packer never runs, the source image deleted, no key file left', async () => {
    const run = newRun();
    nova.fail = { method: 'POST', status: 403, body: '{"forbidden": {"message": "Quota exceeded, too many key pairs.", "code": 403}}' };
    const msg = await errorOf(bake(baker(run), run));
    expect(msg).toMatch(
      new RegExp(`^creating the build keypair goldsmith-${IMAGE}-${BUILD_ID}-[0-9a-f]{8}: Nova POST /compute/v2\\.1/os-keypairs: 403 Forbidden: Quota exceeded, too many key pairs\\.$`),
    );
    expect(fs.existsSync(run.record)).toBe(false);
    expect(fs.existsSync(path.join(run.workDir, 'build-key'))).toBe(false);
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image goldsmith-source-'))).toHaveLength(1);
    nova.fail = undefined;
    await expectGlanceClean();
  });

  test('keypairs an earlier, killed run of the same image left are deleted; other keypairs are not', async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHMlQ6nyK1Xy3AexwcNZiJtnTFOmiPXwlz7jlns2kuTF x';
    const stale = `goldsmith-${IMAGE}-20261101T000000Z-deadbeef`;
    const keep = [`goldsmith-${IMAGE}2-20261101T000000Z-deadbeef`, `goldsmith-${IMAGE}-latest`, 'operator-key'];
    for (const n of [stale, ...keep]) nova.keypairs.set(n, key);
    const run = newRun();
    await bake(baker(run), run);
    expect(run.lines).toContain(`deleted keypair ${stale} left by an earlier run`);
    expect([...nova.keypairs.keys()].sort()).toEqual([...keep].sort());
    // the sweep happens before this run creates its own keypair
    expect(run.lines.findIndex((l) => l.startsWith(`deleted keypair ${stale}`))).toBeLessThan(run.lines.findIndex((l) => l.startsWith('created keypair')));
    for (const n of keep) nova.keypairs.delete(n);
    await expectGlanceClean();
  });

  test('an already aborted signal: nothing is created', async () => {
    const run = newRun();
    const ac = new AbortController();
    ac.abort();
    expect(await errorOf(bake(baker(run), run, config(), ac.signal))).toBe('bake cancelled');
    expect(fs.existsSync(run.record)).toBe(false);
    await expectGlanceClean();
  });

  test('manifest without an artifact id, and no manifest at all: exact errors, temporaries deleted', async () => {
    let run = newRun();
    expect(await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'no-artifact' }), run))).toBe('packer manifest has no artifact id');
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image goldsmith-artifact-'))).toHaveLength(1);
    await expectGlanceClean();

    run = newRun();
    expect(await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'no-manifest' }), run))).toBe(
      `packer wrote no manifest (${path.join(run.workDir, 'packer-manifest.json')})`,
    );
    await expectGlanceClean();
  });

  test('the artifact never turns active: wait fails, both temporaries deleted', async () => {
    const run = newRun();
    const msg = await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'no-data' }, { activeTimeoutMs: 1_000 }), run));
    expect(msg).toMatch(
      /^waiting for artifact image ([0-9a-f-]{36}): Glance GET \/v2\/images\/\1: timed out after 1 s waiting for status active \(last: queued\)$/,
    );
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image'))).toHaveLength(2);
    await expectGlanceClean();
  });

  test('the artifact download fails (target not writable): both temporaries deleted', async () => {
    const run = newRun();
    fs.mkdirSync(path.join(run.workDir, 'artifact.raw')); // the rename into place fails
    const msg = await errorOf(bake(baker(run), run));
    expect(msg).toMatch(/^downloading artifact image [0-9a-f-]{36}: .*EISDIR/);
    expect(msg).not.toContain('\n');
    expect(fs.readdirSync(run.workDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image'))).toHaveLength(2);
    await expectGlanceClean();
  });

  test('the source upload fails: the half-made source image is deleted, packer never runs', async () => {
    const run = newRun();
    const failing = {
      createImage: client.createImage.bind(client),
      waitForStatus: client.waitForStatus.bind(client),
      downloadToFile: client.downloadToFile.bind(client),
      deleteImage: client.deleteImage.bind(client),
      listImages: client.listImages.bind(client),
      getImage: client.getImage.bind(client),
      uploadFile: async (): Promise<void> => {
        throw new Error('Glance PUT /v2/images/x/file: request failed: ECONNRESET');
      },
    };
    const msg = await errorOf(bake(baker(run, {}, { glance: () => failing }), run));
    expect(msg).toBe('uploading the source image: Glance PUT /v2/images/x/file: request failed: ECONNRESET');
    expect(fs.existsSync(run.record)).toBe(false);
    expect(run.lines.filter((l) => l.startsWith('deleted temporary image goldsmith-source-'))).toHaveLength(1);
    await expectGlanceClean();
  });

  test('a manifest naming an image that is not this run\'s artifact: refused, and that image is left alone', async () => {
    const run = newRun();
    const msg = await errorOf(bake(baker(run, { FAKE_PACKER_MODE: 'wrong-name' }), run));
    expect(msg).toMatch(
      new RegExp(`^packer manifest artifact ([0-9a-f-]{36}) is image "someone-elses-goldsmith-artifact-${IMAGE}-${BUILD_ID}-[0-9a-f]{8}", expected goldsmith-artifact-${IMAGE}-${BUILD_ID}-[0-9a-f]{8}$`),
    );
    const id = /artifact ([0-9a-f-]{36})/.exec(msg)![1];
    expect((await client.getImage(id)).status).toBe('active');
    expect((await client.listImages({ tag: 'goldsmith-temporary' })).map((i) => i.name)).toEqual([]);
    await client.deleteImage(id);
  });

  test('leftovers of an earlier killed run of the same image are deleted; other images are not', async () => {
    const mk = (name: string, tags: string[], visibility: 'private' | 'public' = 'private') =>
      client.createImage({ name, diskFormat: 'raw', containerFormat: 'bare', visibility, tags });
    const old = '20261101T000000Z-deadbeef';
    const leftovers = [
      await mk(`goldsmith-source-${IMAGE}-${old}`, ['goldsmith-temporary']), // queued: killed during upload
      await mk(`goldsmith-artifact-${IMAGE}-${old}`, []), // packer's snapshot, untagged
    ];
    const upload = await mk(`goldsmith-source-${IMAGE}-20261102T000000Z-0badf00d`, ['goldsmith-temporary']);
    await client.uploadFile(upload.id, artifactFile);
    await client.waitForStatus(upload.id, 'active');
    leftovers.push(upload);
    const keep = [
      await mk(`goldsmith-source-${IMAGE}2-${old}`, ['goldsmith-temporary']), // another image's run
      await mk(`goldsmith-source-${IMAGE}-${old}`, []), // right name, but not tagged temporary
      await mk(`goldsmith-artifact-${IMAGE}-latest`, []), // not a run name
      await mk(IMAGE, ['goldsmith-temporary']), // not a goldsmith temporary name
    ];

    const run = newRun();
    const result = await bake(baker(run), run);
    expect(fs.readFileSync(result.artifactFile).equals(artifactBytes)).toBe(true);

    for (const l of leftovers) {
      expect(run.lines).toContain(`deleted temporary image ${l.name} (${l.id}) left by an earlier run`);
    }
    const remaining = new Set((await client.listImages()).map((i) => i.id));
    for (const l of leftovers) expect(remaining.has(l.id)).toBe(false);
    for (const k of keep) expect(remaining.has(k.id)).toBe(true);
    // the sweep of an earlier run happens before this run uploads anything
    const firstDelete = run.lines.findIndex((l) => l.startsWith('deleted temporary image'));
    const upload0 = run.lines.findIndex((l) => l.startsWith('uploading '));
    expect(firstDelete).toBeLessThan(upload0);
    for (const k of keep) await client.deleteImage(k.id);
    await expectGlanceClean();
  });

  test('packer missing, template missing: exact errors before anything is uploaded', async () => {
    let run = newRun();
    expect(await errorOf(bake(baker(run, {}, { packer: path.join(tmp, 'no-such-packer') }), run))).toBe(
      `cannot run ${path.join(tmp, 'no-such-packer')} version: not found`,
    );
    run = newRun();
    const c = parseRunnerConfig({ ...rawConfig(), template_file: 'templates/missing.json' }, 'x.json');
    expect(await errorOf(bake(baker(run), run, c))).toBe(`packer template ${path.join(bundleDir, 'templates', 'missing.json')} not found`);
    await expectGlanceClean();
  });

  // The real packer binary (1.6.6 on the builders): template and -var list exactly as the baker
  // builds them; a full `packer build` through the baker stops at Keystone (no Nova here).
  const realPacker = hasTool('packer') ? describe : process.env.GOLDSMITH_REQUIRE_TOOLS === '1' ? describe : describe.skip;
  if (!hasTool('packer') && process.env.GOLDSMITH_REQUIRE_TOOLS !== '1') process.stderr.write('SKIPPED real packer tests: packer not found on PATH\n');
  realPacker('with the real packer binary', () => {
    test('packer validate -syntax-only accepts the rendered template with the baker\'s -var list', async () => {
      if (!hasTool('packer')) throw new Error('GOLDSMITH_REQUIRE_TOOLS=1 but packer not found on PATH');
      const args = packerBuildArgs(
        config(),
        {
          sourceImage: '0f4e2c3a-1111-4222-8333-944445555666',
          imageName: 'goldsmith-artifact-x',
          manifestPath: '/tmp/m.json',
          sshKeypairName: 'goldsmith-x-20261125T093000Z-0123abcd',
          sshPrivateKeyFile: '/nonexistent/build-key',
        },
        path.join(bundleDir, 'templates', 'default.json'),
      );
      const validate = ['validate', '-syntax-only', ...args.slice(2)];
      const r = await execa('packer', validate, { cwd: bundleDir, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, reject: false });
      expect(r.stdout).toContain('Syntax-only check passed');
      expect(r.exitCode).toBe(0);
    });

    test('packer build through the baker: variables accepted, fails at Keystone with packer\'s own error line; temporaries deleted', async () => {
      if (!hasTool('packer')) throw new Error('GOLDSMITH_REQUIRE_TOOLS=1 but packer not found on PATH');
      const clouds = path.join(tmp, 'clouds.yaml');
      fs.writeFileSync(
        clouds,
        cloudsYaml('bgo-imagebuilder', 'http://127.0.0.1:1/v3', 'u', 'p', 'p'),
      );
      const run = newRun();
      const b = new PackerBaker({
        bundleDir,
        glance: client,
        nova: new NovaClient({ endpoint: nova.endpoint, headers: FAKE_NOVA_HEADERS }),
        env: { PATH: process.env.PATH, HOME: tmp, OS_CLIENT_CONFIG_FILE: clouds },
      });
      const msg = await errorOf(bake(b, run));
      // packer 1.6.6 read and accepted the runner's key file (it parses ssh_private_key_file while
      // preparing the build, before it authenticates): the error is Keystone's, not the key's
      expect(msg).not.toMatch(/ssh_private_key_file/);
      expectKeypairGone(run);
      expect(msg).toMatch(/^packer build failed \(exit 1\): Failed to prepare build: "openstack": Post "http:\/\/127\.0\.0\.1:1\/v3\/auth\/tokens": .*connection refused$/);
      expect(run.lines[0]).toMatch(/^packer \d+\.\d+\.\d+ \(packer\)$/);
      expect(run.lines.some((l) => /^temporary source image [0-9a-f-]{36} is active$/.test(l))).toBe(true);
      expect(fs.readFileSync(path.join(run.workDir, 'packer.log'), 'utf8')).toContain('Failed to prepare build');
      await expectGlanceClean();
    });
  });
});
