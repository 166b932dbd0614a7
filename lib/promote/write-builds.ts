// Writing an edited builds file: only after the whole catalog, with the new file, still validates,
// atomically, and only if nobody changed the file since it was read.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog, formatProblems, CatalogError } from '../catalog';
import { writeFileAtomic } from '../runner/files';

/** The path of an environment's builds file in a config dir. */
export function buildsFilePath(configDir: string, environment: string): string {
  return path.join(configDir, 'builds', `${environment}.yaml`);
}

/** The builds file's text, or undefined when the environment has none yet. */
export function readBuildsFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Checks that the catalog in `configDir` validates with `text` as the builds file of
 * `environment` (in a temporary copy: the catalog is not touched). Throws one line otherwise.
 */
export function checkEditedCatalog(configDir: string, environment: string, text: string): void {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-promote-'));
  try {
    fs.cpSync(configDir, copy, { recursive: true });
    fs.mkdirSync(path.join(copy, 'builds'), { recursive: true });
    fs.writeFileSync(buildsFilePath(copy, environment), text);
    const { checkConstructs } = require('../constructs/construct-checks') as typeof import('../constructs/construct-checks');
    const problems = checkConstructs(loadCatalog(copy));
    if (problems.length > 0) throw new CatalogError(problems);
  } catch (e) {
    const detail = e instanceof CatalogError ? formatProblems(e.problems, copy)[0] : String(e);
    throw new Error(`the edited builds/${environment}.yaml would not validate, nothing written: ${detail}`);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

/** Replaces `file` with `text` (temp file + rename, 0644) if it still holds `expected`. */
export function writeBuildsFile(file: string, expected: string | undefined, text: string): void {
  if (readBuildsFile(file) !== expected) throw new Error(`${file} changed while goldsmith worked on it; nothing written, run again`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text);
}
