import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { AddressInfo } from 'net';
import { createHash } from 'crypto';
import { Testing } from 'cdktf';
import { loadCatalog } from '../../lib/catalog';
import type { Template } from '../../lib/catalog/model';
import { BuildTemplate, BuildTemplateProps } from '../../lib/constructs/build-template';
import {
  EXECUTE_COMMAND,
  MAKE_REMOTE_DIR,
  REMOTE_DIR,
  REMOVE_REMOTE_DIR,
  STANDARD_SCRIPTS,
  renderPackerTemplate,
  templateFileName,
} from '../../lib/constructs/packer-template';
import { generateSshKeyPair } from '../../lib/runner/packer/ssh-key';
import { describeWithTools } from '../support/tools';
import { cloudsYaml } from '../support/clouds-yaml';

const SCRIPT_DIR = path.resolve(__dirname, '../../config/provision');
const CONFIG_DIR = path.resolve(__dirname, '../../config');

const DEFAULT: Template = { name: 'default', customScripts: ['resolver.sh'] };
const NV_VGPU: Template = {
  name: 'nv_vgpu',
  customScripts: ['nvidia-grid-driver.sh'],
  variables: [
    { name: 'NVIDIA_GRID_DRIVER_URL', required: true, secret: true },
    { name: 'NVIDIA_GRID_DRIVER_SHA256', required: true, secret: false },
  ],
};
const UIB_PUPPET: Template = {
  name: 'uib_puppet',
  customScripts: ['uib-puppet.sh'],
  variables: [
    { name: 'PUPPET_SERVER', required: true, secret: false },
    { name: 'PUPPET_RELEASE_PACKAGE_URL', required: false, secret: false },
    { name: 'PUPPET_AGENT_PACKAGE', required: false, secret: false },
  ],
};
const UIO_RHEL: Template = {
  name: 'uio_rhel',
  customScripts: ['resolver.sh'],
  variables: [
    { name: 'RHSM_ORG', required: true, secret: false },
    { name: 'RHSM_ACTIVATION_KEY', required: true, secret: true },
  ],
};

function build(template: Template, props: Partial<BuildTemplateProps> = {}): BuildTemplate {
  return new BuildTemplate(Testing.app(), `template-${template.name}`, { template, scriptDir: SCRIPT_DIR, ...props });
}

const COMMON_ENV = (name: string) => [
  'GOLDSMITH_LIB=/dev/shm/goldsmith/lib.sh',
  `GOLDSMITH_TEMPLATE=${name}`,
  'DEBIAN_FRONTEND=noninteractive',
];

/** The site variables of a template as every script's environment gets them (names only). */
const SITE_ENV = (t: Template) => (t.variables ?? []).map((v) => `${v.name}={{user \`${v.name}\`}}`);

function shell(t: Template, script: string) {
  return {
    environment_vars: [...COMMON_ENV(t.name), ...SITE_ENV(t)],
    execute_command: "sudo -n bash -c '. {{.EnvVarFile}} && exec bash {{.Path}}'",
    remote_folder: '/dev/shm/goldsmith',
    script: `{{template_dir}}/../scripts/${script}`,
    type: 'shell',
    use_env_var_file: true,
  };
}

const STANDARD = [
  'uio-rhel.sh',
  'enable_ipv6.sh',
  'fstrim.sh',
  'upgrade.sh',
  'qemu_guest_agent.sh',
  'autopatch.sh',
  'sshd_hardening.sh',
  'grub.sh',
  'cleanup.sh',
  'uio-cleanup.sh',
];

function standardProvisioners(t: Template) {
  return STANDARD.map((s) => shell(t, s));
}

const BUILDER = (name: string) => ({
  availability_zone: '{{user `availability_zone`}}',
  cloud: '{{user `cloud`}}',
  flavor: '{{user `flavor`}}',
  image_name: '{{user `image_name`}}',
  image_visibility: 'private',
  metadata: { goldsmith_template: name },
  networks: ['{{user `network`}}'],
  region: '{{user `region`}}',
  security_groups: ['{{user `security_group`}}'],
  source_image: '{{user `source_image`}}',
  ssh_keypair_name: '{{user `ssh_keypair_name`}}',
  ssh_private_key_file: '{{user `ssh_private_key_file`}}',
  ssh_pty: true,
  ssh_timeout: '30m',
  ssh_username: '{{user `ssh_username`}}',
  type: 'openstack',
});

const BASE_VARIABLES = {
  availability_zone: '',
  cloud: '',
  flavor: null,
  image_name: null,
  manifest_path: null,
  network: null,
  region: '',
  security_group: null,
  source_image: null,
  ssh_keypair_name: null,
  ssh_private_key_file: null,
  ssh_username: null,
};

const MAKE_DIR = { inline: ['mkdir -m 0700 /dev/shm/goldsmith'], type: 'shell' };
const LIB_UPLOAD = { destination: '/dev/shm/goldsmith/lib.sh', source: '{{template_dir}}/../scripts/lib.sh', type: 'file' };
const REMOVE_DIR = { inline: ['sudo -n rm -rf /dev/shm/goldsmith'], type: 'shell' };
const MANIFEST = { output: '{{user `manifest_path`}}', strip_path: true, type: 'manifest' };

describe('BuildTemplate', () => {
  test('default variant: exact template', () => {
    const t = build(DEFAULT);
    expect(JSON.parse(t.json)).toEqual({
      builders: [BUILDER('default')],
      description: `goldsmith build template default: resolver.sh, ${STANDARD.join(', ')}`,
      min_packer_version: '1.6.6',
      'post-processors': [MANIFEST],
      provisioners: [MAKE_DIR, LIB_UPLOAD, shell(DEFAULT, 'resolver.sh'), ...standardProvisioners(DEFAULT), REMOVE_DIR],
      variables: BASE_VARIABLES,
    });
    expect(t.siteVariables).toEqual([]);
    expect(t.template).toEqual(JSON.parse(t.json));
    expect(Object.isFrozen(t.template.builders[0])).toBe(true);
  });

  test('provisioner order: private upload directory, library upload, custom scripts, the standard sequence, directory removal', () => {
    const t = build({ name: 'two', customScripts: ['resolver.sh', 'uib-puppet.sh'] });
    const scripts = t.template.provisioners.map((p) => (p.script as string | undefined)?.replace('{{template_dir}}/../scripts/', '') ?? p.type);
    expect(scripts).toEqual(['shell', 'file', 'resolver.sh', 'uib-puppet.sh', ...STANDARD, 'shell']);
    expect(t.template.provisioners[0]).toEqual({ type: 'shell', inline: [MAKE_REMOTE_DIR] });
    expect(t.template.provisioners.at(-1)).toEqual({ type: 'shell', inline: [REMOVE_REMOTE_DIR] });
    expect(REMOTE_DIR).toBe('/dev/shm/goldsmith');
    expect(t.sequence).toEqual(['resolver.sh', 'uib-puppet.sh', ...STANDARD]);
    expect([...STANDARD_SCRIPTS]).toEqual(STANDARD);
  });

  test('nv_vgpu variant: driver script first; site variables from packer\'s environment, the secret one sensitive', () => {
    const t = build(NV_VGPU);
    const parsed = JSON.parse(t.json);
    expect(parsed.builders).toEqual([BUILDER('nv_vgpu')]);
    expect(parsed.provisioners).toEqual([MAKE_DIR, LIB_UPLOAD, shell(NV_VGPU, 'nvidia-grid-driver.sh'), ...standardProvisioners(NV_VGPU), REMOVE_DIR]);
    expect(parsed.provisioners[2].environment_vars).toEqual([
      'GOLDSMITH_LIB=/dev/shm/goldsmith/lib.sh',
      'GOLDSMITH_TEMPLATE=nv_vgpu',
      'DEBIAN_FRONTEND=noninteractive',
      'NVIDIA_GRID_DRIVER_URL={{user `NVIDIA_GRID_DRIVER_URL`}}',
      'NVIDIA_GRID_DRIVER_SHA256={{user `NVIDIA_GRID_DRIVER_SHA256`}}',
    ]);
    expect(parsed.variables).toEqual({
      ...BASE_VARIABLES,
      NVIDIA_GRID_DRIVER_SHA256: '{{env `GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_SHA256`}}',
      NVIDIA_GRID_DRIVER_URL: '{{env `GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_URL`}}',
    });
    expect(parsed['sensitive-variables']).toEqual(['NVIDIA_GRID_DRIVER_URL']);
    expect(parsed['post-processors']).toEqual([MANIFEST]);
    expect(t.fileName).toBe('nv_vgpu.json');
    expect(t.scripts.map((s) => s.name)).toEqual(['lib.sh', 'nvidia-grid-driver.sh', ...STANDARD]);
    expect(t.siteVariables).toEqual(NV_VGPU.variables);
  });

  test('uib_puppet and uio_rhel: every script of the template gets the template\'s variables', () => {
    for (const template of [UIB_PUPPET, UIO_RHEL]) {
      const t = build(template);
      const shells = t.template.provisioners.filter((p) => p.script !== undefined);
      expect(shells).toHaveLength(t.sequence.length);
      for (const p of shells) expect(p.environment_vars).toEqual([...COMMON_ENV(template.name), ...SITE_ENV(template)]);
    }
    expect(build(UIB_PUPPET).template['sensitive-variables']).toBeUndefined();
    expect(build(UIO_RHEL).template['sensitive-variables']).toEqual(['RHSM_ACTIVATION_KEY']);
  });

  test('site values are never in the template, and no script reads a site variable from a command line', () => {
    // The execute command sources packer's env var file: no {{ .Vars }} (values inline on the VM's command line).
    expect(EXECUTE_COMMAND).not.toContain('.Vars');
    expect(EXECUTE_COMMAND).toContain('{{.EnvVarFile}}');
    for (const template of [DEFAULT, NV_VGPU, UIB_PUPPET, UIO_RHEL]) {
      const t = build(template);
      for (const p of t.template.provisioners) {
        if (p.script === undefined) continue;
        expect(p).toMatchObject({ use_env_var_file: true, remote_folder: REMOTE_DIR, execute_command: EXECUTE_COMMAND });
      }
      // site values reach packer through its environment only: an {{env}} default per variable
      for (const v of template.variables ?? []) expect(t.template.variables[v.name]).toBe(`{{env \`GOLDSMITH_SITE_${v.name}\`}}`);
    }
  });

  test.each([
    [{ name: 'PATH', required: true, secret: false }, /variable name 'PATH' is invalid: PATH is read by the shell or by goldsmith itself/],
    [{ name: 'GOLDSMITH_LIB', required: true, secret: false }, /names starting with GOLDSMITH_ are reserved/],
    [{ name: 'LD_PRELOAD', required: true, secret: false }, /names starting with LD_ are reserved/],
    [{ name: 'lower', required: true, secret: false }, /must match \[A-Z\]\[A-Z0-9_\]\*/],
  ])('rejects site variable %j', (variable, message) => {
    expect(() => renderPackerTemplate({ name: 'x', customScripts: [], variables: [variable] })).toThrow(message);
  });

  test('rejects a site variable declared twice', () => {
    const v = { name: 'A_B', required: true, secret: true };
    expect(() => renderPackerTemplate({ name: 'x', customScripts: [], variables: [v, v] })).toThrow('template x: variable A_B is declared twice');
  });

  test('the bundled catalog: every declared variable is read by a script of its template; UiO RHEL images use uio_rhel', () => {
    const catalog = loadCatalog(CONFIG_DIR);
    const byName = new Map(catalog.templates.map((t) => [t.name, t]));
    expect(byName.get('uio_rhel')?.variables?.map((v) => v.name)).toEqual(['RHSM_ORG', 'RHSM_ACTIVATION_KEY', 'SATELLITE_URL', 'UIO_RPM_URL', 'REPORT_URL']);
    expect(byName.get('nv_vgpu')?.variables?.map((v) => v.name)).toEqual([
      'NVIDIA_GRID_DRIVER_URL',
      'NVIDIA_GRID_DRIVER_SHA256',
      'NVIDIA_GRIDD_CONF_URL',
      'NVIDIA_CLIENT_CONFIG_TOKEN_URL',
      'REPORT_URL',
    ]);
    expect(byName.get('uib_puppet')?.variables?.map((v) => v.name)).toEqual([
      'PUPPET_SERVER',
      'PUPPET_RELEASE_PACKAGE_URL',
      'PUPPET_AGENT_PACKAGE',
      'PUPPET_CA_SERVER',
      'PUPPET_ENVIRONMENT',
      'PUPPET_CERTNAME_PREFIX',
      'REPORT_URL',
    ]);
    expect(byName.get('default')?.variables?.map((v) => v.name)).toEqual(['REPORT_URL']);
    expect(byName.get('windows')?.variables?.map((v) => v.name)).toEqual(['WINDOWS_BUILD_HOST', 'WINDOWS_PACKER_DIR']);
    for (const image of catalog.images.filter((i) => i.name.startsWith('uio_'))) expect(image.template).toBe('uio_rhel');
    for (const template of catalog.templates) {
      if (template.externalCommand !== undefined) continue;
      const t = build(template);
      const text = t.scripts.map((s) => s.content).join('\n');
      for (const v of template.variables ?? []) expect({ name: v.name, read: new RegExp(`\\$\\{?${v.name}\\b`).test(text) }).toEqual({ name: v.name, read: true });
    }
  });

  test('json is canonical: sorted keys, 2-space indent, trailing newline; sha256 of the text', () => {
    const t = build(DEFAULT);
    expect(t.json.endsWith('}\n')).toBe(true);
    expect(t.json.startsWith('{\n  "builders": [\n')).toBe(true);
    const keys = Object.keys(JSON.parse(t.json));
    expect(keys).toEqual([...keys].sort());
    expect(t.sha256).toBe(createHash('sha256').update(t.json).digest('hex'));
    expect(build(DEFAULT).json).toBe(t.json);
    expect(build(NV_VGPU).sha256).not.toBe(t.sha256);
  });

  test('no credentials: only the clouds.yaml entry name, via a variable', () => {
    const t = build(DEFAULT);
    for (const key of ['password', 'username', 'token', 'identity_endpoint', 'application_credential_secret', 'tenant_name']) {
      expect(t.template.builders[0]).not.toHaveProperty(key);
    }
    expect(t.template.builders[0].cloud).toBe('{{user `cloud`}}');
  });

  test('scripts: content and sha256 from the script directory, library first', () => {
    const t = build(DEFAULT);
    expect(t.scripts[0].name).toBe('lib.sh');
    for (const s of t.scripts) {
      const content = fs.readFileSync(path.join(SCRIPT_DIR, s.name), 'utf8');
      expect(s.content).toBe(content);
      expect(s.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    }
  });

  test('variables', () => {
    const t = build(NV_VGPU);
    expect(t.requiredVariables).toEqual([
      'flavor',
      'image_name',
      'manifest_path',
      'network',
      'security_group',
      'source_image',
      'ssh_keypair_name',
      'ssh_private_key_file',
      'ssh_username',
    ]);
    expect(t.variables).toContain('NVIDIA_GRID_DRIVER_URL');
    expect(t.variables).toContain('cloud');
  });

  test('ipv6: false leaves out enable_ipv6.sh; sshTimeout is used', () => {
    const t = build(DEFAULT, { ipv6: false, sshTimeout: '1h' });
    expect(t.sequence).toEqual(['resolver.sh', ...STANDARD.filter((s) => s !== 'enable_ipv6.sh')]);
    expect(t.scripts.map((s) => s.name)).not.toContain('enable_ipv6.sh');
    expect(t.template.builders[0].ssh_timeout).toBe('1h');
  });

  test.each([
    [{ name: 'Default', customScripts: [] }, /template name 'Default' is invalid/],
    [{ name: 'nv-vgpu', customScripts: [] }, /template name 'nv-vgpu' is invalid/],
    [{ name: '', customScripts: [] }, /template name '' is invalid/],
    [{ name: 'x', customScripts: ['../etc/passwd.sh'] }, /script name '..\/etc\/passwd.sh' is invalid/],
    [{ name: 'x', customScripts: ['/opt/imagebuilder/scripts/nvidia-grid-driver.sh'] }, /is invalid/],
    [{ name: 'x', customScripts: ['run.py'] }, /script name 'run.py' is invalid/],
    [{ name: 'x', customScripts: ['a b.sh'] }, /is invalid/],
    [{ name: 'x', customScripts: ['.hidden.sh'] }, /is invalid/],
    [{ name: 'x', customScripts: ['lib.sh'] }, /provisioning library/],
    [{ name: 'x', customScripts: ['cleanup.sh'] }, /part of the standard sequence/],
    [{ name: 'x', customScripts: ['resolver.sh', 'resolver.sh'] }, /listed twice/],
    [{ name: 'x', customScripts: ['missing.sh'] }, /template x: provisioning script missing.sh not found in .*config\/provision/],
  ])('rejects %j', (template, message) => {
    expect(() => build(template as Template)).toThrow(message);
  });

  test('a script swapped for a symlink after validation is refused, not copied into the bundle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-template-'));
    try {
      fs.cpSync(SCRIPT_DIR, dir, { recursive: true });
      const secret = path.join(dir, 'secret');
      fs.writeFileSync(secret, 'OS_PASSWORD=hunter2\n');
      fs.rmSync(path.join(dir, 'resolver.sh'));
      fs.symlinkSync(secret, path.join(dir, 'resolver.sh'));
      expect(() => build(DEFAULT, { scriptDir: dir })).toThrow(
        `template default: provisioning script resolver.sh in ${dir} is a symbolic link: only regular files are read`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects a bad sshTimeout', () => {
    expect(() => build(DEFAULT, { sshTimeout: '30 minutes' })).toThrow(/sshTimeout '30 minutes' is not a duration/);
  });

  test('template file names never end in .pkr.json (packer would parse them as HCL2)', () => {
    expect(templateFileName('default')).toBe('default.json');
    expect(() => templateFileName('a/b')).toThrow(/invalid/);
  });

  test('the execute command runs scripts as root without prompting, sourcing packer\'s env var file', () => {
    expect(EXECUTE_COMMAND).toBe("sudo -n bash -c '. {{.EnvVarFile}} && exec bash {{.Path}}'");
  });
});

// ---- packer itself ----------------------------------------------------------------------------

interface Run {
  code: number;
  out: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** Writes a bundle-like directory: templates/<file> and scripts/<script>. */
function writeBundle(dir: string, t: BuildTemplate, fileName = t.fileName, json = t.json): string {
  fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  for (const s of t.scripts) fs.writeFileSync(path.join(dir, 'scripts', s.name), s.content, { mode: 0o755 });
  const file = path.join('templates', fileName);
  fs.writeFileSync(path.join(dir, file), json);
  return file;
}

/**
 * A fake Keystone: packer 1.6.6's openstack builder authenticates while preparing the build, so a
 * full `packer validate` (unknown options, missing scripts, provisioner and post-processor
 * settings) needs a token. It answers POST /v3/auth/tokens and nothing else.
 */
function fakeKeystone(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': 'fake-token' });
        res.end(
          JSON.stringify({
            token: {
              expires_at: '2099-01-01T00:00:00.000000Z',
              issued_at: '2026-01-01T00:00:00.000000Z',
              methods: ['password'],
              user: { id: 'u', name: 'imagebuilder', domain: { id: 'default', name: 'Default' } },
              project: { id: 'p', name: 'imagebuilder', domain: { id: 'default', name: 'Default' } },
              catalog: [],
            },
          }),
        );
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v3`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

const PACKER_VARS: Record<string, string> = {
  cloud: 'fake',
  flavor: 'img.zerodisk',
  image_name: 'goldsmith-build-ubuntu_2404',
  manifest_path: '/tmp/goldsmith-manifest.json',
  network: '00000000-0000-0000-0000-000000000001',
  security_group: 'goldsmith-builder-ssh',
  source_image: '00000000-0000-0000-0000-000000000002',
  ssh_keypair_name: 'goldsmith-ubuntu_2404-20261125T093000Z-0123abcd',
  ssh_username: 'ubuntu',
};

describeWithTools(['packer'], 'packer accepts the templates', () => {
  let tmp: string;
  let keystone: { url: string; close: () => Promise<void> };
  let env: NodeJS.ProcessEnv;
  let keyFile: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-packer-'));
    keystone = await fakeKeystone();
    const clouds = path.join(tmp, 'clouds.yaml');
    fs.writeFileSync(
      clouds,
      cloudsYaml('fake', keystone.url, 'imagebuilder', 'not-a-secret'),
    );
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    // the runner's key format: packer 1.6.6 parses ssh_private_key_file while preparing the build
    keyFile = path.join(tmp, 'build-key');
    fs.writeFileSync(keyFile, generateSshKeyPair(PACKER_VARS.ssh_keypair_name).privateKey, { mode: 0o600 });
    env = {
      PATH: process.env.PATH,
      HOME: home,
      CHECKPOINT_DISABLE: '1',
      OS_CLIENT_CONFIG_FILE: clouds,
      // site values as the runner passes them: packer's environment, never -var
      GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_URL: 'https://drivers.example/grid.run?token=abc',
      GOLDSMITH_SITE_RHSM_ACTIVATION_KEY: "key with 'quotes' and $(id)",
    };
  });

  afterAll(async () => {
    await keystone?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const varArgs = (): string[] => [...Object.entries(PACKER_VARS).flatMap(([k, v]) => ['-var', `${k}=${v}`]), '-var', `ssh_private_key_file=${keyFile}`];

  test.each([DEFAULT, NV_VGPU, UIB_PUPPET, UIO_RHEL])('$name: packer validate -syntax-only passes', async (template) => {
    const dir = path.join(tmp, `syntax-${template.name}`);
    const file = writeBundle(dir, build(template));
    const r = await run('packer', ['validate', '-syntax-only', file], { cwd: dir, env });
    expect(r).toEqual({ code: 0, out: expect.stringContaining('Syntax-only check passed') });
  });

  test.each([DEFAULT, NV_VGPU, UIB_PUPPET, UIO_RHEL])(
    '$name: full packer validate passes (every option known, the key file readable, every script present)',
    async (template) => {
      const dir = path.join(tmp, `full-${template.name}`);
      const file = writeBundle(dir, build(template));
      const r = await run('packer', ['validate', ...varArgs(), file], { cwd: dir, env });
      expect(r).toEqual({ code: 0, out: expect.any(String) });
    },
  );

  test('negative: broken JSON fails syntax-only validation', async () => {
    const dir = path.join(tmp, 'broken');
    const t = build(DEFAULT);
    const file = writeBundle(dir, t, t.fileName, t.json.replace('"builders": [', '"builders": [[,'));
    const r = await run('packer', ['validate', '-syntax-only', file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
  });

  test('negative: a legacy template named .pkr.json is parsed as HCL2 and fails', async () => {
    const dir = path.join(tmp, 'pkrjson');
    const t = build(DEFAULT);
    const file = writeBundle(dir, t, 'default.pkr.json');
    const r = await run('packer', ['validate', '-syntax-only', file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/No argument or block type is named "builders"/);
  });

  test('negative: an option the openstack builder does not know fails full validation', async () => {
    const dir = path.join(tmp, 'unknown-option');
    const t = build(DEFAULT);
    const broken = JSON.parse(t.json);
    broken.builders[0].no_such_option = true;
    const file = writeBundle(dir, t, t.fileName, JSON.stringify(broken, null, 2));
    const r = await run('packer', ['validate', ...varArgs(), file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unknown configuration key: '"no_such_option"'/);
  });

  test('negative: a missing script fails full validation', async () => {
    const dir = path.join(tmp, 'missing-script');
    const file = writeBundle(dir, build(NV_VGPU));
    fs.rmSync(path.join(dir, 'scripts', 'nvidia-grid-driver.sh'));
    const r = await run('packer', ['validate', ...varArgs(), file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/nvidia-grid-driver\.sh/);
  });

  test('negative: a required variable left out fails full validation', async () => {
    const dir = path.join(tmp, 'missing-var');
    const file = writeBundle(dir, build(DEFAULT));
    const args = varArgs();
    args.splice(args.indexOf(`source_image=${PACKER_VARS.source_image}`) - 1, 2);
    const r = await run('packer', ['validate', ...args, file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/source_image/);
  });

  test('negative: a key file packer cannot parse fails full validation (so the runner\'s format is checked above)', async () => {
    const dir = path.join(tmp, 'bad-key');
    const file = writeBundle(dir, build(DEFAULT));
    const bad = path.join(dir, 'bad-key');
    fs.writeFileSync(bad, 'not a key\n', { mode: 0o600 });
    const args = varArgs();
    args[args.length - 1] = `ssh_private_key_file=${bad}`;
    const r = await run('packer', ['validate', ...args, file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/ssh_private_key_file/);
  });

  test('why the runner refuses {{ in a site value: packer evaluates it in the {{env}} default', async () => {
    const dir = path.join(tmp, 'expand-site');
    const file = writeBundle(dir, build(UIO_RHEL));
    const r = await run('packer', ['validate', ...varArgs(), file], {
      cwd: dir,
      env: { ...env, GOLDSMITH_SITE_RHSM_ACTIVATION_KEY: '{{env `HOME`}}' },
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/env vars are not allowed here/);
  });
});

describe('renderPackerTemplate', () => {
  test('same input, same object', () => {
    expect(renderPackerTemplate({ name: 'default', customScripts: ['resolver.sh'] })).toEqual(
      renderPackerTemplate({ name: 'default', customScripts: ['resolver.sh'] }),
    );
  });
});
