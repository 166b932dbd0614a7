// goldsmith docs [--format markdown|rst] [--environment ENV]... [--config DIR] [--output FILE]:
// the user documentation page of GOLD images, generated from the catalog so it cannot drift.
import * as path from 'path';
import { displayPath, formatProblems, loadCatalog, locateProblems } from '../catalog';
import { CatalogError } from '../catalog/errors';
import { oneLine } from '../common';
import { DOCS_FORMATS, goldImagesPage, renderGoldImages, UnknownEnvironmentError, type DocsFormat } from '../docs';
import { writeFileAtomic } from '../runner/files';
import { CliIo, Command, parseOptions, UsageError } from './command';
import { DEFAULT_CONFIG_DIR } from './validate';

export const docsCommand: Command = {
  name: 'docs',
  summary: 'write the user documentation page of GOLD images (markdown or reStructuredText) from the catalog',
  help: [
    'usage: goldsmith docs [--format markdown|rst] [--environment ENV]... [--config DIR] [--output FILE]',
    '',
    'Writes the page users read to pick an image: one table of the GOLD images (Glance name, type and short',
    'name, the two tags a lookup selects by, login user, firmware, end of life, regions), then the retired',
    'images (the last date each was released). An image is listed where an environment carries it and its',
    'builds file has a released build; the page of several environments is one list, with the regions of',
    'each image. The catalog must validate (as `goldsmith validate`); no cloud is contacted. The same',
    'catalog gives the same bytes.',
    '',
    'options:',
    '  --format FORMAT      markdown (default: GitHub/GitLab tables) or rst (a list-table for Sphinx)',
    '  --environment ENV    only this environment (repeatable; default: every environment, merged)',
    `  --config DIR         catalog directory (default: ${DEFAULT_CONFIG_DIR})`,
    '  --output FILE        write the page to FILE (replaced atomically) instead of stdout',
    '  -h, --help           show this help',
    '',
    'The bundled page (the production regions): npm run --silent goldsmith -- docs -e bgo -e osl --output docs/gold-images.md',
    '',
    'exit codes: 0 written, 1 catalog problems or the file could not be written, 2 bad command line',
  ].join('\n'),
  run(args: readonly string[], io: CliIo): number {
    const { values, positionals } = parseOptions('docs', args, {
      format: { type: 'string', short: 'f' },
      environment: { type: 'string', short: 'e', multiple: true },
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument \`${positionals[0]}\``, 'docs');
    const format = String(values.format ?? 'markdown');
    if (!(DOCS_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${DOCS_FORMATS.join(', ')}, not \`${format}\``, 'docs');
    }
    const dir = path.resolve(io.cwd, String(values.config ?? DEFAULT_CONFIG_DIR));
    let lines: string[];
    try {
      const catalog = loadCatalog(dir);
      // Only a catalog that synthesizes is documented (the construct checks, as `goldsmith validate`).
      const { checkConstructs } = require('../constructs/construct-checks') as typeof import('../constructs/construct-checks');
      const problems = locateProblems(checkConstructs(catalog));
      if (problems.length > 0) throw new CatalogError(problems);
      const page = goldImagesPage(catalog, values.environment as readonly string[] | undefined);
      lines = renderGoldImages(page, format as DocsFormat);
    } catch (e) {
      if (e instanceof CatalogError) {
        for (const line of formatProblems(e.problems, io.cwd)) io.err(line);
        return 1;
      }
      if (e instanceof UnknownEnvironmentError) throw new UsageError(e.message, 'docs');
      throw e;
    }
    const output = values.output === undefined ? '-' : String(values.output);
    if (output === '-') {
      for (const line of lines) io.out(line);
      return 0;
    }
    const file = path.resolve(io.cwd, output);
    try {
      writeFileAtomic(file, `${lines.join('\n')}\n`);
    } catch (e) {
      io.err(`goldsmith docs: cannot write ${displayPath(file, io.cwd)}: ${oneLine(e)}`);
      return 1;
    }
    return 0;
  },
};
