// The one "catalog text" rule: every key and every string value of every catalog file, checked on
// the parsed YAML before any schema sees it, so no field (present or future) can forget it.
// Rejected: control characters (newline and tab included), invisible and bidirectional formatting
// characters (they make a name display as something else), the cdktf token marker, and
// `__proto__` as a key (it would replace an object's prototype instead of naming an entry).
import { UNSAFE_CHAR } from './errors';

/** cdktf reads `${TfToken[…]}` (string), `#{TfToken[…]}` (list) and `&{TfToken[…]}` (map) as its tokens. */
const TOKEN_MARKERS = ['${TfToken[', '#{TfToken[', '&{TfToken['];

export interface TextProblem {
  /** The key path of the offending key or value. */
  readonly keys: readonly (string | number)[];
  readonly message: string;
}

/** Why a string cannot be catalog text (undefined when it is fine). */
export function textProblem(value: string): string | undefined {
  const m = UNSAFE_CHAR.exec(value);
  if (m) return `must not contain ${describeChar(m[0])}`;
  const marker = TOKEN_MARKERS.find((m) => value.includes(m));
  if (marker !== undefined) return `must not contain \`${marker}\` (a cdktf token marker)`;
  return undefined;
}

function describeChar(c: string): string {
  const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (c === '\n' || c === '\r') return `a line break (${code})`;
  if (c === '\t') return `a tab (${code})`;
  if (c <= '\u009f') return `a control character (${code})`;
  return `an invisible or bidirectional formatting character (${code})`;
}

/** Every problem of the text rule in a parsed YAML document (each shared alias node checked once). */
export function checkText(doc: unknown): TextProblem[] {
  const problems: TextProblem[] = [];
  const seen = new Set<object>();
  const keys: (string | number)[] = []; // the path of `value`, one shared stack (no allocation per node)
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const message = textProblem(value);
      if (message) problems.push({ keys: [...keys], message: `value ${message}` });
      return;
    }
    if (value === null || typeof value !== 'object' || value instanceof Date || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        keys.push(i);
        walk(value[i]);
        keys.pop();
      }
      return;
    }
    for (const key of Object.keys(value)) {
      keys.push(key);
      const message = key === '__proto__' ? 'key `__proto__` is not allowed' : keyProblem(key);
      if (message) problems.push({ keys: [...keys], message });
      else walk((value as Record<string, unknown>)[key]);
      keys.pop();
    }
  };
  walk(doc);
  return problems;
}

function keyProblem(key: string): string | undefined {
  if (key === '') return 'empty key';
  const message = textProblem(key);
  return message && `key ${message}`;
}
