// Used by benchmark child processes: prints one JSON line on stdout that bench/run.ts reads
// (peak RSS from process.resourceUsage, for hosts without /usr/bin/time; plus case-specific facts).

/** The marker that starts the report line. */
export const REPORT_PREFIX = 'BENCH-REPORT ';

export interface ChildReport {
  /** Peak resident set size of this process in KiB. */
  readonly maxRssKb: number;
  /** Milliseconds from process start to the report (performance.now() counts from the process' time origin). */
  readonly ms: number;
  readonly [key: string]: unknown;
}

export function report(extra: Record<string, unknown> = {}): void {
  const r: ChildReport = { maxRssKb: process.resourceUsage().maxRSS, ms: Math.round(performance.now()), ...extra };
  process.stdout.write(REPORT_PREFIX + JSON.stringify(r) + '\n');
}
