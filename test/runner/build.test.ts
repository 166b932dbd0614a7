// The build runner end to end with real qemu-img, a real HTTP server on loopback and the fake baker.

import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import { buildStepsFor, runBuild } from '../../lib/runner';
import { describeWithTools } from '../support/tools';
import { FakeBaker, MARKER_OFFSET, markerFor } from './fake-baker';
import { createFixture, DAY1, deepListing, expectLatestLayout, IMAGE, latestTrio, md5, readReport, runOptions, sha256, snapshot, storeFiles, type Fixture } from './fixture';

async function readMarker(file: string, dir: string): Promise<string> {
  const raw = path.join(dir, 'check.raw');
  await execa('qemu-img', ['convert', '-O', 'raw', file, raw]);
  const fd = fs.openSync(raw, 'r');
  const buf = Buffer.alloc(markerFor(IMAGE).length);
  fs.readSync(fd, buf, 0, buf.length, MARKER_OFFSET);
  fs.closeSync(fd);
  fs.rmSync(raw);
  return buf.toString();
}

describeWithTools(['qemu-img'], 'runBuild', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  test('success: exact store contents, md5/sha256 files, -latest links, report, log, last-success', async () => {
    const o = runOptions(fx);
    const report = await runBuild(o);
    expect(report.error).toBeUndefined();
    expect(report.result).toBe('success');
    const store = fx.config.paths.store;
    const file = `${IMAGE}-20261125.qcow2`;
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261125'));
    const bytes = fs.readFileSync(path.join(store, file));
    expect(fs.readFileSync(path.join(store, `${IMAGE}-20261125.md5`), 'utf8')).toBe(`${md5(bytes)}  ${file}\n`);
    expect(fs.readFileSync(path.join(store, `${IMAGE}-20261125.sha256`), 'utf8')).toBe(`${sha256(bytes)}  ${file}\n`);
    // -latest.<ext> -> .testimg-latest/image.<ext>; .testimg-latest -> .testimg-20261125.latest;
    // .testimg-20261125.latest/image.<ext> -> ../testimg-20261125.<ext>
    for (const ext of ['qcow2', 'md5', 'sha256']) {
      expect(fs.lstatSync(path.join(store, `${IMAGE}-latest.${ext}`)).isSymbolicLink()).toBe(true);
      expect(fs.readlinkSync(path.join(store, `${IMAGE}-latest.${ext}`))).toBe(`.${IMAGE}-latest/image.${ext}`);
      expect(fs.realpathSync(path.join(store, `${IMAGE}-latest.${ext}`))).toBe(fs.realpathSync(path.join(store, `${IMAGE}-20261125.${ext}`)));
    }
    expect(fs.readlinkSync(path.join(store, `.${IMAGE}-latest`))).toBe(`.${IMAGE}-20261125.latest`);
    expect(fs.readdirSync(path.join(store, `.${IMAGE}-20261125.latest`)).sort()).toEqual(['image.json', 'image.md5', 'image.qcow2', 'image.sha256']);
    expectLatestLayout(store, `${IMAGE}-20261125`);
    // md5sum -c works on the file as written (relative name)
    await execa('md5sum', ['-c', `${IMAGE}-latest.md5`], { cwd: store });

    // a compressed qcow2 holding the baked (not the upstream) content
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', path.join(store, file)])).stdout);
    expect(info.format).toBe('qcow2');
    expect(info['virtual-size']).toBe(8 * 1024 * 1024);
    expect(await readMarker(path.join(store, file), fx.root)).toBe(markerFor(IMAGE));

    const onDisk = readReport(fx);
    expect(onDisk).toEqual(report);
    expect(onDisk).toMatchObject({
      image: IMAGE,
      environment: 'test01',
      build_id: '20261125T093000Z',
      result: 'success',
      started_at: '2026-11-25T09:30:00.000Z',
      finished_at: '2026-11-25T09:30:00.000Z',
      upstream: { url: `${fx.server.baseUrl}cloud-generic.qcow2`, checksum: `sha256:${sha256(fx.upstream)}`, size_bytes: fx.upstream.length },
      fingerprint: fx.config.fingerprint,
      artifact: { file, size_bytes: bytes.length, md5: md5(bytes), sha256: sha256(bytes) },
      log_file: `${IMAGE}-20261125T093000Z.log`,
    });
    expect(onDisk.tools['qemu-img']).toMatch(/^\d+\.\d+/);
    expect(onDisk.tools.packer).toBe('0.0.0-fake');
    expect(onDisk.steps.map((s) => s.name)).toEqual(['prepare', 'fetch-checksum', 'download', 'bake', 'inspect', 'convert', 'verify', 'store', 'prune']);
    expect(onDisk.steps.every((s) => s.result === 'success' && s.duration_s >= 0)).toBe(true);
    expect(onDisk.steps.find((s) => s.name === 'convert')!.detail).toContain('-O qcow2 -c -m 4 -W');

    const logText = fs.readFileSync(path.join(fx.config.paths.logs, `${IMAGE}-20261125T093000Z.log`), 'utf8');
    expect(logText).toContain('== convert');
    expect(logText).toContain('result: success');
    expect(o.lines).toContain('result: success');
    expect(o.lines.some((l) => /^download: complete/.test(l))).toBe(true);

    const last = JSON.parse(fs.readFileSync(path.join(fx.config.paths.state, `${IMAGE}.last-success.json`), 'utf8'));
    expect(last).toMatchObject({ build_id: '20261125T093000Z', upstream_checksum: `sha256:${sha256(fx.upstream)}`, fingerprint: fx.config.fingerprint, file });
    expect(fs.readdirSync(fx.config.paths.state).sort()).toEqual([`${IMAGE}.last-success.json`, 'work']);
    expect(fs.readdirSync(fx.config.paths.work)).toEqual([]);
  });

  test('unchanged: same upstream checksum and fingerprint, the image is not downloaded', async () => {
    await runBuild(runOptions(fx, { now: () => DAY1 }));
    expect(fx.server.count(fx.imagePath)).toBe(1);
    const before = snapshot(fx.config.paths.store);
    const baker = new FakeBaker();
    const report = await runBuild(runOptions(fx, { baker }));
    expect(report.result).toBe('unchanged');
    expect(fx.server.count(fx.imagePath)).toBe(1);
    expect(fx.server.count(fx.checksumPath)).toBe(2);
    expect(baker.calls).toBe(0);
    expect(snapshot(fx.config.paths.store)).toEqual(before);
    expect(readReport(fx)).toMatchObject({ result: 'unchanged', build_id: '20261125T093000Z', artifact: { file: `${IMAGE}-20261120.qcow2` } });
    expect(readReport(fx).steps.map((s) => s.name)).toEqual(['prepare', 'fetch-checksum']);
  });

  test('a changed fingerprint (template) rebuilds although upstream is unchanged', async () => {
    await runBuild(runOptions(fx, { now: () => DAY1 }));
    fx.writeConfig((c) => (c.fingerprint = sha256('template v2')));
    const report = await runBuild(runOptions(fx));
    expect(report.result).toBe('success');
    expect(fx.server.count(fx.imagePath)).toBe(2);
  });

  test('a same-day rebuild and a clock that went back never overwrite a stored (maybe promoted) build', async () => {
    const store = fx.config.paths.store;
    const day2 = `${IMAGE}-20261125`;
    expect((await runBuild(runOptions(fx))).result).toBe('success');
    const first = snapshot(store);
    const firstIno = fs.statSync(path.join(store, `${day2}.qcow2`)).ino;
    const baker = new FakeBaker();
    const report = await runBuild(runOptions(fx, { force: true, baker }));
    expect(report.result).toBe('success');
    expect(baker.calls).toBe(1);
    expect(report.artifact!.file).toBe(`${day2}-2.qcow2`);
    // the first build's files are untouched (same bytes, same inode), -latest moved to the new one
    for (const ext of ['qcow2', 'md5', 'sha256']) expect(snapshot(store)[`${day2}.${ext}`]).toBe(first[`${day2}.${ext}`]);
    expect(fs.statSync(path.join(store, `${day2}.qcow2`)).ino).toBe(firstIno);
    expect(fs.readFileSync(path.join(store, `${day2}-2.md5`), 'utf8')).toMatch(new RegExp(`^[0-9a-f]{32}  ${day2}-2\\.qcow2\n$`));
    expectLatestLayout(store, `${day2}-2`);
    await execa('md5sum', ['-c', `${day2}.md5`, `${day2}-2.md5`, `${IMAGE}-latest.md5`], { cwd: store });

    // the clock goes back to DAY1 (twice): new names again, the newest by name is kept by retention
    const back = await runBuild(runOptions(fx, { force: true, now: () => DAY1 }));
    expect(back.artifact!.file).toBe(`${IMAGE}-20261120.qcow2`);
    const again = await runBuild(runOptions(fx, { force: true, now: () => DAY1 }));
    expect(again.artifact!.file).toBe(`${IMAGE}-20261120-2.qcow2`);
    expect(fs.readdirSync(store).filter((n) => n.endsWith('.qcow2')).sort()).toEqual([`${IMAGE}-20261120-2.qcow2`, `${day2}-2.qcow2`, `${IMAGE}-latest.qcow2`]);
    expect(snapshot(store)[`${day2}-2.qcow2`]).toBeDefined();
    await execa('sh', ['-c', 'for f in *.md5 *.sha256; do case $f in *.md5) md5sum -c "$f";; *) sha256sum -c "$f";; esac || exit 1; done'], { cwd: store });
  });

  test('a store of the old layout (direct -latest links) is migrated by the next run, even an unchanged one', async () => {
    const store = fx.config.paths.store;
    const day1 = `${IMAGE}-20261120`;
    expect((await runBuild(runOptions(fx, { now: () => DAY1 }))).result).toBe('success');
    // back to the layout of the old runner: no pointer, no directory, direct relative links
    fs.rmSync(path.join(store, `.${IMAGE}-latest`));
    fs.rmSync(path.join(store, `.${day1}.latest`), { recursive: true });
    for (const ext of ['qcow2', 'md5', 'sha256']) {
      fs.symlinkSync(`${day1}.${ext}`, path.join(store, `.old.tmp`));
      fs.renameSync(path.join(store, `.old.tmp`), path.join(store, `${IMAGE}-latest.${ext}`));
    }
    const o = runOptions(fx);
    const report = await runBuild(o);
    expect(report.result).toBe('unchanged');
    expect(o.lines).toContain(
      `-latest links brought into the pointer layout: made .${day1}.latest/, .${IMAGE}-latest -> .${day1}.latest, ` +
        `${IMAGE}-latest.md5 -> .${IMAGE}-latest/image.md5, ${IMAGE}-latest.sha256 -> .${IMAGE}-latest/image.sha256, ${IMAGE}-latest.qcow2 -> .${IMAGE}-latest/image.qcow2`,
    );
    expectLatestLayout(store, day1);
    await execa('md5sum', ['-c', `${IMAGE}-latest.md5`], { cwd: store });
    // the next build switches the migrated trio as usual
    expect((await runBuild(runOptions(fx, { force: true }))).result).toBe('success');
    expectLatestLayout(store, `${IMAGE}-20261125`);
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261120', '20261125'));
  });

  test('--dry-run writes nothing and makes no request', async () => {
    const o = runOptions(fx, { dryRun: true });
    const before = deepListing(fx.root);
    const report = await runBuild(o);
    expect(report.result).toBe('dry-run');
    expect(deepListing(fx.root)).toEqual(before);
    expect(fs.existsSync(fx.config.paths.store)).toBe(false);
    expect(fx.server.requests).toEqual([]);
    expect(o.lines.join('\n')).toMatch(/would run: qemu-img convert -f <probed> -O qcow2 -c -m 4 -W <artifact> .*\/store\/\.testimg-20261125T093000Z\.qcow2\.tmp/);
    expect(o.lines.join('\n')).toContain('would take lock');

    // and with earlier builds present: still nothing touched
    await runBuild(runOptions(fx, { now: () => DAY1 }));
    const seeded = deepListing(fx.root);
    const requests = fx.server.requests.length;
    const o2 = runOptions(fx, { dryRun: true });
    await runBuild(o2);
    expect(deepListing(fx.root)).toEqual(seeded);
    expect(fx.server.requests.length).toBe(requests);
  });

  test('--dry-run describes exactly the steps a real run executes, in its order', async () => {
    const stepsOf = (lines: readonly string[]): string[] => {
      const names: string[] = [];
      for (const l of lines) {
        const m = /^\[dry-run\] ([a-z-]+): would /.exec(l) ?? /^\[dry-run\] ([a-z-]+): no /.exec(l);
        if (m && names[names.length - 1] !== m[1]) names.push(m[1]);
      }
      return names;
    };
    const dry = runOptions(fx, { dryRun: true });
    await runBuild(dry);
    const real = await runBuild(runOptions(fx));
    expect(real.result).toBe('success');
    expect(stepsOf(dry.lines)).toEqual(real.steps.map((s) => s.name));
    expect(stepsOf(dry.lines)).toEqual(['prepare', 'fetch-checksum', 'download', 'bake', 'inspect', 'convert', 'verify', 'store', 'prune']);
    expect(buildStepsFor(fx.config).map((s) => s.name)).toEqual(stepsOf(dry.lines));

    // without a checksum file (waiver) both leave fetch-checksum out
    const waived = { ...fx.config, upstream: { url: fx.config.upstream.url, file: fx.config.upstream.file } };
    expect(buildStepsFor(waived).map((s) => s.name)).toEqual(['prepare', 'download', 'bake', 'inspect', 'convert', 'verify', 'store', 'prune']);
  });

  test('--dry-run names exactly the builds the real run prunes, also when -latest names an old build', async () => {
    // Three stored builds, the pointer rolled back to the oldest by hand (keep_builds 2).
    for (const day of [DAY1, new Date('2026-11-21T09:30:00Z'), new Date('2026-11-22T09:30:00Z')]) {
      expect((await runBuild(runOptions(fx, { now: () => day, force: true }))).result).toBe('success');
    }
    const store = fx.config.paths.store;
    const pointer = path.join(store, `.${IMAGE}-latest`);
    fs.rmSync(pointer);
    fs.symlinkSync(`.${IMAGE}-20261121.latest`, pointer);
    const dry = runOptions(fx, { dryRun: true, force: true });
    await runBuild(dry);
    const said = dry.lines.find((l) => l.includes('would delete the builds'));
    const real = await runBuild(runOptions(fx, { force: true }));
    const removed = new Set(
      real.steps.find((step) => step.name === 'prune')!.detail!.replace('removed ', '').split(', ')
        .filter((n) => n.endsWith('.qcow2'))
        .map((n) => n.replace(/\.qcow2$/, '')),
    );
    expect([...removed]).toEqual([`${IMAGE}-20261121`]);
    expect(said).toBe(`[dry-run] prune: would keep the 2 newest builds: would delete the builds ${IMAGE}-20261121`);
  });

  test('retention keeps the 2 newest dated builds (and 30 logs) and touches nothing else', async () => {
    const store = fx.config.paths.store;
    fs.mkdirSync(store, { recursive: true });
    const seed = (name: string): void => fs.writeFileSync(path.join(store, name), name);
    for (const d of ['20260101', '20260201', '20251231']) for (const ext of ['qcow2', 'md5', 'sha256']) seed(`${IMAGE}-${d}.${ext}`);
    const others = [`${IMAGE}_nv_vgpu-20250101.qcow2`, `${IMAGE}-20250101.qcow2.bak`, `${IMAGE}-2025010.qcow2`, 'README', `.${IMAGE}_nv_vgpu-x.tmp`];
    others.forEach(seed);
    seed(`.${IMAGE}-20261124T000000Z.qcow2.tmp`); // stale temp of a killed run
    const logs = fx.config.paths.logs;
    fs.mkdirSync(logs, { recursive: true });
    for (let d = 1; d <= 31; d++) fs.writeFileSync(path.join(logs, `${IMAGE}-202610${String(d).padStart(2, '0')}T000000Z.log`), 'old');
    fs.writeFileSync(path.join(logs, `${IMAGE}_nv_vgpu-20250101T000000Z.log`), 'other image');
    const report = await runBuild(runOptions(fx));
    const kept = fs.readdirSync(logs).filter((n) => n.endsWith('.log')).sort();
    expect(kept.length).toBe(31); // 30 of this image (incl. this build's) + the other image's
    expect(kept).toContain(`${IMAGE}-20261125T093000Z.log`);
    expect(kept).toContain(`${IMAGE}_nv_vgpu-20250101T000000Z.log`);
    expect(kept).not.toContain(`${IMAGE}-20261002T000000Z.log`);
    expect(report.result).toBe('success');
    expect(report.steps.find((s) => s.name === 'prune')!.detail).toContain(`${IMAGE}-20260101.qcow2`);
    // the seeded builds had no .<base>.latest/ directory and no record; this build has both and the pointer names it
    const expected = [...others, ...storeFiles('20260201', '20261125').filter((n) => n !== `.${IMAGE}-20260201.latest` && n !== `${IMAGE}-20260201.json`)].sort();
    expect(fs.readdirSync(store).sort()).toEqual(expected);
    expectLatestLayout(store, `${IMAGE}-20261125`);
  });

  test('zstd compression and raw output', async () => {
    fx.writeConfig((c) => (c.output.compression = 'zstd'));
    expect((await runBuild(runOptions(fx, { now: () => DAY1 }))).result).toBe('success');
    const q = path.join(fx.config.paths.store, `${IMAGE}-20261120.qcow2`);
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', q])).stdout);
    expect(info['format-specific'].data['compression-type']).toBe('zstd');

    fx.writeConfig((c) => {
      c.output.disk_format = 'raw';
      c.fingerprint = sha256('raw');
    });
    const report = await runBuild(runOptions(fx));
    expect(report.result).toBe('success');
    const raw = path.join(fx.config.paths.store, `${IMAGE}-20261125.raw`);
    expect(fs.statSync(raw).size).toBe(8 * 1024 * 1024);
    // the trio switched to the raw build in one step; the qcow2 -latest link is removed
    const store = fx.config.paths.store;
    expectLatestLayout(store, `${IMAGE}-20261125`, 'raw');
    expect(fs.lstatSync(path.join(store, `${IMAGE}-latest.qcow2`), { throwIfNoEntry: false })).toBeUndefined();
    expect(latestTrio(store, 'raw')).toBe(`${IMAGE}-20261125`);
    expect(report.steps.find((s) => s.name === 'convert')!.detail).toContain('-O raw -m 4 -W');
    expect(await readMarker(raw, fx.root)).toBe(markerFor(IMAGE));
  });

  test('no-checksum waiver: downloads, and an identical download is unchanged (no bake)', async () => {
    fx.writeConfig((c) => {
      delete c.upstream.checksum_file;
      delete c.upstream.algorithm;
    });
    expect((await runBuild(runOptions(fx, { now: () => DAY1 }))).result).toBe('success');
    const baker = new FakeBaker();
    const report = await runBuild(runOptions(fx, { baker }));
    expect(report.result).toBe('unchanged');
    expect(baker.calls).toBe(0);
    expect(fx.server.count(fx.checksumPath)).toBe(0);
  });
});
