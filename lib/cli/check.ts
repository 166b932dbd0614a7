// goldsmith check <image> | --all [--bundle DIR] [--jsonl FILE]: a Nagios plugin (the Sensu Go
// check of sensu/checks.yaml) judging this builder's builds. Everything goes to stdout, and every
// problem, a bad command line included, is UNKNOWN (exit 3), never CRITICAL's exit 2.
import * as path from 'path';
import {
  evaluateImage,
  evaluateImagebuilderReport,
  imageStatus,
  readBundleManifest,
  readCheckConfig,
  readImagebuilderReport,
  readLastSuccess,
  readReport,
  renderAll,
  renderImage,
  renderUnknown,
  type CheckOutput,
  type ImageStatus,
} from '../check';
import { oneLine } from '../common';
import { DEFAULT_BUNDLE_DIR, DEFAULT_EOL_WARNING_DAYS, IMAGE_NAME, type CheckConfig } from '../contract';
import { CliIo, Command, parseOptions, UsageError } from './command';

/** What the command depends on besides its arguments (tests pass a fixed clock). */
export interface CheckCommandDeps {
  /** The time the check judges at. @default () => new Date() */
  readonly now?: () => Date;
}

const HELP = [
  'usage: goldsmith check <image> | --all [--bundle DIR] [--jsonl FILE]',
  '',
  "Judges this builder's builds as a Nagios plugin (the bundle's sensu/checks.yaml runs",
  '`goldsmith check --all` as a Sensu Go check), per image from the runner\'s report, its',
  'last-success record and the bundle\'s checks/<image>.json:',
  '  CRITICAL  the last run failed; a run still running past its limit; two scheduled runs',
  '            (each plus its grace) missed since the last successful or unchanged one;',
  '            end of life passed',
  '  WARNING   one scheduled run (plus its grace) missed; end of life within',
  `            ${DEFAULT_EOL_WARNING_DAYS} days (the image's eol_warning_days)`,
  '  UNKNOWN   no report, or one that cannot be read',
  '  OK        otherwise (a run within its limit included)',
  '',
  'options:',
  '  --all          every image the bundle has a check for (instead of <image>)',
  `  --bundle DIR   the installed builder bundle (default: ${DEFAULT_BUNDLE_DIR})`,
  "  --jsonl FILE   judge NREC's imagebuilder report FILE (/var/log/imagebuilder/<image>-report.jsonl)",
  "                 instead of goldsmith's report, for the migration; needs <image>; the bundle's",
  '                 check of the image adds schedule and end of life when there is one',
  '  -h, --help     show this help',
  '',
  'Prints a status line, one line per image and the perfdata (<image>.age_s: seconds since the last',
  'good run, with the WARNING and CRITICAL ages; <image>.running_s) behind a | on the last line.',
  'exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for a bad command line)',
].join('\n');

/** Every image the bundle has a check for, each judged on its own (a broken check file is that image's UNKNOWN). */
function checkAll(bundleDir: string, now: Date): CheckOutput {
  const manifest = readBundleManifest(bundleDir);
  const statuses = Object.keys(manifest.checks)
    .sort()
    .map((image): ImageStatus => {
      try {
        const config = readCheckConfig(bundleDir, manifest, image);
        return evaluateImage({ config, report: readReport(config), lastSuccess: readLastSuccess(config), now });
      } catch (e) {
        return imageStatus(image, [{ state: 'UNKNOWN', text: oneLine(e) }]);
      }
    });
  return renderAll(manifest.environment, statuses);
}

/** One image from NREC's imagebuilder report; the bundle's check of it, when there is one, adds schedule and end of life. */
function checkJsonl(bundleDir: string, image: string, file: string, now: Date): CheckOutput {
  let config: CheckConfig | undefined;
  let without: string | undefined;
  try {
    config = readCheckConfig(bundleDir, readBundleManifest(bundleDir), image);
  } catch (e) {
    without = oneLine(e);
  }
  const status = evaluateImagebuilderReport({ image, report: readImagebuilderReport(file), config, now });
  if (without === undefined) return renderImage(status);
  const note = { state: 'OK' as const, text: `schedule and end of life not checked: ${without}` };
  return renderImage(imageStatus(image, [...status.findings, note], status.perfdata));
}

function runCheck(args: readonly string[], io: CliIo, now: Date): CheckOutput {
  const { values, positionals } = parseOptions('check', args, {
    all: { type: 'boolean' },
    bundle: { type: 'string' },
    jsonl: { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError(`unexpected argument \`${positionals[1]}\``, 'check');
  const image = positionals[0];
  const all = values.all === true;
  if (all && image !== undefined) throw new UsageError('give an image or --all, not both', 'check');
  if (!all && image === undefined) throw new UsageError('give an image or --all', 'check');
  if (image !== undefined && !IMAGE_NAME.test(image)) throw new UsageError(`${JSON.stringify(image)} is not an image name ([a-z0-9_]+)`, 'check');
  if (all && values.jsonl !== undefined) throw new UsageError('--jsonl reads the report of one image: give the image instead of --all', 'check');
  const bundleDir = path.resolve(io.cwd, String(values.bundle ?? DEFAULT_BUNDLE_DIR));
  if (all) return checkAll(bundleDir, now);
  if (values.jsonl !== undefined) return checkJsonl(bundleDir, image!, path.resolve(io.cwd, String(values.jsonl)), now);
  const config = readCheckConfig(bundleDir, readBundleManifest(bundleDir), image!);
  return renderImage(evaluateImage({ config, report: readReport(config), lastSuccess: readLastSuccess(config), now }));
}

/** The `goldsmith check` command with its dependencies. */
export function makeCheckCommand(deps: CheckCommandDeps = {}): Command {
  return {
    name: 'check',
    summary: 'Nagios/Sensu check: are this builder’s images built on schedule and supported?',
    help: HELP,
    run(args: readonly string[], io: CliIo): number {
      let out: CheckOutput;
      try {
        out = runCheck(args, io, (deps.now ?? (() => new Date()))());
      } catch (e) {
        out = renderUnknown(e instanceof UsageError ? `${e.message} (see \`goldsmith check --help\`)` : oneLine(e));
      }
      for (const line of out.lines) io.out(line);
      return out.exitCode;
    },
  };
}

/** `goldsmith check` on the system clock. */
export const checkCommand: Command = makeCheckCommand();
