// Failure paths of the build runner. Each ends with the four conditions: no partial file in the
// store, -latest pointing at a complete verified build (or absent), earlier builds intact, a failed
// report (plus: lock released, work directory empty).

import execa from 'execa';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BuildLockedError, runBuild } from '../../lib/runner';
import type { BuildReport } from '../../lib/contract';
import { describeWithTools } from '../support/tools';
import { FakeBaker } from './fake-baker';
import { createFixture, DAY1, DAY2, expectLatestLayout, IMAGE, latestTrio, makeUpstreamImage, readReport, runOptions, sha256, snapshot, storeFiles, writeQemuImgShim, type Fixture } from './fixture';

/** Hidden names of the -latest layout: the pointer and the per-build directories. */
const LAYOUT_NAME = new RegExp(`^\\.${IMAGE}-(latest|\\d{8}(-\\d+)?\\.latest)$`);

/** The four end conditions of every failure path (previous = store snapshot before the failed run). */
async function expectCleanFailure(fx: Fixture, previous: Record<string, string>, error: RegExp | string): Promise<BuildReport> {
  const store = fx.config.paths.store;
  // 1. no partial file: nothing hidden, nothing .tmp, store exactly as before
  const names = fs.existsSync(store) ? fs.readdirSync(store) : [];
  expect(names.filter((n) => (n.startsWith('.') && !LAYOUT_NAME.test(n)) || n.endsWith('.tmp'))).toEqual([]);
  // 3. earlier builds intact (content and links)
  expect(snapshot(store)).toEqual(previous);
  // 2. -latest points at a complete, verified build (or is absent)
  const latest = path.join(store, `${IMAGE}-latest.qcow2`);
  if (Object.keys(previous).length > 0) {
    expectLatestLayout(store, `${IMAGE}-20261120`);
    await execa('md5sum', ['-c', `${IMAGE}-latest.md5`], { cwd: store });
    await execa('qemu-img', ['check', latest]);
  } else {
    expect(fs.existsSync(latest)).toBe(false);
  }
  // 4. a failed report with a one-line error
  const report = readReport(fx);
  if (process.env.GOLDSMITH_DEBUG_BUILD) process.stderr.write(`report.error: ${report.error}\n`);
  expect(report.result).toBe('failed');
  expect(report.build_id).toBe('20261125T093000Z');
  expect(report.finished_at).toBeDefined();
  expect(report.error).not.toContain('\n');
  if (typeof error === 'string') expect(report.error).toContain(error);
  else expect(report.error).toMatch(error);
  expect(report.steps[report.steps.length - 1].result).toBe('failed');
  // and: lock released, work dir empty, no last-success for the failed build
  expect(fs.existsSync(path.join(fx.config.paths.state, `${IMAGE}.lock`))).toBe(false);
  expect(fs.readdirSync(fx.config.paths.work)).toEqual([]);
  return report;
}

/** A successful build on DAY1, then a new upstream image for DAY2. */
async function seedPreviousBuild(fx: Fixture): Promise<Record<string, string>> {
  const r = await runBuild(runOptions(fx, { now: () => DAY1 }));
  expect(r.result).toBe('success');
  fx.setUpstream(await makeUpstreamImage(path.join(fx.root, 'src2')));
  return snapshot(fx.config.paths.store);
}

describeWithTools(['qemu-img'], 'runBuild failure paths', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  test('checksum file lists only foo.old with the right digest: fails without downloading', async () => {
    fx.setUpstream(fx.upstream, { checksumText: `${sha256(fx.upstream)}  ${path.basename(fx.imagePath)}.old\n` });
    const report = await runBuild(runOptions(fx));
    expect(report.result).toBe('failed');
    await expectCleanFailure(fx, {}, /^fetch-checksum: .*SHA256SUMS has no sha256 entry for exactly "cloud-generic\.qcow2"$/);
    expect(fx.server.count(fx.imagePath)).toBe(0);
  });

  test('checksum mismatch', async () => {
    const previous = await seedPreviousBuild(fx);
    fx.setUpstream(fx.upstream, { checksumText: `${sha256('not the image')}  cloud-generic.qcow2\n` });
    const baker = new FakeBaker();
    expect((await runBuild(runOptions(fx, { baker }))).result).toBe('failed');
    await expectCleanFailure(fx, previous, /^download: checksum mismatch for cloud-generic\.qcow2: expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}$/);
    expect(baker.calls).toBe(0);
  });

  test('truncated download (connection closed before Content-Length) is retried, then fails', async () => {
    const previous = await seedPreviousBuild(fx);
    const before = fx.server.count(fx.imagePath);
    fx.setUpstream(fx.upstream, { truncateAt: 1024 * 1024 });
    const o = runOptions(fx);
    expect((await runBuild(o)).result).toBe('failed');
    await expectCleanFailure(fx, previous, /^download: download http:\/\/127\.0\.0\.1:\d+\/images\/cloud-generic\.qcow2 failed after 3 attempts: /);
    expect(fx.server.count(fx.imagePath) - before).toBe(3);
    expect(o.lines.filter((l) => l.includes('retrying in')).length).toBe(2);
  });

  test('a too small upstream file is rejected (not retried)', async () => {
    fx.setUpstream(Buffer.from('<html>Please enable cookies</html>'));
    expect((await runBuild(runOptions(fx))).result).toBe('failed');
    await expectCleanFailure(fx, {}, /is only 34 bytes \(minimum 1048576\); not an image$/);
    expect(fx.server.count(fx.imagePath)).toBe(1);
  });

  test('HTTP 404 on the checksum file', async () => {
    fx.server.set(fx.checksumPath, { body: Buffer.from('gone'), status: 404 });
    expect((await runBuild(runOptions(fx))).result).toBe('failed');
    await expectCleanFailure(fx, {}, /fetch-checksum: fetch .*SHA256SUMS failed: GET .*: HTTP 404 Not Found$/);
    expect(fx.server.count(fx.checksumPath)).toBe(1);
  });

  test('packer failure (baker throws)', async () => {
    const previous = await seedPreviousBuild(fx);
    expect((await runBuild(runOptions(fx, { baker: new FakeBaker({ mode: 'fail' }) }))).result).toBe('failed');
    await expectCleanFailure(fx, previous, /^bake: packer build failed: exit status 1/);
  });

  test('corrupt artifact: qemu-img refuses it', async () => {
    const previous = await seedPreviousBuild(fx);
    expect((await runBuild(runOptions(fx, { baker: new FakeBaker({ mode: 'corrupt' }) }))).result).toBe('failed');
    await expectCleanFailure(fx, previous, /^inspect: qemu-img info .* failed \(exit code 1\): .*[Uu]nsupported qcow2 version/);
  });

  test.each([
    ['fail-convert', /^convert: qemu-img convert failed \(exit code 1\): qemu-img: Could not open: fake failure$/],
    ['fail-compare', /^verify: qemu-img compare failed \(exit code 1\): Content mismatch at offset 0!$/],
  ] as const)('qemu-img failure (%s shim)', async (mode, error) => {
    const previous = await seedPreviousBuild(fx);
    const shim = writeQemuImgShim(fx.root, mode);
    expect((await runBuild(runOptions(fx, { qemuImg: shim }))).result).toBe('failed');
    await expectCleanFailure(fx, previous, error);
  });

  test('qemu-img conversion timeout', async () => {
    const previous = await seedPreviousBuild(fx);
    const shim = writeQemuImgShim(fx.root, 'hang-convert');
    fx.writeConfig((c) => (c.timeouts_s.convert = 3));
    const t0 = Date.now();
    expect((await runBuild(runOptions(fx, { qemuImg: shim }))).result).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(30_000);
    await expectCleanFailure(fx, previous, /^convert: qemu-img convert failed \(timed out after 3 s\)/);
  });

  test('two concurrent runs: the second fails fast with the lock message and writes nothing', async () => {
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inBake = new Promise<void>((r) => (started = r));
    const first = runBuild(runOptions(fx, { baker: new FakeBaker({ gate, onStart: started }) }));
    await inBake;
    const reportDuring = readReport(fx);
    // The first run is held in its bake until `release`: the second can only end by not waiting.
    const second = runOptions(fx, { now: () => new Date('2026-11-25T09:31:00Z') });
    const err = await runBuild(second).catch((e) => e);
    expect(err).toBeInstanceOf(BuildLockedError);
    expect(err.message).toBe(`another build of ${IMAGE} is running (pid ${process.pid} since 2026-11-25T09:30:00.000Z)`);
    expect(readReport(fx)).toEqual(reportDuring);
    expect(fs.existsSync(path.join(fx.config.paths.logs, `${IMAGE}-20261125T093100Z.log`))).toBe(false);
    release();
    expect((await first).result).toBe('success');
    expect(fs.existsSync(path.join(fx.config.paths.state, `${IMAGE}.lock`))).toBe(false);
  });

  test('a stale lock (dead pid) is taken over with a log line', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    fs.mkdirSync(fx.config.paths.state, { recursive: true });
    fs.writeFileSync(
      path.join(fx.config.paths.state, `${IMAGE}.lock`),
      JSON.stringify({ pid: dead.pid, host: require('os').hostname(), started_at: '2026-11-24T03:00:00.000Z' }),
    );
    const o = runOptions(fx);
    expect((await runBuild(o)).result).toBe('success');
    expect(o.lines.some((l) => l.includes(`pid ${dead.pid} (since 2026-11-24T03:00:00.000Z) is not running`))).toBe(true);
    const log = fs.readFileSync(path.join(fx.config.paths.logs, `${IMAGE}-20261125T093000Z.log`), 'utf8');
    expect(log).toContain('taking over stale lock');
  });

  test('SIGKILL during conversion leaves only a .tmp and a stale lock; the next run recovers', async () => {
    const previous = await seedPreviousBuild(fx);
    const started = path.join(fx.root, 'convert-started');
    const shim = writeQemuImgShim(fx.root, 'slow-convert', started);
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'run-build-child.js'), JSON.stringify({ bundleDir: fx.bundleDir, image: IMAGE, qemuImg: shim, now: DAY2.toISOString() })],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(started)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child never reached conversion:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, 'SIGKILL'); // the whole process group, as a killed cron job
    await exited;

    const store = fx.config.paths.store;
    const tmps = fs.readdirSync(store).filter((n) => n.endsWith('.tmp'));
    expect(tmps).toEqual([`.${IMAGE}-20261125T093000Z.qcow2.tmp`]);
    const visible = Object.fromEntries(Object.entries(snapshot(store)).filter(([n]) => !n.endsWith('.tmp')));
    expect(visible).toEqual(previous);
    const lock = JSON.parse(fs.readFileSync(path.join(fx.config.paths.state, `${IMAGE}.lock`), 'utf8'));
    expect(lock.pid).toBe(child.pid);
    expect(readReport(fx).result).toBe('running');

    const o = runOptions(fx, { now: () => new Date('2026-11-25T10:00:00Z') });
    const report = await runBuild(o);
    expect(report.error).toBeUndefined();
    expect(report.result).toBe('success');
    expect(o.lines.some((l) => l.includes(`taking over stale lock`) && l.includes(`pid ${child.pid}`))).toBe(true);
    expect(o.lines).toContain(`removed stale temp file .${IMAGE}-20261125T093000Z.qcow2.tmp of an earlier run`);
    expect(o.lines).toContain(`removed stale work directory ${IMAGE}-20261125T093000Z of an earlier run`);
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261120', '20261125'));
    expectLatestLayout(store, `${IMAGE}-20261125`);
    await execa('md5sum', ['-c', `${IMAGE}-latest.md5`], { cwd: store });
    expect(fs.readdirSync(fx.config.paths.work)).toEqual([]);
  });
  test.each([
    ['checksums-published', 'previous'],
    ['image-published', 'previous'],
    ['latest-dir-created', 'previous'],
    ['pointer-temp-created', 'previous'],
    ['latest-switched', 'new'],
  ] as const)(
    'SIGKILL in the store step (%s): the -latest trio resolves to one build (the %s one), never mixed; the next run recovers',
    async (point, which) => {
      await seedPreviousBuild(fx);
      const store = fx.config.paths.store;
      // a same-day build exists too: the killed run must not touch it
      expect((await runBuild(runOptions(fx, { force: true }))).result).toBe('success');
      const previous = `${IMAGE}-20261125`;
      const killed = `${IMAGE}-20261125-2`;
      const before = snapshot(store);
      const marker = path.join(fx.root, 'paused');
      const child = spawn(
        process.execPath,
        [path.join(__dirname, 'run-build-child.js'), JSON.stringify({ bundleDir: fx.bundleDir, image: IMAGE, now: DAY2.toISOString(), pauseAt: point, marker, force: true })],
        { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      try {
        const deadline = Date.now() + 60_000;
        while (!fs.existsSync(marker)) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child never reached ${point}:\n${out}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
        await exited;
      }

      // what a reader sees now: the three -latest names resolve to files of ONE build (the previous
      // one until the pointer switched, then the new one), every checksum file names an image and
      // matches it when it exists, every image has its own checksum files, earlier builds untouched
      expect(latestTrio(store)).toBe(which === 'previous' ? previous : killed);
      expectLatestLayout(store, which === 'previous' ? previous : killed);
      const now = snapshot(store);
      for (const [name, hash] of Object.entries(before)) if (name !== `.${IMAGE}-latest`) expect(now[name]).toBe(hash);
      const names = fs.readdirSync(store).filter((n) => !n.startsWith('.'));
      for (const n of names.filter((x) => /\.(md5|sha256)$/.test(x))) {
        const [, named] = /^[0-9a-f]+  (\S+)\n$/.exec(fs.readFileSync(path.join(store, n), 'utf8'))!;
        expect(named).toMatch(/^testimg-\d{8}(-\d+)?\.qcow2$/);
        if (fs.existsSync(path.join(store, named))) await execa(n.endsWith('.md5') ? 'md5sum' : 'sha256sum', ['-c', n], { cwd: store });
      }
      for (const img of names.filter((x) => x.endsWith('.qcow2') && !x.includes('-latest.'))) {
        const base = img.replace(/\.qcow2$/, '');
        await execa('md5sum', ['-c', `${base}.md5`], { cwd: store });
        await execa('sha256sum', ['-c', `${base}.sha256`], { cwd: store });
      }
      await execa('md5sum', ['-c', `${IMAGE}-latest.md5`], { cwd: store });
      await execa('sha256sum', ['-c', `${IMAGE}-latest.sha256`], { cwd: store });
      await execa('qemu-img', ['check', '-f', 'qcow2', path.join(store, `${IMAGE}-latest.qcow2`)]);
      // leftovers of the killed run: a temp image before it was published, the pointer's temp link
      const leftovers = fs.readdirSync(store).filter((n) => n.startsWith('.') && !LAYOUT_NAME.test(n));
      if (point === 'checksums-published') expect(leftovers).toEqual([`.${IMAGE}-20261125T093000Z.qcow2.tmp`]);
      else if (point === 'pointer-temp-created') expect(leftovers).toEqual([expect.stringMatching(new RegExp(`^\\.${IMAGE}-latest\\.\\d+\\.[0-9a-f]{8}\\.tmp$`))]);
      else expect(leftovers).toEqual([]);
      expect(fs.existsSync(path.join(store, `.${killed}.latest`))).toBe(!['checksums-published', 'image-published'].includes(point));

      // the next run: at each of its own store points the trio is one build, too
      const trios: (string | undefined)[] = [];
      const o = runOptions(fx, { now: () => new Date('2026-11-25T10:00:00Z'), force: true, storeHook: () => trios.push(latestTrio(store)) });
      const report = await runBuild(o);
      expect(report.error).toBeUndefined();
      expect(report.result).toBe('success');
      const newest = report.artifact!.file.replace(/\.qcow2$/, '');
      expect(trios).toEqual([...Array(4).fill(which === 'previous' ? previous : killed), newest]);
      expectLatestLayout(store, newest);
      await execa('md5sum', ['-c', `${IMAGE}-latest.md5`], { cwd: store });
      // hidden names: only the pointer and the directories of builds still in the store (retention keeps 2)
      const hidden = fs.readdirSync(store).filter((n) => n.startsWith('.')).sort();
      const builds = fs.readdirSync(store).filter((n) => /^testimg-\d{8}(-\d+)?\.qcow2$/.test(n)).map((n) => n.replace(/\.qcow2$/, ''));
      expect(builds.length).toBe(2);
      const withDir = builds.filter((b) => b === newest || fs.existsSync(path.join(store, `.${b}.latest`)));
      expect(hidden).toEqual([`.${IMAGE}-latest`, ...withDir.map((b) => `.${b}.latest`)].sort());
      if (process.env.GOLDSMITH_DEBUG_BUILD) process.stderr.write(o.lines.join('\n'));
      if (point === 'checksums-published') expect(o.lines.some((l) => /^removed testimg-20261125-2\.md5: its image was never stored/.test(l))).toBe(true);
      if (point === 'pointer-temp-created') expect(o.lines.some((l) => new RegExp(`^removed stale temp file \\.${IMAGE}-latest\\.\\d+\\.[0-9a-f]{8}\\.tmp of an earlier run$`).test(l))).toBe(true);
    },
  );
  test('a store directory that cannot be created: a failed report, before any download', async () => {
    const blocker = path.join(fx.root, 'not-a-dir');
    fs.writeFileSync(blocker, 'a file where the store parent should be');
    fx.writeConfig((c) => (c.paths.store = path.join(blocker, 'store')));
    const report = await runBuild(runOptions(fx));
    expect(report.result).toBe('failed');
    expect(report.error).toBe(`prepare: paths.store ${path.join(blocker, 'store')} cannot be created (ENOTDIR)`);
    expect(readReport(fx)).toMatchObject({ result: 'failed', error: report.error });
    expect(fx.server.requests).toEqual([]);
    expect(fs.existsSync(path.join(fx.config.paths.state, `${IMAGE}.lock`))).toBe(false);
  });

  test('a read-only store is found before download and bake: a failed report', async () => {
    const store = fx.config.paths.store;
    fs.mkdirSync(store, { recursive: true });
    // root ignores mode bits: make the directory immutable instead
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await execa('chattr', ['+i', store]);
    else fs.chmodSync(store, 0o555);
    try {
      const baker = new FakeBaker();
      const report = await runBuild(runOptions(fx, { baker }));
      expect(report.result).toBe('failed');
      expect(report.error).toMatch(new RegExp(`^prepare: paths\\.store ${store} is not writable \\((EPERM|EACCES)\\)$`));
      expect(readReport(fx).result).toBe('failed');
      expect(fx.server.requests).toEqual([]);
      expect(baker.calls).toBe(0);
    } finally {
      if (asRoot) await execa('chattr', ['-i', store]);
      else fs.chmodSync(store, 0o755);
    }
  });

  test('an unwritable logs directory: one clear error (BuildSetupError), nothing else done', async () => {
    const blocker = path.join(fx.root, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    fx.writeConfig((c) => (c.paths.logs = path.join(blocker, 'logs')));
    const err = await runBuild(runOptions(fx)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('BuildSetupError');
    expect(err?.message).toBe(`paths.logs ${path.join(blocker, 'logs')} cannot be created (ENOTDIR): no report can be written`);
    expect(fx.server.requests).toEqual([]);
  });
});
