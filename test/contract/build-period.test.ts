// The period a scheduled build covers (lib/contract/build-period.ts). Dates are built in local
// time, as cron and the runner read them, so the test holds in any time zone.
import { nextPeriodStart, periodName, periodStart, type BuildSlot } from '../../lib/contract/build-period';

const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);
const show = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ` +
  `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

describe('weekly slot (tuesday 13:30)', () => {
  const slot: BuildSlot = { weekday: 2, hour: 13, minute: 30 };
  test.each([
    // 2026-12-01 is a tuesday
    [local(2026, 12, 1, 13, 29), '2026-11-24 13:30', '2026-12-01 13:30'],
    [local(2026, 12, 1, 13, 30), '2026-12-01 13:30', '2026-12-08 13:30'],
    [local(2026, 12, 2, 9, 0), '2026-12-01 13:30', '2026-12-08 13:30'],
    [local(2026, 12, 7, 23, 59), '2026-12-01 13:30', '2026-12-08 13:30'],
    [local(2027, 1, 1, 0, 0), '2026-12-29 13:30', '2027-01-05 13:30'],
  ])('at %p the period started %s and the next starts %s', (now, start, next) => {
    expect(show(periodStart(slot, now))).toBe(start);
    expect(show(nextPeriodStart(slot, now))).toBe(next);
  });
  test('is weekly', () => expect(periodName(slot)).toBe('weekly'));
});

describe('monthly slot (2nd wednesday 06:00, after Patch Tuesday)', () => {
  const slot: BuildSlot = { weekday: 3, hour: 6, minute: 0, week_of_month: 2 };
  test.each([
    // 2nd wednesdays: 2026-11-11, 2026-12-09, 2027-01-13
    [local(2026, 12, 9, 5, 59), '2026-11-11 06:00', '2026-12-09 06:00'],
    [local(2026, 12, 9, 6, 0), '2026-12-09 06:00', '2027-01-13 06:00'],
    [local(2026, 12, 31, 23, 0), '2026-12-09 06:00', '2027-01-13 06:00'],
    [local(2027, 1, 1), '2026-12-09 06:00', '2027-01-13 06:00'],
  ])('at %p the period started %s and the next starts %s', (now, start, next) => {
    expect(show(periodStart(slot, now))).toBe(start);
    expect(show(nextPeriodStart(slot, now))).toBe(next);
  });
  test('a 5th monday skips the months that have none', () => {
    const fifth: BuildSlot = { weekday: 1, hour: 0, minute: 0, week_of_month: 5 };
    // 5th mondays: 2026-11-30, then 2027-03-29
    expect(show(periodStart(fifth, local(2026, 12, 2)))).toBe('2026-11-30 00:00');
    expect(show(nextPeriodStart(fifth, local(2026, 12, 2)))).toBe('2027-03-29 00:00');
  });
  test('is monthly', () => expect(periodName(slot)).toBe('monthly'));
});
