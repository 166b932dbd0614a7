// NREC's current builder report, for the migration: himlar's build script (profile/templates/
// application/builder/build_script.erb) writes /var/log/imagebuilder/<image>-report.jsonl after
// imagebuilder ran, one JSON object a line:
//   {"result_imagebuilder":"0"}            imagebuilder's exit code (text)
//   {"output_imagebuilder":"…\n…"}         its log as one string
//   {"result":"success"}                   appended at the very end of a successful script
// and its cron line appends {"result":"failed"} when the script exits non-zero. NREC's sensu check
// (sensu-plugins-himlar check-imagebuild.rb) merges the objects, later keys winning, and reads
// `result`. The file has no time in it: its modification time is when the last run wrote it.
import { DEFAULT_RUNNER_TIMEOUTS, defaultRunningLimitS, type CheckConfig } from '../contract';
import { endOfLifeFinding } from './end-of-life';
import type { FileRead } from './file-read';
import { formatDuration, secondsBetween } from './format';
import { reportText } from './evaluate';
import { nextRunText, scheduleFindings } from './schedule';
import { imageStatus, type Finding, type ImageStatus, type Perfdata } from './state';

/** What goldsmith reads from an imagebuilder report (the merged objects). */
export interface ImagebuilderReport {
  /** `success` or `failed`; absent while the script still runs after imagebuilder (or when it was not run by cron). */
  readonly result?: string;
  /** imagebuilder's exit code as the script wrote it (`"0"`). */
  readonly exitCode?: string;
}

/** Parses the JSONL text: every non-blank line one JSON object, merged in order. Throws one line naming the line. */
export function parseImagebuilderJsonl(text: string): ImagebuilderReport {
  const merged: Record<string, unknown> = {};
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`line ${i + 1} is not a JSON object`);
    Object.assign(merged, value);
  });
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  return {
    ...(str(merged.result) !== undefined ? { result: str(merged.result) } : {}),
    ...(str(merged.result_imagebuilder) !== undefined ? { exitCode: str(merged.result_imagebuilder)!.trim() } : {}),
  };
}

/** What the evaluation of an imagebuilder report looks at. */
export interface ImagebuilderCheckInput {
  readonly image: string;
  readonly report: FileRead<ImagebuilderReport>;
  /** The image's goldsmith check config, when the bundle has one: schedule, limits, end of life. */
  readonly config?: CheckConfig;
  readonly now: Date;
}

/** Judges one image from its imagebuilder report (the time of the run is the file's modification time). */
export function evaluateImagebuilderReport(input: ImagebuilderCheckInput): ImageStatus {
  const { image, report, config, now } = input;
  const findings: Finding[] = [];
  const perfdata: Perfdata[] = [];
  if (report.status === 'missing') {
    findings.push({ state: 'UNKNOWN', text: `no imagebuilder report ${report.file}` });
  } else if (report.status === 'unreadable') {
    findings.push({ state: 'UNKNOWN', text: `cannot read imagebuilder report ${report.file}: ${report.reason}` });
  } else {
    const { result, exitCode } = report.value;
    const at = report.mtime;
    const ago = formatDuration(secondsBetween(at, now));
    if (result === 'failed') {
      const code = exitCode !== undefined && exitCode !== '0' ? ` (imagebuilder exit code ${reportText(exitCode)})` : '';
      findings.push({ state: 'CRITICAL', text: `imagebuilder run failed ${ago} ago${code}` });
    } else if (result === 'success') {
      const next = config ? nextRunText(config, now) : undefined;
      findings.push({ state: 'OK', text: `imagebuilder run succeeded ${ago} ago${next ? `; ${next}` : ''}` });
      if (config) {
        const schedule = scheduleFindings(config, at, now);
        perfdata.push(schedule.perfdata);
        if (schedule.finding) findings.push(schedule.finding);
      } else {
        perfdata.push({ label: `${image}.age_s`, value: secondsBetween(at, now) });
      }
    } else if (result === undefined && exitCode === '0') {
      // imagebuilder is done; the script still compresses and links the image before `result`.
      const elapsed = secondsBetween(at, now);
      const limit = config?.running_limit_s ?? defaultRunningLimitS(DEFAULT_RUNNER_TIMEOUTS);
      perfdata.push({ label: `${image}.running_s`, value: elapsed, crit: limit });
      findings.push(
        elapsed > limit
          ? { state: 'CRITICAL', text: `imagebuilder finished ${ago} ago and the build script never wrote its result: killed?` }
          : { state: 'OK', text: `imagebuilder finished ${ago} ago, the build script is still storing the image` },
      );
    } else if (result === undefined && exitCode !== undefined) {
      findings.push({ state: 'CRITICAL', text: `imagebuilder exited with ${reportText(exitCode)} ${ago} ago` });
    } else if (result === undefined) {
      findings.push({ state: 'UNKNOWN', text: `no result in imagebuilder report ${report.file}` });
    } else {
      findings.push({ state: 'UNKNOWN', text: `unknown result ${JSON.stringify(reportText(result))} in imagebuilder report ${report.file}` });
    }
  }
  const eol = config ? endOfLifeFinding(config, now) : undefined;
  if (eol) findings.push(eol);
  return imageStatus(image, findings, perfdata);
}
