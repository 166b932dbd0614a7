// goldsmith adopt <env>: today's Glance images (himlarcli's GOLD and Outdated) into config/builds/<env>.yaml,
// so the first deploy imports them instead of uploading them again.
import * as path from 'path';
import { displayPath } from '../catalog';
import { oneLine, plural } from '../common';
import type { AdoptSources } from '../migrate/adopt';
import { buildsFilePath, checkEditedCatalog, readBuildsFile, writeBuildsFile } from '../promote/write-builds';
import { CliIo, Command, parseOptions, UsageError } from './command';
import { catalogEnvironment } from './catalog-environment';
import { DEFAULT_CONFIG_DIR } from './validate';

export const adoptCommand: Command = {
  name: 'adopt',
  summary: "record today's Glance images (GOLD and Outdated) as releases, for import instead of upload",
  help: [
    'usage: goldsmith adopt <env> [--dry-run] [--leave-unknown] [--config DIR]',
    '',
    "Reads Glance (the environment's clouds.yaml entry, or the image owner's) for the images of each",
    'image of the environment, by their tags [type, short name]: the active one (GOLD) and the',
    "deactivated ones (Outdated, as himlarcli leaves them). Each becomes a release of config/builds/<env>.yaml",
    "with Glance's id, md5, size and date; the next deploy imports them (Terraform import blocks): no",
    'upload, no replacement; names, tags, properties and `hidden` change in place; member grants stay.',
    'Run it once, before the first deploy (again: only what is new is added). The edited file must validate.',
    '',
    'Refused (nothing written, one line each): two active images with the same tags, none active, an',
    'image Terraform would replace (container format other than bare, disk format other than qcow2 or',
    'raw), an image without data, and an image of a catalog type whose tags match no image of the',
    'environment (retired ones, say) unless --leave-unknown leaves those alone.',
    '',
    'options:',
    '  --dry-run         print what would be adopted, write nothing',
    '  --leave-unknown   leave Glance images that match no image of the environment as they are (a note each)',
    `  --config DIR      catalog directory (default: ${DEFAULT_CONFIG_DIR})`,
    '  -h, --help        show this help',
    '',
    'Prints one line per adopted image line (stdout), per note (stdout, `note:`) and per problem (stderr).',
    'exit codes: 0 written (or nothing to adopt), 1 a problem (nothing written), 2 bad command line',
  ].join('\n'),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('adopt', args, {
      'dry-run': { type: 'boolean' },
      'leave-unknown': { type: 'boolean' },
      config: { type: 'string', short: 'c' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument \`${positionals[1]}\`` : 'name the environment', 'adopt');
    const dir = path.resolve(io.cwd, String(values.config ?? DEFAULT_CONFIG_DIR));
    const fail = (line: string) => io.err(`goldsmith adopt: ${line}`);

    const { catalog, environment } = catalogEnvironment(dir, positionals[0], 'adopt');

    const file = buildsFilePath(dir, environment.name);
    const shown = displayPath(file, io.cwd);
    try {
      const text = readBuildsFile(file);
      const { planAdoption } = require('../migrate/adopt') as typeof import('../migrate/adopt');
      const plan = await planAdoption(catalog, environment, text, liveSources(environment.region, io.env), {
        leaveUnknown: values['leave-unknown'] === true,
      });
      for (const line of plan.changes) io.out(line);
      for (const line of plan.notes) io.out(`note: ${line}`);
      if (plan.problems.length > 0) {
        for (const line of plan.problems) fail(`${line}; nothing written`);
        return 1;
      }
      if (!plan.changed) {
        io.out(`nothing to adopt in ${environment.name}: ${shown} unchanged`);
        return 0;
      }
      checkEditedCatalog(dir, environment.name, plan.text);
      const what = `${plural(plan.adopted, 'Glance image')} (${plural(plan.changes.length, 'image line')})`;
      if (values['dry-run']) {
        io.out(`dry run: would adopt ${what} into ${shown}, nothing written`);
        return 0;
      }
      writeBuildsFile(file, text, plan.text);
      io.out(`adopted ${what} into ${shown}: the next deploy imports them (plan: ${plan.adopted} to import, none to add or replace)`);
      return 0;
    } catch (e) {
      const line = oneLine(e);
      fail(`${environment.name}: ${line}${line.includes('nothing written') ? '' : '; nothing written'}`);
      return 1;
    }
  },
};

/** Glance through the environment's clouds.yaml entries (the owner's for owned images). */
function liveSources(region: string, env: CliIo['env']): AdoptSources {
  // Loaded here: a builder running `goldsmith build` never needs the session code of adopt.
  const { openStackSession } = require('../openstack') as typeof import('../openstack');
  const { glanceAdoptSources } = require('../migrate/adopt-sources') as typeof import('../migrate/adopt-sources');
  return glanceAdoptSources(async (cloud) => {
    const session = openStackSession(cloud, region, { env: env as NodeJS.ProcessEnv });
    return {
      glance: await session.glance(),
      headers: () => session.headers(),
      projectId: async () => (await session.tokens.get()).projectId,
    };
  });
}
