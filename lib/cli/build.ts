// goldsmith build <image> [--bundle DIR] [--force] [--dry-run] [--quiet]: one build of one image on a builder
// node (cron runs it), via the build runner (lib/runner/runner.ts). Progress lines on stdout, each
// prefixed by a UTC time; one summary line at the end; the exit code says what happened.
//
// SIGTERM/SIGINT cancel the run through an AbortController (the runner still cleans up in its
// finally: temp files, work directory, temporary Glance images, the lock) and the command exits 1
// with the report saying `failed`.
import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../common';
import { BundleFileError, DEFAULT_BUNDLE_DIR, IMAGE_NAME, type RunnerConfig } from '../contract';
import type { ImageBaker } from '../runner/baker';
import type { FetchFn } from '../runner/download';
import { ExternalBaker } from '../runner/external-baker';
import { BuildLockedError } from '../runner/lock';
import { PackerBaker } from '../runner/packer';
import type { RunReport } from '../runner/report';
import { runBuild } from '../runner/runner';
import { CliIo, Command, parseOptions, UsageError } from './command';

export { DEFAULT_BUNDLE_DIR };

/** sysexits.h EX_TEMPFAIL: another build of the image holds the lock; try again later. */
export const EXIT_LOCKED = 75;

/** Injection seams (tests). */
export interface BuildCommandDeps {
  /** The baker for an image; default: PackerBaker for template_file, ExternalBaker for external_command. */
  readonly bakerFor?: (config: RunnerConfig, ctx: { readonly bundleDir: string }) => ImageBaker;
  /** HTTP for the upstream checksum and download (default: node's fetch). */
  readonly fetch?: FetchFn;
  /** Where SIGTERM/SIGINT handlers are installed (default: process). */
  readonly signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Clock of the progress-line prefix (default: now). */
  readonly clock?: () => Date;
}

/** The default baker of a runner config. */
export function defaultBakerFor(config: RunnerConfig, ctx: { readonly bundleDir: string }): ImageBaker {
  if (config.external_command !== undefined) return new ExternalBaker();
  return new PackerBaker({ bundleDir: ctx.bundleDir });
}

/** `12m3s`, `45s`, `1h2m3s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${m}m${r}s`;
  if (m > 0) return `${m}m${r}s`;
  return `${r}s`;
}

/** Decimal units: `612 MB`, `1.4 GB`, `5.2 MB`, `830 kB`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e7) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

/** The summary line of a report. */
export function summaryLine(report: RunReport): string {
  const image = report.image;
  switch (report.result) {
    case 'success': {
      const secs = report.finished_at ? (Date.parse(report.finished_at) - Date.parse(report.started_at)) / 1000 : 0;
      const a = report.artifact;
      return `${image}: success in ${formatDuration(secs)}${a ? `, stored ${a.file} (${formatSize(a.size_bytes)})` : ''}`;
    }
    case 'unchanged':
      return `${image}: unchanged${report.artifact ? `, ${report.artifact.file} is current` : ''}`;
    case 'dry-run':
      return `${image}: dry run, nothing done`;
    default:
      return `${image}: failed: ${report.error ?? `build ended as ${report.result}`}`;
  }
}

function utcStamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const HELP = [
  'usage: goldsmith build <image> [--bundle DIR] [--force] [--dry-run] [--quiet]',
  '',
  'Builds one image on a builder node: fetches and verifies the upstream file, bakes it (packer, or',
  "the image's external command), converts, verifies and stores it with md5/sha256 files and",
  '-latest links. Stops early as `unchanged` (nothing downloaded) when the upstream checksum and',
  'the template fingerprint equal the last successful build and, for the default rebuild policy',
  '`periodic`, that build ran in the current schedule period (weekly, or monthly for monthly',
  'schedules): every period gets one freshly patched build, a rerun within it changes nothing.',
  'The report says why a build ran or did not (`reason`).',
  '',
  'Progress lines go to stdout, each prefixed by a UTC time; the last line is a summary',
  '(`<image>: success in 12m3s, stored <file> (612 MB)`, `<image>: unchanged, ...`) on stdout,',
  'or `<image>: failed: <error>` on stderr. The full log and report are in the paths.logs',
  'directory of the runner config.',
  '',
  'arguments:',
  '  <image>        image name ([a-z0-9_]+), as in <bundle>/images/<image>.json',
  '',
  'options:',
  `  --bundle DIR   the installed builder bundle (default: ${DEFAULT_BUNDLE_DIR})`,
  '  --force        rebuild even when nothing changed',
  '  --dry-run      print what each step would do; touch nothing (no lock, network or files)',
  '  --quiet        print only a failure (on stderr), for cron: its MAILTO then mails failures only',
  '  -h, --help     show this help',
  '',
  'SIGTERM or SIGINT cancels the build; cleanup still runs and the build counts as failed.',
  '',
  'exit codes:',
  '  0   success, unchanged, or dry run',
  '  1   build failed (or cancelled), or the bundle/runner config is missing or invalid',
  '  2   bad command line (including an invalid image name)',
  `  ${EXIT_LOCKED}  another build of the image is running (EX_TEMPFAIL: try again later)`,
].join('\n');

export function buildCommand(deps: BuildCommandDeps = {}): Command {
  return {
    name: 'build',
    summary: 'build one image on a builder node (cron runs this)',
    help: HELP,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const { values, positionals } = parseOptions('build', args, {
        bundle: { type: 'string' },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        quiet: { type: 'boolean' },
      });
      if (positionals.length === 0) throw new UsageError('missing <image>', 'build');
      if (positionals.length > 1) throw new UsageError(`unexpected argument \`${positionals[1]}\``, 'build');
      const image = positionals[0];
      if (!IMAGE_NAME.test(image)) {
        throw new UsageError(`invalid image name ${JSON.stringify(image)} (expected [a-z0-9_]+)`, 'build');
      }
      const bundleDir = path.resolve(io.cwd, String(values.bundle ?? DEFAULT_BUNDLE_DIR));
      const fail = (msg: string, code = 1): number => {
        io.err(`goldsmith build: ${msg}`);
        return code;
      };
      if (!isDirectory(bundleDir)) {
        return fail(`bundle directory ${bundleDir} does not exist${values.bundle === undefined ? ' (use --bundle DIR)' : ''}`);
      }

      const clock = deps.clock ?? ((): Date => new Date());
      const quiet = values.quiet === true;
      // Quiet: progress still goes to the build's log file (the runner writes it), not to stdout.
      const log = (line: string): void => {
        if (!quiet) io.out(`${utcStamp(clock())} ${line}`);
      };
      const bakerFor = deps.bakerFor ?? defaultBakerFor;
      // The baker is chosen from the config the runner loaded (and only when it gets to bake).
      const baker: ImageBaker = { bake: (req) => bakerFor(req.config, { bundleDir }).bake(req) };

      const controller = new AbortController();
      const signals = deps.signals ?? process;
      const onSignal = (sig: NodeJS.Signals): void => {
        if (controller.signal.aborted) {
          log(`received ${sig} again: still cleaning up (SIGKILL would leave temporary files and images behind)`);
          return;
        }
        log(`received ${sig}: cancelling the build (cleanup still runs)`);
        controller.abort(new Error(`cancelled by ${sig}`));
      };
      const onTerm = (): void => onSignal('SIGTERM');
      const onInt = (): void => onSignal('SIGINT');
      signals.on('SIGTERM', onTerm);
      signals.on('SIGINT', onInt);

      let report: RunReport;
      try {
        report = await runBuild({
          bundleDir,
          image,
          force: values.force === true,
          dryRun: values['dry-run'] === true,
          baker,
          log,
          signal: controller.signal,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        });
      } catch (e) {
        if (e instanceof BuildLockedError) return fail(e.message, EXIT_LOCKED);
        if (e instanceof BundleFileError) return fail(e.message);
        return fail(oneLine(e));
      } finally {
        signals.off('SIGTERM', onTerm);
        signals.off('SIGINT', onInt);
      }
      if (report.result === 'failed' || report.result === 'running') {
        io.err(summaryLine(report));
        return 1;
      }
      if (!quiet) io.out(summaryLine(report));
      return 0;
    },
  };
}

export const buildCommandDefault: Command = buildCommand();

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
