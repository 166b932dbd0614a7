// The build report (<logs>/<image>-report.json), replaced atomically after every step.

import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './util';

export type BuildResultKind = 'running' | 'success' | 'failed' | 'unchanged';

export interface StepReport {
  readonly name: string;
  readonly result: 'success' | 'failed' | 'skipped';
  readonly duration_s: number;
  readonly detail?: string;
}

export interface BuildReport {
  readonly image: string;
  readonly environment: string;
  readonly build_id: string;
  /** 'dry-run' is only returned by runBuild({dryRun: true}); never written. */
  readonly result: BuildResultKind | 'dry-run';
  readonly started_at: string;
  readonly finished_at?: string;
  readonly steps: readonly StepReport[];
  /** `final_url`: where the download came from after redirects (when it differs from `url`). */
  readonly upstream: { readonly url: string; readonly final_url?: string; readonly checksum?: string; readonly size_bytes?: number };
  readonly fingerprint: string;
  readonly artifact?: { readonly file: string; readonly size_bytes: number; readonly md5: string; readonly sha256: string };
  readonly tools: Readonly<Record<string, string>>;
  /** The log file of this build (name in paths.logs). */
  readonly log_file?: string;
  readonly error?: string;
}

/** <image>.last-success.json in paths.state. */
export interface LastSuccess {
  readonly image: string;
  readonly build_id: string;
  readonly finished_at: string;
  /** `<algorithm>:<hex>` of the upstream file. */
  readonly upstream_checksum: string;
  readonly fingerprint: string;
  readonly file: string;
  readonly md5: string;
  readonly sha256: string;
}

export function reportFile(logsDir: string, image: string): string {
  return path.join(logsDir, `${image}-report.json`);
}

export function lastSuccessFile(stateDir: string, image: string): string {
  return path.join(stateDir, `${image}.last-success.json`);
}

export function writeReport(logsDir: string, report: BuildReport): void {
  writeFileAtomic(reportFile(logsDir, report.image), `${JSON.stringify(report, null, 2)}\n`);
}

/** Build logs kept per image (newest first); older `<image>-<build id>.log` files are removed. */
export const KEEP_LOGS = 30;

/** Removes all but the `keep` newest `<image>-YYYYMMDDTHHMMSSZ.log` files; returns the removed names. */
export function pruneLogs(logsDir: string, image: string, keep = KEEP_LOGS): string[] {
  const esc = image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${esc}-\\d{8}T\\d{6}Z\\.log$`);
  const logs = fs.readdirSync(logsDir).filter((n) => re.test(n)).sort().reverse();
  const removed = logs.slice(keep);
  for (const n of removed) fs.rmSync(path.join(logsDir, n), { force: true });
  return removed;
}
