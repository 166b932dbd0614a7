// Overdue runs across daylight saving changes (Europe/Oslo, in a child process: jest's
// process.env is a copy). The slots are build-period.ts's: calendar days in local time, and on
// spring-forward sunday a 02:30 slot starts at 03:00, as cron runs it; the grace is real seconds.
import { spawnSync } from 'child_process';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../..');

type Local = [number, number, number, number, number];
interface Case {
  slot: { weekday: number; hour: number; minute: number };
  lastGood: Local;
  now: Local;
}

/** [state, finding texts, age perfdata] of each case, evaluated in Europe/Oslo. */
function inOslo(cases: Case[]): Array<[string, string[], unknown]> {
  const code = `
    const { evaluateImage } = require(${JSON.stringify(path.join(REPO, 'lib/check/evaluate.ts'))});
    const at = ([y, m, d, h, mi]) => new Date(y, m - 1, d, h, mi);
    const out = [String(new Date(2026, 2, 29, 12).getTimezoneOffset())];
    for (const c of ${JSON.stringify(cases)}) {
      const config = { image: 'x', environment: 'bgo', schedule: { enabled: true, slot: c.slot }, grace_s: 86400,
        running_limit_s: 18000, eol_warning_days: 90, paths: { logs: '/l', state: '/s' } };
      const finished = at(c.lastGood).toISOString();
      const report = { status: 'ok', file: '/l/x-report.json', mtime: at(c.lastGood), value: { image: 'x', environment: 'bgo',
        build_id: 'b', result: 'success', started_at: finished, finished_at: finished, steps: [], upstream: { url: 'u' }, fingerprint: 'f', tools: {} } };
      const s = evaluateImage({ config, report, lastSuccess: { status: 'missing', file: '/s/x.last-success.json' }, now: at(c.now) });
      out.push([s.state, s.findings.map((f) => f.text), s.perfdata[0]]);
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-r', path.join(REPO, 'test/runner/register-ts.js'), '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'Europe/Oslo' },
  });
  expect(r.stderr).toBe('');
  const [offset, ...results] = JSON.parse(r.stdout) as [string, ...Array<[string, string[], unknown]>];
  expect(offset).toBe('-120'); // the zone really is in effect (CEST on 2026-03-29)
  return results;
}

test('spring forward: a sunday 02:30 slot runs at 03:00 that day; the week is 167 hours and the grace 24 real hours', () => {
  const slot = { weekday: 0, hour: 2, minute: 30 };
  const [before, after] = inOslo([
    { slot, lastGood: [2026, 3, 22, 3, 0], now: [2026, 3, 30, 2, 59] },
    { slot, lastGood: [2026, 3, 22, 3, 0], now: [2026, 3, 30, 3, 1] },
  ]);
  // 2026-03-22 03:00 CET → 2026-03-30 03:00 CEST: 8 days less the skipped hour.
  expect(before).toEqual(['OK', ['run b succeeded 7d 22h ago; next run 2026-04-05 02:30'], { label: 'x.age_s', value: 687540, warn: 687600, crit: 1290600 }]);
  expect(after[0]).toBe('WARNING');
  expect(after[1][1]).toBe('no successful or unchanged run since 2026-03-22 03:00 (7d 23h ago): the run due 2026-03-29 03:00 has not finished within 1d');
});

test('fall back: a tuesday 13:30 slot keeps its wall-clock time; the week has 169 hours', () => {
  const slot = { weekday: 2, hour: 13, minute: 30 };
  const [before, after] = inOslo([
    { slot, lastGood: [2026, 10, 20, 14, 0], now: [2026, 10, 28, 13, 29] },
    { slot, lastGood: [2026, 10, 20, 14, 0], now: [2026, 10, 28, 13, 31] },
  ]);
  // 2026-10-20 14:00 CEST → 2026-10-28 13:30 CET: 8 days less 30 minutes plus the repeated hour.
  expect(before).toEqual(['OK', ['run b succeeded 8d ago; next run 2026-11-03 13:30'], { label: 'x.age_s', value: 692940, warn: 693000, crit: 1297800 }]);
  expect(after[0]).toBe('WARNING');
  expect(after[1][1]).toBe('no successful or unchanged run since 2026-10-20 14:00 (8d ago): the run due 2026-10-27 13:30 has not finished within 1d');
});
