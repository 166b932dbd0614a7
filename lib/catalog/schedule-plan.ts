// When each image of one builder is rebuilt: the schedule rule, in one place (the catalog's
// cross-file check and the BuildSchedule construct both use it). Times come from the catalog or,
// for the omitted fields, are staggered automatically: deterministic from the image name (sha256),
// weekly, and never two builds on one builder closer than the gap on the weekly timeline (which
// wraps from Saturday to Sunday).
import { createHash } from 'crypto';
import { cmp } from '../common';
import type { Schedule } from './model';
import { WEEKDAYS } from './schema';

/** Minutes in a week: the length of the circular timeline the gap is measured on. */
export const WEEK_MINUTES = 7 * 24 * 60;

/** Granularity of automatically chosen minutes (an auto time is always a multiple of it). */
export const AUTO_STEP_MINUTES = 5;

/** One image the builder carries, as far as scheduling is concerned. */
export interface ScheduledImage {
  /** Image key ([a-z0-9_]+), passed to `goldsmith build`. */
  readonly name: string;
  /** When the image is rebuilt; omitted fields are staggered automatically. */
  readonly schedule: Schedule;
}

/** Distance in minutes between two points of the weekly timeline (wrapping around). */
export function weeklyDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % WEEK_MINUTES;
  return Math.min(d, WEEK_MINUTES - d);
}

/** `wed 09:40`: a minute of the week. */
export function formatSlot(t: number): string {
  const weekday = Math.floor(t / 1440);
  const hour = Math.floor((t % 1440) / 60);
  const minute = t % 60;
  return `${WEEKDAYS[weekday]} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function hashIndex(name: string, modulo: number): number {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return digest.readUIntBE(0, 6) % modulo;
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
      candidates = candidateSlots(s);
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

/** How many automatic candidates a schedule has (fewer = more constrained = placed first). */
function freedom(s: Schedule): number {
  return (s.weekday === undefined ? 7 : 1) * (s.hour === undefined ? 24 : 1) * (s.minute === undefined ? 60 / AUTO_STEP_MINUTES : 1);
}

/** The minutes of the week a schedule allows, ascending: its fixed fields, every 5 minutes otherwise. */
function candidateSlots(s: Schedule): number[] {
  const range = (n: number, step = 1) => Array.from({ length: n / step }, (_, i) => i * step);
  const weekdays = s.weekday !== undefined ? [s.weekday] : range(7);
  const hours = s.hour !== undefined ? [s.hour] : range(24);
  const minutes = s.minute !== undefined ? [s.minute] : range(60, AUTO_STEP_MINUTES);
  const slots: number[] = [];
  for (const weekday of weekdays) for (const hour of hours) for (const minute of minutes) slots.push(weekday * 1440 + hour * 60 + minute);
  return slots;
}
