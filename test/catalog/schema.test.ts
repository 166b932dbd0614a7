import { cidrProblem, fileNameProblem, isCalendarDate, ReleaseSchema, urlProblem } from '../../lib/catalog/schema';
import { closest, levenshtein } from '../../lib/common';

const RELEASE = {
  build_id: '20261104',
  date: '2026-11-04',
  file: 'x-20261104.qcow2',
  md5: 'A'.repeat(32),
  sha256: 'b'.repeat(64),
  size_bytes: 1,
};

describe('catalog schema helpers', () => {
  test('dates: Date objects are accepted defensively and normalised to YYYY-MM-DD', () => {
    const r = ReleaseSchema.parse({ ...RELEASE, date: new Date(Date.UTC(2026, 10, 4)) });
    expect(r.date).toBe('2026-11-04');
    expect(r.md5).toBe('a'.repeat(32));
  });

  test('calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-4-1')).toBe(false);
  });

  test('urls, file names, cidrs', () => {
    expect(urlProblem('https://a.example/x/', true)).toBeUndefined();
    expect(urlProblem('https://user:pw@a.example/', true)).toBe('must not contain credentials (user:password@)');
    expect(fileNameProblem('..')).toBe('must be a file name, got `..`');
    expect(fileNameProblem('-rf')).toBe("must not start with '-', got `-rf`");
    expect(cidrProblem('2001:db8::/129')).toBe('prefix length must be 0-128, got `2001:db8::/129`');
    expect(cidrProblem('10.0.0.300/24')).toBe('not a valid ip address in cidr `10.0.0.300/24`');
  });

  test('did-you-mean', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(closest('min_ram', ['min_ram_mb', 'min_disk_gb'])).toBe('min_ram_mb');
    expect(closest('access_key', ['type', 'bucket', 'key', 'region', 'endpoint'])).toBeUndefined();
  });
});
