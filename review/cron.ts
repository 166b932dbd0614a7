// Reading the builder's cron file back (cron.d/goldsmith of a synthesized bundle): its settings
// (`NAME=value` lines) and its build lines by image, each with its time in words.

/** A build line of the cron file. */
export interface CronJob {
  /** Image built (`goldsmith build <image>`), or the whole line when it names none. */
  readonly image: string;
  /** When it runs, in words: `wed 09:40`, `2nd wed 09:40`, else the cron fields. */
  readonly when: string;
  /** The line as written. */
  readonly line: string;
}

/** The parts of a cron file a review compares. */
export interface CronFile {
  /** `NAME=value` lines, by name. */
  readonly settings: ReadonlyMap<string, string>;
  /** Build lines, by image. */
  readonly jobs: ReadonlyMap<string, CronJob>;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SETTING = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const BUILD = /\bgoldsmith build (\S+)/;
/** The guard of a monthly line: `[ "$(date +\%u)" = "3" ] &&` (ISO weekday, 7 = Sunday). */
const WEEKDAY_GUARD = /\[ "\$\(date \+\\%u\)" = "([1-7])" \]/;

/** Parses a cron.d file (comments and blank lines skipped; an undefined file is empty). */
export function parseCronFile(text: string | undefined): CronFile {
  const settings = new Map<string, string>();
  const jobs = new Map<string, CronJob>();
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const setting = SETTING.exec(line);
    if (setting) {
      settings.set(setting[1], setting[2]);
      continue;
    }
    const fields = line.split(/\s+/);
    const image = BUILD.exec(line)?.[1] ?? line;
    jobs.set(image, { image, when: describeSchedule(fields.slice(0, 5), WEEKDAY_GUARD.exec(line)?.[1]), line });
  }
  return { settings, jobs };
}

/**
 * The five cron fields in words, for the shapes goldsmith writes: weekly `M H * * D` is
 * `wed 09:40`; monthly `M H 8-14 * *` with a `date +%u` guard is `2nd wed 09:40`. Anything else
 * is the fields as they are (and the guard's weekday).
 */
export function describeSchedule(fields: readonly string[], isoWeekday?: string): string {
  const [minute, hour, day, month, weekday] = fields;
  const time = /^\d+$/.test(minute ?? '') && /^\d+$/.test(hour ?? '') ? `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}` : undefined;
  if (time && month === '*') {
    if (day === '*' && isoWeekday === undefined && /^[0-7]$/.test(weekday ?? '')) return `${WEEKDAYS[Number(weekday) % 7]} ${time}`;
    const range = /^(\d+)-(\d+)$/.exec(day ?? '');
    if (range && weekday === '*' && isoWeekday !== undefined) {
      const [first, last] = [Number(range[1]), Number(range[2])];
      if (last - first === 6 && first % 7 === 1 && last <= 35) return `${ordinal((first + 6) / 7)} ${WEEKDAYS[Number(isoWeekday) % 7]} ${time}`;
    }
  }
  return fields.join(' ') + (isoWeekday !== undefined ? ` (weekday ${isoWeekday})` : '');
}

function ordinal(n: number): string {
  return `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;
}
