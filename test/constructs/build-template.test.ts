import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { AddressInfo } from 'net';
import { createHash } from 'crypto';
import { Testing } from 'cdktf';
import type { Template } from '../../lib/catalog/model';
import { BuildTemplate, BuildTemplateProps } from '../../lib/constructs/build-template';
import {
  EXECUTE_COMMAND,
  STANDARD_SCRIPTS,
  renderPackerTemplate,
  templateFileName,
} from '../../lib/constructs/packer-template';
import { describeWithTools } from '../support/tools';

const SCRIPT_DIR = path.resolve(__dirname, '../../config/provision');

const DEFAULT: Template = { name: 'default', customScripts: ['resolver.sh'] };
const NV_VGPU: Template = { name: 'nv_vgpu', customScripts: ['nvidia-grid-driver.sh'] };
const UIB_PUPPET: Template = { name: 'uib_puppet', customScripts: ['uib-puppet.sh'] };

function build(template: Template, props: Partial<BuildTemplateProps> = {}): BuildTemplate {
  return new BuildTemplate(Testing.app(), `template-${template.name}`, { template, scriptDir: SCRIPT_DIR, ...props });
}

const COMMON_ENV = (name: string) => [
  'GOLDSMITH_LIB=/tmp/goldsmith-lib.sh',
  `GOLDSMITH_TEMPLATE=${name}`,
  'DEBIAN_FRONTEND=noninteractive',
];

function shell(name: string, script: string, extraEnv: string[] = []) {
  return {
    environment_vars: [...COMMON_ENV(name), ...extraEnv],
    execute_command: "sudo -n env {{ .Vars }} bash '{{ .Path }}'",
    script: `{{template_dir}}/../scripts/${script}`,
    type: 'shell',
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

const RHSM_ENV = ['RHSM_ORG={{user `rhsm_org`}}', 'RHSM_ACTIVATION_KEY={{user `rhsm_activation_key`}}'];

function standardProvisioners(name: string) {
  return STANDARD.map((s) => shell(name, s, s === 'uio-rhel.sh' ? RHSM_ENV : []));
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
  rhsm_activation_key: '{{env `RHSM_ACTIVATION_KEY`}}',
  rhsm_org: '{{env `RHSM_ORG`}}',
  security_group: null,
  source_image: null,
  ssh_username: null,
};

const LIB_UPLOAD = { destination: '/tmp/goldsmith-lib.sh', source: '{{template_dir}}/../scripts/lib.sh', type: 'file' };
const LIB_REMOVE = { inline: ['rm -f /tmp/goldsmith-lib.sh'], type: 'shell' };
const MANIFEST = { output: '{{user `manifest_path`}}', strip_path: true, type: 'manifest' };

describe('BuildTemplate', () => {
  test('default variant: exact template', () => {
    const t = build(DEFAULT);
    expect(JSON.parse(t.json)).toEqual({
      builders: [BUILDER('default')],
      description: `goldsmith build template default: resolver.sh, ${STANDARD.join(', ')}`,
      min_packer_version: '1.6.6',
      'post-processors': [MANIFEST],
      provisioners: [LIB_UPLOAD, shell('default', 'resolver.sh'), ...standardProvisioners('default'), LIB_REMOVE],
      'sensitive-variables': ['rhsm_activation_key'],
      variables: BASE_VARIABLES,
    });
    expect(t.template).toEqual(JSON.parse(t.json));
    expect(Object.isFrozen(t.template.builders[0])).toBe(true);
  });

  test('provisioner order: library upload, custom scripts, the standard sequence, library removal', () => {
    const t = build({ name: 'two', customScripts: ['resolver.sh', 'uib-puppet.sh'] });
    const scripts = t.template.provisioners.map((p) => (p.script as string | undefined)?.replace('{{template_dir}}/../scripts/', '') ?? p.type);
    expect(scripts).toEqual(['file', 'resolver.sh', 'uib-puppet.sh', ...STANDARD, 'shell']);
    expect(t.sequence).toEqual(['resolver.sh', 'uib-puppet.sh', ...STANDARD]);
    expect([...STANDARD_SCRIPTS]).toEqual(STANDARD);
  });

  test('nv_vgpu variant: driver script first, with its environment and variables', () => {
    const t = build(NV_VGPU);
    const parsed = JSON.parse(t.json);
    expect(parsed.builders).toEqual([BUILDER('nv_vgpu')]);
    expect(parsed.provisioners).toEqual([
      LIB_UPLOAD,
      shell('nv_vgpu', 'nvidia-grid-driver.sh', [
        'NVIDIA_GRID_DRIVER_URL={{user `nvidia_grid_driver_url`}}',
        'NVIDIA_GRID_DRIVER_SHA256={{user `nvidia_grid_driver_sha256`}}',
      ]),
      ...standardProvisioners('nv_vgpu'),
      LIB_REMOVE,
    ]);
    expect(parsed.variables).toEqual({
      ...BASE_VARIABLES,
      nvidia_grid_driver_sha256: '{{env `NVIDIA_GRID_DRIVER_SHA256`}}',
      nvidia_grid_driver_url: '{{env `NVIDIA_GRID_DRIVER_URL`}}',
    });
    expect(parsed['post-processors']).toEqual([MANIFEST]);
    expect(t.fileName).toBe('nv_vgpu.json');
    expect(t.scripts.map((s) => s.name)).toEqual(['lib.sh', 'nvidia-grid-driver.sh', ...STANDARD]);
  });

  test('uib_puppet variant passes the Puppet settings', () => {
    const t = build(UIB_PUPPET);
    expect(t.template.provisioners[1]).toEqual(
      shell('uib_puppet', 'uib-puppet.sh', [
        'PUPPET_SERVER={{user `puppet_server`}}',
        'PUPPET_RELEASE_PACKAGE_URL={{user `puppet_release_package_url`}}',
        'PUPPET_AGENT_PACKAGE={{user `puppet_agent_package`}}',
      ]),
    );
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
      'ssh_username',
    ]);
    expect(t.variables).toContain('nvidia_grid_driver_url');
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

  test('the execute command runs scripts as root without prompting', () => {
    expect(EXECUTE_COMMAND).toBe("sudo -n env {{ .Vars }} bash '{{ .Path }}'");
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
  ssh_username: 'ubuntu',
};

describeWithTools(['packer'], 'packer accepts the templates', () => {
  let tmp: string;
  let keystone: { url: string; close: () => Promise<void> };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-packer-'));
    keystone = await fakeKeystone();
    const clouds = path.join(tmp, 'clouds.yaml');
    fs.writeFileSync(
      clouds,
      [
        'clouds:',
        '  fake:',
        '    auth:',
        `      auth_url: ${keystone.url}`,
        '      username: imagebuilder',
        '      password: not-a-secret',
        '      project_name: imagebuilder',
        '      user_domain_name: Default',
        '      project_domain_name: Default',
        '    region_name: bgo',
        '',
      ].join('\n'),
    );
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    env = {
      PATH: process.env.PATH,
      HOME: home,
      CHECKPOINT_DISABLE: '1',
      OS_CLIENT_CONFIG_FILE: clouds,
    };
  });

  afterAll(async () => {
    await keystone?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const varArgs = Object.entries(PACKER_VARS).flatMap(([k, v]) => ['-var', `${k}=${v}`]);

  test.each([DEFAULT, NV_VGPU, UIB_PUPPET])('$name: packer validate -syntax-only passes', async (template) => {
    const dir = path.join(tmp, `syntax-${template.name}`);
    const file = writeBundle(dir, build(template));
    const r = await run('packer', ['validate', '-syntax-only', file], { cwd: dir, env });
    expect(r).toEqual({ code: 0, out: expect.stringContaining('Syntax-only check passed') });
  });

  test.each([DEFAULT, NV_VGPU, UIB_PUPPET])(
    '$name: full packer validate passes (every option known, every script present)',
    async (template) => {
      const dir = path.join(tmp, `full-${template.name}`);
      const file = writeBundle(dir, build(template));
      const r = await run('packer', ['validate', ...varArgs, file], { cwd: dir, env });
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
    const r = await run('packer', ['validate', ...varArgs, file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unknown configuration key: '"no_such_option"'/);
  });

  test('negative: a missing script fails full validation', async () => {
    const dir = path.join(tmp, 'missing-script');
    const file = writeBundle(dir, build(NV_VGPU));
    fs.rmSync(path.join(dir, 'scripts', 'nvidia-grid-driver.sh'));
    const r = await run('packer', ['validate', ...varArgs, file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/nvidia-grid-driver\.sh/);
  });

  test('negative: a required variable left out fails full validation', async () => {
    const dir = path.join(tmp, 'missing-var');
    const file = writeBundle(dir, build(DEFAULT));
    const args = Object.entries(PACKER_VARS)
      .filter(([k]) => k !== 'source_image')
      .flatMap(([k, v]) => ['-var', `${k}=${v}`]);
    const r = await run('packer', ['validate', ...args, file], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/source_image/);
  });
});

describe('renderPackerTemplate', () => {
  test('same input, same object', () => {
    expect(renderPackerTemplate({ name: 'default', customScripts: ['resolver.sh'] })).toEqual(
      renderPackerTemplate({ name: 'default', customScripts: ['resolver.sh'] }),
    );
  });
});
