// Is the image's job still running on schedule? Every scheduled start must be followed, within
// the grace, by a finished run (success, or unchanged: the job ran and had nothing to build). The
// slots come from build-period.ts, the runner's own rule, in the builder's local time, so weeks
// with a clock change and monthly n-th weekdays count as cron runs them.
import { nextPeriodStart, type CheckConfig } from '../contract';
import { formatDuration, localTime, secondsBetween } from './format';
import type { Finding, Perfdata } from './state';

/** Missed slots counted at most (a job dead for years needs no exact count). */
const MAX_COUNTED = 99;

/**
 * The age of the last good run as perfdata and, when a scheduled run is overdue, its finding:
 * WARNING once the first slot after `lastGood` plus the grace has passed, CRITICAL once the
 * second has. A disabled schedule expects no runs (the age has no thresholds then).
 */
export function scheduleFindings(config: CheckConfig, lastGood: Date, now: Date): { finding?: Finding; perfdata: Perfdata } {
  const label = `${config.image}.age_s`;
  const age = secondsBetween(lastGood, now);
  if (!config.schedule.enabled) return { perfdata: { label, value: age } };
  const slot = config.schedule.slot;
  const graceMs = config.grace_s * 1000;
  const first = nextPeriodStart(slot, lastGood);
  const second = nextPeriodStart(slot, first);
  const warnAt = new Date(first.getTime() + graceMs);
  const critAt = new Date(second.getTime() + graceMs);
  const perfdata = { label, value: age, warn: secondsBetween(lastGood, warnAt), crit: secondsBetween(lastGood, critAt) };
  if (now.getTime() <= warnAt.getTime()) return { perfdata };
  const since = `no successful or unchanged run since ${localTime(lastGood)} (${formatDuration(age)} ago)`;
  if (now.getTime() <= critAt.getTime()) {
    return { perfdata, finding: { state: 'WARNING', text: `${since}: the run due ${localTime(first)} has not finished within ${formatDuration(config.grace_s)}` } };
  }
  let missed = 2;
  for (let at = second; missed < MAX_COUNTED; missed++) {
    at = nextPeriodStart(slot, at);
    if (at.getTime() + graceMs >= now.getTime()) break;
  }
  const count = missed >= MAX_COUNTED ? `${MAX_COUNTED}+` : String(missed);
  return { perfdata, finding: { state: 'CRITICAL', text: `${since}: ${count} scheduled runs missed, the first due ${localTime(first)}` } };
}

/** `next run <local time>` of an enabled schedule, for OK lines. */
export function nextRunText(config: CheckConfig, now: Date): string | undefined {
  return config.schedule.enabled ? `next run ${localTime(nextPeriodStart(config.schedule.slot, now))}` : undefined;
}
