// goldsmith doctor: what a builder host needs, each missing piece one line. packer and qemu-img are
// small fake executables here (their version output is what the check reads); the real tools are
// covered by the build tests.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDoctor, type DoctorOptions } from '../../lib/runner/doctor';
import { createFixture, type Fixture } from './fixture';

let fx: Fixture;
let bin: string;
let passwd: string;
let clouds: string;
beforeEach(async () => {
  fx = await createFixture();
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-doctor-'));
  const uid = os.userInfo().uid;
  passwd = path.join(bin, 'passwd');
  fs.writeFileSync(passwd, `root:x:0:0:root:/root:/bin/bash\ngoldsmith:x:${uid}:${uid}::/var/lib/goldsmith:/bin/bash\n`);
  clouds = path.join(bin, 'clouds.yaml');
  fs.writeFileSync(clouds, 'clouds:\n  test01-imagebuilder:\n    auth: {auth_url: "https://keystone.test01.example:5000/v3", username: u, password: "s3cret-never-shown", project_name: p}\n');
  fakeTool('packer', 'case "$1" in version) echo "Packer v1.6.6";; *) exit 1;; esac');
  fakeTool('qemu-img', 'echo "qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u16)"');
  for (const dir of Object.values(fx.config.paths)) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(fx.config.paths.store, 0o755);
});
afterEach(async () => {
  await fx.close();
  fs.rmSync(bin, { recursive: true, force: true });
});

function fakeTool(name: string, body: string): void {
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

function options(over: Partial<DoctorOptions> = {}): DoctorOptions {
  return {
    bundleDir: fx.bundleDir,
    nodeVersion: '22.23.5',
    passwdFile: passwd,
    env: { PATH: `${bin}:/usr/bin:/bin` },
    clouds: { paths: [clouds], securePaths: [] },
    packer: path.join(bin, 'packer'),
    qemuImg: path.join(bin, 'qemu-img'),
    ...over,
  };
}

const problems = async (over: Partial<DoctorOptions> = {}) => (await runDoctor(options(over))).filter((f) => !f.ok).map((f) => f.line);

test('a ready host: every finding ok, naming what was found', async () => {
  const findings = await runDoctor(options());
  expect(findings.filter((f) => !f.ok)).toEqual([]);
  expect(findings.map((f) => f.line)).toEqual([
    'node 22.23.5',
    'packer 1.6.6 (built-in openstack builder)',
    'qemu-img 7.2.22',
    `user goldsmith (uid ${os.userInfo().uid})`,
    `paths.store ${fx.config.paths.store}`,
    `paths.logs ${fx.config.paths.logs}`,
    `paths.state ${fx.config.paths.state}`,
    `paths.work ${fx.config.paths.work}`,
    'clouds.yaml entry test01-imagebuilder',
    `1 runner config in ${fx.bundleDir}`,
  ]);
  expect(JSON.stringify(findings)).not.toContain('s3cret');
});

test('node 20, no qemu-img, a missing user: one line each', async () => {
  fs.rmSync(path.join(bin, 'qemu-img'));
  const lines = await problems({ nodeVersion: '20.20.2', user: 'builder' });
  expect(lines).toEqual([
    'node 20.20.2 is too old: goldsmith needs Node.js 22 or newer (AlmaLinux 8/9: `dnf module install nodejs:22`)',
    `qemu-img: cannot run \`${path.join(bin, 'qemu-img')} --version\` (not found): install qemu-img (qemu-utils / qemu-img)`,
    'user builder does not exist: create it (the cron lines run as builder)',
  ]);
});

test('packer 1.10 or newer needs the openstack plugin', async () => {
  fakeTool('packer', 'case "$1" in version) echo "Packer v1.11.2";; plugins) echo "";; esac');
  expect(await problems()).toEqual(['packer 1.11.2 has no openstack plugin: run `packer plugins install github.com/hashicorp/openstack` as the build user']);
  fakeTool('packer', 'case "$1" in version) echo "Packer v1.11.2";; plugins) echo "/home/goldsmith/.config/packer/plugins/github.com/hashicorp/openstack/packer-plugin-openstack_v1.1.2_x5.0_linux_amd64";; esac');
  expect(await problems()).toEqual([]);
});

test('directories: missing, world-writable, a store the web server cannot read; a missing clouds entry; an unreadable CA file', async () => {
  fs.rmSync(fx.config.paths.work, { recursive: true });
  fs.chmodSync(fx.config.paths.logs, 0o777);
  fs.chmodSync(fx.config.paths.store, 0o750);
  fs.writeFileSync(clouds, 'clouds:\n  other: {}\n');
  const lines = await problems({ env: { PATH: '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: path.join(bin, 'no-ca.pem') } });
  expect(lines).toEqual([
    `NODE_EXTRA_CA_CERTS=${path.join(bin, 'no-ca.pem')}: cannot read it (ENOENT: no such file or directory, open '${path.join(bin, 'no-ca.pem')}')`,
    `paths.store ${fx.config.paths.store} is not readable by others (mode 750): the web server serves it to Glance (chmod o+rx)`,
    `paths.logs ${fx.config.paths.logs} is world-writable (mode 777): chmod o-w`,
    `paths.work ${fx.config.paths.work} does not exist: create it, owned by the build user`,
    `clouds.yaml entry test01-imagebuilder: clouds.yaml entry "test01-imagebuilder" not found in ${clouds}`,
  ]);
});

test('a runner config that differs from the manifest is a problem (the bundle was edited after synth)', async () => {
  fs.appendFileSync(path.join(fx.bundleDir, 'images', 'testimg.json'), ' ');
  const lines = await problems();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^.*images\/testimg\.json: .*sha256/);
});

test('the site env file of a template: missing, then present with the required variable (values never printed)', async () => {
  const file = path.join(bin, 'env', 'default.env');
  fx.writeConfig((c) => (c.site_env = { file, variables: [{ name: 'REPORT_URL', required: true, secret: true }] }));
  expect(await problems()).toEqual([`site env file ${file} does not exist: template default needs REPORT_URL`]);
  fs.mkdirSync(path.dirname(file), { mode: 0o750 });
  fs.writeFileSync(file, 'REPORT_URL=https://report.example/v1?token=s3cret-value\n', { mode: 0o640 });
  const findings = await runDoctor(options());
  expect(findings.filter((f) => !f.ok)).toEqual([]);
  expect(findings.map((f) => f.line)).toContain(`site env file ${file}`);
  expect(JSON.stringify(findings)).not.toContain('s3cret-value');
});
