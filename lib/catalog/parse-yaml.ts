// YAML text -> the document (nodes with positions, kept for comment-preserving edits) and its plain
// value, with YAML 1.2 core schema semantics whatever the file's directives say: `yes` and
// `2026-11-04` are strings, `<<` is an ordinary key, tags outside the core schema are errors.
// Problems (syntax, duplicate keys, unknown tags, bad aliases) come with their 1-based position.
import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';

/** A position in a file: 1-based line and column (UTF-16 code units, as editors count). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A YAML problem: one lower-case line and where it is (absent when the whole file is meant). */
export interface YamlProblem {
  readonly message: string;
  readonly position?: Position;
}

/** A parsed file: its document, the plain value (undefined for an empty document) and positions. */
export interface ParsedYaml {
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  readonly value: unknown;
}

export type ParseResult =
  | { readonly ok: true; readonly parsed: ParsedYaml }
  | { readonly ok: false; readonly problems: readonly YamlProblem[] };

/** Aliases expanded at most this many times per document (a "billion laughs" file is an error). */
const MAX_ALIAS_COUNT = 100;

/** The parse options every catalog file (and goldsmith promote's edits) uses. */
export const YAML_OPTIONS = Object.freeze({
  version: '1.2',
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  // The library's own check compares every key with every earlier one of its mapping: quadratic in
  // a 10,000-image file. Duplicates are found below with a set per mapping instead.
  uniqueKeys: false,
  prettyErrors: false,
  strict: true,
} as const);

/** Parses one YAML document with positions; never throws for bad input. */
export function parseYaml(text: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
  const at = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: YamlProblem[] = [];
  // Warnings too: an unresolved tag (`!!binary`, `!foo`) or an unsupported %YAML version is not
  // silently read as a string.
  // One line per position: the parser may say two things about one mistake.
  const seen = new Set<number>();
  for (const e of [...doc.errors, ...doc.warnings]) {
    if (seen.has(e.pos[0])) continue;
    seen.add(e.pos[0]);
    const message =
      e.code === 'MULTIPLE_DOCS'
          ? 'a second document: a catalog file holds one (remove this `---` and what follows, or move it to its own file)'
          : lowerFirst(e.message.split('\n')[0]);
    problems.push({ message: `yaml syntax error: ${message}`, position: at(e.pos[0]) });
  }
  if (problems.length === 0) {
    // What toJS would do silently (stringify a list used as a key) or throw for (an unknown alias).
    visit(doc, {
      Map: (_, map) => {
        const keys = new Set<string>();
        for (const pair of map.items) {
          const key = keyText(pair.key);
          if (key === undefined) continue;
          if (keys.has(key)) {
            const shown = key.length > 60 ? `${key.slice(0, 57)}...` : key;
            problems.push({ message: `yaml syntax error: duplicate key \`${shown}\``, position: at(rangeOf(pair.key)) });
          }
          keys.add(key);
        }
      },
      Pair: (_, pair) => {
        if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key)) {
          problems.push({ message: 'yaml syntax error: a key must be a plain value, not a list or mapping', position: at(rangeOf(pair.key)) });
        }
      },
      Alias: (_, alias) => {
        if (alias.resolve(doc) === undefined) {
          problems.push({ message: `yaml syntax error: alias \`*${alias.source}\` has no anchor before it`, position: at(rangeOf(alias)) });
        }
      },
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return {
      ok: false,
      problems: [
        {
          message: /excessive alias count/i.test(message)
            ? `yaml syntax error: aliases expand too often (more than ${MAX_ALIAS_COUNT} times)`
            : `yaml syntax error: ${lowerFirst(message)}`,
        },
      ],
    };
  }
  return { ok: true, parsed: { doc, lineCounter, value: value ?? undefined } };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function rangeOf(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/** The text of a scalar key as the plain value has it (toJS: `1.50` -> "1.5", `~` -> ""). */
function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return undefined;
}

/**
 * Where the key path `keys` is in the document: the key of a mapping entry, the item of a list.
 * A path that does not exist (a missing key) resolves to the deepest part that does: the key of
 * the mapping that lacks it (the start of the document for a top-level key). Undefined for an
 * empty path or document.
 */
export function positionOf(parsed: ParsedYaml, keys: readonly (string | number)[]): Position | undefined {
  if (keys.length === 0) return undefined;
  const { doc, lineCounter } = parsed;
  const pos = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let node: unknown = doc.contents;
  let found: number | undefined = rangeOf(node);
  for (const key of keys) {
    node = deref(doc, node);
    let next: { at: unknown; node: unknown } | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(key));
      if (pair) next = { at: pair.key, node: pair.value };
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item !== undefined) next = { at: item, node: item };
    }
    if (!next) break;
    found = rangeOf(next.at) ?? found;
    node = next.node;
  }
  return pos(found);
}

function deref(doc: Document, node: unknown): unknown {
  for (let i = 0; i < 10 && isAlias(node); i++) node = (node as Alias).resolve(doc);
  return node;
}

