// When a build runs although nothing upstream changed (issue: patches every period), and why the
// report says it ran or did not. Real qemu-img, a real loopback HTTP server, the fake baker.
// Times are the builder's local time (as cron's); build ids are UTC stamps: any TZ passes.

import * as fs from 'fs';
import * as path from 'path';
import { buildId, runBuild } from '../../lib/runner';
import { describeWithTools } from '../support/tools';
import { FakeBaker } from './fake-baker';
import { createFixture, IMAGE, readReport, runOptions, sha256, type Fixture } from './fixture';

// 2026-11-24 is a Tuesday. A weekly slot on Tuesdays at 13:30 (the builder's local time).
const TUESDAY_SLOT = { weekday: 2, hour: 13, minute: 30 };
const local = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m);

describeWithTools(['qemu-img'], 'rebuild policy', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  async function build(at: Date, extra: Parameters<typeof runOptions>[1] = {}) {
    const baker = new FakeBaker();
    const report = await runBuild(runOptions(fx, { now: () => at, baker, ...extra }));
    return { report, baked: baker.calls, downloads: fx.server.count(fx.imagePath) };
  }

  test('periodic (default): one build per period; a rerun inside it is unchanged without a download', async () => {
    fx.writeConfig((c) => (c.rebuild = { policy: 'periodic', slot: TUESDAY_SLOT }));
    const first = await build(local(24, 13, 30));
    expect([first.report.result, first.report.reason, first.baked, first.downloads]).toEqual([
      'success',
      { code: 'first_build', detail: 'no successful build recorded' },
      1,
      1,
    ]);

    // A retry the next morning: same period (since tuesday 13:30).
    const retry = await build(local(25, 9, 0));
    expect([retry.report.result, retry.baked, retry.downloads]).toEqual(['unchanged', 0, 1]);
    expect(retry.report.reason).toEqual({
      code: 'same_period',
      detail: `build ${buildId(local(24, 13, 30))} already ran in this period (since 2026-11-24 13:30) with the same upstream and template; next period 2026-12-01 13:30`,
    });
    expect(readReport(fx).steps.map((s) => s.name)).toEqual(['prepare', 'fetch-checksum']);
  });

  test('periodic: the first run of a new period builds with reason periodic, although upstream and template are the same', async () => {
    fx.writeConfig((c) => (c.rebuild = { policy: 'periodic', slot: TUESDAY_SLOT }));
    await build(local(24, 13, 30));
    const justBefore = await build(new Date(2026, 11, 1, 13, 29));
    expect([justBefore.report.result, justBefore.report.reason?.code, justBefore.downloads]).toEqual(['unchanged', 'same_period', 1]);
    const next = await build(new Date(2026, 11, 1, 13, 30));
    expect([next.report.result, next.baked, next.downloads]).toEqual(['success', 1, 2]);
    expect(next.report.reason).toEqual({
      code: 'periodic',
      detail: `weekly rebuild for patches: the period began 2026-12-01 13:30, build ${buildId(local(24, 13, 30))} is older`,
    });
  });

  test('on_change: a new period alone does not rebuild', async () => {
    fx.writeConfig((c) => (c.rebuild = { policy: 'on_change', slot: TUESDAY_SLOT }));
    await build(local(24, 13, 30));
    const later = await build(new Date(2026, 11, 15, 13, 30));
    expect([later.report.result, later.baked, later.downloads]).toEqual(['unchanged', 0, 1]);
    expect(later.report.reason).toEqual({
      code: 'no_change',
      detail: `upstream and template unchanged since build ${buildId(local(24, 13, 30))} (policy on_change)`,
    });
  });

  test('upstream changed, template changed and --force build at once, inside the period, each with its reason', async () => {
    fx.writeConfig((c) => (c.rebuild = { policy: 'periodic', slot: TUESDAY_SLOT }));
    await build(local(24, 13, 30));
    const oldChecksum = `sha256:${sha256(fx.upstream)}`;

    fx.setUpstream(Buffer.concat([fx.upstream, Buffer.alloc(512)]));
    const upstream = await build(local(24, 15, 0));
    expect([upstream.report.result, upstream.report.reason]).toEqual([
      'success',
      {
        code: 'upstream_changed',
        detail: `upstream changed since build ${buildId(local(24, 13, 30))} (${oldChecksum} → sha256:${sha256(fx.upstream)})`,
      },
    ]);

    fx.writeConfig((c) => {
      c.rebuild = { policy: 'periodic', slot: TUESDAY_SLOT };
      c.fingerprint = sha256('template v2');
    });
    const template = await build(local(24, 16, 0));
    expect([template.report.result, template.report.reason]).toEqual([
      'success',
      { code: 'template_changed', detail: `template, scripts or build settings changed since build ${buildId(local(24, 15, 0))}` },
    ]);

    const forced = await build(local(24, 17, 0), { force: true });
    expect([forced.report.result, forced.report.reason]).toEqual(['success', { code: 'forced', detail: `--force (last build ${buildId(local(24, 16, 0))})` }]);
  });

  test('monthly slot (2nd wednesday, after Patch Tuesday): one build a month', async () => {
    const slot = { weekday: 3, hour: 6, minute: 0, week_of_month: 2 };
    fx.writeConfig((c) => (c.rebuild = { policy: 'periodic', slot }));
    await build(new Date(2026, 10, 11, 6, 0));
    expect((await build(new Date(2026, 11, 8, 23, 0))).report.reason?.code).toBe('same_period');
    const december = await build(new Date(2026, 11, 9, 6, 0));
    expect([december.report.result, december.report.reason?.detail]).toEqual([
      'success',
      `monthly rebuild for patches: the period began 2026-12-09 06:00, build ${buildId(new Date(2026, 10, 11, 6, 0))} is older`,
    ]);
  });

  test('a pinned checksum: nothing fetched but the file, which must match the pin', async () => {
    const pin = `sha256:${sha256(fx.upstream)}`;
    fx.writeConfig((c) => {
      delete c.upstream.checksum_file;
      delete c.upstream.algorithm;
      c.upstream.checksum = pin;
    });
    const ok = await build(local(24, 13, 30));
    expect([ok.report.result, ok.report.upstream.checksum, fx.server.count(fx.checksumPath)]).toEqual(['success', pin, 0]);
    expect(readReport(fx).steps.find((s) => s.name === 'fetch-checksum')?.detail).toBe(`${pin} (pinned)`);

    // The mirror now serves other bytes: the download fails the pin; nothing is baked or stored.
    fx.setUpstream(Buffer.concat([fx.upstream, Buffer.alloc(512)]));
    const bad = await build(new Date(2026, 11, 8, 12, 0)); // the fixture's monthly period began 2026-12-07
    expect([bad.report.result, bad.baked]).toEqual(['failed', 0]);
    expect(bad.report.error).toBe(
      `download: checksum mismatch for ${fx.config.upstream.file}: expected ${pin}, got sha256:${sha256(fx.upstream)}`,
    );
    expect(bad.report.reason?.code).toBe('periodic');
  });

  test('retention keeps every stored build that a release in the builds file names (keep_files), beyond keep_builds', async () => {
    const store = fx.config.paths.store;
    fs.mkdirSync(store, { recursive: true });
    for (const d of ['20260101', '20260201', '20260301']) for (const ext of ['qcow2', 'md5', 'sha256']) fs.writeFileSync(path.join(store, `${IMAGE}-${d}.${ext}`), d);
    // 20260101 is still a (GOLD or Outdated) release in the environment's builds file.
    fx.writeConfig((c) => (c.output.keep_files = [`${IMAGE}-20260101.qcow2`]));
    const report = (await build(local(24, 13, 30))).report;
    expect(report.result).toBe('success');
    expect(report.steps.find((s) => s.name === 'prune')!.detail).toBe(
      `removed ${IMAGE}-20260201.md5, ${IMAGE}-20260201.qcow2, ${IMAGE}-20260201.sha256`,
    );
    const kept = fs.readdirSync(store).filter((n) => /^testimg-\d{8}\.qcow2$/.test(n)).sort();
    expect(kept).toEqual([`${IMAGE}-20260101.qcow2`, `${IMAGE}-20260301.qcow2`, `${IMAGE}-20261124.qcow2`]);
  });
});
