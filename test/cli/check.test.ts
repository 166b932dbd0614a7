// goldsmith check through the dispatcher (in-process, a fixed clock): exact Nagios output on
// stdout and exit codes 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN (a bad command line included).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeCheckCommand } from '../../lib/cli/check';
import type { CliIo } from '../../lib/cli/command';
import { main } from '../../lib/cli/main';
import { checkFixture, runnerReport, type CheckFixture } from '../check/fixture';

const local = (m: number, d: number, h = 0, min = 0) => new Date(2026, m - 1, d, h, min);
/** Thursday 2026-11-12 12:00: the wednesday 09:40 slot of 11-11 passed a day and 2h20m ago. */
const NOW = local(11, 12, 12, 0);
const COMMANDS = [makeCheckCommand({ now: () => NOW })];

function capture(cwd: string): CliIo & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l), cwd, env: {} };
}

async function check(args: string[], cwd: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = capture(cwd);
  const code = await main(['check', ...args], io, COMMANDS);
  return { code, ...io.lines };
}

let fx: CheckFixture;
beforeEach(() => {
  fx = checkFixture({
    ubuntu_2404: { end_of_life: '2029-05-31' },
    debian12: {},
    almalinux9: {},
    fedora_44: { end_of_life: '2027-01-15' },
  });
});
afterEach(() => fx.cleanup());

test('goldsmith check --help documents the command and its exit codes', async () => {
  const io = capture(os.tmpdir());
  expect(await main(['check', '--help'], io, COMMANDS)).toBe(0);
  expect(io.lines.out[0]).toBe('usage: goldsmith check <image> | --all [--bundle DIR] [--jsonl FILE]');
  expect(io.lines.out).toContain('exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for a bad command line)');
});

test('--all: the status line, one line per image worst first, the perfdata on the last line; exit 2', async () => {
  fx.report('ubuntu_2404', runnerReport('ubuntu_2404', 'success', local(11, 11, 9, 40), local(11, 11, 10, 5)));
  fx.lastSuccess('ubuntu_2404', local(11, 11, 10, 5));
  fx.report('debian12', runnerReport('debian12', 'failed', local(11, 11, 9, 40), local(11, 11, 9, 52), { error: 'download: HTTP 404 from https://cdimage.debian.org/x.qcow2' }));
  fx.lastSuccess('debian12', local(11, 4, 10, 0));
  fx.report('almalinux9', runnerReport('almalinux9', 'running', local(11, 12, 11, 15), undefined, { build_id: '20261112T101500Z' }));
  fx.lastSuccess('almalinux9', local(11, 4, 10, 10));
  const r = await check(['--all', '--bundle', fx.bundle], os.tmpdir());
  expect(r.err).toEqual([]);
  expect(r.out).toEqual([
    'GOLDSMITH CRITICAL - bgo: 1 critical (debian12), 1 warning (fedora_44), 2 ok',
    'debian12: CRITICAL - run 20261111T084000Z failed 1d 2h ago: download: HTTP 404 from https://cdimage.debian.org/x.qcow2',
    `fedora_44: WARNING - end of life 2027-01-15 in 64 days: plan its successor and retirement; no report ${fx.logs}/fedora_44-report.json: not run yet`,
    'almalinux9: OK - run 20261112T101500Z running for 45m (limit 5h)',
    'ubuntu_2404: OK - run 20261111T084000Z succeeded 1d 1h ago; next run 2026-11-18 09:40 | ' +
      'debian12.age_s=698400;690000;1294800 almalinux9.age_s=697800;689400;1294200 almalinux9.running_s=2700;;18000 ' +
      'ubuntu_2404.age_s=93300;689700;1294500',
  ]);
  expect(r.code).toBe(2);
});

test('<image>: exit 0 when fine, 1 when its run is overdue, 2 when it is past end of life', async () => {
  fx.report('ubuntu_2404', runnerReport('ubuntu_2404', 'unchanged', local(11, 11, 9, 40), local(11, 11, 9, 41)));
  expect(await check(['ubuntu_2404', `--bundle=${fx.bundle}`], os.tmpdir())).toEqual({
    code: 0,
    out: [
      'GOLDSMITH OK - ubuntu_2404: run 20261111T084000Z found nothing to build 1d 2h ago; next run 2026-11-18 09:40',
      'ubuntu_2404: OK - run 20261111T084000Z found nothing to build 1d 2h ago; next run 2026-11-18 09:40 | ubuntu_2404.age_s=94740;691140;1295940',
    ],
    err: [],
  });
  fx.report('debian12', runnerReport('debian12', 'success', local(11, 4, 9, 40), local(11, 4, 10, 0)));
  const overdue = await check(['debian12', '--bundle', fx.bundle], os.tmpdir());
  expect(overdue.code).toBe(1);
  expect(overdue.out[0]).toBe(
    'GOLDSMITH WARNING - debian12: no successful or unchanged run since 2026-11-04 10:00 (8d 2h ago): the run due 2026-11-11 09:40 has not finished within 1d',
  );
  const io = capture(os.tmpdir());
  expect(await main(['check', 'fedora_44', '--bundle', fx.bundle], io, [makeCheckCommand({ now: () => new Date(2027, 0, 16, 12, 0) })])).toBe(2);
  expect(io.lines.out).toEqual([
    'GOLDSMITH CRITICAL - fedora_44: end of life 2027-01-15 passed 1 day ago: retire the image',
    `fedora_44: CRITICAL - end of life 2027-01-15 passed 1 day ago: retire the image; no report ${fx.logs}/fedora_44-report.json: not run yet`,
  ]);
});

test('--jsonl: NREC’s imagebuilder report of one image, with the bundle’s check of it or without one', async () => {
  const jsonl = path.join(fx.root, 'ubuntu_2404-report.jsonl');
  fs.copyFileSync(path.resolve(__dirname, '../fixtures/imagebuilder/success.jsonl'), jsonl);
  fs.utimesSync(jsonl, local(11, 11, 9, 55), local(11, 11, 9, 55));
  expect(await check(['ubuntu_2404', '--bundle', fx.bundle, '--jsonl', jsonl], os.tmpdir())).toEqual({
    code: 0,
    out: [
      'GOLDSMITH OK - ubuntu_2404: imagebuilder run succeeded 1d 2h ago; next run 2026-11-18 09:40',
      'ubuntu_2404: OK - imagebuilder run succeeded 1d 2h ago; next run 2026-11-18 09:40 | ubuntu_2404.age_s=93900;690300;1295100',
    ],
    err: [],
  });
  const failed = path.join(fx.root, 'uio_rhel8-report.jsonl');
  fs.copyFileSync(path.resolve(__dirname, '../fixtures/imagebuilder/failed.jsonl'), failed);
  fs.utimesSync(failed, local(11, 12, 11, 0), local(11, 12, 11, 0));
  // Relative to the working directory; uio_rhel8 has no check in this bundle.
  expect(await check(['uio_rhel8', '--bundle', fx.bundle, '--jsonl', 'uio_rhel8-report.jsonl'], fx.root)).toEqual({
    code: 2,
    out: [
      'GOLDSMITH CRITICAL - uio_rhel8: imagebuilder run failed 1h ago (imagebuilder exit code 1)',
      `uio_rhel8: CRITICAL - imagebuilder run failed 1h ago (imagebuilder exit code 1); schedule and end of life not checked: the bundle at ${fx.bundle} has no check for image uio_rhel8 (not built on this builder, or retired)`,
    ],
    err: [],
  });
});

test('UNKNOWN, exit 3: no bundle, an image without a check, a bad command line (never exit 2, which is CRITICAL)', async () => {
  const missing = path.join(fx.root, 'none');
  expect(await check(['--all', '--bundle', missing], os.tmpdir())).toEqual({
    code: 3,
    out: [`GOLDSMITH UNKNOWN - no bundle at ${missing} (no manifest.json): install the builder bundle there or give --bundle`],
    err: [],
  });
  expect(await check(['winsrv_2025', '--bundle', fx.bundle], os.tmpdir())).toEqual({
    code: 3,
    out: [`GOLDSMITH UNKNOWN - the bundle at ${fx.bundle} has no check for image winsrv_2025 (not built on this builder, or retired)`],
    err: [],
  });
  const usage = async (args: string[]) => (await check(args, os.tmpdir())).out;
  expect(await usage([])).toEqual(['GOLDSMITH UNKNOWN - give an image or --all (see `goldsmith check --help`)']);
  expect(await usage(['ubuntu_2404', '--all'])).toEqual(['GOLDSMITH UNKNOWN - give an image or --all, not both (see `goldsmith check --help`)']);
  expect(await usage(['--all', '--jsonl', 'x.jsonl'])).toEqual([
    'GOLDSMITH UNKNOWN - --jsonl reads the report of one image: give the image instead of --all (see `goldsmith check --help`)',
  ]);
  expect(await usage(['Ubuntu 24.04'])).toEqual(['GOLDSMITH UNKNOWN - "Ubuntu 24.04" is not an image name ([a-z0-9_]+) (see `goldsmith check --help`)']);
  expect(await usage(['--verbose'])).toEqual(['GOLDSMITH UNKNOWN - unknown option `--verbose` (see `goldsmith check --help`)']);
  const r = await check(['a', 'b'], os.tmpdir());
  expect(r).toEqual({ code: 3, out: ['GOLDSMITH UNKNOWN - unexpected argument `b` (see `goldsmith check --help`)'], err: [] });
});

test('a bundle whose checks cannot all be read: that image is UNKNOWN, the others are still judged', async () => {
  fs.writeFileSync(path.join(fx.bundle, 'checks', 'almalinux9.json'), '{}\n');
  fx.report('ubuntu_2404', runnerReport('ubuntu_2404', 'success', local(11, 11, 9, 40), local(11, 11, 10, 5)));
  fx.report('debian12', runnerReport('debian12', 'success', local(11, 11, 9, 40), local(11, 11, 10, 5)));
  fx.report('fedora_44', runnerReport('fedora_44', 'success', local(11, 11, 9, 40), local(11, 11, 10, 5)));
  const r = await check(['--all', '--bundle', fx.bundle], os.tmpdir());
  expect(r.code).toBe(1);
  expect(r.out.slice(0, 3)).toEqual([
    'GOLDSMITH WARNING - bgo: 1 warning (fedora_44), 1 unknown (almalinux9), 2 ok',
    'fedora_44: WARNING - end of life 2027-01-15 in 64 days: plan its successor and retirement; run 20261111T084000Z succeeded 1d 1h ago; next run 2026-11-18 09:40',
    `almalinux9: UNKNOWN - ${path.join(fx.bundle, 'checks', 'almalinux9.json')} does not match manifest.json (changed after synth)`,
  ]);
});
