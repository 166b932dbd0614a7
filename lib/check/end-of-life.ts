// The image's end of life (catalog `end_of_life`): a GOLD image past vendor support is CRITICAL,
// one within `eol_warning_days` a WARNING. Calendar days of the builder's local date.
import type { CheckConfig } from '../contract';
import { days } from './format';
import type { Finding } from './state';

/** Days from the local date of `now` to `date` (YYYY-MM-DD): 0 on that day, negative after it. */
export function daysUntil(date: string, now: Date): number {
  const [y, m, d] = date.split('-').map(Number);
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((Date.UTC(y, m - 1, d) - today) / 86_400_000);
}

/** The end-of-life finding, or undefined when there is none to report (no date, or far enough away). */
export function endOfLifeFinding(config: CheckConfig, now: Date): Finding | undefined {
  const eol = config.end_of_life;
  if (eol === undefined) return undefined;
  const left = daysUntil(eol, now);
  // The date is the last day of support.
  if (left < 0) return { state: 'CRITICAL', text: `end of life ${eol} passed ${days(-left)} ago: retire the image` };
  if (left <= config.eol_warning_days) {
    return { state: 'WARNING', text: `end of life ${eol} ${left === 0 ? 'is today' : `in ${days(left)}`}: plan its successor and retirement` };
  }
  return undefined;
}
