// The monitoring check of one live image: checks/<image>.json of the builder bundle, which
// `goldsmith check` reads on the builder (docs/builder-bundle.md). The JSON shape is the contract's
// CheckConfigSchema; the thresholds default from the image's schedule and the runner's timeouts.
import { Construct } from 'constructs';
import { deepFreeze, sortKeys } from '../common';
import {
  DEFAULT_CHECK_GRACE_S,
  DEFAULT_EOL_WARNING_DAYS,
  DEFAULT_RUNNER_TIMEOUTS,
  defaultRunningLimitS,
  ENVIRONMENT_NAME,
  IMAGE_NAME,
  parseCheckConfig,
  type BuildSlot,
  type CheckConfig,
  type RunnerTimeouts,
} from '../contract';

export type { CheckConfig };

/** Props of {@link MonitoringCheck}. */
export interface MonitoringCheckProps {
  /** Image name ([a-z0-9_]+): the check's file is checks/<image>.json. */
  readonly image: string;
  /** Environment (builder) name. */
  readonly environment: string;
  /** When cron starts the image's build: its runner config's `rebuild.slot` (builder's local time). */
  readonly slot: BuildSlot;
  /**
   * Whether the image has a cron line; without one no run is expected, so none is overdue.
   * @default true
   */
  readonly enabled?: boolean;
  /** The runner's directories (its runner config's `paths`): reports in `logs`, last-success records in `state`. */
  readonly paths: { readonly logs: string; readonly state: string };
  /**
   * The runner's step timeouts (its runner config's `timeouts_s`), from which the running limit defaults.
   * @default DEFAULT_RUNNER_TIMEOUTS
   */
  readonly timeoutsS?: RunnerTimeouts;
  /**
   * Last day of vendor support, YYYY-MM-DD (the catalog's `end_of_life`).
   * @default undefined: not checked
   */
  readonly endOfLife?: string;
  /**
   * Seconds after a scheduled start by which its run must have finished (success or unchanged);
   * at least the running limit.
   * @default DEFAULT_CHECK_GRACE_S (one day)
   */
  readonly graceS?: number;
  /**
   * Seconds a run may stay `running` before the check calls it stuck.
   * @default defaultRunningLimitS(timeoutsS): the step timeouts plus an hour (5 h by default)
   */
  readonly runningLimitS?: number;
  /**
   * An end of life this many days away or fewer is a WARNING.
   * @default DEFAULT_EOL_WARNING_DAYS (90)
   */
  readonly eolWarningDays?: number;
}

/**
 * The monitoring check of a live image (part of its {@link GoldImage}): what `goldsmith check`
 * needs to judge the image's last run, its schedule and its end of life. A retired image has no
 * GoldImage build parts, so its check leaves the bundle with its definition.
 */
export class MonitoringCheck extends Construct {
  /** Image name. */
  public readonly image: string;
  /** Path of the check's file inside the bundle: `checks/<image>.json`. */
  public readonly fileName: string;
  /** The file's content as the contract's schema returns it, key-sorted. */
  public readonly checkConfig: CheckConfig;

  constructor(scope: Construct, id: string, props: MonitoringCheckProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`monitoring check ${props.image}: ${message}`);
    };
    if (typeof props.image !== 'string' || !IMAGE_NAME.test(props.image)) {
      throw new Error(`monitoring check: image name must match [a-z0-9_]+, got ${JSON.stringify(props.image)}`);
    }
    if (!ENVIRONMENT_NAME.test(props.environment)) fail(`environment name must match [a-z0-9][a-z0-9_-]*, got ${JSON.stringify(props.environment)}`);
    const seconds = (what: string, value: number, min: number): number => {
      if (!Number.isInteger(value) || value < min) fail(`${what} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
      return value;
    };
    const runningLimitS = seconds('running limit (seconds)', props.runningLimitS ?? defaultRunningLimitS(props.timeoutsS ?? DEFAULT_RUNNER_TIMEOUTS), 1);
    const graceS = seconds('grace (seconds)', props.graceS ?? DEFAULT_CHECK_GRACE_S, 1);
    if (graceS < runningLimitS) fail(`grace ${graceS} s is shorter than the running limit ${runningLimitS} s (a run may take that long)`);
    const eolWarningDays = seconds('end of life warning (days)', props.eolWarningDays ?? DEFAULT_EOL_WARNING_DAYS, 0);

    this.image = props.image;
    this.fileName = `checks/${props.image}.json`;
    const config = {
      image: props.image,
      environment: props.environment,
      schedule: { enabled: props.enabled ?? true, slot: { ...props.slot } },
      grace_s: graceS,
      running_limit_s: runningLimitS,
      ...(props.endOfLife !== undefined ? { end_of_life: props.endOfLife } : {}),
      eol_warning_days: eolWarningDays,
      paths: { logs: props.paths.logs, state: props.paths.state },
    };
    let parsed: CheckConfig;
    try {
      parsed = parseCheckConfig(config, this.fileName);
    } catch (e) {
      throw new Error(`monitoring check ${props.image}: ${(e as Error).message}`);
    }
    this.checkConfig = deepFreeze(sortKeys(parsed));
    PARSED.add(this.checkConfig);
  }
}

/** Check configs made (and so parsed) by MonitoringCheck: the bundle writer need not parse them again. */
const PARSED = new WeakSet<object>();

/** True for a check config that went through the contract's schema in MonitoringCheck. */
export function isParsedCheckConfig(config: object): config is CheckConfig {
  return PARSED.has(config);
}
