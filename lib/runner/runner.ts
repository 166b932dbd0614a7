// `goldsmith build <image>` as a library: the steps of steps/index.ts, each timed and recorded in
// the report; cleanup in finally; the store only ever sees complete, verified files (temp name,
// fsync, rename).

import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../common';
import type { BuildResultKind, StepReport } from '../contract';
import { amendReport, type BuildPlan, type BuildRun, type BuildStep } from './build-step';
import { dirProblem } from './directories';
import { dryRun } from './dry-run';
import { rmQuiet } from './files';
import { acquireLock, type HeldLock } from './lock';
import { reportFile, writeLastSuccess, writeReport, type RunReport } from './report';
import type { RunBuildOptions } from './run-options';
import { loadRunnerConfig } from './runner-config';
import { buildStepsFor } from './steps';
import { buildId, storeTempFile } from './store';

export type { RunBuildOptions } from './run-options';

/** The run's directories cannot be used (no report: the logs directory is one of them). */
export class BuildSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildSetupError';
  }
}

/** Runs `step`: `== <name>` in the log, its outcome and duration in the report (rewritten after it). */
async function runStep(run: BuildRun, step: BuildStep): Promise<boolean> {
  const t0 = process.hrtime.bigint();
  const duration = (): number => Math.round(Number(process.hrtime.bigint() - t0) / 1e6) / 1000;
  const record = (s: StepReport): void => amendReport(run, { steps: [...run.report.steps, s] });
  run.log(`== ${step.name}`);
  try {
    const outcome = (await step.run(run)) ?? {};
    record({ name: step.name, result: 'success', duration_s: duration(), ...(outcome.detail ? { detail: outcome.detail } : {}) });
    writeReport(run.config.paths.logs, run.report);
    return outcome.unchanged === true;
  } catch (e) {
    record({ name: step.name, result: 'failed', duration_s: duration(), detail: oneLine(e) });
    throw new Error(`${step.name}: ${oneLine(e)}`);
  }
}

/** Runs the steps for the config in order; `unchanged` when one says nothing changed. */
async function runSteps(run: BuildRun, now: () => Date): Promise<BuildResultKind> {
  for (const step of buildStepsFor(run.config)) {
    if (await runStep(run, step)) return 'unchanged';
  }
  const { config, stored } = run;
  writeLastSuccess(config.paths.state, {
    image: config.image,
    build_id: run.id,
    finished_at: now().toISOString(),
    upstream_checksum: run.report.upstream.checksum!,
    fingerprint: config.fingerprint,
    file: stored!.file,
    md5: stored!.md5,
    sha256: stored!.sha256,
  });
  return 'success';
}

/** The build's log: `<logs>/<image>-<build id>.log` (best effort) and the caller's lines. */
function buildLog(logPath: string, options: RunBuildOptions, early: readonly string[], started: Date): (line: string) => void {
  const append = (stamp: string, l: string): void => {
    try {
      fs.appendFileSync(logPath, `${stamp} ${l}\n`);
    } catch {
      // the log file is best effort; the report is not
    }
  };
  for (const l of early) append(started.toISOString(), l);
  return (line: string): void => {
    for (const l of line.split('\n')) {
      append(new Date().toISOString(), l);
      options.log(l);
    }
  };
}

/**
 * Runs one build of `options.image`. Throws BundleFileError (invalid config), BuildSetupError (the
 * logs directory is not writable) and BuildLockedError (another run holds the lock) before anything
 * is written; every other failure is returned as a `failed` report (also written to
 * <logs>/<image>-report.json).
 */
export async function runBuild(options: RunBuildOptions): Promise<RunReport> {
  const config = loadRunnerConfig(options.bundleDir, options.image);
  const now = options.now ?? ((): Date => new Date());
  const started = now();
  const id = buildId(started);
  const plan: BuildPlan = {
    config,
    options,
    started,
    id,
    workDir: path.join(config.paths.work, `${config.image}-${id}`),
    convertedFile: storeTempFile(config.paths.store, config.image, `${id}.${config.output.disk_format}`),
  };
  if (options.dryRun) return dryRun(plan);

  // Without a writable logs directory there can be no report: say so (the CLI prints it on stderr).
  const logsProblem = dirProblem(config.paths.logs);
  if (logsProblem) throw new BuildSetupError(`paths.logs ${config.paths.logs} ${logsProblem}: no report can be written`);
  dirProblem(config.paths.state); // creates it for the lock information; checked again in prepare

  // Until the lock is held, lines go only to the caller (the log file name may belong to another run).
  const early: string[] = [];
  const lock: HeldLock = await acquireLock(config.paths.state, config.image, started, (l) => {
    early.push(l);
    options.log(l);
  });

  const logName = `${config.image}-${id}.log`;
  const log = buildLog(path.join(config.paths.logs, logName), options, early, started);
  const run: BuildRun = {
    ...plan,
    signal: options.signal ?? new AbortController().signal,
    log,
    report: {
      image: config.image,
      environment: config.environment,
      build_id: id,
      result: 'running',
      started_at: started.toISOString(),
      steps: [],
      upstream: { url: config.upstream.url + config.upstream.file },
      fingerprint: config.fingerprint,
      tools: {},
      log_file: logName,
    },
  };
  let result: BuildResultKind = 'failed';
  let error: string | undefined;
  try {
    writeReport(config.paths.logs, run.report);
    log(`build ${id} of ${config.image} (${config.environment}), pid ${process.pid}, lock ${lock.file}`);
    result = await runSteps(run, now);
  } catch (e) {
    error = oneLine(e);
    log(`FAILED: ${error}`);
    result = 'failed';
  } finally {
    rmQuiet(plan.convertedFile);
    rmQuiet(plan.workDir);
    amendReport(run, { result, finished_at: now().toISOString(), ...(result === 'failed' ? { error: error ?? 'unknown error' } : {}) });
    try {
      writeReport(config.paths.logs, run.report);
    } catch (e) {
      options.log(`cannot write report ${reportFile(config.paths.logs, config.image)}: ${oneLine(e)}`);
    }
    log(`result: ${result}`);
    lock.release();
  }
  return run.report;
}
