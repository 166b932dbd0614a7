// A review of a catalog change, start to end: the head catalog from the working tree, the base
// catalog from git, both synthesized into a private temporary directory (removed afterwards, also
// on failure), compared. No cloud is contacted and nothing outside the temporary directory is written.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CatalogError, displayPath, formatProblem, loadCatalog, type Catalog } from '../lib/catalog';
import { oneLine } from '../lib/common';
import { compareSides, type ReviewSide } from './compare';
import { ReviewError } from './errors';
import { extractCatalogAt } from './git-catalog';
import type { Review } from './report-schema';
import { synthesizeEnvironments } from './synthesized-tree';

export interface ReviewOptions {
  /** The head catalog directory (absolute) in a git working tree. */
  readonly configDir: string;
  /** The git ref whose catalog is the base (the same path in the repository). */
  readonly baseRef: string;
  /** Where paths are shown relative to and relative local backend paths resolve (both sides alike). */
  readonly cwd: string;
}

/**
 * Compares the catalog in `configDir` with the one committed at `baseRef`, both as synthesized.
 * Throws ReviewError (one line) for a problem of the input: no git repository, unknown ref,
 * an invalid catalog on either side, a catalog that does not synthesize.
 */
export async function reviewCatalogChange(options: ReviewOptions): Promise<Review> {
  // cdktf's telemetry stays off; synth reads it from the process environment.
  process.env.CHECKPOINT_DISABLE ??= '1';
  const shownConfig = displayPath(options.configDir, options.cwd);
  const head = load(options.configDir, (p) => `the catalog is not valid: ${formatProblem(p, options.cwd)}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-diff-'));
  try {
    const committed = await extractCatalogAt(options.baseRef, options.configDir, path.join(work, 'base'), shownConfig);
    const base = load(committed.dir, (p) => `the base catalog is not valid: ${options.baseRef}:${formatProblem(p, committed.root)}`);
    const side = (catalog: Catalog, which: 'base' | 'head'): ReviewSide => {
      try {
        return { catalog, environments: synthesizeEnvironments(catalog, path.join(work, `synth-${which}`), options.cwd) };
      } catch (e) {
        throw new ReviewError(`the ${which === 'base' ? 'base catalog' : 'catalog'} does not synthesize: ${oneLine(e)}`);
      }
    };
    return compareSides(side(base, 'base'), side(head, 'head'), { ref: options.baseRef, commit: committed.commit, config: shownConfig });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Loads a catalog; its first problem (and how many more) as a ReviewError. */
function load(dir: string, first: (problem: CatalogError['problems'][number]) => string): Catalog {
  try {
    return loadCatalog(dir);
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    const more = e.problems.length - 1;
    throw new ReviewError(`${first(e.problems[0])}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'}: run \`goldsmith validate\`)` : ''}`);
  }
}
