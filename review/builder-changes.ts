// The builder side of a review: two synthesized bundles of one environment, file by file.
import { isDeepStrictEqual } from 'util';
import { cmp } from '../lib/common';
import { parseCronFile } from './cron';
import type { BundleFileChange, CronChange, CronSettingChange, EnvironmentReview } from './report-schema';

/** Path of the cron file below `builder/`. */
export const CRON_FILE = 'cron.d/goldsmith';
/** The bundle's manifest: sha256 sums of the other files, so it is reported only when nothing else is. */
const MANIFEST = 'manifest.json';

type BundleFileKind = BundleFileChange['kind'];

/** Kind and display name of a bundle file by its path below `builder/`. */
function classify(file: string): { kind: BundleFileKind; name: string } {
  const [top, ...rest] = file.split('/');
  const below = rest.join('/');
  if (file === MANIFEST) return { kind: 'manifest', name: file };
  if (top === 'templates' && rest.length === 1) return { kind: 'template', name: below };
  if (top === 'scripts' && rest.length === 1) return { kind: 'script', name: below };
  if (top === 'images' && rest.length === 1 && below.endsWith('.json')) return { kind: 'runner_config', name: below.slice(0, -'.json'.length) };
  if (top === 'checks' && rest.length > 0) return { kind: 'check', name: below };
  return { kind: 'file', name: file };
}

/** Compares two bundles (file text by path; an empty map for a side without one). */
export function compareBundles(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): EnvironmentReview['builder'] {
  const { cron, settings } = compareCron(base.get(CRON_FILE), head.get(CRON_FILE));
  const files: BundleFileChange[] = [];
  let manifest: BundleFileChange | undefined;
  for (const file of [...new Set([...base.keys(), ...head.keys()])].sort(cmp)) {
    if (file === CRON_FILE) continue;
    const before = base.get(file);
    const after = head.get(file);
    if (before === after) continue;
    const { kind, name } = classify(file);
    const change = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    const keys = change === 'changed' && file.endsWith('.json') && kind !== 'template' ? changedJsonKeys(before!, after!) : undefined;
    const entry: BundleFileChange = { kind, path: file, name, change, ...(keys ? { keys } : {}) };
    if (kind === 'manifest') manifest = entry;
    else files.push(entry);
  }
  const anythingElse = files.length > 0 || cron.length > 0 || settings.length > 0;
  if (manifest && !anythingElse) files.push(manifest);
  return { cron, cron_settings: settings, files };
}

function compareCron(baseText: string | undefined, headText: string | undefined): { cron: CronChange[]; settings: CronSettingChange[] } {
  const base = parseCronFile(baseText);
  const head = parseCronFile(headText);
  const cron: CronChange[] = [];
  for (const image of [...new Set([...base.jobs.keys(), ...head.jobs.keys()])].sort(cmp)) {
    const before = base.jobs.get(image);
    const after = head.jobs.get(image);
    if (before?.line === after?.line) continue;
    if (!before) cron.push({ image, change: 'added', after: after!.when });
    else if (!after) cron.push({ image, change: 'removed', before: before.when });
    else cron.push({ image, change: before.when === after.when ? 'changed' : 'moved', before: before.when, after: after.when });
  }
  const settings: CronSettingChange[] = [];
  for (const name of [...new Set([...base.settings.keys(), ...head.settings.keys()])].sort(cmp)) {
    const before = base.settings.get(name);
    const after = head.settings.get(name);
    if (before === after) continue;
    settings.push({ name, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
  }
  return { cron, settings };
}

/** The dotted paths of the leaves that differ between two JSON texts (arrays count as leaves). */
export function changedJsonKeys(before: string, after: string): string[] | undefined {
  let a: unknown;
  let b: unknown;
  try {
    a = JSON.parse(before);
    b = JSON.parse(after);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, at: string): void => {
    if (isDeepStrictEqual(x, y)) return;
    if (isPlainObject(x) && isPlainObject(y)) {
      for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(cmp)) walk(x[key], y[key], at ? `${at}.${key}` : key);
      return;
    }
    out.push(at === '' ? '.' : at);
  };
  walk(a, b, '');
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
