// The cron.d file of one builder (one per environment): when each image is rebuilt.
//
// Times come from the catalog (Image.schedule) or, for the omitted fields, are staggered
// automatically: deterministic from the image name (sha256), weekly, and never two builds on one
// builder closer than `minGapMinutes` on the weekly timeline (which wraps from Saturday to Sunday).
import { Construct } from 'constructs';
import type { Schedule } from '../catalog/model';
import { DEFAULT_MIN_GAP_MINUTES, formatSlot, planSchedule, type ScheduledImage } from '../catalog/schedule-plan';
import { cmp } from '../common';
import { DEFAULT_BUNDLE_DIR, ENVIRONMENT_NAME, GOLDSMITH_BIN, IMAGE_NAME } from '../contract';

export type { ScheduledImage };


/** Environment variables every cron.d file sets (props.environmentVariables may override them). */
export const DEFAULT_CRON_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  SHELL: '/bin/sh',
  PATH: '/usr/local/bin:/usr/bin:/bin',
});

const USER_NAME = /^[a-z_][a-z0-9_-]*$/;
const SAFE_PATH = /^\/[A-Za-z0-9._+\/-]*$/;
const VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;


/** Props of {@link BuildSchedule}. */
export interface BuildScheduleProps {
  /** Environment (builder) name, [a-z0-9][a-z0-9_-]*: used in the header and in messages. */
  readonly environment: string;
  /** The images this builder builds (disabled ones get no line). Names must be unique. */
  readonly images: readonly ScheduledImage[];
  /**
   * Unix user the builds run as (the cron.d user field).
   * @default 'goldsmith'
   */
  readonly user?: string;
  /**
   * Where the builder bundle is installed (the `--bundle` argument).
   * @default DEFAULT_BUNDLE_DIR ('/etc/goldsmith/bundle')
   */
  readonly bundlePath?: string;
  /**
   * Absolute path of the goldsmith command on the builder.
   * @default GOLDSMITH_BIN ('/usr/local/bin/goldsmith')
   */
  readonly goldsmithPath?: string;
  /**
   * Minimum distance in minutes between two build starts on this builder, measured on the
   * weekly timeline (1-720).
   * @default 30
   */
  readonly minGapMinutes?: number;
  /**
   * Extra cron environment variables, merged over {@link DEFAULT_CRON_ENVIRONMENT}
   * (names [A-Z_][A-Z0-9_]*, values without control characters or double quotes).
   * @default {} (only the defaults)
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * MAILTO of the cron.d file; empty means cron mails nobody.
   * @default ''
   */
  readonly mailto?: string;
}

/** The computed schedule of one image. */
export interface CronEntry {
  /** Image name. */
  readonly image: string;
  /** False when the image's schedule is disabled: no cron line, no slot on the timeline. */
  readonly enabled: boolean;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  /** Set for monthly schedules: the n-th weekday of the month (1-5). */
  readonly weekOfMonth?: number;
  /** Fields that were chosen automatically (omitted in the catalog), in the order weekday, hour, minute. */
  readonly autoFields: readonly ('weekday' | 'hour' | 'minute')[];
  /** The five cron schedule fields, e.g. `40 9 * * 3` or `0 3 8-14 * *`. */
  readonly cronSchedule: string;
  /** The command as it stands in the cron line (`%` already escaped as `\%`). */
  readonly command: string;
  /** The whole cron.d line; undefined when disabled. */
  readonly line?: string;
}

/** Quotes one shell word; words of safe characters stay as they are. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,.\/-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Escapes a command for a crontab line: cron turns an unescaped `%` into a newline. */
export function cronEscape(command: string): string {
  return command.replace(/%/g, '\\%');
}


/** `date +%u` value (1 = Monday … 7 = Sunday) of a 0-6 weekday. */
function isoWeekday(weekday: number): number {
  return weekday === 0 ? 7 : weekday;
}



function checkInt(prefix: string, field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${prefix}: ${field} must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`);
  }
}





/**
 * The cron.d file of one builder: one line per enabled image, with staggered times for the
 * omitted schedule fields and a minimum gap between two builds.
 */
export class BuildSchedule extends Construct {
  /** Environment (builder) name. */
  public readonly environment: string;
  /** Unix user of the cron lines. */
  public readonly user: string;
  /** `--bundle` path. */
  public readonly bundlePath: string;
  /** goldsmith command path. */
  public readonly goldsmithPath: string;
  /** Minimum gap in minutes between two builds. */
  public readonly minGapMinutes: number;
  /** Effective cron environment (defaults merged with props), MAILTO excluded. */
  public readonly environmentVariables: Readonly<Record<string, string>>;
  /** MAILTO value. */
  public readonly mailto: string;
  /** Every image (also disabled ones), sorted by name. */
  public readonly entries: readonly CronEntry[];
  /** The text of `/etc/cron.d/goldsmith` (ends with a newline). */
  public readonly cronFileText: string;
  private readonly entryByImage: ReadonlyMap<string, CronEntry>;

  constructor(scope: Construct, id: string, props: BuildScheduleProps) {
    super(scope, id);
    const env = props.environment;
    if (typeof env !== 'string' || !ENVIRONMENT_NAME.test(env)) {
      throw new Error(`build schedule: environment name must match [a-z0-9][a-z0-9_-]*, got ${JSON.stringify(env)}`);
    }
    const prefix = `build schedule ${env}`;
    this.environment = env;

    this.user = props.user ?? 'goldsmith';
    if (!USER_NAME.test(this.user) || this.user.length > 32) {
      throw new Error(`${prefix}: user must match [a-z_][a-z0-9_-]* (at most 32 characters), got ${JSON.stringify(this.user)}`);
    }
    this.bundlePath = checkPath(prefix, 'bundle path', props.bundlePath ?? DEFAULT_BUNDLE_DIR);
    this.goldsmithPath = checkPath(prefix, 'goldsmith path', props.goldsmithPath ?? GOLDSMITH_BIN);
    this.minGapMinutes = props.minGapMinutes ?? DEFAULT_MIN_GAP_MINUTES;
    checkInt(prefix, 'minimum gap (minutes)', this.minGapMinutes, 1, 720);

    const vars: Record<string, string> = { ...DEFAULT_CRON_ENVIRONMENT, ...(props.environmentVariables ?? {}) };
    for (const [name, value] of Object.entries(vars)) {
      if (!VAR_NAME.test(name)) {
        throw new Error(`${prefix}: environment variable name ${JSON.stringify(name)} must match [A-Z_][A-Z0-9_]*`);
      }
      if (name === 'MAILTO') throw new Error(`${prefix}: set MAILTO with the mailto prop, not as an environment variable`);
      checkEnvValue(prefix, name, value);
    }
    this.environmentVariables = Object.freeze(vars);
    this.mailto = props.mailto ?? '';
    checkEnvValue(prefix, 'MAILTO', this.mailto);

    // Validate the images.
    const seen = new Set<string>();
    for (const image of props.images) {
      if (typeof image.name !== 'string' || !IMAGE_NAME.test(image.name)) {
        throw new Error(`${prefix}: image name must match [a-z0-9_]+, got ${JSON.stringify(image.name)}`);
      }
      if (seen.has(image.name)) throw new Error(`${prefix}: image ${image.name} is listed twice`);
      seen.add(image.name);
      const p = `${prefix}: image ${image.name}: schedule`;
      const s = image.schedule;
      if (s === undefined || s === null || typeof s !== 'object') throw new Error(`${p} is missing`);
      if (typeof s.enabled !== 'boolean') throw new Error(`${p}.enabled must be true or false`);
      checkInt(p, '.weekday', s.weekday, 0, 6);
      checkInt(p, '.hour', s.hour, 0, 23);
      checkInt(p, '.minute', s.minute, 0, 59);
      checkInt(p, '.week_of_month', s.weekOfMonth, 1, 5);
      if (s.weekOfMonth !== undefined && s.weekday === undefined) {
        throw new Error(`${p}.week_of_month needs a weekday (e.g. week_of_month 2 with weekday 3 = second wednesday)`);
      }
    }
    const plan = planSchedule(props.images, this.minGapMinutes);
    const collision = plan.collisions[0];
    if (collision) {
      throw new Error(
        `${prefix}: images ${collision.other} (${formatSlot(collision.otherSlot)}) and ${collision.image} (${formatSlot(collision.slot)}) ` +
          `are scheduled ${collision.distance} minutes apart; builds on one builder must be at least ${this.minGapMinutes} minutes apart`,
      );
    }
    if (plan.unplaced.length > 0) {
      throw new Error(
        `${prefix}: no free time for image ${plan.unplaced[0]}: every time matching its schedule is within ` +
          `${this.minGapMinutes} minutes of another build on this builder`,
      );
    }

    // 3. The entries and lines.
    const slotOf = plan.slots;
    const entries: CronEntry[] = [];
    for (const image of [...props.images].sort((a, b) => cmp(a.name, b.name))) {
      const s = image.schedule;
      const slot = slotOf.get(image.name);
      const autoFields = (['weekday', 'hour', 'minute'] as const).filter((f) => s[f] === undefined);
      const weekday = slot === undefined ? (s.weekday ?? 0) : Math.floor(slot / 1440);
      const hour = slot === undefined ? (s.hour ?? 0) : Math.floor((slot % 1440) / 60);
      const minute = slot === undefined ? (s.minute ?? 0) : slot % 60;
      // --quiet: output only on failure, so MAILTO mails failed builds and nothing else.
      const build = [this.goldsmithPath, 'build', image.name, '--bundle', this.bundlePath, '--quiet'].map(shellQuote).join(' ');
      let cronSchedule: string;
      let command: string;
      if (s.weekOfMonth !== undefined) {
        const first = (s.weekOfMonth - 1) * 7 + 1;
        const last = Math.min(s.weekOfMonth * 7, 31);
        cronSchedule = `${minute} ${hour} ${first}-${last} * *`;
        command = cronEscape(`[ "$(date +%u)" = "${isoWeekday(weekday)}" ] && ${build}`);
      } else {
        cronSchedule = `${minute} ${hour} * * ${weekday}`;
        command = cronEscape(build);
      }
      const entry: CronEntry = {
        image: image.name,
        enabled: s.enabled,
        weekday,
        hour,
        minute,
        ...(s.weekOfMonth !== undefined ? { weekOfMonth: s.weekOfMonth } : {}),
        autoFields,
        cronSchedule,
        command,
        ...(s.enabled ? { line: `${cronSchedule} ${this.user} ${command}` } : {}),
      };
      entries.push(Object.freeze(entry));
    }
    this.entries = Object.freeze(entries);
    this.entryByImage = new Map(entries.map((e) => [e.image, e]));

    const lines = [
      '# /etc/cron.d/goldsmith: GOLD image builds of environment ' + env,
      '# managed by goldsmith, do not edit (generated from the catalog)',
      `# times are the builder's local time; builds start at least ${this.minGapMinutes} minutes apart`,
      `MAILTO=${envValue(this.mailto)}`,
      ...Object.keys(this.environmentVariables)
        .sort(cmp)
        .map((k) => `${k}=${envValue(this.environmentVariables[k])}`),
      '',
      ...entries.filter((e) => e.line !== undefined).map((e) => e.line as string),
    ];
    this.cronFileText = lines.join('\n') + '\n';
  }

  /** The entry of one image (throws for an image this builder does not carry). */
  public entryFor(image: string): CronEntry {
    const entry = this.entryByImage.get(image);
    if (!entry) throw new Error(`build schedule ${this.environment}: no image ${JSON.stringify(image)} on this builder`);
    return entry;
  }

  /**
   * The next `n` start times of an image strictly after `from`, computed with cron-parser from
   * the emitted fields plus the weekday guard of monthly schedules. Cron runs in the builder's
   * local time; `timeZone` says which one (default UTC). A disabled image has no runs.
   */
  public nextRuns(image: string, from: Date, n: number, timeZone = 'UTC'): Date[] {
    const entry = this.entryFor(image);
    if (!entry.enabled || n <= 0) return [];
    // Loaded here, not at the top: synth never needs it (the tests parse every emitted line with it).
    const { CronExpressionParser } = require('cron-parser') as typeof import('cron-parser');
    const expr = CronExpressionParser.parse(entry.cronSchedule, { currentDate: from, tz: timeZone, strict: false });
    const runs: Date[] = [];
    // A monthly schedule fires at most 7 days a month of which one passes the guard.
    for (let i = 0; runs.length < n && i < n * 8 + 16; i++) {
      const next = expr.next();
      if (entry.weekOfMonth !== undefined && next.getDay() !== entry.weekday) continue;
      runs.push(next.toDate());
    }
    return runs;
  }
}



function checkPath(prefix: string, what: string, value: string): string {
  if (typeof value !== 'string' || !SAFE_PATH.test(value) || value.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`${prefix}: ${what} must be an absolute path of [A-Za-z0-9._+/-] without . or .. segments, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkEnvValue(prefix: string, name: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || /[\u0000-\u001f\u007f"]/.test(value)) {
    throw new Error(`${prefix}: environment variable ${name} must be a string without control characters or double quotes`);
  }
}

/** cron.d environment value: quoted when empty or when it has blanks at its edges or inside. */
function envValue(value: string): string {
  return value === '' || /\s/.test(value) ? `"${value}"` : value;
}

