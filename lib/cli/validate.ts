// goldsmith validate [--config DIR]: load the catalog and report every problem, or a one-line summary.
import * as path from 'path';
import { displayPath, formatProblems, loadCatalog, locateProblems, type Catalog } from '../catalog';
import { CatalogError } from '../catalog/errors';
import { plural } from '../common';
import { CliIo, Command, parseOptions, UsageError } from './command';

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
      // What the constructs would reject, found on the model: located in the files like the loader's.
      // Loaded here: the construct layer brings cdktf, which `goldsmith build` on a builder never needs.
      const { checkConstructs } = require('../constructs/construct-checks') as typeof import('../constructs/construct-checks');
      const problems = locateProblems(checkConstructs(catalog));
      for (const line of formatProblems(problems, io.cwd)) io.err(line);
      if (problems.length > 0) return 1;
      for (const line of notices(catalog, io.cwd)) io.err(line);
      io.out(
        `ok: ${plural(catalog.images.length, 'image')}, ${plural(catalog.environments.length, 'environment')}, ` +
          `${plural(catalog.templates.length, 'template')} (${displayPath(dir, io.cwd)})`,
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

/**
 * What a valid catalog does that may be a mistake (a typo in an image key retires the image): one
 * line per retired image per environment, and per carried image without any release.
 */
export function notices(catalog: Catalog, cwd: string): string[] {
  const lines: string[] = [];
  const where = (rel: string, key: string) => `${displayPath(path.join(catalog.configDir, rel), cwd)}: ${key}`;
  const unreleased = new Map<string, string[]>();
  for (const environment of catalog.environments) {
    const recorded = new Map((catalog.builds[environment.name] ?? []).map((entry) => [entry.image, entry]));
    const carried = new Set(environment.images);
    for (const [name, entry] of recorded) {
      if (carried.has(name) || entry.releases.length === 0) continue;
      const count = entry.releases.length;
      lines.push(
        `notice: ${where(`builds/${environment.name}.yaml`, `images.${name}`)}: image \`${name}\` is retired in ${environment.name}: ` +
          `its ${plural(count, 'release')} ${count === 1 ? 'becomes' : 'become'} outdated and hidden` +
          (count > 1 + (entry.keepOutdated ?? count) ? ` (\`goldsmith promote\` proposes removing those beyond keep_outdated)` : ''),
      );
    }
    for (const name of environment.images) {
      if ((recorded.get(name)?.releases.length ?? 0) === 0) unreleased.set(name, [...(unreleased.get(name) ?? []), environment.name]);
    }
  }
  const sourceOf = new Map(catalog.images.map((image) => [image.name, image.sourceFile]));
  for (const [name, envs] of [...unreleased].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`notice: ${where(sourceOf.get(name)!, `images.${name}`)}: image \`${name}\` has no release in ${envs.join(', ')}: nothing is published there until one is promoted`);
  }
  return lines;
}
