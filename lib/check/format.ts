// How the check words times: durations (`2d 3h`, `45m`) and the builder's local time.

/** A duration for people, two units at most: `45s`, `12m`, `5h`, `5h 12m`, `1d`, `8d 3h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/** `YYYY-MM-DD HH:MM` in local time (the builder's, as cron's slots). */
export function localTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Whole seconds from `from` to `to` (0 when `to` is earlier: a clock that went back). */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
}

/** A time a report or record states (ISO 8601), or undefined when it is not one. */
export function parseTime(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** `1 day`, `3 days`. */
export function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}
