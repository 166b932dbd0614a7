// goldsmith import nrec: a catalog from NREC's himlarcli and himlar files.
import * as path from 'path';
import { displayPath } from '../catalog';
import { oneLine } from '../common';
import { CliIo, Command, parseOptions, UsageError } from './command';

export const importCommand: Command = {
  name: 'import',
  summary: "write a catalog from NREC's himlarcli and himlar files (goldsmith import nrec)",
  help: [
    'usage: goldsmith import nrec --himlarcli DIR --himlar DIR --out DIR [--environment NAME]...',
    '',
    "Writes a catalog directory from today's files: images/*.yaml from himlarcli's config/images/*.yaml",
    '(Glance names, Outdated names, min RAM/disk, visibility, owner, properties; the entry key becomes',
    '`short_name` where it is not the build job), upstream, user, EFI, template and build time from',
    "himlar's hieradata/common/roles/builder.yaml, templates from its templates hash, environments and",
    "the Windows jobs from the builder nodes (hieradata/nodes/<loc>/<loc>-builder-NN.yaml), and goldsmith's",
    'provisioning scripts. The catalog is written only when it validates.',
    'Prints every source value it could not map and why (`unmapped:`), and every catalog value the files',
    'do not hold (`assumed:`, placeholders among them): review those before the first deploy.',
    '',
    'options:',
    '  --himlarcli DIR     the himlarcli checkout (or its config/images/ directory)',
    '  --himlar DIR        the himlar checkout',
    '  --out DIR           the catalog directory to write (must not exist, or be empty)',
    '  --environment NAME  only this location (repeatable; default: every location with a builder node)',
    '  -h, --help          show this help',
    '',
    'exit codes: 0 written, 1 nothing written (one line says why), 2 bad command line',
  ].join('\n'),
  run(args: readonly string[], io: CliIo): number {
    const { values, positionals } = parseOptions('import', args, {
      himlarcli: { type: 'string' },
      himlar: { type: 'string' },
      out: { type: 'string', short: 'o' },
      environment: { type: 'string', multiple: true },
    });
    if (positionals.length === 0) throw new UsageError('name the source: goldsmith import nrec …', 'import');
    if (positionals[0] !== 'nrec') throw new UsageError(`unknown source \`${positionals[0]}\` (known: nrec)`, 'import');
    if (positionals.length > 1) throw new UsageError(`unexpected argument \`${positionals[1]}\``, 'import');
    for (const option of ['himlarcli', 'himlar', 'out'] as const) {
      if (values[option] === undefined) throw new UsageError(`--${option} DIR is required`, 'import');
    }
    const at = (option: 'himlarcli' | 'himlar' | 'out') => path.resolve(io.cwd, String(values[option]));
    const out = at('out');
    try {
      // Loaded here: the import code (and cdktf, for the construct checks) only when it runs.
      const { importNrecTo } = require('../migrate/nrec-import') as typeof import('../migrate/nrec-import');
      const result = importNrecTo(
        { himlarcli: at('himlarcli'), himlar: at('himlar'), environments: values.environment as readonly string[] | undefined },
        out,
      );
      const c = result.catalog;
      const files = new Set(c.images.map((i) => i.sourceFile)).size;
      io.out(`read ${result.read.himlarcliFiles} himlarcli image files and ${result.read.locations} himlar locations`);
      io.out(
        `wrote ${displayPath(out, io.cwd)}: ${c.images.length} images in ${files} files, ${c.templates.length} templates, ` +
          `${c.environments.length} environments (it validates: goldsmith validate --config ${displayPath(out, io.cwd)})`,
      );
      for (const line of result.unmapped) io.out(`unmapped: ${line}`);
      for (const line of result.assumed) io.out(`assumed: ${line}`);
      return 0;
    } catch (e) {
      io.err(`goldsmith import: ${oneLine(e)}`);
      return 1;
    }
  },
};
