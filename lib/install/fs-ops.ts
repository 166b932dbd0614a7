// File operations of goldsmith install: what is at a path (never following its last component),
// atomic writes with mode and owner, create-if-absent, directories, the build group, and the
// abstract-socket locks (the runner's build locks and the install's own).
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import execa from 'execa';
import { sha256Hex } from '../common';
import { lockFile, lockSocketName } from '../runner/lock';
import { fsyncDir, rmQuiet, tempName } from '../runner/files';
import { InstallError, type InstallRoot } from './paths';

/** Owners to give installed files; undefined = leave them to the installing user (not root). */
export interface Owners {
  /** Bundle files, the cron file, directories: root. */
  readonly uid: number;
  readonly gid: number;
  /** The site env files' group (the build user's: it reads them, root owns them). */
  readonly envGid: number;
}

/** What is at a path. */
export type Observed =
  | { readonly type: 'absent' }
  | { readonly type: 'file'; readonly sha256: string; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly type: 'symlink' | 'dir' | 'other'; readonly mode: number };

/** lstat (never follows the last component) and, for a regular file, its sha256. */
export function observe(host: string): Observed {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { type: 'absent' };
    throw e;
  }
  if (st.isFile()) {
    return { type: 'file', sha256: sha256Hex(readNoFollow(host)), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  }
  return { type: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'other', mode: st.mode & 0o7777 };
}

/** A regular file's bytes, opened without following a symlink. */
function readNoFollow(host: string): Buffer {
  const fd = fs.openSync(host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates the missing directories of builder directory `dir` (0755, root's when `owners`), checked inside the root. */
export function ensureDir(root: InstallRoot, dir: string, owners: Owners | undefined): string {
  const host = root.host(dir);
  const missing: string[] = [];
  for (let d = host; d !== root.real && d !== path.dirname(d); d = path.dirname(d)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(d);
    } catch {
      st = undefined;
    }
    if (st === undefined) {
      missing.unshift(d);
      continue;
    }
    if (st.isSymbolicLink()) {
      root.host(`${root.builder(d)}/x`); // throws when it leads out of the root
      if (!fs.statSync(d).isDirectory()) throw new InstallError(`${root.builder(d)} is not a directory`);
    } else if (!st.isDirectory()) {
      throw new InstallError(`${root.builder(d)} is not a directory`);
    }
    break;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d, 0o755);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    fs.chmodSync(d, 0o755);
    if (owners) fs.chownSync(d, owners.uid, owners.gid);
  }
  return root.host(dir); // again, now that the directories exist
}

function writeTemp(dir: string, name: string, content: Buffer, mode: number, owner?: { uid: number; gid: number }): string {
  const tmp = tempName(dir, name);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    rmQuiet(tmp);
    throw e;
  }
  fs.closeSync(fd);
  return tmp;
}

/**
 * Writes `content` to builder path `p` atomically (temp file in the same directory with mode and
 * owner set, fsync, rename over the old file, fsync of the directory).
 */
export function writeAtomic(root: InstallRoot, p: string, content: Buffer, mode: number, owner: { uid: number; gid: number } | undefined, dirOwners: Owners | undefined): void {
  const dir = ensureDir(root, path.posix.dirname(p), dirOwners);
  const host = path.join(dir, path.posix.basename(p));
  const tmp = writeTemp(dir, path.posix.basename(p), content, mode, owner);
  try {
    fs.renameSync(tmp, host);
  } catch (e) {
    rmQuiet(tmp);
    throw e;
  }
  fsyncDir(dir);
}

/** Creates builder path `p` with `content` only if nothing is there (hard link of a complete temp file: never replaces). False when something was. */
export function createIfAbsent(root: InstallRoot, p: string, content: Buffer, mode: number, owner: { uid: number; gid: number } | undefined, dirOwners: Owners | undefined): boolean {
  const dir = ensureDir(root, path.posix.dirname(p), dirOwners);
  const host = path.join(dir, path.posix.basename(p));
  const tmp = writeTemp(dir, path.posix.basename(p), content, mode, owner);
  try {
    fs.linkSync(tmp, host);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmQuiet(tmp);
  }
  fsyncDir(dir);
  return true;
}

/** Removes what is at host path `host`: a file or symlink (never followed), or a directory with its content. */
export function removePath(host: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(host);
  } catch {
    return;
  }
  if (st.isDirectory()) fs.rmSync(host, { recursive: true, force: true });
  else fs.unlinkSync(host);
}

/** gid of group `name` in `<root>/etc/group` (or, for the root `/`, through getent); undefined when unknown. */
export function groupId(root: InstallRoot, name: string): number | undefined {
  try {
    for (const line of fs.readFileSync(path.join(root.real, 'etc', 'group'), 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && /^\d+$/.test(f[2] ?? '')) return Number(f[2]);
    }
  } catch {
    // no group file: only getent can say
  }
  if (root.real !== '/') return undefined;
  try {
    const f = execa.sync('getent', ['group', name], { stdin: 'ignore', timeout: 10_000 }).stdout.split(':');
    return /^\d+$/.test(f[2] ?? '') ? Number(f[2]) : undefined;
  } catch {
    return undefined;
  }
}

/** Binds an abstract socket; the server, or undefined when another process holds the name. */
export function bindLock(name: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((c) => c.destroy());
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    server.listen({ path: name, exclusive: true }, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** Takes the build lock of `image` (the runner's: `<state>/<image>.lock`); undefined while a build holds it. */
export function takeBuildLock(stateDirHost: string, image: string): Promise<net.Server | undefined> {
  return bindLock(lockSocketName(lockFile(stateDirHost, image)));
}

/** Takes the lock of installs into this root (named after the state file); undefined while another install runs. */
export function takeInstallLock(stateFileHost: string): Promise<net.Server | undefined> {
  return bindLock(`\0goldsmith-install-${sha256Hex(path.resolve(stateFileHost)).slice(0, 40)}`);
}
