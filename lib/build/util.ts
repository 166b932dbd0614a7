// Small file-system helpers of the build runner: atomic writes, fsync, one-line errors.

import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

/** The message of an error as one line (whitespace collapsed, at most 500 characters). */
export function oneLine(e: unknown): string {
  // duck-typed: errors from other realms (vm contexts, undici) are not `instanceof Error` here
  const isErr = (x: unknown): x is { message: string; cause?: unknown } =>
    typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string';
  let msg = isErr(e) ? e.message : String(e);
  const cause = isErr(e) ? e.cause : undefined;
  if (isErr(cause) && cause.message && !msg.includes(cause.message)) msg += `: ${cause.message}`;
  msg = msg.replace(/\s+/g, ' ').trim();
  return msg.length > 500 ? `${msg.slice(0, 497)}...` : msg;
}

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

/** Regular-expression-escaped literal. */
export function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
