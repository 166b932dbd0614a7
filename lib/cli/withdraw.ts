// goldsmith withdraw <env> <image> [<build>]: a bad GOLD out, the previous release back, in one reviewed change.
import * as path from 'path';
import { displayPath } from '../catalog';
import { oneLine } from '../common';
import { withdrawRelease } from '../promote/withdraw';
import { buildsFilePath, checkEditedCatalog, readBuildsFile, writeBuildsFile } from '../promote/write-builds';
import { CliIo, Command, parseOptions, UsageError } from './command';
import { catalogEnvironment } from './catalog-environment';
import { DEFAULT_CONFIG_DIR } from './validate';

export const withdrawCommand: Command = {
  name: 'withdraw',
  summary: 'turn a bad release into a hidden, withdrawn one and make the previous release GOLD again',
  help: [
    'usage: goldsmith withdraw <env> <image> [<build>] [--dry-run] [--config DIR]',
    '',
    'Marks <build> (default: the GOLD release) of <image> `state: withdrawn` in config/builds/<env>.yaml.',
    'After review and deploy it is hidden and named `Withdrawn (<display name>)`; when it was GOLD, the',
    'newest earlier release is GOLD again (renamed in place, before the withdrawn one is renamed).',
    'A withdrawn build is never promoted again. Refuses to withdraw the only released build.',
    'A candidate (never GOLD, perhaps an import that failed) leaves `releases` instead, so the deploy',
    'deletes it from Glance, and its build id goes to `withdrawn_builds`: promote never adds it again.',
    '',
    'options:',
    '  --dry-run      print the change, write nothing',
    `  --config DIR   catalog directory (default: ${DEFAULT_CONFIG_DIR})`,
    '  -h, --help     show this help',
    '',
    'exit codes: 0 done (or withdrawn already), 1 refused or a problem, 2 bad command line',
  ].join('\n'),
  run(args: readonly string[], io: CliIo): number {
    const { values, positionals } = parseOptions('withdraw', args, {
      'dry-run': { type: 'boolean' },
      config: { type: 'string', short: 'c' },
    });
    if (positionals.length < 2) throw new UsageError('name the environment and the image', 'withdraw');
    if (positionals.length > 3) throw new UsageError(`unexpected argument \`${positionals[3]}\``, 'withdraw');
    const [envName, image, buildId] = positionals;
    const dir = path.resolve(io.cwd, String(values.config ?? DEFAULT_CONFIG_DIR));
    const { catalog, environment } = catalogEnvironment(dir, envName, 'withdraw');
    const file = buildsFilePath(dir, environment.name);
    try {
      const text = readBuildsFile(file);
      const entry = (catalog.builds[environment.name] ?? []).find((e) => e.image === image);
      const change = withdrawRelease(environment, entry, text, image, buildId);
      io.out(change.line);
      if (!change.changed) return 0;
      checkEditedCatalog(dir, environment.name, change.text);
      if (values['dry-run']) {
        io.out(`dry run: nothing written to ${displayPath(file, io.cwd)}`);
        return 0;
      }
      writeBuildsFile(file, text, change.text);
      io.out(`wrote ${displayPath(file, io.cwd)}`);
      return 0;
    } catch (e) {
      io.err(`goldsmith withdraw: ${oneLine(e)}`);
      return 1;
    }
  },
};
