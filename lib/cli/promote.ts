// goldsmith promote <env>: moves finished builds into config/builds/<env>.yaml, one reviewed step at a time.
import * as path from 'path';
import { displayPath } from '../catalog';
import { oneLine, plural } from '../common';
import { planPromotion, type PromoteSources } from '../promote/promote';
import { fetchLatestRecord, BuilderRecordError } from '../promote/builder-records';
import { buildsFilePath, checkEditedCatalog, readBuildsFile, writeBuildsFile } from '../promote/write-builds';
import { runSmokeTest } from '../promote/smoke-test';
import { CliIo, Command, parseOptions, UsageError } from './command';
import { catalogEnvironment } from './catalog-environment';
import { DEFAULT_CONFIG_DIR } from './validate';

const DEFAULT_SMOKE_TIMEOUT_S = 1800;

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'move finished builds into config/builds/<env>.yaml: candidate, then GOLD, then retention',
  help: [
    'usage: goldsmith promote <env> [--image NAME]... [--dry-run] [--offline] [--smoke-test PROGRAM] [--config DIR]',
    '',
    'For every image of the environment, one step of its way to GOLD, as a change of the builds file',
    'for a merge request (comments and layout kept, only the changed lines differ):',
    '  - no candidate pending: the builder\'s newest verified build (<base_url><image>-latest.json, its',
    '    .md5/.sha256 files and the file\'s size must agree) that is newer than every release is added',
    '    as a hidden `candidate`; a deploy imports it and checks its md5 and size;',
    '  - a candidate pending: once Glance shows it active with the recorded md5 and size (and the',
    '    smoke test passed), it becomes GOLD (its `state` line goes) and the GOLD before it Outdated;',
    '  - then releases beyond keep_outdated (and withdrawn ones older than the GOLD) are removed,',
    '    except those a server or volume of any project still uses (Nova and Cinder are asked with',
    '    the clouds.yaml entry of the environment or the image\'s owner; it must be an admin entry).',
    'A withdrawn build is never added again. The edited file must validate before it is written.',
    '',
    'options:',
    '  --image NAME         only this image (repeatable; default: every image of the environment)',
    '  --dry-run            print what would change, write nothing',
    '  --offline            no Glance, Nova or Cinder: candidates wait, releases are removed unchecked (warned)',
    '  --smoke-test PROGRAM run PROGRAM on a verified candidate before it becomes GOLD: it gets',
    '                       GOLDSMITH_ENVIRONMENT, GOLDSMITH_IMAGE, GOLDSMITH_BUILD_ID, GOLDSMITH_IMAGE_ID',
    '                       and OS_CLOUD; exit 0 passes',
    `  --smoke-timeout S    seconds before the smoke test is killed (default ${DEFAULT_SMOKE_TIMEOUT_S})`,
    `  --config DIR         catalog directory (default: ${DEFAULT_CONFIG_DIR})`,
    '  -h, --help           show this help',
    '',
    'Prints one line per change (stdout), per note (stdout, `note:`) and per problem (stderr).',
    'exit codes: 0 done (or nothing to do), 1 a problem (the other images are still promoted), 2 bad command line',
  ].join('\n'),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('promote', args, {
      image: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      offline: { type: 'boolean' },
      'smoke-test': { type: 'string' },
      'smoke-timeout': { type: 'string' },
      config: { type: 'string', short: 'c' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument \`${positionals[1]}\`` : 'name the environment', 'promote');
    const smokeTimeout = Number(values['smoke-timeout'] ?? DEFAULT_SMOKE_TIMEOUT_S);
    if (!Number.isInteger(smokeTimeout) || smokeTimeout < 1) throw new UsageError('--smoke-timeout takes a whole number of seconds', 'promote');
    const dir = path.resolve(io.cwd, String(values.config ?? DEFAULT_CONFIG_DIR));
    const fail = (line: string) => io.err(`goldsmith promote: ${line}`);

    const { catalog, environment } = catalogEnvironment(dir, positionals[0], 'promote');
    const images = values.image as readonly string[] | undefined;
    const known = new Set([...environment.images, ...(catalog.builds[environment.name] ?? []).map((e) => e.image)]);
    for (const image of images ?? []) if (!known.has(image)) throw new UsageError(`environment ${environment.name} has no image \`${image}\``, 'promote');

    const file = buildsFilePath(dir, environment.name);
    const text = readBuildsFile(file);
    const plan = await planPromotion(catalog, environment, text, liveSources(environment.builder.baseUrl, environment.region, values['smoke-test'] as string | undefined, smokeTimeout * 1000, environment.name, io.env), {
      images,
      offline: values.offline === true,
    });
    for (const line of plan.changes) io.out(line);
    for (const line of plan.notes) io.out(`note: ${line}`);
    for (const line of plan.problems) fail(line);
    const shown = displayPath(file, io.cwd);
    if (plan.changed) {
      try {
        checkEditedCatalog(dir, environment.name, plan.text);
        if (values['dry-run']) io.out(`dry run: ${plural(plan.changes.length, 'change')} to ${shown}, nothing written`);
        else {
          writeBuildsFile(file, text, plan.text);
          io.out(`wrote ${plural(plan.changes.length, 'change')} to ${shown}`);
        }
      } catch (e) {
        fail(oneLine(e));
        return 1;
      }
    } else {
      io.out(`nothing to change in ${shown}`);
    }
    return plan.problems.length > 0 ? 1 : 0;
  },
};

/** The builder over HTTP(S), Glance, Nova and Cinder through the clouds.yaml entries. */
function liveSources(baseUrl: string, region: string, smokeProgram: string | undefined, smokeTimeoutMs: number, environment: string, env: CliIo['env']): PromoteSources {
  // Loaded here: `goldsmith build` on a builder never needs the session code path of promote.
  const { openStackSession } = require('../openstack') as typeof import('../openstack');
  const { listReleaseImages } = require('../openstack/glance-releases') as typeof import('../openstack/glance-releases');
  const sessions = new Map<string, ReturnType<typeof openStackSession>>();
  const session = (cloud: string) => {
    let s = sessions.get(cloud);
    if (!s) sessions.set(cloud, (s = openStackSession(cloud, region, { env: env as NodeJS.ProcessEnv })));
    return s;
  };
  let unreachable: BuilderRecordError | undefined;
  return {
    async latestRecord(image) {
      // One unreachable builder is one line, not one per image.
      if (unreachable) throw Object.assign(new Error(`builder unreachable (${unreachable.why})`), { repeated: true });
      try {
        return await fetchLatestRecord(baseUrl, image);
      } catch (e) {
        if (e instanceof BuilderRecordError && /^(connection|host|network|request failed|no complete answer)/.test(e.why)) unreachable = e;
        throw e;
      }
    },
    async releaseImages(image, cloud) {
      return listReleaseImages(await session(cloud).glance(), image);
    },
    async projectId(cloud) {
      return (await session(cloud).tokens.get()).projectId;
    },
    async usage(imageId, cloud) {
      return session(cloud).imageUsage(imageId);
    },
    smokeTest: smokeProgram
      ? (candidate) => runSmokeTest(smokeProgram, { ...candidate, environment }, smokeTimeoutMs)
      : undefined,
  };
}

