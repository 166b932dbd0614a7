// One named step of a build: what it does (run) and what it would do (describe, for --dry-run).
// runner.ts executes the list in steps/index.ts; dry-run.ts describes the same list, so a dry run
// shows exactly the steps a real run executes.

import type { BuildRecordCheck, BuildReport, RunnerConfig } from '../contract';
import type { BakeResult } from './baker';
import type { ImageInfo } from './convert';
import type { SiteValues } from './site-values';
import type { RunBuildOptions } from './run-options';
import type { StoredBuild } from './store';

/** What a build knows before its first step; all a dry run may look at. */
export interface BuildPlan {
  readonly config: RunnerConfig;
  readonly options: RunBuildOptions;
  readonly started: Date;
  /** `YYYYMMDDTHHMMSSZ` of `started`. */
  readonly id: string;
  /** Scratch directory of this build (under paths.work). */
  readonly workDir: string;
  /** Temp file in the store that `convert` writes and `store` publishes. */
  readonly convertedFile: string;
}

/** A running build: the plan, the report so far and what earlier steps produced. */
export interface BuildRun extends BuildPlan {
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  report: BuildReport;
  /** The template's site settings and secrets, read by prepare from the env file (never printed). */
  siteValues?: SiteValues;
  /** Upstream checksum (hex) from fetch-checksum; undefined for images with a no-checksum waiver. */
  expectedChecksum?: string;
  /** The downloaded, verified upstream file. */
  sourceFile?: string;
  baked?: BakeResult;
  artifactInfo?: ImageInfo;
  /** The checks of the build's files that passed so far, in order (for the build record). */
  checks?: BuildRecordCheck[];
  stored?: StoredBuild;
}

export interface StepOutcome {
  /** Detail of the step in the report. */
  readonly detail?: string;
  /** The build is over: nothing changed since the last success. */
  readonly unchanged?: boolean;
}

export interface BuildStep {
  /** Name in the report and the log (`== <name>`). */
  readonly name: string;
  /** False: the step does not run for this image (the dry run leaves it out too). Default: runs. */
  readonly appliesTo?: (config: RunnerConfig) => boolean;
  /** What the step would do, one line each; reads the file system, never writes. */
  readonly describe: (plan: BuildPlan) => readonly string[];
  readonly run: (run: BuildRun) => Promise<StepOutcome | void>;
}

/** Records a check that passed (a failed check throws instead: the build fails, nothing is stored). */
export function checkPassed(run: BuildRun, name: string, detail: string): void {
  run.checks = [...(run.checks ?? []), { name, result: 'passed', detail }];
}

/** Adds to the report of a running build. */
export function amendReport(run: BuildRun, change: Partial<BuildReport>): void {
  run.report = { ...run.report, ...change };
}
