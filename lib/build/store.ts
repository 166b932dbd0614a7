// The builder's store directory: dated builds, checksum files, -latest links, retention, temp cleanup.

import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { fsyncDir, fsyncFile, reEscape, replaceSymlink, rmQuiet, tempName, writeFileAtomic, writeNewFileSync } from './util';

/** `<image>-<YYYYMMDD>` for a build started at `date` (UTC). */
export function datedName(image: string, date: Date): string {
  return `${image}-${date.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** Build id `YYYYMMDDTHHMMSSZ` (UTC). */
export function buildId(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A temp file in the store for this image: `.<image>-<tag>.tmp` (recognised by cleanStaleTemps). */
export function storeTempFile(store: string, image: string, tag: string): string {
  return path.join(store, `.${image}-${tag}.tmp`);
}

/** md5 and sha256 of a file, in one pass. */
export async function hashFile(file: string): Promise<{ md5: string; sha256: string; size: number }> {
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    md5.update(chunk as Buffer);
    sha.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: md5.digest('hex'), sha256: sha.digest('hex'), size };
}

/** Removes temp files (`.<image>-….tmp`) of this image left by a killed run. Returns their names. */
export function cleanStaleTemps(store: string, image: string): string[] {
  const re = new RegExp(`^\\.${reEscape(image)}-.*\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(store);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (re.test(name)) {
      rmQuiet(path.join(store, name));
      removed.push(name);
    }
  }
  return removed;
}

export interface StoredBuild {
  readonly file: string;
  readonly md5File: string;
  readonly sha256File: string;
  readonly md5: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * Publishes a verified temp image in the store: fsync, checksum files via temp + rename, then the image
 * by rename, then the -latest links. A same-day build replaces that day's files.
 */
export async function storeBuild(store: string, image: string, date: Date, ext: string, tmpImage: string): Promise<StoredBuild> {
  const base = datedName(image, date);
  const file = `${base}.${ext}`;
  const md5File = `${base}.md5`;
  const sha256File = `${base}.sha256`;
  fsyncFile(tmpImage);
  const h = await hashFile(tmpImage);
  // Checksum files first to temp names; the three renames then follow back to back.
  const tmpMd5 = tempName(store, md5File);
  const tmpSha = tempName(store, sha256File);
  try {
    writeNewFileSync(tmpMd5, `${h.md5}  ${file}\n`);
    writeNewFileSync(tmpSha, `${h.sha256}  ${file}\n`);
    fs.chmodSync(tmpImage, 0o644);
    fs.renameSync(tmpImage, path.join(store, file));
    fs.renameSync(tmpMd5, path.join(store, md5File));
    fs.renameSync(tmpSha, path.join(store, sha256File));
  } finally {
    rmQuiet(tmpMd5);
    rmQuiet(tmpSha);
  }
  fsyncDir(store);
  for (const [link, target] of [
    [`${image}-latest.${ext}`, file],
    [`${image}-latest.md5`, md5File],
    [`${image}-latest.sha256`, sha256File],
  ]) {
    replaceSymlink(path.join(store, link), target);
  }
  fsyncDir(store);
  return { file, md5File, sha256File, md5: h.md5, sha256: h.sha256, size: h.size };
}

/**
 * Keeps the `keep` newest dated builds of `image` (the one of `currentDate` always counts as kept)
 * and deletes the files of older ones. Only names `<image>-YYYYMMDD.{qcow2,raw,md5,sha256}` are
 * considered. Returns the deleted names.
 */
export function pruneBuilds(store: string, image: string, keep: number, currentDate: Date): string[] {
  const re = new RegExp(`^${reEscape(image)}-(\\d{8})\\.(qcow2|raw|md5|sha256)$`);
  const current = datedName(image, currentDate).slice(image.length + 1);
  const byDate = new Map<string, string[]>();
  for (const name of fs.readdirSync(store)) {
    const m = re.exec(name);
    if (!m) continue;
    const st = fs.lstatSync(path.join(store, name));
    if (!st.isFile()) continue;
    byDate.set(m[1], [...(byDate.get(m[1]) ?? []), name]);
  }
  const others = [...byDate.keys()].filter((d) => d !== current).sort().reverse();
  const keepOthers = new Set(others.slice(0, Math.max(0, keep - 1)));
  const removed: string[] = [];
  for (const d of others) {
    if (keepOthers.has(d)) continue;
    for (const name of byDate.get(d)!) {
      fs.rmSync(path.join(store, name), { force: true });
      removed.push(name);
    }
  }
  if (removed.length) fsyncDir(store);
  return removed.sort();
}

export { writeFileAtomic };
