// Reading what goldsmith check judges (lib/check/read.ts): the bundle's manifest and check configs
// against the manifest's sha256, the runner's report and last success through the contract's
// schemas; a missing or corrupt report is a FileRead the evaluation turns into UNKNOWN.
import * as fs from 'fs';
import * as path from 'path';
import { evaluateImage, readBundleManifest, readCheckConfig, readImagebuilderReport, readLastSuccess, readReport } from '../../lib/check';
import { checkFixture, runnerReport, type CheckFixture } from './fixture';

let fx: CheckFixture;
beforeEach(() => {
  fx = checkFixture({ ubuntu_2404: { end_of_life: '2029-05-31' }, debian12: {} });
});
afterEach(() => fx.cleanup());

test('the manifest lists the checks; a check config is read through its schema', () => {
  const manifest = readBundleManifest(fx.bundle);
  expect(Object.keys(manifest.checks).sort()).toEqual(['debian12', 'ubuntu_2404']);
  expect(manifest.retired_files).toEqual({});
  const config = readCheckConfig(fx.bundle, manifest, 'ubuntu_2404');
  expect(config).toMatchObject({ image: 'ubuntu_2404', end_of_life: '2029-05-31', paths: { logs: fx.logs, state: fx.state } });
});

test('no bundle, an image without a check, a check changed after synth or gone, a broken manifest: one line each', () => {
  expect(() => readBundleManifest(path.join(fx.root, 'nothing'))).toThrow(
    `no bundle at ${path.join(fx.root, 'nothing')} (no manifest.json): install the builder bundle there or give --bundle`,
  );
  const manifest = readBundleManifest(fx.bundle);
  expect(() => readCheckConfig(fx.bundle, manifest, 'fedora_44')).toThrow(
    `the bundle at ${fx.bundle} has no check for image fedora_44 (not built on this builder, or retired)`,
  );
  const file = path.join(fx.bundle, 'checks', 'debian12.json');
  fs.appendFileSync(file, ' ');
  expect(() => readCheckConfig(fx.bundle, manifest, 'debian12')).toThrow(`${file} does not match manifest.json (changed after synth)`);
  fs.rmSync(file);
  expect(() => readCheckConfig(fx.bundle, manifest, 'debian12')).toThrow(`cannot read ${file}: ENOENT`);
  fs.writeFileSync(path.join(fx.bundle, 'manifest.json'), '{"bundle_format": 1}');
  expect(() => readBundleManifest(fx.bundle)).toThrow(`${path.join(fx.bundle, 'manifest.json')}: environment: is missing`);
});

test('a missing report, corrupt JSON, a report the schema refuses: each UNKNOWN with why', () => {
  const config = readCheckConfig(fx.bundle, readBundleManifest(fx.bundle), 'ubuntu_2404');
  const file = path.join(fx.logs, 'ubuntu_2404-report.json');
  const now = new Date(2026, 10, 12);
  const judge = () => evaluateImage({ config, report: readReport(config), lastSuccess: readLastSuccess(config), now });
  expect(readReport(config)).toEqual({ status: 'missing', file });
  expect(judge().findings).toEqual([{ state: 'UNKNOWN', text: `no report ${file}: not run yet` }]);

  fx.report('ubuntu_2404', '{"image": "ubuntu_2404", "result": "succ');
  expect(judge()).toMatchObject({ state: 'UNKNOWN', findings: [{ state: 'UNKNOWN', text: expect.stringMatching(new RegExp(`^cannot read report ${file}: invalid JSON: `)) }] });

  fx.report('ubuntu_2404', runnerReport('ubuntu_2404', 'exploded', new Date(2026, 10, 11, 9, 40)));
  expect(judge().findings).toEqual([
    { state: 'UNKNOWN', text: `cannot read report ${file}: result: must be one of running, success, failed, unchanged, got "exploded"` },
  ]);

  fx.report('ubuntu_2404', runnerReport('ubuntu_2404', 'success', new Date(2026, 10, 11, 9, 40), new Date(2026, 10, 11, 10, 0)));
  const ok = readReport(config);
  expect(ok).toMatchObject({ status: 'ok', file, value: { result: 'success' } });
  expect(judge().state).toBe('OK');
});

test('a last-success record the schema refuses is UNKNOWN; a valid one gives the age', () => {
  const config = readCheckConfig(fx.bundle, readBundleManifest(fx.bundle), 'debian12');
  fx.report('debian12', runnerReport('debian12', 'failed', new Date(2026, 10, 11, 9, 40), new Date(2026, 10, 11, 9, 50), { error: 'bake: packer exited 1' }));
  fs.writeFileSync(path.join(fx.state, 'debian12.last-success.json'), '{"image": "debian12"}');
  const now = new Date(2026, 10, 11, 10, 0);
  const broken = evaluateImage({ config, report: readReport(config), lastSuccess: readLastSuccess(config), now });
  expect(broken.findings).toEqual([
    { state: 'UNKNOWN', text: `cannot read ${path.join(fx.state, 'debian12.last-success.json')}: build_id: is missing` },
    { state: 'CRITICAL', text: 'run 20261111T084000Z failed 10m ago: bake: packer exited 1' },
  ]);
  fx.lastSuccess('debian12', new Date(2026, 10, 4, 10, 0));
  expect(evaluateImage({ config, report: readReport(config), lastSuccess: readLastSuccess(config), now }).perfdata).toEqual([
    { label: 'debian12.age_s', value: 7 * 86400, warn: 8 * 86400 - 20 * 60, crit: 15 * 86400 - 20 * 60 },
  ]);
});

test('an imagebuilder report: its modification time, its parsed lines, or why not', () => {
  const file = path.join(fx.root, 'ubuntu_2404-report.jsonl');
  expect(readImagebuilderReport(file)).toEqual({ status: 'missing', file });
  fs.writeFileSync(file, '{"result_imagebuilder":"0"}\n{"result":"success"}\n');
  const at = new Date(2026, 10, 4, 13, 45);
  fs.utimesSync(file, at, at);
  expect(readImagebuilderReport(file)).toEqual({ status: 'ok', file, value: { result: 'success', exitCode: '0' }, mtime: at });
  fs.writeFileSync(file, 'garbage\n');
  expect(readImagebuilderReport(file)).toEqual({ status: 'unreadable', file, reason: 'line 1 is not JSON' });
});
