// Nagios plugin output (lib/check/nagios.ts): status line, one line per image, perfdata behind the
// one `|` on the last line (what Sensu Go's nagios_perfdata extraction needs), exit codes.
import { imageStatus, perfdataText, renderAll, renderImage, renderUnknown, worst, formatDuration, type ImageStatus } from '../../lib/check';

const OK: ImageStatus = imageStatus('almalinux9', [{ state: 'OK', text: 'run a succeeded 1d 2h ago; next run 2026-11-11 09:40' }], [
  { label: 'almalinux9.age_s', value: 93600, warn: 689280, crit: 1294080 },
]);
const FAILED: ImageStatus = imageStatus('fedora_43', [
  { state: 'CRITICAL', text: 'run b failed 2h ago: download: HTTP 404' },
  { state: 'WARNING', text: 'end of life 2026-12-09 in 7 days: plan its successor and retirement' },
], [{ label: 'fedora_43.age_s', value: 700000, warn: 689280, crit: 1294080 }]);
const EOL: ImageStatus = imageStatus('debian12', [
  { state: 'OK', text: 'run c succeeded 3h ago; next run 2026-11-12 06:00' },
  { state: 'WARNING', text: 'end of life 2028-06-30 in 30 days: plan its successor and retirement' },
]);
const NONE: ImageStatus = imageStatus('ubuntu_2604', [{ state: 'UNKNOWN', text: 'no report /var/log/goldsmith/ubuntu_2604-report.json: not run yet' }]);

test('one image: its worst findings as the summary, then its line with all findings worst first and the perfdata', () => {
  expect(renderImage(FAILED)).toEqual({
    state: 'CRITICAL',
    exitCode: 2,
    lines: [
      'GOLDSMITH CRITICAL - fedora_43: run b failed 2h ago: download: HTTP 404',
      'fedora_43: CRITICAL - run b failed 2h ago: download: HTTP 404; end of life 2026-12-09 in 7 days: plan its successor and retirement | fedora_43.age_s=700000;689280;1294080',
    ],
  });
  expect(renderImage(EOL)).toEqual({
    state: 'WARNING',
    exitCode: 1,
    lines: [
      'GOLDSMITH WARNING - debian12: end of life 2028-06-30 in 30 days: plan its successor and retirement',
      'debian12: WARNING - end of life 2028-06-30 in 30 days: plan its successor and retirement; run c succeeded 3h ago; next run 2026-11-12 06:00',
    ],
  });
});

test('every image: counts with the names that are not OK, the images worst first then by name, one | in the whole output', () => {
  const out = renderAll('bgo', [OK, NONE, EOL, FAILED]);
  expect(out).toEqual({
    state: 'CRITICAL',
    exitCode: 2,
    lines: [
      'GOLDSMITH CRITICAL - bgo: 1 critical (fedora_43), 1 warning (debian12), 1 unknown (ubuntu_2604), 1 ok',
      'fedora_43: CRITICAL - run b failed 2h ago: download: HTTP 404; end of life 2026-12-09 in 7 days: plan its successor and retirement',
      'debian12: WARNING - end of life 2028-06-30 in 30 days: plan its successor and retirement; run c succeeded 3h ago; next run 2026-11-12 06:00',
      'ubuntu_2604: UNKNOWN - no report /var/log/goldsmith/ubuntu_2604-report.json: not run yet',
      'almalinux9: OK - run a succeeded 1d 2h ago; next run 2026-11-11 09:40 | fedora_43.age_s=700000;689280;1294080 almalinux9.age_s=93600;689280;1294080',
    ],
  });
  expect(out.lines.join('\n').split('|')).toHaveLength(2);
  expect(renderAll('bgo', [OK])).toMatchObject({ state: 'OK', exitCode: 0, lines: ['GOLDSMITH OK - bgo: 1 image ok', expect.any(String)] });
  expect(renderAll('bgo', [NONE, OK]).exitCode).toBe(3);
  expect(renderAll('test02', [])).toEqual({ state: 'OK', exitCode: 0, lines: ['GOLDSMITH OK - test02: no images to check'] });
});

test('a check that cannot run: UNKNOWN, exit 3, one line', () => {
  expect(renderUnknown('no bundle at /etc/goldsmith/bundle (no manifest.json)')).toEqual({
    state: 'UNKNOWN',
    exitCode: 3,
    lines: ['GOLDSMITH UNKNOWN - no bundle at /etc/goldsmith/bundle (no manifest.json)'],
  });
});

test('perfdata fields, severity order and durations', () => {
  expect(perfdataText({ label: 'x.age_s', value: 5 })).toBe('x.age_s=5');
  expect(perfdataText({ label: 'x.running_s', value: 5, crit: 18000 })).toBe('x.running_s=5;;18000');
  expect(worst(['OK', 'UNKNOWN', 'WARNING'])).toBe('WARNING');
  expect(worst(['OK', 'UNKNOWN'])).toBe('UNKNOWN');
  expect(worst([])).toBe('OK');
  expect([59, 60, 3599, 3600, 5 * 3600 + 12 * 60, 86400, 8 * 86400 + 3 * 3600 + 59 * 60, -5].map(formatDuration)).toEqual([
    '59s', '1m', '59m', '1h', '5h 12m', '1d', '8d 3h', '0s',
  ]);
});
