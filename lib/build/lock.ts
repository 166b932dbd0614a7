// Per-image lock: <state>/<image>.lock created with O_EXCL, holding pid, host and start time.
// A lock whose process is gone (same host) is stale and taken over.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeNewFileSync } from './util';

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

function readLock(file: string): { raw: string; info?: LockInfo } | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const j = JSON.parse(raw);
    if (Number.isInteger(j.pid) && j.pid > 0 && typeof j.started_at === 'string') {
      return { raw, info: { pid: j.pid, host: typeof j.host === 'string' ? j.host : '', started_at: j.started_at } };
    }
  } catch {
    // fall through: unreadable content
  }
  return { raw };
}

/** True when the process exists (or exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock or throws BuildLockedError. A lock of a dead process on this host, or an unreadable
 * lock file older than `graceMs`, is taken over (logged).
 */
export function acquireLock(
  stateDir: string,
  image: string,
  startedAt: Date,
  log: (line: string) => void,
  opts: { graceMs?: number } = {},
): HeldLock {
  const file = lockFile(stateDir, image);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), started_at: startedAt.toISOString() };
  const content = `${JSON.stringify(info)}\n`;
  for (let round = 0; round < 3; round++) {
    try {
      writeNewFileSync(file, content);
      return {
        file,
        info,
        release(): void {
          const cur = readLock(file);
          if (cur?.raw === content) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const cur = readLock(file);
    if (!cur) continue; // released meanwhile
    if (cur.info) {
      const sameHost = cur.info.host === '' || cur.info.host === os.hostname();
      if (!sameHost || pidAlive(cur.info.pid)) throw new BuildLockedError(image, cur.info);
      log(`taking over stale lock ${file}: pid ${cur.info.pid} (since ${cur.info.started_at}) is not running`);
    } else {
      // Written between create and write by a process that died, or garbage. Give a live writer time.
      const age = Date.now() - fs.statSync(file).mtimeMs;
      if (age < (opts.graceMs ?? 10000)) {
        throw new BuildLockedError(image, { pid: 0, host: '', started_at: 'unknown (lock file being written)' });
      }
      log(`taking over unreadable lock ${file} (${age > 0 ? Math.round(age / 1000) : 0} s old)`);
    }
    // Move the stale lock aside atomically; only one contender wins the rename.
    const aside = `${file}.stale.${process.pid}`;
    try {
      fs.renameSync(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = readLock(aside);
    if (moved?.raw !== cur.raw) {
      // We moved a fresh lock of a contender: put it back (fails if a third run took it already).
      try {
        fs.linkSync(aside, file);
      } catch {
        // leave it
      }
      fs.rmSync(aside, { force: true });
      const again = readLock(file);
      throw new BuildLockedError(image, again?.info ?? moved?.info ?? { pid: 0, host: '', started_at: 'unknown' });
    }
    fs.rmSync(aside, { force: true });
  }
  const last = readLock(file);
  throw new BuildLockedError(image, last?.info ?? { pid: 0, host: '', started_at: 'unknown' });
}
