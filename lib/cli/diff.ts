// goldsmith diff [--base REF] [--config DIR] [--format text|markdown|json]: what a catalog change
// does, per environment, from the two catalogs as synthesized. Exit 0 no change, 2 change, 1 error.
import * as path from 'path';
import { oneLine } from '../common';
import { CliIo, Command, parseOptions, UsageError } from './command';
import { DEFAULT_CONFIG_DIR } from './validate';

/** The base when none is given: the last commit, so a plain run reviews the uncommitted change. */
export const DEFAULT_BASE_REF = 'HEAD';

const FORMATS = ['text', 'markdown', 'json'] as const;

/** Exit codes: a change is not an error, so CI can tell them apart. */
export const DIFF_EXIT = { unchanged: 0, error: 1, changed: 2 } as const;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'what a catalog change does, per environment (the working tree against a git ref), without any cloud',
  help: [
    'usage: goldsmith diff [--base REF] [--config DIR] [--format text|markdown|json]',
    '',
    'Compares the catalog in the working tree with the one committed at REF: both are synthesized as',
    '`npm run synth` does (into a temporary directory, removed afterwards) and compared environment by',
    'environment. Glance: new builds and GOLD changes, retired, deleted, renamed and replaced images,',
    'member grants; the builder: cron lines added, removed or moved, templates, scripts, runner configs',
    'and checks. Warnings first: an image replaced or deleted, an image left without GOLD, a name users',
    'boot by that changes, many images changed at once. No cloud is contacted, nothing is written.',
    '',
    'options:',
    `  --base REF       git commit, branch or tag to compare with (default: ${DEFAULT_BASE_REF}, the last commit,`,
    '                   so the uncommitted change is reviewed). In a merge request pipeline:',
    '                   --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" (GitLab), --base origin/main (GitHub)',
    `  --config DIR     catalog directory in the git working tree (default: ${DEFAULT_CONFIG_DIR}); the base is the`,
    '                   same directory at REF',
    '  --format FORMAT  text (default: one line per change), markdown (a merge request comment) or json',
    '                   (docs/ci/diff-report.schema.json)',
    '  -h, --help       show this help',
    '',
    'exit codes: 0 nothing changes, 2 something changes, 1 error (one line on stderr, nothing on stdout;',
    'also for a bad command line)',
  ].join('\n'),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    try {
      const { values, positionals } = parseOptions('diff', args, {
        base: { type: 'string' },
        config: { type: 'string', short: 'c' },
        format: { type: 'string' },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument \`${positionals[0]}\``, 'diff');
      const format = String(values.format ?? 'text');
      if (!(FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not \`${format}\``, 'diff');
      }
      // The review brings cdktf: loaded here, so other commands (a builder's `goldsmith build`) never load it.
      const review = require('../../review') as typeof import('../../review');
      const result = await review.reviewCatalogChange({
        configDir: path.resolve(io.cwd, String(values.config ?? DEFAULT_CONFIG_DIR)),
        baseRef: String(values.base ?? DEFAULT_BASE_REF),
        cwd: io.cwd,
      });
      // Rendered in full before anything is printed: an error leaves stdout empty.
      const lines = review.renderReview(result, format as (typeof FORMATS)[number]);
      for (const line of lines) io.out(line);
      return result.changed ? DIFF_EXIT.changed : DIFF_EXIT.unchanged;
    } catch (e) {
      if (e instanceof UsageError) {
        io.err(`goldsmith diff: ${e.message} (see \`goldsmith diff --help\`)`);
        return DIFF_EXIT.error;
      }
      io.err(`goldsmith diff: ${oneLine(e)}`);
      if (io.env.GOLDSMITH_DEBUG === '1' && e instanceof Error && e.stack) io.err(e.stack);
      return DIFF_EXIT.error;
    }
  },
};
