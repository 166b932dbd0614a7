// File-system helpers of the build runner: atomic writes, fsync, temp names, quiet removal.

import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

/** fsync a directory so that renames in it are durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories; the rename is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** fsync a file by name. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A temp name in `dir` for `finalName`: starts with '.', ends with '.tmp'. */
export function tempName(dir: string, finalName: string): string {
  return path.join(dir, `.${finalName}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Creates `file` (mode 0644; EEXIST if it exists), writes `content` and fsyncs it. */
export function writeNewFileSync(file: string, content: string | Buffer): void {
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `content` to `file` via a temp file in the same directory, fsync and rename. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  const dir = path.dirname(file);
  const tmp = tempName(dir, path.basename(file));
  try {
    writeNewFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    rmQuiet(tmp);
    throw e;
  }
  fsyncDir(dir);
}

/** Points `link` at `target` (relative) atomically: temp symlink, then rename over. */
export function replaceSymlink(link: string, target: string): void {
  const dir = path.dirname(link);
  const tmp = tempName(dir, path.basename(link));
  try {
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
  } catch (e) {
    rmQuiet(tmp);
    throw e;
  }
}

export function rmQuiet(p: string): void {
  try {
    fs.rmSync(p, { force: true, recursive: true });
  } catch {
    // best effort
  }
}
