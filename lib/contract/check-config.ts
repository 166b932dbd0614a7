// checks/<image>.json of the builder bundle: what `goldsmith check` needs to judge one image and
// cannot read anywhere else (docs/builder-bundle.md). Written by the bundle writer from the image's
// MonitoringCheck, read by lib/check. The report and last-success record it judges are the runner's
// (report.ts); the schedule period is build-period.ts's, the same rule the runner rebuilds by.
import { z } from 'zod';
import { BuildSlotSchema } from './build-period';
import { ENVIRONMENT_NAME, IMAGE_NAME } from './names';
import { kindOf, parseContract, type DeepReadonly } from './parse';
import type { RunnerTimeouts } from './runner-config';
import { absolutePath, count, matching } from './schema-helpers';

/**
 * Default grace after a scheduled start: the run that started there must have finished (success
 * or unchanged) within it, else the check warns. One day for weekly and monthly schedules alike:
 * staleness is measured from the slot, so the period's length needs no share of it. It must cover
 * the running limit.
 */
export const DEFAULT_CHECK_GRACE_S = 86_400;

/** Added to the sum of the step timeouts for the steps without one (prepare, verify, store, prune). */
export const DEFAULT_RUNNING_MARGIN_S = 3_600;

/** An image whose end of life is this many days away, or fewer, is a WARNING. */
export const DEFAULT_EOL_WARNING_DAYS = 90;

/**
 * How long a run may take before the check calls it stuck: the runner's step timeouts
 * (download + packer + convert) plus {@link DEFAULT_RUNNING_MARGIN_S}; 5 h with the default timeouts.
 */
export function defaultRunningLimitS(timeouts: RunnerTimeouts): number {
  return Math.ceil(timeouts.download + timeouts.packer + timeouts.convert) + DEFAULT_RUNNING_MARGIN_S;
}

/** `YYYY-MM-DD`, a real calendar day. */
const CalendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: (iss) => `${kindOf(iss.input)} is not a date YYYY-MM-DD` })
  .refine(
    (v) => {
      const [y, m, d] = v.split('-').map(Number);
      const at = new Date(Date.UTC(y, m - 1, d));
      return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
    },
    { error: (iss) => `${kindOf(iss.input)} is not a calendar day` },
  );

export const CheckConfigSchema = z.strictObject({
  image: matching(IMAGE_NAME, 'a valid image name ([a-z0-9_]+)'),
  environment: matching(ENVIRONMENT_NAME, 'a valid environment name ([a-z0-9][a-z0-9_-]*)'),
  /** When cron starts the image's build (the runner config's `rebuild.slot`, the builder's local time). */
  schedule: z.strictObject({
    /** False when the image has no cron line: no run is expected, so none is overdue. */
    enabled: z.boolean(),
    slot: BuildSlotSchema,
  }),
  /** Seconds after a scheduled start by which its run must have finished: later is WARNING, after the next slot's grace CRITICAL. */
  grace_s: count(1),
  /** A run still `running` after this many seconds is CRITICAL (stuck, or killed before it could report). */
  running_limit_s: count(1),
  /** Last day of vendor support (catalog `end_of_life`); absent: not checked. */
  end_of_life: CalendarDay.optional(),
  /** `end_of_life` this many days away or fewer is WARNING; passed is CRITICAL. */
  eol_warning_days: count(0),
  /** The runner's directories (the image's runner config `paths`): `<logs>/<image>-report.json`, `<state>/<image>.last-success.json`. */
  paths: z.strictObject({
    logs: absolutePath,
    state: absolutePath,
  }),
});

/** checks/<image>.json as JSON (before normalization). */
export type CheckConfigInput = z.input<typeof CheckConfigSchema>;
/** checks/<image>.json as `goldsmith check` uses it. */
export type CheckConfig = DeepReadonly<z.output<typeof CheckConfigSchema>>;

/** Checks parsed JSON as a check config; `file` names it in the one-line BundleFileError. */
export function parseCheckConfig(json: unknown, file: string): CheckConfig {
  return parseContract(CheckConfigSchema, json, file);
}
