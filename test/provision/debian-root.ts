// A Debian 12 (bookworm) root made by debootstrap, for running the provisioning scripts for real
// (test/provision/debootstrap.test.ts). Needs root: debootstrap, chroot and overlay mounts.
//
// The root is made once and cached as a tarball of the finished root under
// node_modules/.cache/goldsmith/ (outside the repository's tracked files; `npm ci` removes it).
// A cached *finished* root rather than debootstrap's --make-tarball: --unpack-tarball would repeat
// the package configuration, which is most of debootstrap's time (minutes on a 2-core machine).
// Delete the file to make a new root. Each test root is an overlay mount over one extracted copy
// (a writable copy when overlayfs is not available), so the extracted root stays pristine.
//
// Nothing of the host is mounted into a root (no /proc, /sys or /dev): debootstrap's device nodes
// are enough for the scripts, and without /proc, sysctl and fstrim inside the chroot cannot reach
// the host's kernel settings or file systems. The network is the host's (apt needs the mirror).
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REMOTE_LIB_PATH } from '../../lib/constructs/packer-template';

export const SUITE = 'bookworm';
export const MIRROR = 'http://deb.debian.org/debian';
/**
 * What a Debian cloud image has and the scripts need: systemd (systemctl), openssh-server,
 * cloud-init, grub2-common (update-grub, grub-mkconfig; no boot loader is installed),
 * qemu-guest-agent and unattended-upgrades (so their installs by the scripts are quick no-ops).
 * python3-cffi-backend: debootstrap does not resolve the virtual package python3-cryptography needs.
 */
export const INCLUDE = [
  'systemd',
  'openssh-server',
  'cloud-init',
  'python3-cffi-backend',
  'grub2-common',
  'qemu-guest-agent',
  'unattended-upgrades',
];
const CACHE_FORMAT = 1;

/** PATH inside the roots: sudo's secure_path, as packer's `sudo -n env … bash` gets. */
export const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function run(cmd: string, args: string[], opts: { input?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    input: opts.input,
    // No input: stdin /dev/null (bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are).
    stdio: opts.input === undefined ? ['ignore', 'pipe', 'pipe'] : 'pipe',
    timeout: opts.timeout ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

function must(cmd: string, args: string[], opts: { timeout?: number } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`);
  }
  return r.stdout;
}

/** Mount points at or below `dir`, deepest first. */
function mountsBelow(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir` (lazily when busy, e.g. someone's `grep -r /tmp`). */
export function unmountBelow(dir: string): void {
  for (const m of mountsBelow(dir)) {
    if (run('umount', [m]).status !== 0) must('umount', ['-l', m]);
  }
}

export interface DebianRoots {
  /** Base temporary directory (everything the harness makes is below it). */
  readonly base: string;
  /** How the root was obtained, for the log: made now or taken from the cache. */
  readonly origin: string;
  /** A new writable root (an overlay over the pristine root). */
  newRoot(name: string): string;
  /** Unmounts and removes everything. */
  cleanup(): void;
}

export function cacheFile(repoRoot: string): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ CACHE_FORMAT, SUITE, MIRROR, INCLUDE, variant: 'minbase' }))
    .digest('hex')
    .slice(0, 16);
  return path.join(repoRoot, 'node_modules', '.cache', 'goldsmith', `debian-${SUITE}-root-${key}.tar.gz`);
}

/** Runs debootstrap into `target` (minbase plus INCLUDE), then makes it a clean image root. */
function debootstrap(target: string): void {
  // Stage 1 downloads and unpacks; stage 2 configures in the chroot, with dpkg's unsafe-io
  // (no fsync: about 40% faster here; the setting is removed again).
  must('debootstrap', ['--foreign', '--variant=minbase', `--include=${INCLUDE.join(',')}`, SUITE, target, MIRROR], { timeout: 1_800_000 });
  const unsafeIo = path.join(target, 'etc/dpkg/dpkg.cfg.d/goldsmith-test-unsafe-io');
  fs.mkdirSync(path.dirname(unsafeIo), { recursive: true });
  fs.writeFileSync(unsafeIo, 'force-unsafe-io\n');
  try {
    must('chroot', [target, '/debootstrap/debootstrap', '--second-stage'], { timeout: 1_800_000 });
  } finally {
    unmountBelow(target); // stage 2 mounts /proc and /sys in the target
    fs.rmSync(unsafeIo, { force: true });
  }
  for (const deb of fs.readdirSync(path.join(target, 'var/cache/apt/archives'))) {
    if (deb.endsWith('.deb')) fs.rmSync(path.join(target, 'var/cache/apt/archives', deb));
  }
}

/**
 * The pristine root: extracted from the cache, or made by debootstrap (and then cached).
 * `log` receives one line saying which.
 */
export function debianRoots(repoRoot: string, log: (line: string) => void): DebianRoots {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-debootstrap-'));
  const pristine = path.join(base, 'pristine');
  const roots: string[] = [];
  let overlay = true;
  const cleanup = () => {
    unmountBelow(base);
    // --one-file-system: never descend into a mount that could not be removed.
    run('rm', ['-rf', '--one-file-system', base]);
  };
  try {
    const tarball = cacheFile(repoRoot);
    let origin: string;
    const started = Date.now();
    if (fs.existsSync(tarball)) {
      fs.mkdirSync(pristine);
      must('tar', ['-C', pristine, '--numeric-owner', '-xzf', tarball]);
      origin = `extracted ${path.relative(repoRoot, tarball)} in ${Date.now() - started} ms`;
    } else {
      debootstrap(pristine);
      fs.mkdirSync(path.dirname(tarball), { recursive: true });
      const tmp = `${tarball}.${process.pid}.tmp`;
      must('tar', ['-C', pristine, '--numeric-owner', '-czf', tmp, '.']);
      fs.renameSync(tmp, tarball);
      origin = `made by debootstrap in ${Date.now() - started} ms, cached as ${path.relative(repoRoot, tarball)}`;
    }
    log(`Debian ${SUITE} root ${origin}`);
    return {
      base,
      origin,
      newRoot(name: string): string {
        if (!/^[a-z0-9-]+$/.test(name) || roots.includes(name)) throw new Error(`bad or duplicate root name ${name}`);
        roots.push(name);
        const dir = path.join(base, name);
        const merged = path.join(dir, 'root');
        fs.mkdirSync(merged, { recursive: true });
        if (overlay) {
          fs.mkdirSync(path.join(dir, 'upper'));
          fs.mkdirSync(path.join(dir, 'work'));
          const opts = `lowerdir=${pristine},upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`;
          if (run('mount', ['-t', 'overlay', 'overlay', '-o', opts, merged]).status === 0) return merged;
          overlay = false;
          log('overlayfs not available: copying the root instead');
        }
        must('cp', ['-a', `${pristine}/.`, merged]);
        return merged;
      },
      cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}

export interface ScriptRun {
  readonly script: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Single-quotes a value for sh, as packer's env var file does. */
function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Runs provisioning scripts in `root` the way the packer template does: the library uploaded to
 * REMOTE_LIB_PATH (GOLDSMITH_LIB), each script uploaded beside it with an env var file
 * (`export K='v'` lines, packer's `use_env_var_file`) that a root bash sources before running the
 * script, so only the template's environment reaches it and no value is on a command line; both
 * removed after the script, the upload directory at the end.
 */
export function runSequence(
  root: string,
  scripts: readonly string[],
  opts: { scriptDir: string; template: string; env?: Record<string, string>; path?: string; timeout?: number },
): ScriptRun[] {
  const remoteDir = path.posix.dirname(REMOTE_LIB_PATH);
  const upload = path.join(root, remoteDir);
  // The template's first provisioner makes the directory and its last removes it (with anything
  // left in it); a shared directory such as /tmp is kept.
  const madeUpload = !fs.existsSync(upload);
  fs.mkdirSync(upload, { recursive: true, mode: 0o700 });
  fs.copyFileSync(path.join(opts.scriptDir, 'lib.sh'), path.join(root, REMOTE_LIB_PATH));
  const env: Record<string, string> = {
    GOLDSMITH_LIB: REMOTE_LIB_PATH,
    GOLDSMITH_TEMPLATE: opts.template,
    DEBIAN_FRONTEND: 'noninteractive',
    ...(opts.env ?? {}),
  };
  const envFile = Object.entries(env)
    .map(([k, v]) => `export ${k}=${shQuote(v)}\n`)
    .join('');
  const runs: ScriptRun[] = [];
  try {
    scripts.forEach((script, i) => {
      if (runs.some((r) => r.status !== 0)) return;
      const remoteScript = `${remoteDir}/script_${i}.sh`;
      const remoteEnv = `${remoteDir}/varfile_${i}.sh`;
      fs.copyFileSync(path.join(opts.scriptDir, script), path.join(root, remoteScript));
      fs.writeFileSync(path.join(root, remoteEnv), envFile, { mode: 0o600 });
      const r = run(
        'chroot',
        [root, '/usr/bin/env', '-i', `PATH=${opts.path ?? ROOT_PATH}`, 'LANG=C.UTF-8', 'bash', '-c', `. ${remoteEnv} && exec bash ${remoteScript}`],
        { timeout: opts.timeout ?? 600_000 },
      );
      fs.rmSync(path.join(root, remoteScript));
      fs.rmSync(path.join(root, remoteEnv));
      runs.push({ script, status: r.status, stdout: r.stdout, stderr: r.stderr });
    });
  } finally {
    fs.rmSync(path.join(root, REMOTE_LIB_PATH), { force: true });
    if (madeUpload) fs.rmSync(upload, { recursive: true, force: true });
  }
  return runs;
}

/** Runs a command in the root (no script library), with a clean environment. */
export function inRoot(root: string, argv: string[], env: Record<string, string> = {}, input?: string): SpawnSyncReturns<string> {
  const e = [`PATH=${ROOT_PATH}`, 'LANG=C.UTF-8', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  return run('chroot', [root, '/usr/bin/env', '-i', ...e, ...argv], { input, timeout: 120_000 });
}

/** Files below `dir` whose contents include `needle` (grep -rlF; symlinks and devices skipped). */
export function filesContaining(dir: string, needle: string, excludeDirs: string[] = []): string[] {
  const r = run('grep', ['-rlF', '--devices=skip', ...excludeDirs.map((d) => `--exclude-dir=${d}`), '--', needle, dir]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => `/${path.relative(dir, f)}`)
    .sort();
}
