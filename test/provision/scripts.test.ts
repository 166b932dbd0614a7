// The provisioning scripts in config/provision/: syntax, shellcheck, the shared library's
// distribution detection and helpers, the variables each script reads (against docs/provisioning.md
// and templates.yaml), and the paths that must do nothing or fail before touching the system.
// What the scripts do to a system is test/provision/debootstrap.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as YAML from 'yaml';
import { PROVISION_LIB, STANDARD_SCRIPTS } from '../../lib/constructs/packer-template';
import { describeWithTools } from '../support/tools';

const REPO = path.resolve(__dirname, '../..');
const DIR = path.join(REPO, 'config/provision');
const SCRIPTS = fs.readdirSync(DIR).filter((f) => f.endsWith('.sh')).sort();
const CUSTOM = ['nvidia-grid-driver.sh', 'report.sh', 'resolver.sh', 'uib-puppet.sh'];

const OS_RELEASE: Record<string, string> = {
  ubuntu: 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n',
  debian: 'ID=debian\nVERSION_ID="13"\n',
  alma: 'ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.6"\n',
  rocky: 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\n',
  centos: 'ID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="10"\n',
  rhel: 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.6"\n',
  rhel7: 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="7.9"\n',
  fedora33: 'ID=fedora\nVERSION_ID=33\n',
  fedora43: 'ID=fedora\nVERSION_ID=43\n',
  arch: 'ID=arch\n',
};

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-provision-'));
  for (const [name, text] of Object.entries(OS_RELEASE)) fs.writeFileSync(path.join(tmp, name), text);
  // Safety net: these tests run on the host, maybe as root. `id` says uid 1000, so a script that
  // got past its input checks stops at gs_require_root instead of changing this machine.
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.writeFileSync(path.join(tmp, 'bin/id'), '#!/bin/sh\necho 1000\n', { mode: 0o755 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a script (or bash -c code) with a fake os-release; only a minimal environment. */
function runScript(args: string[], osRelease: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', args, {
    cwd: DIR,
    encoding: 'utf8',
    // stdin /dev/null: bash reads ~/.bashrc when its stdin is a socket (as Node's pipes are).
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
    env: {
      PATH: `${path.join(tmp, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      GOLDSMITH_OS_RELEASE: path.join(tmp, osRelease),
      ...env,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The variables a script reads: `${NAME:-…}` with an upper-case name, but goldsmith's own. */
function variablesRead(script: string): string[] {
  const text = fs.readFileSync(path.join(DIR, script), 'utf8');
  const names = new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*):-/g)].map((m) => m[1]!));
  return [...names].filter((n) => !n.startsWith('GOLDSMITH_') && !n.startsWith('GS_')).sort();
}

interface DocVariable {
  readonly name: string;
  readonly script: string;
  readonly required: string;
  readonly secret: boolean;
}

/** The variables table of docs/provisioning.md. */
function documentedVariables(): DocVariable[] {
  const doc = fs.readFileSync(path.join(REPO, 'docs/provisioning.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Variables\n'));
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return { name: cells[1]!.replace(/`/g, ''), script: cells[2]!, required: cells[3]!, secret: cells[4]!.startsWith('yes') };
    });
}

/** templates.yaml: each template's custom scripts and declared variables (`secret` defaults to true). */
function templates(): Record<string, { scripts: string[]; variables: { name: string; secret: boolean }[] }> {
  const raw = YAML.parse(fs.readFileSync(path.join(REPO, 'config/templates.yaml'), 'utf8')) as {
    templates: Record<string, { custom_scripts?: string[]; external_command?: string[]; variables?: { name: string; secret?: boolean }[] }>;
  };
  return Object.fromEntries(
    Object.entries(raw.templates)
      .filter(([, t]) => t.external_command === undefined)
      .map(([name, t]) => [
        name,
        {
          scripts: [...(t.custom_scripts ?? []), ...STANDARD_SCRIPTS],
          variables: (t.variables ?? []).map((v) => ({ name: v.name, secret: v.secret ?? true })),
        },
      ]),
  );
}

describe('provisioning scripts', () => {
  test('the directory holds the library, the standard sequence and the custom scripts, nothing else', () => {
    expect(SCRIPTS).toEqual([PROVISION_LIB, ...STANDARD_SCRIPTS, ...CUSTOM].sort());
    // NREC's report timer is an optional site script (a template's custom_scripts), not standard.
    expect(STANDARD_SCRIPTS).not.toContain('report.sh');
  });

  test.each(SCRIPTS)('%s passes bash -n', (script) => {
    const r = spawnSync('bash', ['-n', path.join(DIR, script)], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test.each(SCRIPTS.filter((s) => s !== PROVISION_LIB))('%s: bash, strict mode, sources the library first', (script) => {
    const lines = fs.readFileSync(path.join(DIR, script), 'utf8').split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    const code = lines.filter((l) => l !== '' && !l.startsWith('#'));
    expect(code.slice(0, 4)).toEqual([
      'set -euo pipefail',
      'GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"',
      '[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }',
      'source "$GOLDSMITH_LIB"',
    ]);
  });

  test('a missing library fails clearly', () => {
    const r = runScript([path.join(DIR, 'upgrade.sh')], 'ubuntu', { GOLDSMITH_LIB: path.join(tmp, 'nope.sh') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('provisioning library');
  });
});

describe('site variables', () => {
  test('docs/provisioning.md lists exactly the variables each script reads', () => {
    const documented = documentedVariables();
    const byScript = (script: string) => documented.filter((v) => v.script === script).map((v) => v.name).sort();
    const read = Object.fromEntries(SCRIPTS.filter((s) => s !== PROVISION_LIB).map((s) => [s, variablesRead(s)]));
    expect(Object.fromEntries(Object.keys(read).map((s) => [s, byScript(s)]))).toEqual(read);
    expect(documented.map((v) => v.script).filter((s) => !SCRIPTS.includes(s))).toEqual([]);
    // The table as the scripts have it today (a change here is a change for the builder's env files).
    expect(read).toEqual({
      'autopatch.sh': [],
      'cleanup.sh': [],
      'enable_ipv6.sh': [],
      'fstrim.sh': [],
      'grub.sh': [],
      'nvidia-grid-driver.sh': ['NVIDIA_CLIENT_CONFIG_TOKEN_URL', 'NVIDIA_GRIDD_CONF_URL', 'NVIDIA_GRID_DRIVER_SHA256', 'NVIDIA_GRID_DRIVER_URL'],
      'qemu_guest_agent.sh': [],
      'report.sh': ['REPORT_URL'],
      'resolver.sh': [],
      'sshd_hardening.sh': [],
      'uib-puppet.sh': [
        'PUPPET_AGENT_PACKAGE', 'PUPPET_CA_SERVER', 'PUPPET_CERTNAME_PREFIX', 'PUPPET_ENVIRONMENT', 'PUPPET_RELEASE_PACKAGE_URL', 'PUPPET_SERVER',
      ],
      'uio-cleanup.sh': [],
      'uio-rhel.sh': ['RHSM_ACTIVATION_KEY', 'RHSM_ORG', 'SATELLITE_URL', 'UIO_RPM_URL'],
      'upgrade.sh': [],
    });
  });

  test('secret in the docs: activation key, licence token, the licensed driver URL', () => {
    expect(documentedVariables().filter((v) => v.secret).map((v) => v.name)).toEqual([
      'RHSM_ACTIVATION_KEY',
      'NVIDIA_GRID_DRIVER_URL',
      'NVIDIA_CLIENT_CONFIG_TOKEN_URL',
    ]);
  });

  test('every variable a template declares is read by one of its scripts, with the documented secrecy', () => {
    const documented = new Map(documentedVariables().map((v) => [v.name, v]));
    const problems: string[] = [];
    for (const [name, t] of Object.entries(templates())) {
      const read = new Set(t.scripts.flatMap(variablesRead));
      for (const v of t.variables) {
        if (!read.has(v.name)) problems.push(`${name}: ${v.name} is read by none of ${t.scripts.join(' ')}`);
        else if (documented.get(v.name)!.secret !== v.secret) problems.push(`${name}: ${v.name} secret ${v.secret}, documented ${!v.secret}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('lib.sh distribution detection', () => {
  const detect = (osRelease: string) =>
    runScript(['-c', 'set -euo pipefail; source ./lib.sh; echo "$GS_FAMILY $GS_OS_ID $GS_OS_MAJOR"'], osRelease);

  test.each([
    ['ubuntu', 'apt ubuntu 24'],
    ['debian', 'apt debian 13'],
    ['alma', 'dnf almalinux 9'],
    ['rocky', 'dnf rocky 8'],
    ['centos', 'dnf centos 10'],
    ['rhel', 'dnf rhel 9'],
    ['fedora43', 'dnf fedora 43'],
  ])('%s -> %s', (osRelease, expected) => {
    const r = detect(osRelease);
    expect({ status: r.status, out: r.stdout.trim() }).toEqual({ status: 0, out: expected });
  });

  test('an unsupported distribution fails with the reason', () => {
    const r = detect('arch');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unsupported distribution 'arch'");
  });

  test('detection does not leak os-release variables into the script', () => {
    const r = runScript(['-c', 'set -euo pipefail; source ./lib.sh; echo "${ID:-unset} ${VERSION_ID:-unset}"'], 'alma');
    expect(r.stdout.trim()).toBe('unset unset');
  });
});

describe('lib.sh helpers', () => {
  const lib = (code: string, env: Record<string, string> = {}) => runScript(['-c', `set -euo pipefail; source ./lib.sh; ${code}`], 'debian', env);

  test('gs_require_env: one line naming every missing variable, never a value', () => {
    expect(lib('gs_require_env A B C; echo ok', { A: 'x', B: 'secret-value', C: 'y' })).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
    expect(lib('gs_require_env A B; echo ok', { A: 'x', B: '' })).toEqual({
      status: 1,
      stdout: '',
      stderr: 'goldsmith bash: ERROR: required variable B is not set\n',
    });
    expect(lib('gs_require_env A B C', { B: 'secret-value' })).toEqual({
      status: 1,
      stdout: '',
      stderr: 'goldsmith bash: ERROR: required variables A C are not set\n',
    });
  });

  test.each([
    ['https://satellite.example.org', 'https', ''],
    ['file:///srv/driver.run', 'https file', ''],
    ['https://x/y?token=abc&b=c', 'https', ''],
    ['http://rpm.uio.no', 'https', 'U must be a URL with scheme https'],
    ['https://', 'https', 'U must be a URL with scheme https'],
    ['ftp://x/y', 'https http file', 'U must be a URL with scheme https or http or file'],
    ['https://x/a b', 'https', 'U must be a URL without spaces, quotes or backslashes'],
    ['https://x/"y', 'https', 'U must be a URL without spaces, quotes or backslashes'],
    ["https://x/'y", 'https', 'U must be a URL without spaces, quotes or backslashes'],
    ['https://x/\\y', 'https', 'U must be a URL without spaces, quotes or backslashes'],
    ['https://x/\ty', 'https', 'U must be a URL without spaces, quotes or backslashes'],
  ])('gs_check_url %j (%s)', (url, schemes, message) => {
    const r = lib(`gs_check_url U "${schemes}"; echo ok`, { U: url });
    expect(r).toEqual(message ? { status: 1, stdout: '', stderr: `goldsmith bash: ERROR: ${message}\n` } : { status: 0, stdout: 'ok\n', stderr: '' });
  });
});

// These exit before they change anything: no-op on other distributions, or input checks first.
describe('scripts that do nothing or fail early', () => {
  /** The failure: exit 1 and exactly one line on stderr, which must not contain `secret`. */
  const failsWith = (r: { status: number | null; stdout: string; stderr: string }, message: string, secret?: string) => {
    expect({ status: r.status, stdout: r.stdout, lines: r.stderr.split('\n').filter(Boolean).length }).toEqual({ status: 1, stdout: '', lines: 1 });
    expect(r.stderr).toContain(message);
    if (secret) expect(r.stderr).not.toContain(secret);
  };

  test.each([
    ['uio-rhel.sh', 'ubuntu', 'not RHEL (ubuntu): nothing to do'],
    ['uio-rhel.sh', 'alma', 'not RHEL (almalinux): nothing to do'],
    ['uio-cleanup.sh', 'debian', 'not RHEL (debian): nothing to do'],
    ['resolver.sh', 'alma', 'not Fedora 32-34 (almalinux 9.6): nothing to do'],
    ['resolver.sh', 'fedora43', 'not Fedora 32-34 (fedora 43): nothing to do'],
  ])('%s on %s is a no-op', (script, osRelease, message) => {
    const r = runScript([script], osRelease);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(message);
  });

  const UIO = { RHSM_ORG: 'UiO', RHSM_ACTIVATION_KEY: 'satellite', SATELLITE_URL: 'https://satellite.uio.no', UIO_RPM_URL: 'http://rpm.uio.no' };
  test.each([
    [{ RHSM_ORG: 'UiO' }, 'required variables RHSM_ACTIVATION_KEY SATELLITE_URL UIO_RPM_URL are not set'],
    [{ ...UIO, UIO_RPM_URL: '' }, 'required variable UIO_RPM_URL is not set'],
    [{ ...UIO, RHSM_ORG: 'UiO; rm -rf /' }, 'RHSM_ORG must be an organisation label'],
    [{ ...UIO, SATELLITE_URL: 'http://satellite.uio.no' }, 'SATELLITE_URL must be a URL with scheme https'],
    [{ ...UIO, UIO_RPM_URL: 'ftp://rpm.uio.no' }, 'UIO_RPM_URL must be a URL with scheme https or http'],
  ])('uio-rhel.sh on RHEL fails at once with %j', (env, message) => {
    failsWith(runScript(['uio-rhel.sh'], 'rhel', env as Record<string, string>), message);
  });

  test('uio-rhel.sh refuses a malformed activation key without printing it', () => {
    failsWith(runScript(['uio-rhel.sh'], 'rhel', { ...UIO, RHSM_ACTIVATION_KEY: "s3cr3t' org" }), 'RHSM_ACTIVATION_KEY must be an activation key name', 's3cr3t');
  });

  test('uio-rhel.sh refuses RHEL 7', () => {
    failsWith(runScript(['uio-rhel.sh'], 'rhel7', UIO), 'RHEL 7.9 is not supported (8, 9 or 10)');
  });

  test('uio-rhel.sh with valid settings goes on to the root check (the safety net of these tests)', () => {
    failsWith(runScript(['uio-rhel.sh'], 'rhel', UIO), 'must run as root');
  });

  const NVIDIA = { NVIDIA_GRID_DRIVER_URL: 'https://x/y.run', NVIDIA_GRIDD_CONF_URL: 'https://x/gridd.conf' };
  test.each([
    [{}, 'required variables NVIDIA_GRID_DRIVER_URL NVIDIA_GRIDD_CONF_URL are not set'],
    [{ NVIDIA_GRID_DRIVER_URL: 'https://x/y.run' }, 'required variable NVIDIA_GRIDD_CONF_URL is not set'],
    [{ ...NVIDIA, NVIDIA_GRID_DRIVER_URL: 'ftp://x/y.run' }, 'NVIDIA_GRID_DRIVER_URL must be a URL with scheme https or http or file'],
    [{ ...NVIDIA, NVIDIA_GRID_DRIVER_SHA256: 'abc' }, 'must be 64 hex digits'],
    [{ ...NVIDIA, NVIDIA_GRIDD_CONF_URL: 'gridd.conf' }, 'NVIDIA_GRIDD_CONF_URL must be a URL'],
    [{ ...NVIDIA, NVIDIA_CLIENT_CONFIG_TOKEN_URL: 'http://x/t.tok' }, 'NVIDIA_CLIENT_CONFIG_TOKEN_URL must be a URL with scheme https or file'],
    [{ ...NVIDIA }, 'must run as root'],
  ])('nvidia-grid-driver.sh fails at once with %j', (env, message) => {
    failsWith(runScript(['nvidia-grid-driver.sh'], 'ubuntu', env as Record<string, string>), message);
  });

  test('nvidia-grid-driver.sh does not print a refused token URL', () => {
    const r = runScript(['nvidia-grid-driver.sh'], 'alma', { ...NVIDIA, NVIDIA_CLIENT_CONFIG_TOKEN_URL: 'http://x/t.tok?key=s3cr3t' });
    failsWith(r, 'NVIDIA_CLIENT_CONFIG_TOKEN_URL must be', 's3cr3t');
  });

  const PUPPET = { PUPPET_SERVER: 'puppetserver04.uib.no', PUPPET_RELEASE_PACKAGE_URL: 'https://yum.voxpupuli.org/openvox8-release-el-{major}.noarch.rpm' };
  test.each([
    ['alma', {}, 'required variables PUPPET_SERVER PUPPET_RELEASE_PACKAGE_URL are not set'],
    ['alma', { PUPPET_SERVER: 'puppetserver04.uib.no' }, 'required variable PUPPET_RELEASE_PACKAGE_URL is not set'],
    ['ubuntu', {}, 'required variable PUPPET_SERVER is not set'],
    ['ubuntu', { PUPPET_SERVER: 'puppetserver04.uib.no' }, 'must run as root'],
    ['alma', { ...PUPPET, PUPPET_SERVER: 'puppet.uib.no; rm -rf /' }, 'is not a host name'],
    ['alma', { ...PUPPET, PUPPET_SERVER: 'puppet.uib.no:8140' }, 'is not a host name'],
    ['alma', { ...PUPPET, PUPPET_CA_SERVER: 'ca uib' }, "PUPPET_CA_SERVER 'ca uib' is not a host name"],
    ['alma', { ...PUPPET, PUPPET_ENVIRONMENT: 'Prod-1' }, 'is not a Puppet environment name'],
    ['alma', { ...PUPPET, PUPPET_CERTNAME_PREFIX: 'prod/base-' }, 'is not a certificate name prefix'],
    ['alma', { ...PUPPET, PUPPET_AGENT_PACKAGE: '--bad' }, 'is not a package name'],
    ['alma', { ...PUPPET, PUPPET_RELEASE_PACKAGE_URL: 'yum.voxpupuli.org/x.rpm' }, 'PUPPET_RELEASE_PACKAGE_URL must be a URL'],
    ['alma', PUPPET, 'must run as root'],
  ])('uib-puppet.sh on %s fails at once with %j', (osRelease, env, message) => {
    failsWith(runScript(['uib-puppet.sh'], osRelease, env as Record<string, string>), message);
  });

  test.each([
    ['debian', {}, 'required variable REPORT_URL is not set'],
    ['debian', { REPORT_URL: 'http://report.nrec.no' }, 'REPORT_URL must be a URL with scheme https'],
    ['arch', { REPORT_URL: 'https://report.nrec.no' }, "unsupported distribution 'arch'"],
    ['alma', { REPORT_URL: 'https://report.nrec.no' }, 'must run as root'],
  ])('report.sh on %s fails at once with %j', (osRelease, env, message) => {
    failsWith(runScript(['report.sh'], osRelease, env as Record<string, string>), message);
  });
});

describeWithTools(['shellcheck'], 'shellcheck', () => {
  test('every script is shellcheck-clean (following the library)', () => {
    const r = spawnSync('shellcheck', ['-x', '-s', 'bash', ...SCRIPTS], { cwd: DIR, encoding: 'utf8' });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: '' });
  });

  test('shellcheck config/provision/*.sh from the repository root is clean too (config/provision/.shellcheckrc)', () => {
    const r = spawnSync('shellcheck', SCRIPTS.map((s) => `config/provision/${s}`), { cwd: REPO, encoding: 'utf8' });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: '' });
  });

  test('the dnf-family test double is shellcheck-clean', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', 'test/fixtures/provision-dnf-double/fake'], { cwd: REPO, encoding: 'utf8' });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: '' });
  });

  test('negative: shellcheck reports a real problem', () => {
    const bad = path.join(tmp, 'bad.sh');
    fs.writeFileSync(bad, '#!/bin/bash\nrm -rf $1/*\n');
    const r = spawnSync('shellcheck', [bad], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('SC2086');
  });
});
