// Catalog problems: every validation finding names the file, the key path and what is wrong.
import * as path from 'path';

/** One finding: the file (absolute path), the key path in it (`images.ubuntu_2404.min_ram_mb`) and the message. */
export interface CatalogProblem {
  readonly file: string;
  /** Dotted key path, list items as `[n]`; empty when the problem concerns the whole file. */
  readonly path: string;
  /** Lower-case, one line. */
  readonly message: string;
  /**
   * 1-based position of what `path` names: the key of a mapping entry, the item of a list; for a
   * missing key, the key of the mapping lacking it. Unset when the problem concerns the whole file
   * (an invalid UTF-8 byte sets only the line).
   */
  readonly line?: number;
  readonly column?: number;
  /** Another place the problem involves, appended as ` (<file>:<line>:<column>: <key.path>)`. */
  readonly related?: { readonly file: string; readonly path: string; readonly line?: number; readonly column?: number };
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

/**
 * One line per problem: `<file>:<line>:<column>: <key.path>: <message>`, the position and the key
 * path left out when unknown (`<file>:<line>:<column>: <message>` for a YAML syntax error,
 * `<file>: <message>` for a problem of the whole file).
 */
export function formatProblems(problems: readonly CatalogProblem[], cwd: string = process.cwd()): string[] {
  return problems.map((p) => formatProblem(p, cwd));
}

export function formatProblem(p: CatalogProblem, cwd: string = process.cwd()): string {
  const where = displayPath(p.file, cwd) + formatPosition(p);
  let oneLine = p.message.replace(/\s*\n\s*/g, ' ');
  if (p.related) oneLine += ` (${displayPath(p.related.file, cwd)}${formatPosition(p.related)}: ${p.related.path})`;
  return escapeUnsafe(p.path ? `${where}: ${p.path}: ${oneLine}` : `${where}: ${oneLine}`);
}

/** `:<line>:<column>`, `:<line>` or nothing. */
function formatPosition(p: { readonly line?: number; readonly column?: number }): string {
  if (p.line === undefined) return '';
  return `:${p.line}` + (p.column !== undefined ? `:${p.column}` : '');
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

/**
 * The keys of a path `formatPath` wrote (`a.b[0].c` -> ['a', 'b', 0, 'c']). Keys holding `.` or
 * `[` do not come back whole: fine for the paths of a loaded catalog, whose names exclude them.
 */
export function parsePath(text: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const re = /\[(\d+)\]|\.?([^.[]+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[1] !== undefined) keys.push(Number(m[1]));
    else keys.push(m[2] === '""' ? '' : m[2]);
  }
  return keys;
}
