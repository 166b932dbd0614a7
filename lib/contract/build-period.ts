// The period a scheduled build covers: from one scheduled start (cron's, in the builder's local
// time) to the next. A periodic image is rebuilt once per period, so every period's build carries
// that period's patches; a rerun inside the period (a retry, a manual run) changes nothing.
// One rule for the runner (`goldsmith build`) and, next, the monitoring check.
import { z } from 'zod';

export const RebuildPolicySchema = z.enum(['periodic', 'on_change']);
/** `periodic`: once per schedule period, and at once when upstream or template change; `on_change`: only then. */
export type RebuildPolicy = z.output<typeof RebuildPolicySchema>;

/** When cron starts the build (resolved: no staggered field left open). */
export const BuildSlotSchema = z.strictObject({
  /** 0 = Sunday … 6 = Saturday. */
  weekday: z.number().int().min(0).max(6),
  hour: z.number().int().min(0).max(23),
  minute: z.number().int().min(0).max(59),
  /** Monthly on the n-th weekday (1-5); absent: weekly. */
  week_of_month: z.number().int().min(1).max(5).optional(),
});
export type BuildSlot = Readonly<z.output<typeof BuildSlotSchema>>;

/**
 * The slot's time on a calendar day (local time). On the day the clocks spring forward past it
 * (02:30 does not exist), cron runs the job right after the change: that moment (03:00) is the start.
 */
function slotOn(year: number, month: number, day: number, slot: BuildSlot): Date {
  const at = new Date(year, month, day, slot.hour, slot.minute);
  if (at.getHours() !== slot.hour || at.getMinutes() !== slot.minute) return new Date(year, month, day, at.getHours(), 0);
  return at;
}

/** The n-th `weekday` of the month of `year`/`month` (local time) at the slot's time, or undefined if it has none. */
function nthWeekday(year: number, month: number, slot: BuildSlot, n: number): Date | undefined {
  const first = new Date(year, month, 1, 12);
  const day = 1 + ((slot.weekday - first.getDay() + 7) % 7) + (n - 1) * 7;
  const at = slotOn(first.getFullYear(), first.getMonth(), day, slot);
  return at.getMonth() === first.getMonth() ? at : undefined;
}

/** The latest scheduled start at or before `now` (local time). */
export function periodStart(slot: BuildSlot, now: Date): Date {
  if (slot.week_of_month === undefined) {
    // Calendar days, not 24-hour steps: a week with a clock change is not 168 hours long.
    const day = now.getDate() - ((now.getDay() - slot.weekday + 7) % 7);
    const at = slotOn(now.getFullYear(), now.getMonth(), day, slot);
    return at.getTime() <= now.getTime() ? at : slotOn(now.getFullYear(), now.getMonth(), day - 7, slot);
  }
  // Months without a 5th such weekday have no slot: look back until one has (at most a few months).
  for (let back = 0; back < 14; back++) {
    const at = nthWeekday(now.getFullYear(), now.getMonth() - back, slot, slot.week_of_month);
    if (at !== undefined && at.getTime() <= now.getTime()) return at;
  }
  throw new Error(`no scheduled start found before ${now.toISOString()}`);
}

/** The first scheduled start after `now` (local time). */
export function nextPeriodStart(slot: BuildSlot, now: Date): Date {
  if (slot.week_of_month === undefined) {
    const start = periodStart(slot, now);
    return slotOn(start.getFullYear(), start.getMonth(), start.getDate() + 7, slot);
  }
  for (let ahead = 0; ahead < 14; ahead++) {
    const at = nthWeekday(now.getFullYear(), now.getMonth() + ahead, slot, slot.week_of_month);
    if (at !== undefined && at.getTime() > now.getTime()) return at;
  }
  throw new Error(`no scheduled start found after ${now.toISOString()}`);
}

/** `weekly` or `monthly`: the length of one period, for messages. */
export function periodName(slot: BuildSlot): 'weekly' | 'monthly' {
  return slot.week_of_month === undefined ? 'weekly' : 'monthly';
}
