// A retired image on the builder: an image of the previous install that the new bundle no longer
// holds. Its stored builds go (every `<image>-<YYYYMMDD>[-n].*` build, its `-latest` names, the
// `.<image>-latest` pointer and the `.<base>.latest/` directories, temp files), with its report,
// build logs, last-success record, lock file and left-over work directories. A build one of whose
// files a release in Glance still names is kept whole (the builds file: manifest `retired_files`),
// as retention keeps it. Only these names, only in the directories the previous install recorded.
import * as fs from 'fs';
import * as path from 'path';
import { cmp, reEscape } from '../common';
import type { InstalledImage } from '../contract';
import { parseBuildName } from '../runner/store';
import type { InstallAction } from './actions';
import type { InstallRoot } from './paths';

const LATEST_EXTS = 'qcow2|raw|md5|sha256|json';

/** The names of `image` in each of its directories that a retirement removes. */
function matchers(image: string): { store: RegExp[]; logs: RegExp[]; state: RegExp[]; work: RegExp[] } {
  const i = reEscape(image);
  const base = `${i}-\\d{8}(?:-(?:[2-9]|[1-9]\\d+))?`;
  return {
    store: [new RegExp(`^${i}-latest\\.(?:${LATEST_EXTS})$`), new RegExp(`^\\.${i}-latest$`), new RegExp(`^\\.${base}\\.latest$`), new RegExp(`^\\.${i}-.*\\.tmp$`)],
    logs: [new RegExp(`^${i}-report\\.json$`), new RegExp(`^${i}-\\d{8}T\\d{6}Z\\.log$`), new RegExp(`^\\.${i}-report\\.json\\..*\\.tmp$`)],
    state: [new RegExp(`^${i}\\.last-success\\.json$`), new RegExp(`^${i}\\.lock$`), new RegExp(`^\\.${i}\\.(?:last-success\\.json|lock)\\..*\\.tmp$`)],
    work: [new RegExp(`^${i}-\\d{8}T\\d{6}Z$`)],
  };
}

function list(host: string): string[] {
  try {
    if (!fs.lstatSync(host).isDirectory()) return [];
    return fs.readdirSync(host).sort(cmp);
  } catch {
    return [];
  }
}

/** The order the pointer layout is taken down in: -latest names and pointer, `.latest/` dirs, then the builds. */
function rank(name: string): number {
  if (/-latest\.[a-z0-9]+$/.test(name) && !name.startsWith('.')) return 0;
  if (/^\.[^.]+-latest$/.test(name)) return 1;
  if (name.endsWith('.latest')) return 2;
  return 3;
}

export interface RetiredPlan {
  readonly actions: InstallAction[];
  /** The image's state entry afterwards: undefined when nothing of it is left to watch. */
  readonly next: InstalledImage | undefined;
}

/**
 * What retiring `name` does; `keep` are the stored file names releases in Glance name. The kept
 * files are printed when the image is newly retired or the kept set changed (so a second run is quiet).
 */
export function planRetired(root: InstallRoot, name: string, image: InstalledImage, keep: readonly string[]): RetiredPlan {
  const m = matchers(name);
  const actions: InstallAction[] = [];
  const keepSet = new Set(keep);
  const storeHost = root.hostDir(image.paths.store);
  const storeNames = list(storeHost);
  const keptBases = new Set(storeNames.flatMap((n) => (keepSet.has(n) ? [parseBuildName(name, n)?.base ?? n] : [])));
  const kept = storeNames.filter((n) => keepSet.has(n));
  const announce = image.retired !== true || kept.join('\0') !== [...image.keep_files].sort(cmp).join('\0');
  if (announce) for (const n of kept) actions.push({ kind: 'keep', path: path.posix.join(image.paths.store, n), why: 'a release in Glance names it' });

  const removals: { dir: string; host: string; name: string }[] = [];
  for (const n of storeNames) {
    const b = parseBuildName(name, n);
    if (b !== undefined ? !keptBases.has(b.base) : m.store.some((re) => re.test(n))) removals.push({ dir: image.paths.store, host: storeHost, name: n });
  }
  removals.sort((a, b) => rank(a.name) - rank(b.name) || cmp(a.name, b.name));
  for (const key of ['logs', 'state', 'work'] as const) {
    const dir = image.paths[key];
    const host = root.hostDir(dir);
    for (const n of list(host)) if (m[key].some((re) => re.test(n))) removals.push({ dir, host, name: n });
  }
  const seen = new Set<string>();
  for (const r of removals) {
    const host = path.join(r.host, r.name);
    if (seen.has(host)) continue; // state and work may be one directory
    seen.add(host);
    let dir = false;
    try {
      dir = fs.lstatSync(host).isDirectory();
    } catch {
      continue;
    }
    actions.push({ kind: 'remove', path: `${path.posix.join(r.dir, r.name)}${dir ? '/' : ''}`, host });
  }
  const next: InstalledImage | undefined = kept.length > 0 ? { ...image, keep_files: kept, retired: true } : undefined;
  return { actions, next };
}
