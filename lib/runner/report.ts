// The build report (<logs>/<image>-report.json, replaced atomically after every step) and the
// last-success record (<state>/<image>.last-success.json); their shapes are the contract's.

import * as fs from 'fs';
import * as path from 'path';
import { reEscape } from '../common';
import { BuildReportSchema, LastSuccessSchema, type BuildReport, type BuildResultKind, type LastSuccess } from '../contract';
import { writeFileAtomic } from './files';

/** What runBuild returns: the written report, or for --dry-run the same fields with result `dry-run` (never written). */
export type RunReport = Omit<BuildReport, 'result'> & { readonly result: BuildResultKind | 'dry-run' };

export function reportFile(logsDir: string, image: string): string {
  return path.join(logsDir, `${image}-report.json`);
}

export function lastSuccessFile(stateDir: string, image: string): string {
  return path.join(stateDir, `${image}.last-success.json`);
}

/** Writes the report after checking it against the contract's schema. */
export function writeReport(logsDir: string, report: BuildReport): void {
  BuildReportSchema.parse(report);
  writeFileAtomic(reportFile(logsDir, report.image), `${JSON.stringify(report, null, 2)}\n`);
}

/** Writes the last-success record after checking it against the contract's schema. */
export function writeLastSuccess(stateDir: string, last: LastSuccess): void {
  LastSuccessSchema.parse(last);
  writeFileAtomic(lastSuccessFile(stateDir, last.image), `${JSON.stringify(last, null, 2)}\n`);
}

/** The recorded last success of `image`; undefined when absent, unreadable or not a valid record. */
export function readLastSuccess(stateDir: string, image: string): LastSuccess | undefined {
  try {
    const r = LastSuccessSchema.safeParse(JSON.parse(fs.readFileSync(lastSuccessFile(stateDir, image), 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Build logs kept per image (newest first); older `<image>-<build id>.log` files are removed. */
export const KEEP_LOGS = 30;

/** Removes all but the `keep` newest `<image>-YYYYMMDDTHHMMSSZ.log` files; returns the removed names. */
export function pruneLogs(logsDir: string, image: string, keep = KEEP_LOGS): string[] {
  const re = new RegExp(`^${reEscape(image)}-\\d{8}T\\d{6}Z\\.log$`);
  const logs = fs.readdirSync(logsDir).filter((n) => re.test(n)).sort().reverse();
  const removed = logs.slice(keep);
  for (const n of removed) fs.rmSync(path.join(logsDir, n), { force: true });
  return removed;
}
