// Nagios plugin states and what `goldsmith check` finds about an image: findings (one line each),
// perfdata, and the image's state (the worst of its findings).

/** A Nagios plugin state. */
export type CheckState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** The plugin's exit code of each state. */
export const EXIT_CODES: Readonly<Record<CheckState, number>> = Object.freeze({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 });

/**
 * Severity order, least first: a known problem outranks not knowing (CRITICAL > WARNING > UNKNOWN
 * > OK), so one image without a report does not hide another one's failed build.
 */
const RANK: Readonly<Record<CheckState, number>> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

/** The worst of `states` (OK for none). */
export function worst(states: Iterable<CheckState>): CheckState {
  let out: CheckState = 'OK';
  for (const s of states) if (RANK[s] > RANK[out]) out = s;
  return out;
}

/** Compares two states, worst first (for sorting). */
export function bySeverity(a: CheckState, b: CheckState): number {
  return RANK[b] - RANK[a];
}

/** One thing the check found about an image, as one line for people. */
export interface Finding {
  readonly state: CheckState;
  readonly text: string;
}

/** One perfdata value (`label=value;warn;crit`), whole seconds. */
export interface Perfdata {
  readonly label: string;
  readonly value: number;
  /** Above this the value is WARNING. */
  readonly warn?: number;
  /** Above this the value is CRITICAL. */
  readonly crit?: number;
}

/** What the check says about one image. */
export interface ImageStatus {
  readonly image: string;
  /** The worst of the findings. */
  readonly state: CheckState;
  /** In the order they were found; at least one. */
  readonly findings: readonly Finding[];
  readonly perfdata: readonly Perfdata[];
}

/** An image status from its findings (the state is the worst of them). */
export function imageStatus(image: string, findings: readonly Finding[], perfdata: readonly Perfdata[] = []): ImageStatus {
  return { image, state: worst(findings.map((f) => f.state)), findings, perfdata };
}
