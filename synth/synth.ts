// Synthesizes a catalog into an output directory, all or nothing.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { Catalog } from '../lib/catalog/model';
import { EnvironmentStack } from '../stacks/environment-stack';
import { writeFilesInBackground, writeFilesSync, type BackgroundWrite, type FileJob } from './file-writer';
import { bundleJobs } from './write-bundle';

export interface SynthResult {
  /** Absolute path of the output directory. */
  readonly outdir: string;
  /** Stack names (= environment names), in catalog order. */
  readonly stacks: readonly string[];
}

export interface SynthOptions {
  /**
   * Directory relative local backend paths are resolved against.
   * @default process.cwd()
   */
  readonly stateBaseDir?: string;
  /**
   * From this many builder bundle files on, a worker thread writes them while the stacks are
   * synthesized (creating thousands of files is system time that then overlaps).
   * @default BACKGROUND_WRITE_MIN_FILES
   */
  readonly backgroundWriteMinFiles?: number;
}

/** Bundle file count from which a worker writes the bundles (a worker costs tens of ms to start). */
export const BACKGROUND_WRITE_MIN_FILES = 2000;

/**
 * Synthesizes one EnvironmentStack per environment into `outdir` (cdktf.out layout:
 * manifest.json, stacks/<env>/cdk.tf.json). The app is synthesized into a temporary sibling
 * directory which replaces `outdir` only once everything succeeded, so a failure never leaves a
 * partial or mixed output behind (the previous output stays as it was).
 */
export function synthCatalog(catalog: Catalog, outdir: string, options: SynthOptions = {}): SynthResult {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.staging-`));
  fs.chmodSync(staging, 0o755); // mkdtemp creates 0700; the output is not secret
  const restoreStackTraces = withoutTokenStackTraces();
  try {
    // Our constructs validate in their constructors; cdktf's own validation pass adds nothing.
    const app = new App({ outdir: staging, stackTraces: false, skipValidation: true });
    const stacks = catalog.environments.map(
      (environment) =>
        new EnvironmentStack(app, environment.name, {
          catalog,
          environment,
          stateBaseDir: options.stateBaseDir,
        }),
    );
    // The staging directory is new and replaces the output only as a whole: the bundles go
    // straight into it.
    const jobs: FileJob[] = [];
    for (const stack of stacks) {
      const bundle = stack.builderBundle();
      if (bundle) jobs.push(...bundleJobs(path.join(staging, 'stacks', stack.environment.name, 'builder'), bundle));
    }
    let background: BackgroundWrite | undefined;
    if (jobs.length >= (options.backgroundWriteMinFiles ?? BACKGROUND_WRITE_MIN_FILES)) {
      // cdktf creates each stack directory with a plain (non-recursive) mkdir after checking that it
      // is missing: made here first, the worker's recursive mkdirs below them cannot race it.
      for (const stack of stacks) fs.mkdirSync(path.join(staging, 'stacks', stack.environment.name), { recursive: true });
      background = writeFilesInBackground(jobs);
    }
    let synthError: unknown;
    try {
      app.synth();
    } catch (e) {
      synthError = e;
    }
    // Also on failure: the staging directory is removed only once the writer is done with it.
    try {
      background?.wait();
    } catch (e) {
      synthError ??= e;
    }
    if (synthError !== undefined) throw synthError;
    if (!background) writeFilesSync(jobs);
    carryOverTerraformCaches(target, staging);
    replaceDirectory(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    restoreStackTraces();
  }
  return { outdir: target, stacks: catalog.environments.map((environment) => environment.name) };
}

/**
 * cdktf records where every token was created (`App({ stackTraces: false })` does not stop it):
 * it captures a full stack into a plain object `{ stack: '' }` and formats it, which is most of
 * the synth time of a large catalog. While synth runs, a capture into anything but an Error is
 * skipped (cdktf then keeps an empty trace) and a trace formats to nothing for non-errors; real
 * errors keep their usual stack. Public V8 API, the same under cdktn. Returns the undo.
 */
function withoutTokenStackTraces(): () => void {
  const previousPrepare = Error.prepareStackTrace;
  const previousCapture = Error.captureStackTrace;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    if (!(error instanceof Error)) return '';
    if (previousPrepare) return previousPrepare(error, frames);
    return [`${error.name}: ${error.message}`, ...frames.map((frame) => `    at ${frame}`)].join('\n');
  };
  Error.captureStackTrace = function captureStackTrace(target: object, constructorOpt?: Function): void {
    if (target instanceof Error) previousCapture.call(Error, target, constructorOpt);
  };
  return () => {
    Error.prepareStackTrace = previousPrepare;
    Error.captureStackTrace = previousCapture;
  };
}

/** What `terraform init` leaves in a stack's working directory (provider plugins, lock file). */
const TERRAFORM_CACHES = ['.terraform', '.terraform.lock.hcl'];

/**
 * Moves the init caches of stacks that still exist from the previous output into the new one,
 * so replacing the output does not force a fresh `terraform init` (they are caches: best effort).
 */
function carryOverTerraformCaches(previous: string, next: string): void {
  const stacks = path.join(next, 'stacks');
  if (!fs.existsSync(path.join(previous, 'stacks')) || !fs.existsSync(stacks)) return;
  for (const stack of fs.readdirSync(stacks)) {
    for (const cache of TERRAFORM_CACHES) {
      const from = path.join(previous, 'stacks', stack, cache);
      const to = path.join(stacks, stack, cache);
      if (fs.existsSync(from) && !fs.existsSync(to)) {
        try {
          fs.renameSync(from, to);
        } catch {
          // a cache that cannot be moved is simply rebuilt by the next terraform init
        }
      }
    }
  }
}

/** Moves `source` to `target`, replacing what was there (two renames on one file system). */
function replaceDirectory(source: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(source, target);
    return;
  }
  const previous = `${source}.previous`;
  fs.renameSync(target, previous);
  try {
    fs.renameSync(source, target);
  } catch (error) {
    fs.renameSync(previous, target);
    throw error;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}
