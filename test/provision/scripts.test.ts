// The provisioning scripts in config/provision/: syntax, shellcheck, the shared library's
// distribution detection, and the paths that must do nothing or fail before touching the system.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { PROVISION_LIB, SCRIPT_ENV, STANDARD_SCRIPTS } from '../../lib/constructs/packer-template';
import { describeWithTools } from '../support/tools';

const DIR = path.resolve(__dirname, '../../config/provision');
const SCRIPTS = fs.readdirSync(DIR).filter((f) => f.endsWith('.sh')).sort();
const CUSTOM = ['nvidia-grid-driver.sh', 'resolver.sh', 'uib-puppet.sh'];

const OS_RELEASE: Record<string, string> = {
  ubuntu: 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n',
  debian: 'ID=debian\nVERSION_ID="13"\n',
  alma: 'ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.6"\n',
  rocky: 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\n',
  centos: 'ID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="10"\n',
  rhel: 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.6"\n',
  fedora33: 'ID=fedora\nVERSION_ID=33\n',
  fedora43: 'ID=fedora\nVERSION_ID=43\n',
  arch: 'ID=arch\n',
};

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-provision-'));
  for (const [name, text] of Object.entries(OS_RELEASE)) fs.writeFileSync(path.join(tmp, name), text);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a script (or bash -c code) with a fake os-release; only a minimal environment. */
function runScript(args: string[], osRelease: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', args, {
    cwd: DIR,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GOLDSMITH_OS_RELEASE: path.join(tmp, osRelease), ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('provisioning scripts', () => {
  test('the directory holds the library, the standard sequence and the custom scripts, nothing else', () => {
    expect(SCRIPTS).toEqual([PROVISION_LIB, ...STANDARD_SCRIPTS, ...CUSTOM].sort());
    // NREC's report.sh (a timer for NREC's report API) is deliberately not carried over.
    expect(SCRIPTS).not.toContain('report.sh');
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

  test('every environment variable the template passes is read by its script', () => {
    for (const [script, vars] of Object.entries(SCRIPT_ENV)) {
      const text = fs.readFileSync(path.join(DIR, script), 'utf8');
      for (const v of vars) expect(text).toContain(`\${${v.env}:-`);
    }
  });

  test('a missing library fails clearly', () => {
    const r = runScript([path.join(DIR, 'upgrade.sh')], 'ubuntu', { GOLDSMITH_LIB: path.join(tmp, 'nope.sh') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('provisioning library');
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

// These exit before they change anything: no-op on other distributions, or input checks first.
describe('scripts that do nothing or fail early', () => {
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

  test.each([
    [{}, 'NVIDIA_GRID_DRIVER_URL is not set'],
    [{ NVIDIA_GRID_DRIVER_URL: 'ftp://x/y.run' }, 'must be an http(s) or file URL'],
    [{ NVIDIA_GRID_DRIVER_URL: 'https://x/y.run', NVIDIA_GRID_DRIVER_SHA256: 'abc' }, 'must be 64 hex digits'],
  ])('nvidia-grid-driver.sh fails clearly with %j', (env, message) => {
    const r = runScript(['nvidia-grid-driver.sh'], 'ubuntu', env as Record<string, string>);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
  });

  test.each([
    [{ PUPPET_SERVER: 'puppet.uib.no; rm -rf /' }, 'is not a host name'],
    [{ PUPPET_SERVER: 'puppet.uib.no:8140' }, 'is not a host name'],
    [{ PUPPET_AGENT_PACKAGE: '--bad' }, 'is not a package name'],
  ])('uib-puppet.sh rejects %j', (env, message) => {
    const r = runScript(['uib-puppet.sh'], 'alma', env as Record<string, string>);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
  });

  test('uio-rhel.sh on RHEL wants both RHSM settings or neither', () => {
    const r = runScript(['uio-rhel.sh'], 'rhel', { RHSM_ORG: '1234' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('set both RHSM_ORG and RHSM_ACTIVATION_KEY, or neither');
  });
});

describeWithTools(['shellcheck'], 'shellcheck', () => {
  test('every script is shellcheck-clean (following the library)', () => {
    const r = spawnSync('shellcheck', ['-x', '-s', 'bash', ...SCRIPTS], { cwd: DIR, encoding: 'utf8' });
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
