// The state of one image (lib/check/evaluate.ts) from the runner's report and last-success record,
// with an injected clock. Times are built in local time (cron's and the check's), in November and
// December 2026, where no common zone changes its clocks; daylight saving: test/check/dst.test.ts.
import { evaluateImage, type FileRead, type ImageCheckInput } from '../../lib/check';
import type { BuildReport, CheckConfig, LastSuccess } from '../../lib/contract';

const local = (m: number, d: number, h = 0, min = 0, y = 2026) => new Date(y, m - 1, d, h, min);

/** ubuntu_2404, wednesdays 09:40 (2026-11-04 is a wednesday), one day of grace, 5 h running limit. */
const CONFIG: CheckConfig = {
  image: 'ubuntu_2404',
  environment: 'bgo',
  schedule: { enabled: true, slot: { weekday: 3, hour: 9, minute: 40 } },
  grace_s: 86400,
  running_limit_s: 18000,
  end_of_life: '2029-05-31',
  eol_warning_days: 90,
  paths: { logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' },
};
const REPORT_FILE = '/var/log/goldsmith/ubuntu_2404-report.json';
const LAST_FILE = '/var/lib/goldsmith/ubuntu_2404.last-success.json';

function report(result: BuildReport['result'], started: Date, finished?: Date, over: Partial<BuildReport> = {}): FileRead<BuildReport> {
  return {
    status: 'ok',
    file: REPORT_FILE,
    mtime: finished ?? started,
    value: {
      image: 'ubuntu_2404',
      environment: 'bgo',
      build_id: '20261104T084000Z',
      result,
      started_at: started.toISOString(),
      ...(finished ? { finished_at: finished.toISOString() } : {}),
      steps: [],
      upstream: { url: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img' },
      fingerprint: 'f'.repeat(64),
      tools: {},
      ...over,
    },
  };
}

function lastSuccess(finished: Date): FileRead<LastSuccess> {
  return {
    status: 'ok',
    file: LAST_FILE,
    mtime: finished,
    value: {
      image: 'ubuntu_2404',
      build_id: '20261104',
      finished_at: finished.toISOString(),
      upstream_checksum: `sha256:${'a'.repeat(64)}`,
      fingerprint: 'f'.repeat(64),
      file: 'ubuntu_2404-20261104.qcow2',
      md5: '0'.repeat(32),
      sha256: '0'.repeat(64),
    },
  };
}

const MISSING_LAST: FileRead<LastSuccess> = { status: 'missing', file: LAST_FILE };
/** The build of 2026-11-04: started 09:40, finished 10:12. */
const STARTED = local(11, 4, 9, 40);
const FINISHED = local(11, 4, 10, 12);
const SUCCESS = { report: report('success', STARTED, FINISHED), lastSuccess: lastSuccess(FINISHED) };
/** Seconds from FINISHED to 2026-11-12 09:40 (the first slot after it, plus one day) and to 2026-11-19 09:40. */
const WARN_S = 7 * 86400 + 23 * 3600 + 28 * 60;
const CRIT_S = WARN_S + 7 * 86400;

function check(now: Date, input: Partial<ImageCheckInput> = {}) {
  return evaluateImage({ config: CONFIG, ...SUCCESS, now, ...input });
}

describe('a finished run: OK until a scheduled run is overdue', () => {
  test('success two days ago: OK, the next slot, and the age with its WARNING and CRITICAL ages', () => {
    expect(check(local(11, 6, 12, 0))).toEqual({
      image: 'ubuntu_2404',
      state: 'OK',
      findings: [{ state: 'OK', text: 'run 20261104T084000Z succeeded 2d 1h ago; next run 2026-11-11 09:40' }],
      perfdata: [{ label: 'ubuntu_2404.age_s', value: 2 * 86400 + 3600 + 48 * 60, warn: WARN_S, crit: CRIT_S }],
    });
  });

  test('unchanged (the job ran and had nothing to build) counts as a run, also when the last success is older', () => {
    const unchanged = report('unchanged', local(11, 11, 9, 40), local(11, 11, 9, 41));
    const status = check(local(11, 12, 12, 0), { report: unchanged });
    expect(status.state).toBe('OK');
    expect(status.findings).toEqual([{ state: 'OK', text: 'run 20261104T084000Z found nothing to build 1d 2h ago; next run 2026-11-18 09:40' }]);
    expect(status.perfdata[0]).toMatchObject({ value: 26 * 3600 + 19 * 60 });
  });

  test('exactly at the first slot plus the grace: still OK; a minute later WARNING', () => {
    expect(check(local(11, 12, 9, 40)).state).toBe('OK');
    expect(check(local(11, 12, 9, 41)).findings).toEqual([
      { state: 'OK', text: 'run 20261104T084000Z succeeded 7d 23h ago; next run 2026-11-18 09:40' },
      {
        state: 'WARNING',
        text: 'no successful or unchanged run since 2026-11-04 10:12 (7d 23h ago): the run due 2026-11-11 09:40 has not finished within 1d',
      },
    ]);
    expect(check(local(11, 12, 9, 41)).state).toBe('WARNING');
  });

  test('past the second slot plus the grace: CRITICAL, counting the missed runs', () => {
    const second = check(local(11, 19, 9, 41));
    expect(second.state).toBe('CRITICAL');
    expect(second.findings[1]).toEqual({
      state: 'CRITICAL',
      text: 'no successful or unchanged run since 2026-11-04 10:12 (14d 23h ago): 2 scheduled runs missed, the first due 2026-11-11 09:40',
    });
    // Slots 11-11, 11-18, 11-25 and 12-02 passed with their grace by 12-03 10:00 (a job that stopped: no longer green).
    expect(check(local(12, 3, 10, 0)).findings[1].text).toBe(
      'no successful or unchanged run since 2026-11-04 10:12 (28d 23h ago): 4 scheduled runs missed, the first due 2026-11-11 09:40',
    );
  });

  test('a monthly slot (2nd wednesday): a month is one period', () => {
    const monthly: CheckConfig = { ...CONFIG, schedule: { enabled: true, slot: { weekday: 3, hour: 9, minute: 40, week_of_month: 2 } } };
    // Built 2026-11-11 (2nd wednesday); next 2026-12-09, then 2027-01-13.
    const built = { report: report('success', local(11, 11, 9, 40), local(11, 11, 10, 0)), lastSuccess: lastSuccess(local(11, 11, 10, 0)) };
    expect(check(local(12, 10, 9, 40), { config: monthly, ...built }).state).toBe('OK');
    expect(check(local(12, 10, 9, 41), { config: monthly, ...built }).findings[1].text).toBe(
      'no successful or unchanged run since 2026-11-11 10:00 (28d 23h ago): the run due 2026-12-09 09:40 has not finished within 1d',
    );
    expect(check(local(1, 14, 9, 41, 2027), { config: monthly, ...built }).state).toBe('CRITICAL');
  });

  test('a disabled schedule expects no run: never overdue, the age without thresholds', () => {
    const disabled: CheckConfig = { ...CONFIG, schedule: { ...CONFIG.schedule, enabled: false } };
    expect(check(local(12, 30), { config: disabled })).toEqual({
      image: 'ubuntu_2404',
      state: 'OK',
      findings: [{ state: 'OK', text: 'run 20261104T084000Z succeeded 55d 13h ago' }],
      perfdata: [{ label: 'ubuntu_2404.age_s', value: 55 * 86400 + 13 * 3600 + 48 * 60 }],
    });
  });
});

describe('running: OK with the elapsed time, CRITICAL past the limit', () => {
  test('running for 1h 20m of 5 h', () => {
    const running = report('running', local(11, 11, 9, 40), undefined, { build_id: '20261111T084000Z' });
    expect(check(local(11, 11, 11, 0), { report: running })).toEqual({
      image: 'ubuntu_2404',
      state: 'OK',
      findings: [{ state: 'OK', text: 'run 20261111T084000Z running for 1h 20m (limit 5h)' }],
      perfdata: [
        { label: 'ubuntu_2404.age_s', value: 7 * 86400 + 48 * 60, warn: WARN_S, crit: CRIT_S },
        { label: 'ubuntu_2404.running_s', value: 4800, crit: 18000 },
      ],
    });
  });

  test('a late run still running is alive: not overdue', () => {
    const late = report('running', local(11, 12, 9, 0), undefined, { build_id: '20261112T080000Z' });
    const status = check(local(11, 12, 10, 0), { report: late });
    expect(status.state).toBe('OK');
    expect(status.findings).toEqual([{ state: 'OK', text: 'run 20261112T080000Z running for 1h (limit 5h)' }]);
  });

  test('past the limit: stuck, or killed before it could report', () => {
    const stuck = report('running', local(11, 11, 9, 40), undefined, { build_id: '20261111T084000Z' });
    expect(check(local(11, 11, 15, 0), { report: stuck }).findings).toEqual([
      { state: 'CRITICAL', text: 'run 20261111T084000Z running for 5h 20m, over the limit of 5h: stuck, or killed before it could report' },
    ]);
  });
});

describe('failed: CRITICAL with the runner’s one-line error', () => {
  test('the error is one line without a | (Nagios perfdata starts there)', () => {
    const failed = report('failed', local(11, 11, 9, 40), local(11, 11, 10, 2), {
      build_id: '20261111T084000Z',
      error: 'download: HTTP 404 from https://cloud-images.ubuntu.com/noble/current/x.img |\nretry later',
    });
    expect(check(local(11, 11, 12, 0), { report: failed })).toEqual({
      image: 'ubuntu_2404',
      state: 'CRITICAL',
      findings: [
        {
          state: 'CRITICAL',
          text: 'run 20261111T084000Z failed 1h 58m ago: download: HTTP 404 from https://cloud-images.ubuntu.com/noble/current/x.img / retry later',
        },
      ],
      perfdata: [{ label: 'ubuntu_2404.age_s', value: 7 * 86400 + 3600 + 48 * 60, warn: WARN_S, crit: CRIT_S }],
    });
  });

  test('a first build that failed: no last success, no age', () => {
    const failed = report('failed', local(11, 11, 9, 40), local(11, 11, 9, 45));
    const status = check(local(11, 11, 10, 0), { report: failed, lastSuccess: MISSING_LAST });
    expect(status.findings).toEqual([{ state: 'CRITICAL', text: 'run 20261104T084000Z failed 15m ago: no error recorded' }]);
    expect(status.perfdata).toEqual([]);
  });
});

describe('UNKNOWN: no report, or one that cannot be used', () => {
  test('no report and no last success: never run', () => {
    expect(check(local(11, 6), { report: { status: 'missing', file: REPORT_FILE }, lastSuccess: MISSING_LAST })).toEqual({
      image: 'ubuntu_2404',
      state: 'UNKNOWN',
      findings: [{ state: 'UNKNOWN', text: 'no report /var/log/goldsmith/ubuntu_2404-report.json: not run yet' }],
      perfdata: [],
    });
  });

  test('an unreadable report says why; the last success still gives the age (and an overdue run outranks UNKNOWN)', () => {
    const broken: FileRead<BuildReport> = { status: 'unreadable', file: REPORT_FILE, reason: 'invalid JSON: Unexpected end of JSON input' };
    const fine = check(local(11, 6), { report: broken });
    expect(fine.state).toBe('UNKNOWN');
    expect(fine.findings).toEqual([
      { state: 'UNKNOWN', text: 'cannot read report /var/log/goldsmith/ubuntu_2404-report.json: invalid JSON: Unexpected end of JSON input' },
    ]);
    expect(fine.perfdata).toHaveLength(1);
    expect(check(local(11, 12, 12, 0), { report: broken }).state).toBe('WARNING');
  });

  test('a report of another image, a time that is not one, an unreadable last success', () => {
    const other = report('success', STARTED, FINISHED, { image: 'debian12' });
    expect(check(local(11, 6), { report: other }).findings).toEqual([
      { state: 'UNKNOWN', text: 'report /var/log/goldsmith/ubuntu_2404-report.json is of image debian12' },
    ]);
    const badTime = report('success', STARTED, FINISHED, { started_at: 'yesterday' });
    expect(check(local(11, 6), { report: badTime }).findings).toEqual([
      { state: 'UNKNOWN', text: 'report /var/log/goldsmith/ubuntu_2404-report.json: started_at is not a time' },
    ]);
    const lastBroken: FileRead<LastSuccess> = { status: 'unreadable', file: LAST_FILE, reason: 'fingerprint: is missing' };
    const status = check(local(11, 6, 12, 0), { lastSuccess: lastBroken });
    expect(status.state).toBe('UNKNOWN');
    expect(status.findings[0]).toEqual({ state: 'UNKNOWN', text: 'cannot read /var/lib/goldsmith/ubuntu_2404.last-success.json: fingerprint: is missing' });
  });
});

describe('end of life (the last day of vendor support)', () => {
  const at = (m: number, d: number, y: number) => check(local(m, d, 12, 0, y), {
    report: report('success', local(m, d, 9, 40, y), local(m, d, 10, 0, y)),
    lastSuccess: MISSING_LAST,
  });

  test('91 days away: nothing to say; 90 days: WARNING; the day itself: WARNING', () => {
    expect(at(3, 1, 2029).findings.map((f) => f.state)).toEqual(['OK']);
    expect(at(3, 2, 2029).findings[1]).toEqual({ state: 'WARNING', text: 'end of life 2029-05-31 in 90 days: plan its successor and retirement' });
    expect(at(5, 30, 2029).findings[1].text).toBe('end of life 2029-05-31 in 1 day: plan its successor and retirement');
    expect(at(5, 31, 2029).findings[1]).toEqual({ state: 'WARNING', text: 'end of life 2029-05-31 is today: plan its successor and retirement' });
  });

  test('passed: CRITICAL (a GOLD image past vendor support), whatever the builds say', () => {
    expect(at(6, 1, 2029)).toMatchObject({ state: 'CRITICAL', findings: [{ state: 'OK' }, { state: 'CRITICAL', text: 'end of life 2029-05-31 passed 1 day ago: retire the image' }] });
    expect(at(6, 30, 2029).findings[1].text).toBe('end of life 2029-05-31 passed 30 days ago: retire the image');
  });

  test('without end_of_life: not checked; a larger eol_warning_days warns earlier', () => {
    const { end_of_life: _, ...noEol } = CONFIG;
    expect(check(local(6, 1, 12, 0, 2029), { config: noEol, lastSuccess: MISSING_LAST, report: report('success', local(6, 1, 9, 40, 2029), local(6, 1, 10, 0, 2029)) }).state).toBe('OK');
    expect(check(local(12, 2, 12, 0, 2028), { config: { ...CONFIG, eol_warning_days: 180 }, report: report('success', local(12, 2, 9, 40, 2028), local(12, 2, 10, 0, 2028)) }).findings[1].text).toBe(
      'end of life 2029-05-31 in 180 days: plan its successor and retirement',
    );
  });
});
