// The cron.d file of one builder (one per environment): when each image is rebuilt.
//
// Times come from the catalog (Image.schedule) or, for the omitted fields, are staggered
// automatically: deterministic from the image name (sha256), weekly, and never two builds on one
// builder closer than `minGapMinutes` on the weekly timeline (which wraps from Saturday to Sunday).
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from '../catalog/model';

/** Minutes in a week: the length of the circular timeline the gap is measured on. */
export const WEEK_MINUTES = 7 * 24 * 60;

/** Granularity of automatically chosen minutes (an auto time is always a multiple of it). */
export const AUTO_STEP_MINUTES = 5;

/** Environment variables every cron.d file sets (props.environmentVariables may override them). */
export const DEFAULT_CRON_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  SHELL: '/bin/sh',
  PATH: '/usr/local/bin:/usr/bin:/bin',
  CHECKPOINT_DISABLE: '1',
});

const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const IMAGE_NAME = /^[a-z0-9_]+$/;
const ENV_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const USER_NAME = /^[a-z_][a-z0-9_-]*$/;
const SAFE_PATH = /^\/[A-Za-z0-9._+\/-]*$/;
const VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** One image the builder carries, as far as scheduling is concerned. */
export interface ScheduledImage {
  /** Image key ([a-z0-9_]+), passed to `goldsmith build`. */
  readonly name: string;
  /** When the image is rebuilt; omitted fields are staggered automatically. */
  readonly schedule: Schedule;
}

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
   * @default '/etc/goldsmith/bundle'
   */
  readonly bundlePath?: string;
  /**
   * Absolute path of the goldsmith command on the builder.
   * @default '/usr/local/bin/goldsmith'
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

/** Distance in minutes between two points of the weekly timeline (wrapping around). */
export function weeklyDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % WEEK_MINUTES;
  return Math.min(d, WEEK_MINUTES - d);
}

/** `date +%u` value (1 = Monday … 7 = Sunday) of a 0-6 weekday. */
function isoWeekday(weekday: number): number {
  return weekday === 0 ? 7 : weekday;
}

/** `wed 09:40`: a minute of the week. */
export function formatSlot(t: number): string {
  const weekday = Math.floor(t / 1440);
  const hour = Math.floor((t % 1440) / 60);
  const minute = t % 60;
  return `${WEEKDAY_NAMES[weekday]} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function hashIndex(name: string, modulo: number): number {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return digest.readUIntBE(0, 6) % modulo;
}

function checkInt(prefix: string, field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${prefix}: ${field} must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`);
  }
}

/** Two builds closer than the gap: `image` (later by name) collides with the earlier `other`. */
export interface ScheduleCollision {
  readonly image: string;
  readonly slot: number;
  readonly other: string;
  readonly otherSlot: number;
  /** Minutes apart on the weekly timeline. */
  readonly distance: number;
}

/** Where each enabled image of one builder runs, and what cannot be placed. */
export interface SchedulePlan {
  /** Minute of the week (0 = Sunday 00:00) per placed image. */
  readonly slots: ReadonlyMap<string, number>;
  /** Explicit times within the gap of an earlier (by name) explicit time; such an image is not placed. */
  readonly collisions: readonly ScheduleCollision[];
  /** Images without a free time matching their schedule, in placement order. */
  readonly unplaced: readonly string[];
}

/** Default minimum gap between two builds on one builder (minutes). */
export const DEFAULT_MIN_GAP_MINUTES = 30;

/**
 * The schedule rule of one builder, in one place (the construct and the catalog check use it):
 * 1. fully explicit times are fixed, in name order; one within the gap of an earlier one collides;
 * 2. partly or wholly automatic times: the most constrained first, then by name. Each starts at the
 *    slot its name hashes to among the matching candidates and moves forward to the first candidate
 *    at least the gap away from every taken slot.
 * Linear in the number of images (a minute map of the week instead of pairwise comparisons).
 */
export function planSchedule(images: readonly ScheduledImage[], minGapMinutes: number = DEFAULT_MIN_GAP_MINUTES): SchedulePlan {
  const enabled = images.filter((i) => i.schedule.enabled).sort((a, b) => cmp(a.name, b.name));
  const slots = new Map<string, number>();
  const collisions: ScheduleCollision[] = [];
  const unplaced: string[] = [];
  /** Per minute of the week: index + 1 of the explicit image taking it (0 = none). */
  const explicitAt = new Int32Array(WEEK_MINUTES);
  /** Per minute of the week: 1 when it lies within the gap of a taken slot. */
  const blocked = new Uint8Array(WEEK_MINUTES);
  const take = (slot: number) => {
    for (let d = -(minGapMinutes - 1); d < minGapMinutes; d++) blocked[(slot + d + WEEK_MINUTES) % WEEK_MINUTES] = 1;
  };

  enabled.forEach((image, index) => {
    const s = image.schedule;
    if (s.weekday === undefined || s.hour === undefined || s.minute === undefined) return;
    const slot = s.weekday * 1440 + s.hour * 60 + s.minute;
    if (blocked[slot]) {
      let first = Infinity;
      for (let d = -(minGapMinutes - 1); d < minGapMinutes; d++) {
        const at = explicitAt[(slot + d + WEEK_MINUTES) % WEEK_MINUTES];
        if (at > 0 && at < first) first = at;
      }
      const other = enabled[first - 1];
      const otherSlot = slots.get(other.name)!;
      collisions.push({ image: image.name, slot, other: other.name, otherSlot, distance: weeklyDistance(slot, otherSlot) });
      return;
    }
    explicitAt[slot] = index + 1;
    slots.set(image.name, slot);
    take(slot);
  });

  const auto = enabled
    .filter((i) => i.schedule.weekday === undefined || i.schedule.hour === undefined || i.schedule.minute === undefined)
    .sort((a, b) => freedom(a.schedule) - freedom(b.schedule) || cmp(a.name, b.name));
  const candidatesOf = new Map<string, number[]>();
  for (const image of auto) {
    const s = image.schedule;
    const shape = `${s.weekday}/${s.hour}/${s.minute}`;
    let candidates = candidatesOf.get(shape);
    if (!candidates) {
      candidates = [];
      for (let t = 0; t < WEEK_MINUTES; t++) {
        const weekday = Math.floor(t / 1440);
        const hour = Math.floor((t % 1440) / 60);
        const minute = t % 60;
        if (s.weekday !== undefined && weekday !== s.weekday) continue;
        if (s.hour !== undefined && hour !== s.hour) continue;
        if (s.minute !== undefined ? minute !== s.minute : minute % AUTO_STEP_MINUTES !== 0) continue;
        candidates.push(t);
      }
      candidatesOf.set(shape, candidates);
    }
    const start = hashIndex(image.name, candidates.length);
    let chosen: number | undefined;
    for (let k = 0; k < candidates.length; k++) {
      const t = candidates[(start + k) % candidates.length];
      if (!blocked[t]) {
        chosen = t;
        break;
      }
    }
    if (chosen === undefined) {
      unplaced.push(image.name);
      continue;
    }
    slots.set(image.name, chosen);
    take(chosen);
  }
  return { slots, collisions, unplaced };
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
    if (typeof env !== 'string' || !ENV_NAME.test(env)) {
      throw new Error(`build schedule: environment name must match [a-z0-9][a-z0-9_-]*, got ${JSON.stringify(env)}`);
    }
    const prefix = `build schedule ${env}`;
    this.environment = env;

    this.user = props.user ?? 'goldsmith';
    if (!USER_NAME.test(this.user) || this.user.length > 32) {
      throw new Error(`${prefix}: user must match [a-z_][a-z0-9_-]* (at most 32 characters), got ${JSON.stringify(this.user)}`);
    }
    this.bundlePath = checkPath(prefix, 'bundle path', props.bundlePath ?? '/etc/goldsmith/bundle');
    this.goldsmithPath = checkPath(prefix, 'goldsmith path', props.goldsmithPath ?? '/usr/local/bin/goldsmith');
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
      const build = [this.goldsmithPath, 'build', image.name, '--bundle', this.bundlePath].map(shellQuote).join(' ');
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
      validateCronFields(prefix, image.name, cronSchedule);
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

/** How many automatic candidates a schedule has (fewer = more constrained = placed first). */
function freedom(s: Schedule): number {
  return (s.weekday === undefined ? 7 : 1) * (s.hour === undefined ? 24 : 1) * (s.minute === undefined ? 60 / AUTO_STEP_MINUTES : 1);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

function validateCronFields(prefix: string, image: string, fields: string): void {
  try {
    CronExpressionParser.parse(fields, { strict: false });
  } catch (e) {
    throw new Error(`${prefix}: image ${image}: cron fields ${JSON.stringify(fields)} do not parse: ${(e as Error).message}`);
  }
  if (fields.split(' ').length !== 5) throw new Error(`${prefix}: image ${image}: cron fields ${JSON.stringify(fields)} are not 5 fields`);
}
