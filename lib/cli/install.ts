// goldsmith install --bundle DIR [--root DIR] [--dry-run]: makes this builder match a synthesized
// builder bundle. One line per action, a summary; exit 0 done (or nothing to do), 1 error.
import * as path from 'path';
import { oneLine } from '../common';
import { INSTALL_BUNDLE_DIR, INSTALL_CRON_FILE, INSTALL_STATE_FILE, installBundle } from '../install';
import { CliIo, Command, parseOptions, UsageError } from './command';

export const installCommand: Command = {
  name: 'install',
  summary: 'make this builder match a synthesized builder bundle (cron file, templates, scripts, runner configs, checks)',
  help: [
    'usage: goldsmith install --bundle DIR [--root DIR] [--dry-run]',
    '',
    'Installs a synthesized builder bundle (cdktf.out/stacks/<env>/builder) on this builder: its files',
    `under ${INSTALL_BUNDLE_DIR} (manifest, templates, scripts, runner configs, checks, Sensu check`,
    `definitions), the cron file as ${INSTALL_CRON_FILE}, and for each template with site variables a`,
    'stub /etc/goldsmith/env/<template>.env (root:<build user> 0640) where no such file is; an existing',
    'env file is never rewritten. Each file is written atomically (root:root, 0644, scripts 0755) and',
    'every file is checked against the sha256 in the bundle\'s manifest first. What the previous install',
    'put there and the new bundle no longer names is removed; for an image that left the bundle (a',
    'retired image) also its stored builds, -latest names, report, logs and last-success record, except',
    'the builds a release in Glance names. Nothing goldsmith install did not install is touched.',
    `What was installed is recorded in ${INSTALL_STATE_FILE}. A second run with the same bundle does nothing.`,
    '',
    'options:',
    '  --bundle DIR   the synthesized bundle to install (required)',
    '  --root DIR     the builder\'s root directory (default: /); no path may lead out of it',
    '  --dry-run      print what would be done, change nothing',
    '  -h, --help     show this help',
    '',
    'Prints one line per action (`install …`, `update …`, `remove …`, `keep … (a release in Glance names',
    'it)`), paths as the builder sees them, then a summary, or `nothing to do`. Run it as root.',
    'exit codes: 0 done or nothing to do, 1 error (one line on stderr), 2 bad command line',
  ].join('\n'),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('install', args, {
      bundle: { type: 'string' },
      root: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument \`${positionals[0]}\``, 'install');
    if (values.bundle === undefined) throw new UsageError('--bundle DIR is required', 'install');
    try {
      await installBundle({
        bundleDir: path.resolve(io.cwd, String(values.bundle)),
        root: path.resolve(io.cwd, String(values.root ?? '/')),
        dryRun: values['dry-run'] === true,
        out: io.out,
      });
      return 0;
    } catch (e) {
      io.err(`goldsmith install: ${oneLine(e)}`);
      if (io.env.GOLDSMITH_DEBUG === '1' && e instanceof Error && e.stack) io.err(e.stack);
      return 1;
    }
  },
};
