// Per-image lock, released by the kernel when the holder dies.
//
// The lock is a listening UNIX socket in Linux's abstract namespace, named after the lock file's
// absolute path: bind() fails with EADDRINUSE while any live process holds that name, and the name
// disappears with the holder's last file descriptor (a SIGKILLed run, a reboot, a reused pid, a
// renamed host: nothing stale can remain, nothing to take over). Node marks the socket close-on-exec,
// so packer and other children never inherit it. No native module (fs-ext) and no external binary
// (flock(1)); proper-lockfile's mtime scheme is not kernel-backed, and a socket *file* would again
// need a racy stale-file takeover.
// Caveats: the abstract namespace is per network namespace; all runs of one builder must share it
// (they do: cron starts them on the host). Abstract sockets have no permissions: a local user of the
// builder can take the name first and so stop that image's builds (exit 75 every run). The builder
// is a dedicated node whose local users are its operators.
//
// `<state>/<image>.lock` still holds pid, host and start time of the holder, for the "another build
// is running" message and for operators; it is information only and never decides anything.

import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { sha256Hex } from '../common';
import { writeFileAtomic } from './files';

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
}

/** Another live run holds the lock. */
export class BuildLockedError extends Error {
  constructor(
    readonly image: string,
    readonly holder: LockInfo,
  ) {
    super(`another build of ${image} is running (pid ${holder.pid} since ${holder.started_at})`);
    this.name = 'BuildLockedError';
  }
}

export interface HeldLock {
  readonly file: string;
  readonly info: LockInfo;
  release(): void;
}

export function lockFile(stateDir: string, image: string): string {
  return path.join(stateDir, `${image}.lock`);
}

/** The abstract socket name of a lock file (a hash: names are limited to 107 bytes). */
export function lockSocketName(file: string): string {
  // The real path: two spellings of the state directory (a symlink) must name one lock.
  let dir = path.resolve(path.dirname(file));
  try {
    dir = fs.realpathSync(dir);
  } catch {
    // not there yet: the resolved path is the best name
  }
  return `\0goldsmith-lock-${sha256Hex(path.join(dir, path.basename(file))).slice(0, 40)}`;
}

function readInfo(file: string): { raw: string; info?: LockInfo } | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const j = JSON.parse(raw);
    if (Number.isInteger(j.pid) && j.pid > 0 && typeof j.started_at === 'string') {
      return { raw, info: { pid: j.pid, host: typeof j.host === 'string' ? j.host : '', started_at: j.started_at } };
    }
  } catch {
    // not ours or half written
  }
  return { raw };
}

/** Binds the abstract socket; resolves the server, or undefined when the name is taken. */
function bind(name: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((c) => c.destroy());
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    server.listen({ path: name, exclusive: true }, () => resolve(server));
  });
}

/**
 * Takes the lock of `image` or throws BuildLockedError. A lock file left by a dead run is only
 * information: it is overwritten (and logged).
 */
export async function acquireLock(stateDir: string, image: string, startedAt: Date, log: (line: string) => void): Promise<HeldLock> {
  const file = lockFile(stateDir, image);
  const server = await bind(lockSocketName(file));
  if (!server) {
    throw new BuildLockedError(image, readInfo(file)?.info ?? { pid: 0, host: '', started_at: 'unknown (no lock information)' });
  }
  server.unref(); // the lock must not keep the process alive
  const left = readInfo(file);
  if (left) {
    const who = left.info ? `pid ${left.info.pid} (since ${left.info.started_at})` : 'an unknown run';
    log(`taking over stale lock ${file}: ${who} is not running (the lock was free)`);
  }
  const info: LockInfo = { pid: process.pid, host: os.hostname(), started_at: startedAt.toISOString() };
  const content = `${JSON.stringify(info)}\n`;
  try {
    writeFileAtomic(file, content);
  } catch (e) {
    log(`warning: cannot write lock information ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'} (the lock itself is held)`);
  }
  let released = false;
  return {
    file,
    info,
    release(): void {
      if (released) return;
      released = true;
      if (readInfo(file)?.raw === content) fs.rmSync(file, { force: true });
      server.close();
    },
  };
}
