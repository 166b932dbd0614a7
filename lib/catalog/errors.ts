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
  /** Another place the problem involves, appended as ` (<file>: <key.path>)`. */
  readonly related?: { readonly file: string; readonly path: string };
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
  let oneLine = p.message.replace(/\s*\n\s*/g, ' ');
  if (p.related) oneLine += ` (${displayPath(p.related.file, cwd)}: ${p.related.path})`;
  return escapeUnsafe(p.path ? `${where}: ${p.path}: ${oneLine}` : `${where}: ${oneLine}`);
}

/** C0/C1 controls, zero-width and bidi marks/overrides/isolates, line/paragraph separators, BOM. */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const UNSAFE_CHARS = new RegExp(UNSAFE_CHAR.source, 'g');

/** Unsafe characters as `\u{XXXX}`, so a problem line always prints as what it is, on one line. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`);
}

/** `a.b[0].c` */
export function formatPath(keys: readonly PropertyKey[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else {
      const key = k === '' ? '""' : String(k);
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}
