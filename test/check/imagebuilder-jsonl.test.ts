// NREC's imagebuilder JSONL report (the migration input of `goldsmith check --jsonl`), in the
// real format (test/fixtures/imagebuilder/README.md), judged with an injected clock.
import * as fs from 'fs';
import * as path from 'path';
import { evaluateImagebuilderReport, parseImagebuilderJsonl, type FileRead, type ImagebuilderReport } from '../../lib/check';
import type { CheckConfig } from '../../lib/contract';

const FIXTURES = path.resolve(__dirname, '../fixtures/imagebuilder');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const local = (m: number, d: number, h = 0, min = 0) => new Date(2026, m - 1, d, h, min);
const FILE = '/var/log/imagebuilder/ubuntu_2204-report.jsonl';
/** The report was written at the end of the run of wednesday 2026-11-04 (13:30 slot). */
const WRITTEN = local(11, 4, 13, 45);

const CONFIG: CheckConfig = {
  image: 'ubuntu_2204',
  environment: 'bgo',
  schedule: { enabled: true, slot: { weekday: 3, hour: 13, minute: 30 } },
  grace_s: 86400,
  running_limit_s: 18000,
  end_of_life: '2027-06-01',
  eol_warning_days: 90,
  paths: { logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' },
};

function read(value: ImagebuilderReport): FileRead<ImagebuilderReport> {
  return { status: 'ok', file: FILE, value, mtime: WRITTEN };
}

describe('parseImagebuilderJsonl', () => {
  test('the real format: objects merged in order, the log ignored', () => {
    expect(parseImagebuilderJsonl(fixture('success.jsonl'))).toEqual({ result: 'success', exitCode: '0' });
    expect(parseImagebuilderJsonl(fixture('failed.jsonl'))).toEqual({ result: 'failed', exitCode: '1' });
    expect(parseImagebuilderJsonl(fixture('storing.jsonl'))).toEqual({ exitCode: '0' });
  });

  test('later lines win (a file only ever appended to by the cron line), blank lines are skipped', () => {
    expect(parseImagebuilderJsonl('{"result":"failed"}\n\n{"result":"failed"}\n{"result":"success"}\n')).toEqual({ result: 'success' });
    expect(parseImagebuilderJsonl('')).toEqual({});
  });

  test('a line that is not a JSON object is named', () => {
    expect(() => parseImagebuilderJsonl('{"result_imagebuilder":"0"}\n{"output_imagebuilder":"trunc')).toThrow('line 2 is not JSON');
    expect(() => parseImagebuilderJsonl('["success"]\n')).toThrow('line 1 is not a JSON object');
  });
});

describe('evaluateImagebuilderReport', () => {
  test('success: OK, with the schedule of the bundle’s check; overdue as for goldsmith’s own report', () => {
    const ok = evaluateImagebuilderReport({ image: 'ubuntu_2204', report: read({ result: 'success', exitCode: '0' }), config: CONFIG, now: local(11, 5, 9, 0) });
    expect(ok).toEqual({
      image: 'ubuntu_2204',
      state: 'OK',
      findings: [{ state: 'OK', text: 'imagebuilder run succeeded 19h 15m ago; next run 2026-11-11 13:30' }],
      perfdata: [{ label: 'ubuntu_2204.age_s', value: 69300, warn: 8 * 86400 - 15 * 60, crit: 15 * 86400 - 15 * 60 }],
    });
    const late = evaluateImagebuilderReport({ image: 'ubuntu_2204', report: read({ result: 'success' }), config: CONFIG, now: local(11, 12, 14, 0) });
    expect(late.state).toBe('WARNING');
    expect(late.findings[1].text).toBe('no successful or unchanged run since 2026-11-04 13:45 (8d ago): the run due 2026-11-11 13:30 has not finished within 1d');
  });

  test('without a check config: the result alone, the age without thresholds', () => {
    const status = evaluateImagebuilderReport({ image: 'ubuntu_2204', report: read({ result: 'success' }), now: local(12, 30) });
    expect(status).toEqual({
      image: 'ubuntu_2204',
      state: 'OK',
      findings: [{ state: 'OK', text: 'imagebuilder run succeeded 55d 10h ago' }],
      perfdata: [{ label: 'ubuntu_2204.age_s', value: 55 * 86400 + 10 * 3600 + 15 * 60 }],
    });
  });

  test('failed: CRITICAL, with imagebuilder’s exit code when it failed itself', () => {
    const now = local(11, 4, 14, 0);
    expect(evaluateImagebuilderReport({ image: 'ubuntu_2204', report: read({ result: 'failed', exitCode: '1' }), now }).findings).toEqual([
      { state: 'CRITICAL', text: 'imagebuilder run failed 15m ago (imagebuilder exit code 1)' },
    ]);
    expect(evaluateImagebuilderReport({ image: 'ubuntu_2204', report: read({ result: 'failed', exitCode: '0' }), now }).findings).toEqual([
      { state: 'CRITICAL', text: 'imagebuilder run failed 15m ago' },
    ]);
    expect(evaluateImagebuilderReport({ image: 'ubuntu_2204', report: read({ exitCode: '2' }), now }).findings).toEqual([
      { state: 'CRITICAL', text: 'imagebuilder exited with 2 15m ago' },
    ]);
  });

  test('imagebuilder done, no result yet: the script is storing the image (running), CRITICAL past the limit', () => {
    const storing = read({ exitCode: '0' });
    expect(evaluateImagebuilderReport({ image: 'ubuntu_2204', report: storing, config: CONFIG, now: local(11, 4, 14, 0) })).toEqual({
      image: 'ubuntu_2204',
      state: 'OK',
      findings: [{ state: 'OK', text: 'imagebuilder finished 15m ago, the build script is still storing the image' }],
      perfdata: [{ label: 'ubuntu_2204.running_s', value: 900, crit: 18000 }],
    });
    expect(evaluateImagebuilderReport({ image: 'ubuntu_2204', report: storing, config: CONFIG, now: local(11, 4, 19, 0) }).findings).toEqual([
      { state: 'CRITICAL', text: 'imagebuilder finished 5h 15m ago and the build script never wrote its result: killed?' },
    ]);
  });

  test('UNKNOWN: no file, an unreadable one, no result, an unknown result; the end of life still counts', () => {
    const now = local(11, 4, 14, 0);
    const judge = (report: FileRead<ImagebuilderReport>) => evaluateImagebuilderReport({ image: 'ubuntu_2204', report, now }).findings;
    expect(judge({ status: 'missing', file: FILE })).toEqual([{ state: 'UNKNOWN', text: `no imagebuilder report ${FILE}` }]);
    expect(judge({ status: 'unreadable', file: FILE, reason: 'line 2 is not JSON' })).toEqual([
      { state: 'UNKNOWN', text: `cannot read imagebuilder report ${FILE}: line 2 is not JSON` },
    ]);
    expect(judge(read({}))).toEqual([{ state: 'UNKNOWN', text: `no result in imagebuilder report ${FILE}` }]);
    expect(judge(read({ result: 'invalid' }))).toEqual([{ state: 'UNKNOWN', text: `unknown result "invalid" in imagebuilder report ${FILE}` }]);
    const eol = evaluateImagebuilderReport({ image: 'ubuntu_2204', report: { status: 'missing', file: FILE }, config: CONFIG, now: new Date(2027, 5, 2) });
    expect(eol.state).toBe('CRITICAL');
    expect(eol.findings[1]).toEqual({ state: 'CRITICAL', text: 'end of life 2027-06-01 passed 1 day ago: retire the image' });
  });
});
