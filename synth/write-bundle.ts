// Writes the builder bundle of one environment (rendered by lib/constructs/builder-bundle.ts)
// atomically: into a temporary sibling directory, then renamed into place, never a partial bundle.
import * as fs from 'fs';
import * as path from 'path';
import { BundleFileError, BundleManifestSchema, parseContractJson, type BundleManifest } from '../lib/contract';
import { renderBundle, type BuilderBundle } from '../lib/constructs/builder-bundle';

export type { BuilderBundle };

/**
 * Writes the bundle to `dir` (replacing what is there) atomically: the files go into a temporary
 * sibling directory, which is then renamed to `dir`. Returns the manifest.
 */
export function writeBundle(dir: string, bundle: BuilderBundle): BundleManifest {
  const files = renderBundle(bundle);
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${base}.tmp-`));
  try {
    fs.chmodSync(tmp, 0o755);
    // The umask must not change the modes; chmod only where it would.
    const umask = process.umask();
    const made = new Set<string>([tmp]);
    for (const [rel, file] of files) {
      const abs = path.join(tmp, rel);
      const sub = path.dirname(abs);
      if (!made.has(sub)) {
        fs.mkdirSync(sub, { recursive: true });
        if (umask & 0o755) fs.chmodSync(sub, 0o755);
        made.add(sub);
      }
      fs.writeFileSync(abs, file.content, { mode: file.mode });
      if (umask & file.mode) fs.chmodSync(abs, file.mode);
    }
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
  return JSON.parse(files.get('manifest.json')!.content) as BundleManifest;
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
