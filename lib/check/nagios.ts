// Nagios plugin output of `goldsmith check`: a status line, one line per image (the long output)
// and the perfdata after a `|` at the end of the last line, all on that one line:
//   GOLDSMITH CRITICAL - bgo: 1 critical (fedora_43), 24 ok
//   fedora_43: CRITICAL - run 20261202T091500Z failed 2h ago: download: HTTP 404
//   almalinux9: OK - run … succeeded 1d 2h ago; next run … | almalinux9.age_s=93600;…;… fedora_43.age_s=…
// Nagios reads perfdata there too (the plugin API's long-output form); Sensu Go's nagios_perfdata
// extraction needs exactly one `|` in the whole output with space-separated values behind it, so
// the perfdata cannot stand on the first line when long output follows it.
import { EXIT_CODES, bySeverity, worst, type CheckState, type ImageStatus, type Perfdata } from './state';

/** What the command prints (stdout) and its exit code. */
export interface CheckOutput {
  readonly state: CheckState;
  readonly exitCode: number;
  readonly lines: readonly string[];
}

/** `label=value;warn;crit` (empty fields kept in place, trailing ones dropped). */
export function perfdataText(p: Perfdata): string {
  const fields = [String(p.value), p.warn === undefined ? '' : String(p.warn), p.crit === undefined ? '' : String(p.crit)];
  while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return `${p.label}=${fields.join(';')}`;
}

/** One line per finding would be long output of its own: an image's findings, worst first, on one line. */
function imageLine(status: ImageStatus): string {
  const findings = [...status.findings].sort((a, b) => bySeverity(a.state, b.state));
  return `${status.image}: ${status.state} - ${findings.map((f) => f.text).join('; ')}`;
}

function output(state: CheckState, summary: string, statuses: readonly ImageStatus[]): CheckOutput {
  const lines = [`GOLDSMITH ${state} - ${summary}`, ...statuses.map(imageLine)];
  const perfdata = statuses.flatMap((s) => s.perfdata).map(perfdataText);
  if (perfdata.length > 0) lines[lines.length - 1] += ` | ${perfdata.join(' ')}`;
  return { state, exitCode: EXIT_CODES[state], lines };
}

/** `goldsmith check <image>`: the summary is the image's worst findings. */
export function renderImage(status: ImageStatus): CheckOutput {
  const top = status.findings.filter((f) => f.state === status.state).map((f) => f.text);
  return output(status.state, `${status.image}: ${top.join('; ')}`, [status]);
}

/** `goldsmith check --all`: counts per state with the images that are not OK; the images worst first, then by name. */
export function renderAll(environment: string, statuses: readonly ImageStatus[]): CheckOutput {
  if (statuses.length === 0) return output('OK', `${environment}: no images to check`, []);
  const state = worst(statuses.map((s) => s.state));
  const sorted = [...statuses].sort((a, b) => bySeverity(a.state, b.state) || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  const parts: string[] = [];
  for (const s of ['CRITICAL', 'WARNING', 'UNKNOWN'] as const) {
    const names = sorted.filter((x) => x.state === s).map((x) => x.image);
    if (names.length > 0) parts.push(`${names.length} ${s.toLowerCase()} (${names.join(', ')})`);
  }
  const ok = statuses.filter((s) => s.state === 'OK').length;
  if (ok > 0) parts.push(parts.length === 0 ? `${ok} image${ok === 1 ? '' : 's'} ok` : `${ok} ok`);
  return output(state, `${environment}: ${parts.join(', ')}`, sorted);
}

/** A check that could not run at all (no bundle, no such image, bad command line): UNKNOWN, one line. */
export function renderUnknown(reason: string): CheckOutput {
  return { state: 'UNKNOWN', exitCode: EXIT_CODES.UNKNOWN, lines: [`GOLDSMITH UNKNOWN - ${reason.replace(/\|/g, '/')}`] };
}
