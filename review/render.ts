// A review as text (one line per change, for a terminal or a CI log), markdown (for a merge
// request comment) or JSON (DiffReportSchema, for scripts). Warnings come first; environments
// without a change share one `no change` line.
import { canonicalJson } from '../lib/common';
import { DIFF_REPORT_VERSION, type DiffReport, type Review } from './report-schema';
import { environmentSentences, TEXT_STYLE, warningSentence, type Style } from './words';

/** Output formats of `goldsmith diff`. */
export const REVIEW_FORMATS = ['text', 'markdown', 'json'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** The review in `format`, as lines (no trailing newlines). */
export function renderReview(review: Review, format: ReviewFormat): string[] {
  if (format === 'json') return canonicalJson(toDiffReport(review)).trimEnd().split('\n');
  return format === 'markdown' ? renderMarkdown(review) : renderText(review);
}

/** The JSON report: the model, each warning with its sentence. */
export function toDiffReport(review: Review): DiffReport {
  return {
    goldsmith_diff: DIFF_REPORT_VERSION,
    ...review,
    warnings: review.warnings.map((w) => ({ ...w, message: warningSentence(w, TEXT_STYLE) })),
  };
}

/** `warning: <env> · <sentence>` lines, then `<env> · <sentence>` lines, then `no change: <envs>`. */
export function renderText(review: Review): string[] {
  const out = review.warnings.map((w) => `warning: ${w.environment} · ${warningSentence(w, TEXT_STYLE)}`);
  for (const environment of review.environments) {
    if (environment.status !== 'unchanged') out.push(...environmentSentences(environment, TEXT_STYLE).map((s) => `${environment.name} · ${s}`));
  }
  const unchanged = unchangedNames(review);
  if (unchanged.length > 0) out.push(`no change: ${unchanged.join(', ')}`);
  return out;
}

/** Markdown: a title with base and head, `### Warnings`, one `### <env>` section each, `No change: …`. */
export function renderMarkdown(review: Review): string[] {
  const style: Style = { value: codeSpan, name: codeSpan };
  const out = [
    '## goldsmith diff',
    '',
    `Base ${codeSpan(review.base.ref)} (${codeSpan(review.base.commit.slice(0, 12))}), head: the working tree's ${codeSpan(review.head.config)}.`,
  ];
  if (review.warnings.length > 0) {
    out.push('', '### Warnings', '');
    for (const w of review.warnings) out.push(`- **${markdownText(w.environment)}** · ${warningSentence(w, style)}`);
  }
  for (const environment of review.environments) {
    if (environment.status === 'unchanged') continue;
    out.push('', `### ${markdownText(environment.name)}`, '');
    for (const sentence of environmentSentences(environment, style)) out.push(`- ${sentence}`);
  }
  const unchanged = unchangedNames(review);
  if (unchanged.length > 0) out.push('', `No change: ${unchanged.map(markdownText).join(', ')}.`);
  return out;
}

function unchangedNames(review: Review): string[] {
  return review.environments.filter((e) => e.status === 'unchanged').map((e) => e.name);
}

/**
 * `s` as a markdown code span: a fence of one more backtick than the longest run inside, padded
 * when `s` starts or ends with a backtick; nothing inside is markup, a link, a mention or HTML.
 */
export function codeSpan(s: string): string {
  if (s === '') return '(empty)';
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Plain markdown text with every markdown punctuation character escaped (environment names). */
export function markdownText(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+\-.!|~$@&:]/g, (c) => `\\${c}`);
}
