// Catalog text in generated documentation. Every string that comes from the catalog is untrusted:
// it reaches a table cell only through these functions, so it can neither break the table nor
// become markup, a link, a role, a substitution or a directive.
import { escapeUnsafe } from '../catalog/errors';

/** Control, invisible and bidirectional characters shown as `\u{XXXX}`: the text stays one visible line. */
function visible(s: string): string {
  return escapeUnsafe(s);
}

/**
 * `s` as a markdown code span fit for a GFM table cell: a fence of one more backtick than the
 * longest run inside (padded when `s` starts or ends with a backtick), and every `|` escaped, which
 * GFM requires inside a cell even in a code span (the backslash is removed before the span is
 * parsed). Nothing inside a code span is markup, a link or HTML.
 */
export function markdownCode(s: string): string {
  const text = visible(s);
  if (text === '') return '(empty)';
  // cmark-gfm pairs backslashes while splitting a row: after `\` a `|` would split the cell even
  // when escaped, and a code span cannot hold the extra backslash. Such text is escaped text instead.
  if (text.includes('\\|')) return markdownText(text);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`.replace(/\|/g, '\\|');
}

/**
 * Plain markdown text: every ASCII punctuation character backslash-escaped (CommonMark allows it
 * for all of them), except `-` between two letters or digits (`2029-05-31`), which is never markup.
 */
export function markdownText(s: string): string {
  const text = visible(s);
  return text.replace(/[!-/:-@[-`{-~]/g, (c, i: number) => (c === '-' && between(text, i) ? c : `\\${c}`));
}

/** Whether the character at `i` stands between two ASCII letters or digits. */
function between(text: string, i: number): boolean {
  return /[A-Za-z0-9]/.test(text[i - 1] ?? '') && /[A-Za-z0-9]/.test(text[i + 1] ?? '');
}

/**
 * Plain reStructuredText: every ASCII punctuation character backslash-escaped, except `.`, `,` and
 * `-` between two letters or digits (`24.04`, `2029-05-31`), which no inline or block markup
 * starts with. Whitespace is left alone (an escaped blank is removed by docutils).
 */
export function rstText(s: string): string {
  const text = visible(s);
  return text.replace(/[!-/:-@[-`{-~]/g, (c, i: number) => ((c === '.' || c === ',' || c === '-') && between(text, i) ? c : `\\${c}`));
}

/**
 * `s` as reStructuredText literal text: the `:literal:` role. Nothing inside interpreted text is
 * markup; unlike an inline literal it honours backslash escapes, so `\\` and `` ` `` are escaped
 * and no backtick can end it early. The role is recognized only when its text neither starts nor
 * ends with whitespace (else docutils would parse it all as markup): leading and trailing
 * whitespace is shown as `\u{XXXX}`, like the control characters.
 */
export function rstLiteral(s: string): string {
  const text = visible(s).replace(/^\s+|\s+$/g, (blanks) => [...blanks].map(codePoint).join(''));
  if (text === '') return '(empty)';
  return `:literal:\`${text.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

function codePoint(c: string): string {
  return `\\u{${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`;
}
