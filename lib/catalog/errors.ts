// Catalog problems: every validation finding names the file, the key path and what is wrong.
import * as path from 'path';

/** One finding: the file (absolute path), the key path in it (`images.ubuntu_2404.min_ram_mb`) and the message. */
export interface CatalogProblem {
  readonly file: string;
  /** Dotted key path, list items as `[n]`; empty when the problem concerns the whole file. */
  readonly path: string;
  /** Lower-case, one line. */
  readonly message: string;
  /** 1-based position, set for YAML syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

/** Thrown by loadCatalog with every problem found in the catalog (never only the first). */
export class CatalogError extends Error {
  readonly problems: readonly CatalogProblem[];

  constructor(problems: readonly CatalogProblem[]) {
    const frozen = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
    super(formatProblems(frozen).join('\n'));
    this.name = 'CatalogError';
    this.problems = frozen;
  }
}

/** `file` relative to `cwd` when it lies below it, absolute otherwise. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

/** One line per problem: `<file>: <key.path>: <message>` (`<file>:<line>:<col>: <message>` for syntax errors). */
export function formatProblems(problems: readonly CatalogProblem[], cwd: string = process.cwd()): string[] {
  return problems.map((p) => formatProblem(p, cwd));
}

export function formatProblem(p: CatalogProblem, cwd: string = process.cwd()): string {
  let where = displayPath(p.file, cwd);
  if (p.line !== undefined) where += `:${p.line}` + (p.column !== undefined ? `:${p.column}` : '');
  const oneLine = p.message.replace(/\s*\n\s*/g, ' ');
  return p.path ? `${where}: ${p.path}: ${oneLine}` : `${where}: ${oneLine}`;
}
