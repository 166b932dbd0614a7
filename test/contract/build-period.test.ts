// The period a scheduled build covers (lib/contract/build-period.ts). Dates are built in local
// time, as cron and the runner read them, so the test holds in any time zone.
import { spawnSync } from 'child_process';
import * as path from 'path';
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

describe('a time zone with daylight saving (Europe/Oslo, in a child process): calendar days, and the spring-forward gap', () => {
  // jest's process.env is a copy: the zone is set for a child node that runs the same module.
  function inOslo(cases: Array<[BuildSlot, [number, number, number, number, number, number?], 'start' | 'next']>): string[] {
    const repo = path.resolve(__dirname, '../..');
    const code = `
      const { periodStart, nextPeriodStart } = require(${JSON.stringify(path.join(repo, 'lib/contract/build-period.ts'))});
      const show = (d) => d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0') + ' ' + String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
      const out = [String(new Date(2026, 2, 29, 12).getTimezoneOffset())];
      for (const [slot, [y, m, d, h, mi, s], which] of ${JSON.stringify(cases)}) {
        const now = new Date(y, m - 1, d, h, mi, s || 0);
        out.push(show(which === 'start' ? periodStart(slot, now) : nextPeriodStart(slot, now)));
      }
      process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['-r', path.join(repo, 'test/runner/register-ts.js'), '-e', code], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'Europe/Oslo' },
    });
    expect(r.stderr).toBe('');
    const [offset, ...shown] = JSON.parse(r.stdout) as string[];
    expect(offset).toBe('-120'); // the zone really is in effect (CEST on 2026-03-29)
    return shown;
  }

  test('on spring-forward sunday a 02:30 slot starts at 03:00 (cron runs it after the change); other weeks keep 02:30', () => {
    const slot: BuildSlot = { weekday: 0, hour: 2, minute: 30 };
    expect(
      inOslo([
        [slot, [2026, 3, 29, 3, 0, 5], 'start'],
        [slot, [2026, 3, 29, 1, 0], 'start'],
        [slot, [2026, 3, 25, 12, 0], 'next'],
        [slot, [2026, 3, 30, 12, 0], 'next'],
      ]),
    ).toEqual(['2026-03-29 03:00', '2026-03-22 02:30', '2026-03-29 03:00', '2026-04-05 02:30']);
  });

  test('across the autumn change a weekly and a monthly slot keep their wall-clock time', () => {
    expect(
      inOslo([
        [{ weekday: 2, hour: 13, minute: 30 }, [2026, 10, 26, 12, 0], 'start'],
        [{ weekday: 2, hour: 13, minute: 30 }, [2026, 10, 26, 12, 0], 'next'],
        [{ weekday: 0, hour: 2, minute: 30, week_of_month: 5 }, [2026, 4, 1, 0, 0], 'start'],
      ]),
    ).toEqual(['2026-10-20 13:30', '2026-10-27 13:30', '2026-03-29 03:00']);
  });
});
