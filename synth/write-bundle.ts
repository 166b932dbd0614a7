// Writes the builder bundle of one environment (rendered by lib/constructs/builder-bundle.ts)
// atomically: into a temporary sibling directory, then renamed into place, never a partial bundle.
import * as fs from 'fs';
import * as path from 'path';
import { BundleFileError, BundleManifestSchema, parseContractJson, type BundleManifest } from '../lib/contract';
import { renderBundle, type BuilderBundle } from '../lib/constructs/builder-bundle';
import { writeFilesSync, type FileJob } from './file-writer';

export type { BuilderBundle };

/** The files of a bundle as write jobs under `dir`. */
export function bundleJobs(dir: string, bundle: BuilderBundle): FileJob[] {
  return [...renderBundle(bundle)].map(([rel, file]) => ({ path: path.join(dir, rel), content: file.content, mode: file.mode }));
}

/**
 * Writes the bundle to `dir` (replacing what is there) atomically: the files go into a temporary
 * sibling directory, which is then renamed to `dir`. Returns the manifest.
 */
export function writeBundle(dir: string, bundle: BuilderBundle): BundleManifest {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  const jobs = bundleJobs('.', bundle);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${base}.tmp-`));
  try {
    fs.chmodSync(tmp, 0o755);
    writeFilesSync(jobs.map((job) => ({ ...job, path: path.join(tmp, job.path) })));
    let old: string | undefined;
    if (fs.existsSync(target)) {
      old = fs.mkdtempSync(path.join(parent, `.${base}.old-`));
      fs.renameSync(target, path.join(old, base));
    }
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      if (old !== undefined) fs.renameSync(path.join(old, base), target);
      throw e;
    } finally {
      if (old !== undefined) fs.rmSync(old, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return JSON.parse(jobs.find((job) => job.path === 'manifest.json')!.content) as BundleManifest;
}

/** Reads `<dir>/manifest.json` through the contract's schema. */
export function readManifest(dir: string): BundleManifest {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BundleFileError(file, undefined, `cannot read the bundle manifest: ${(e as Error).message}`);
  }
  return parseContractJson(BundleManifestSchema, text, file);
}
