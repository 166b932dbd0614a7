// goldsmith validate [--config DIR]: load the catalog and report every problem, or a one-line summary.
import * as path from 'path';
import { displayPath, formatProblems, loadCatalog } from '../catalog';
import { CatalogError } from '../catalog/errors';
import { CliIo, Command, parseOptions, UsageError } from './command';
import { checkStacks } from '../synth';

/** Default catalog directory, relative to the current directory. */
export const DEFAULT_CONFIG_DIR = 'config';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check the catalog (every file, every problem) without touching any cloud',
  help: [
    'usage: goldsmith validate [--config DIR]',
    '',
    'Loads and validates the catalog and prints a summary, or one line per problem on stderr.',
    '',
    'options:',
    `  --config DIR   catalog directory (default: ${DEFAULT_CONFIG_DIR})`,
    '  -h, --help     show this help',
    '',
    'exit codes: 0 valid, 1 problems found, 2 bad command line',
  ].join('\n'),
  run(args: readonly string[], io: CliIo): number {
    const { values, positionals } = parseOptions('validate', args, {
      config: { type: 'string', short: 'c' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument \`${positionals[0]}\``, 'validate');
    const dir = path.resolve(io.cwd, String(values.config ?? DEFAULT_CONFIG_DIR));
    try {
      const catalog = loadCatalog(dir);
      const stackProblems = checkStacks(catalog);
      for (const p of stackProblems) io.err(`${displayPath(dir, io.cwd)}: environments.${p.environment}: ${p.message}`);
      if (stackProblems.length > 0) return 1;
      const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
      io.out(
        `ok: ${n(catalog.images.length, 'image')}, ${n(catalog.environments.length, 'environment')}, ` +
          `${n(catalog.templates.length, 'template')} (${displayPath(dir, io.cwd)})`,
      );
      return 0;
    } catch (e) {
      if (e instanceof CatalogError) {
        for (const line of formatProblems(e.problems, io.cwd)) io.err(line);
        return 1;
      }
      throw e;
    }
  },
};
