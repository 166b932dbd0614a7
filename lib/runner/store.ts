// The builder's store directory: dated builds, checksum files, build records, -latest links,
// retention, temp cleanup.

import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { reEscape } from '../common';
import { BuildRecordSchema, parseContract, type BuildRecord } from '../contract';
import { fsyncDir, fsyncFile, replaceSymlink, rmQuiet, tempName, writeFileAtomic, writeNewFileSync } from './files';

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
  /** `<image>-<YYYYMMDD>[-n]`. */
  readonly base: string;
  readonly file: string;
  readonly md5File: string;
  readonly sha256File: string;
  /** `<base>.json`, when storeBuild was given the record. */
  readonly recordFile?: string;
  readonly md5: string;
  readonly sha256: string;
  readonly size: number;
}

/** What the record of a build is made from: its names and the hashes of its file as stored. */
export interface StoredFile {
  readonly base: string;
  /** The release id: `<base>` without `<image>-`. */
  readonly buildId: string;
  readonly file: string;
  readonly md5: string;
  readonly sha256: string;
  readonly size: number;
}

const BUILD_EXTS = ['qcow2', 'raw', 'md5', 'sha256', 'json'] as const;

/** `<image>-<YYYYMMDD>[-<n>].<ext>` → date and sequence (1 without suffix); undefined for other names. */
export function parseBuildName(image: string, name: string): { base: string; date: string; seq: number; ext: string } | undefined {
  const m = new RegExp(`^(${reEscape(image)}-(\\d{8})(?:-([2-9]|[1-9]\\d+))?)\\.(qcow2|raw|md5|sha256|json)$`).exec(name);
  return m ? { base: m[1], date: m[2], seq: m[3] ? Number(m[3]) : 1, ext: m[4] } : undefined;
}

/**
 * The name of a new build started at `date`: `<image>-<YYYYMMDD>`, or `-2`, `-3`, ... when a file of
 * that name exists (a same-day rebuild, a clock that went back). Stored builds are never replaced.
 */
export function newBuildBase(store: string, image: string, date: Date): string {
  const day = datedName(image, date);
  let names: Set<string>;
  try {
    names = new Set(fs.readdirSync(store));
  } catch {
    names = new Set();
  }
  for (let n = 1; n < 1000; n++) {
    const base = n === 1 ? day : `${day}-${n}`;
    if (!BUILD_EXTS.some((e) => names.has(`${base}.${e}`))) return base;
  }
  throw new Error(`more than 999 builds of ${image} named for ${day}; refusing to go on`);
}

/** Publishes `tmp` under `final` without ever replacing an existing file (link fails with EEXIST). */
function publishNew(tmp: string, final: string): void {
  try {
    fs.linkSync(tmp, final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${path.basename(final)} exists already; a stored build is never replaced`);
    throw e;
  }
  rmQuiet(tmp);
}

/** Points in storeBuild where a test can stop the process (fault injection). */
export type StorePoint = 'checksums-published' | 'image-published' | 'latest-dir-created' | 'pointer-temp-created' | 'latest-switched';

const IMAGE_EXTS = ['qcow2', 'raw'] as const;
const SUM_EXTS = ['md5', 'sha256'] as const;
/** What `.<base>.latest/` links besides the image, and the -latest names besides the image's. */
const LINK_EXTS = [...SUM_EXTS, 'json'] as const;

/** `.<image>-latest`: the one symlink naming the per-build directory the -latest names resolve through. */
export function latestPointerName(image: string): string {
  return `.${image}-latest`;
}

/** `.<base>.latest`: per build, the directory holding `image.<ext>`, `image.md5`, `image.sha256`, `image.json`. */
export function latestDirName(base: string): string {
  return `.${base}.latest`;
}

/** `.<image>-<YYYYMMDD>[-n].latest` → the build's base name; undefined for other names. */
function parseLatestDir(image: string, name: string): string | undefined {
  const m = new RegExp(`^\\.(${reEscape(image)}-\\d{8}(?:-(?:[2-9]|[1-9]\\d+))?)\\.latest$`).exec(name);
  return m ? m[1] : undefined;
}

function readlinkOrUndefined(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

function imageExtOf(store: string, base: string): string | undefined {
  return IMAGE_EXTS.find((e) => fs.existsSync(path.join(store, `${base}.${e}`)));
}

/** The build the pointer names (base name), or undefined when there is no (valid) pointer. */
export function latestBase(store: string, image: string): string | undefined {
  const target = readlinkOrUndefined(path.join(store, latestPointerName(image)));
  return target === undefined ? undefined : parseLatestDir(image, target);
}

/**
 * Makes `.<base>.latest/` with relative links `image.<ext>`, `image.md5`, `image.sha256`, `image.json`
 * → `../<base>.…` (`image.json` dangles for a build stored without record): built complete under a
 * temp name (`.<base>.latest.<pid>.<rand>.tmp`, removed by cleanStaleTemps), fsynced, then renamed
 * into place. An existing directory of that name is kept when it is complete.
 */
function makeLatestDir(store: string, base: string, ext: string): void {
  const final = path.join(store, latestDirName(base));
  const want = [ext, ...LINK_EXTS].map((e) => [`image.${e}`, `../${base}.${e}`] as const);
  if (fs.existsSync(final)) {
    if (want.every(([n, t]) => readlinkOrUndefined(path.join(final, n)) === t)) return;
    rmQuiet(final); // never the pointer's target: callers check
  }
  const tmp = tempName(store, latestDirName(base).slice(1));
  try {
    fs.mkdirSync(tmp, 0o755);
    for (const [n, t] of want) fs.symlinkSync(t, path.join(tmp, n));
    fsyncDir(tmp);
    fs.renameSync(tmp, final);
  } catch (e) {
    rmQuiet(tmp);
    throw e;
  }
  fsyncDir(store);
}

/** Points `link` at `target` (temp symlink + rename) unless it already does. Returns whether it changed. */
function ensureSymlink(link: string, target: string): boolean {
  if (readlinkOrUndefined(link) === target) return false;
  replaceSymlink(link, target);
  return true;
}

/** The static top-level link `<image>-latest.<e>` → `.<image>-latest/image.<e>`. */
function staticLatestTarget(image: string, e: string): string {
  return `${latestPointerName(image)}/image.${e}`;
}

/**
 * The build the -latest links of the old layout (direct links `<image>-latest.<ext>` → `<base>.<ext>`)
 * name: the image link's build (the one that agrees with -latest.md5 when both image links exist,
 * else the one of `preferExt`), else the build -latest.md5/.sha256 name when its image exists.
 */
function oldLayoutBase(store: string, image: string, preferExt: string | undefined): { base: string; ext: string } | undefined {
  const parseTarget = (link: string): { base: string; ext: string } | undefined => {
    const t = readlinkOrUndefined(path.join(store, link));
    const b = t === undefined ? undefined : parseBuildName(image, t);
    return b && t === `${b.base}.${b.ext}` ? { base: b.base, ext: b.ext } : undefined;
  };
  const images = IMAGE_EXTS.map((e) => parseTarget(`${image}-latest.${e}`)).filter(
    (b): b is { base: string; ext: string } => b !== undefined && fs.existsSync(path.join(store, `${b.base}.${b.ext}`)),
  );
  const sums = SUM_EXTS.map((e) => parseTarget(`${image}-latest.${e}`)?.base);
  const fromSums = sums.find((b) => b !== undefined && images.some((i) => i.base === b));
  const chosen = images.find((i) => i.base === fromSums) ?? images.find((i) => i.ext === preferExt) ?? images[0];
  if (chosen) return chosen;
  for (const b of sums) {
    const ext = b === undefined ? undefined : imageExtOf(store, b);
    if (b !== undefined && ext !== undefined) return { base: b, ext };
  }
  return undefined;
}

/**
 * Brings the -latest links into the pointer layout and removes what a killed run left behind there:
 *   - no pointer yet (a store of the old layout, direct -latest links): makes `.<base>.latest/` for
 *     the build the old links name and the pointer to it FIRST, then replaces each old top-level link
 *     by the static link through the pointer (each rename is consistent: the pointer names the
 *     same build the old link named);
 *   - makes the static top-level links (`<image>-latest.{<ext>,md5,sha256,json}`) if missing or wrong;
 *   - first of all removes `<image>-latest.<other ext>` (qcow2 ↔ raw): through the pointer it names
 *     nothing, in the old layout another build.
 * Returns what it changed (for the log), empty when the store was in order. `onStep` (tests) is
 * called after each change.
 */
export function repairLatest(store: string, image: string, preferExt?: string, onStep: (what: string) => void = () => undefined): string[] {
  const done: string[] = [];
  const step = (what: string): void => {
    done.push(what);
    onStep(what);
  };
  const pointer = path.join(store, latestPointerName(image));
  let base = latestBase(store, image);
  let ext = base === undefined ? undefined : imageExtOf(store, base);
  let migrate = false;
  if (base === undefined || ext === undefined || !fs.existsSync(path.join(store, latestDirName(base)))) {
    // no usable pointer: migrate from the old layout (or nothing to do in an empty store)
    const old = oldLayoutBase(store, image, preferExt);
    if (!old) return done;
    ({ base, ext } = old);
    migrate = true;
  }
  // first the other extension's link: through the pointer it names nothing, in the old layout another build
  for (const e of IMAGE_EXTS) {
    if (e === ext) continue;
    const stale = path.join(store, `${image}-latest.${e}`);
    if (fs.lstatSync(stale, { throwIfNoEntry: false })?.isSymbolicLink()) {
      rmQuiet(stale);
      step(`removed ${image}-latest.${e}`);
    }
  }
  if (migrate) {
    makeLatestDir(store, base, ext);
    step(`made ${latestDirName(base)}/`);
    replaceSymlink(pointer, latestDirName(base));
    fsyncDir(store);
    step(`${latestPointerName(image)} -> ${latestDirName(base)}`);
  }
  for (const e of [...LINK_EXTS, ext]) {
    if (ensureSymlink(path.join(store, `${image}-latest.${e}`), staticLatestTarget(image, e))) step(`${image}-latest.${e} -> ${staticLatestTarget(image, e)}`);
  }
  if (done.length) fsyncDir(store);
  return done;
}

/**
 * Publishes a verified temp image in the store under a new, unique name (newBuildBase):
 *   1. the .md5 and .sha256 files (their content names the image file) and, when `record` is given,
 *      the build record `<base>.json` (checked against the contract's schema) appear first,
 *   2. then the image, by hard link: an existing file is never replaced,
 *   3. then `.<base>.latest/` (links image.<ext>, image.md5, image.sha256, image.json to the build's
 *      files), made complete under a temp name and renamed into place,
 *   4. then ONE rename switches the pointer `.<image>-latest` to it; the top-level links
 *      `<image>-latest.{<ext>,md5,sha256,json}` are static links through the pointer (made before
 *      the switch, they dangle until the first switch), so all of them move at the same instant.
 * A reader resolving the -latest names at any instant gets files of one build. A run killed between
 * the steps leaves checksum files and a record without image (removed by the next run,
 * cleanOrphans), a complete build that is not latest, an unused `.<base>.latest/` (removed with its
 * build by retention) or a temp (removed by the next run, cleanStaleTemps); never a mixed set.
 * `record` (the runner always gives it) makes the build's record from its names and hashes.
 */
export async function storeBuild(
  store: string,
  image: string,
  date: Date,
  ext: string,
  tmpImage: string,
  at: (point: StorePoint) => void = () => undefined,
  record?: (stored: StoredFile) => BuildRecord,
): Promise<StoredBuild> {
  const base = newBuildBase(store, image, date);
  const file = `${base}.${ext}`;
  const md5File = `${base}.md5`;
  const sha256File = `${base}.sha256`;
  const recordFile = `${base}.json`;
  fsyncFile(tmpImage);
  const h = await hashFile(tmpImage);
  // published before the image, each by temp file (0644 whatever the umask: the web server reads
  // them) and hard link (never replacing a file)
  const sidecars: [string, string][] = [
    [md5File, `${h.md5}  ${file}\n`],
    [sha256File, `${h.sha256}  ${file}\n`],
  ];
  if (record) sidecars.push([recordFile, recordJson(record({ base, buildId: base.slice(image.length + 1), file, ...h }), recordFile, { file, ...h })]);
  const temps = sidecars.map(([name]) => tempName(store, name));
  try {
    sidecars.forEach(([, text], i) => {
      writeNewFileSync(temps[i], text);
      fs.chmodSync(temps[i], 0o644);
    });
    sidecars.forEach(([name], i) => publishNew(temps[i], path.join(store, name)));
    fsyncDir(store);
    at('checksums-published');
    fs.chmodSync(tmpImage, 0o644);
    publishNew(tmpImage, path.join(store, file));
    fsyncDir(store);
    at('image-published');
  } finally {
    for (const t of temps) rmQuiet(t);
  }
  // an old-layout store is migrated first: the pointer must name what the old links name before any
  // top-level link is replaced
  repairLatest(store, image, ext);
  makeLatestDir(store, base, ext);
  for (const e of [...LINK_EXTS, ext]) ensureSymlink(path.join(store, `${image}-latest.${e}`), staticLatestTarget(image, e));
  fsyncDir(store);
  at('latest-dir-created');
  const pointer = path.join(store, latestPointerName(image));
  const tmpPointer = tempName(store, latestPointerName(image).slice(1));
  try {
    fs.symlinkSync(latestDirName(base), tmpPointer);
    at('pointer-temp-created');
    fs.renameSync(tmpPointer, pointer);
  } catch (e) {
    rmQuiet(tmpPointer);
    throw e;
  }
  fsyncDir(store);
  at('latest-switched');
  // the other extension's -latest link now names nothing: removed (qcow2 ↔ raw)
  repairLatest(store, image, ext);
  return { base, file, md5File, sha256File, ...(record ? { recordFile } : {}), md5: h.md5, sha256: h.sha256, size: h.size };
}

/** The record's text (2-space JSON), checked by the contract's schema and against the file it describes. */
function recordJson(record: BuildRecord, name: string, stored: { file: string; md5: string; sha256: string; size: number }): string {
  const r = parseContract(BuildRecordSchema, record, name);
  if (r.file !== stored.file || r.md5 !== stored.md5 || r.sha256 !== stored.sha256 || r.size_bytes !== stored.size) {
    throw new Error(`${name}: the record does not describe ${stored.file} as stored`);
  }
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * Checksum files and records of a build whose image never appeared (a store step killed midway),
 * and `.<base>.latest/` directories of builds whose image is gone, except the one the pointer
 * names; removed.
 */
export function cleanOrphans(store: string, image: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(store);
  } catch {
    return [];
  }
  const all = new Set(names);
  const hasImage = (base: string): boolean => IMAGE_EXTS.some((e) => all.has(`${base}.${e}`));
  const current = latestBase(store, image);
  const removed: string[] = [];
  for (const name of names) {
    const b = parseBuildName(image, name);
    const dirBase = parseLatestDir(image, name);
    if (b && (LINK_EXTS as readonly string[]).includes(b.ext) && !hasImage(b.base)) {
      rmQuiet(path.join(store, name));
      removed.push(name);
    } else if (dirBase !== undefined && dirBase !== current && !hasImage(dirBase)) {
      rmQuiet(path.join(store, name));
      removed.push(name);
    }
  }
  if (removed.length) fsyncDir(store);
  return removed.sort();
}

/** One stored build that retention deletes: its files and whether it has a `.<base>.latest/` directory. */
export interface PrunedBuild {
  readonly base: string;
  readonly names: readonly string[];
  readonly hasLatestDir: boolean;
}

/**
 * The builds of `image` beyond the `keep` newest (newest = latest date, then highest sequence
 * number); the one named `currentBase` and the one `latest` names (default: what the -latest
 * pointer names now) always count as kept. Only names `<image>-YYYYMMDD[-n].{qcow2,raw,md5,sha256,json}`
 * and `.<image>-YYYYMMDD[-n].latest` are considered. The dry run and pruneBuilds both use it.
 */
export function planPrune(
  store: string,
  image: string,
  keep: number,
  currentBase: string,
  keepFiles: readonly string[] = [],
  latest = latestBase(store, image),
): PrunedBuild[] {
  const byBase = new Map<string, { key: string; names: string[] }>();
  const dirs = new Set<string>();
  for (const name of fs.readdirSync(store)) {
    const dirBase = parseLatestDir(image, name);
    if (dirBase !== undefined) {
      if (fs.lstatSync(path.join(store, name)).isDirectory()) dirs.add(dirBase);
      continue;
    }
    const b = parseBuildName(image, name);
    if (!b) continue;
    if (!fs.lstatSync(path.join(store, name)).isFile()) continue;
    const g = byBase.get(b.base) ?? { key: `${b.date}-${String(b.seq).padStart(4, '0')}`, names: [] };
    g.names.push(name);
    byBase.set(b.base, g);
  }
  const others = [...byBase.entries()].filter(([base]) => base !== currentBase && base !== latest).sort((a, b) => (a[1].key < b[1].key ? 1 : -1));
  const keptLatest = latest !== undefined && latest !== currentBase && byBase.has(latest) ? 1 : 0;
  // A build that a release in the builds file names stays, beyond keep_builds: Glance may import it again.
  const promoted = new Set(keepFiles);
  return others
    .slice(Math.max(0, keep - 1 - keptLatest))
    .filter(([, g]) => !g.names.some((name) => promoted.has(name)))
    .map(([base, g]) => ({ base, names: g.names, hasLatestDir: dirs.has(base) }));
}

/** Deletes what planPrune lists (each build's `.latest/` directory first). Returns the deleted names. */
export function pruneBuilds(store: string, image: string, keep: number, currentBase: string, keepFiles: readonly string[] = []): string[] {
  const removed: string[] = [];
  for (const build of planPrune(store, image, keep, currentBase, keepFiles)) {
    if (build.hasLatestDir) {
      // the directory first: while it exists its links would name the files removed next
      fs.rmSync(path.join(store, latestDirName(build.base)), { recursive: true, force: true });
      removed.push(latestDirName(build.base));
    }
    for (const name of build.names) {
      fs.rmSync(path.join(store, name), { force: true });
      removed.push(name);
    }
  }
  if (removed.length) fsyncDir(store);
  return removed.sort();
}

export { writeFileAtomic };
