// The state of one image from what the runner wrote (its report and last-success record), the
// image's check config and the time: pure, the clock is a parameter.
//   last run failed                           CRITICAL
//   running                                   OK with the elapsed time; CRITICAL past running_limit_s
//   success / unchanged                       OK, unless a scheduled run is overdue (schedule.ts):
//                                             WARNING after one slot + grace, CRITICAL after two
//   report missing or unreadable              UNKNOWN
//   end_of_life within eol_warning_days       WARNING; passed: CRITICAL (end-of-life.ts)
// The image's state is the worst of these.
import type { BuildReport, CheckConfig, LastSuccess } from '../contract';
import { endOfLifeFinding } from './end-of-life';
import type { FileRead } from './file-read';
import { formatDuration, parseTime, secondsBetween } from './format';
import { nextRunText, scheduleFindings } from './schedule';
import { imageStatus, type Finding, type ImageStatus, type Perfdata } from './state';

/** What the evaluation of one image looks at. */
export interface ImageCheckInput {
  readonly config: CheckConfig;
  /** `<logs>/<image>-report.json`. */
  readonly report: FileRead<BuildReport>;
  /** `<state>/<image>.last-success.json`. */
  readonly lastSuccess: FileRead<LastSuccess>;
  readonly now: Date;
}

/** One line of free text from a report (an error), without the `|` that starts Nagios perfdata. */
export function reportText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '/').trim();
}

/** The later of two times. */
function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Judges one image. */
export function evaluateImage(input: ImageCheckInput): ImageStatus {
  const { config, report, lastSuccess, now } = input;
  const findings: Finding[] = [];
  const perfdata: Perfdata[] = [];
  let lastGood: Date | undefined;

  if (lastSuccess.status === 'unreadable') {
    findings.push({ state: 'UNKNOWN', text: `cannot read ${lastSuccess.file}: ${lastSuccess.reason}` });
  } else if (lastSuccess.status === 'ok') {
    lastGood = parseTime(lastSuccess.value.finished_at);
    if (lastGood === undefined) findings.push({ state: 'UNKNOWN', text: `${lastSuccess.file}: finished_at is not a time` });
  }

  let running = false;
  let failed = false;
  if (report.status === 'missing') {
    findings.push({ state: 'UNKNOWN', text: `no report ${report.file}: not run yet` });
  } else if (report.status === 'unreadable') {
    findings.push({ state: 'UNKNOWN', text: `cannot read report ${report.file}: ${report.reason}` });
  } else if (report.value.image !== config.image) {
    findings.push({ state: 'UNKNOWN', text: `report ${report.file} is of image ${report.value.image}` });
  } else {
    const r = report.value;
    const started = parseTime(r.started_at);
    const finished = parseTime(r.finished_at) ?? started;
    if (started === undefined) {
      findings.push({ state: 'UNKNOWN', text: `report ${report.file}: started_at is not a time` });
    } else if (r.result === 'running') {
      running = true;
      const elapsed = secondsBetween(started, now);
      const limit = config.running_limit_s;
      perfdata.push({ label: `${config.image}.running_s`, value: elapsed, crit: limit });
      findings.push(
        elapsed > limit
          ? { state: 'CRITICAL', text: `run ${r.build_id} running for ${formatDuration(elapsed)}, over the limit of ${formatDuration(limit)}: stuck, or killed before it could report` }
          : { state: 'OK', text: `run ${r.build_id} running for ${formatDuration(elapsed)} (limit ${formatDuration(limit)})` },
      );
    } else if (r.result === 'failed') {
      failed = true;
      const error = r.error !== undefined ? reportText(r.error) : 'no error recorded';
      findings.push({ state: 'CRITICAL', text: `run ${r.build_id} failed ${formatDuration(secondsBetween(finished!, now))} ago: ${error}` });
    } else {
      lastGood = later(lastGood, finished);
      const next = nextRunText(config, now);
      findings.push({
        state: 'OK',
        text: `run ${r.build_id} ${r.result === 'success' ? 'succeeded' : 'found nothing to build'} ${formatDuration(secondsBetween(finished!, now))} ago${next ? `; ${next}` : ''}`,
      });
    }
  }

  if (lastGood !== undefined) {
    const schedule = scheduleFindings(config, lastGood, now);
    perfdata.unshift(schedule.perfdata);
    // A running job is alive and a failed one is CRITICAL already: overdue only otherwise.
    if (schedule.finding && !running && !failed) findings.push(schedule.finding);
  }
  const eol = endOfLifeFinding(config, now);
  if (eol) findings.push(eol);
  return imageStatus(config.image, findings, perfdata);
}
