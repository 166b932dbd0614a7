// `goldsmith build` in-process through main(): a temp bundle, a loopback HTTP upstream and real qcow2
// files (test/runner/fixture.ts), real qemu-img, and a fake baker through the command's seam (the
// packer/Nova/Glance boundary is tested in test/runner/packer-baker.test.ts). One test runs the real
// ExternalBaker with a small shell script as the external command.
import { spawn } from 'child_process';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BakeRequest, BakeResult, ImageBaker } from '../../lib/runner/baker';
import { ExternalBaker } from '../../lib/runner/external-baker';
import { acquireLock } from '../../lib/runner/lock';
import { PackerBaker } from '../../lib/runner/packer';
import { parseRunnerConfig } from '../../lib/contract';
import { buildCommand, defaultBakerFor, formatDuration, formatSize, summaryLine, type BuildCommandDeps } from '../../lib/cli/build';
import { CliIo, main } from '../../lib/cli/main';
import { FakeBaker } from '../runner/fake-baker';
import { createFixture, deepListing, IMAGE, readReport, type Fixture } from '../runner/fixture';
import { describeWithTools } from '../support/tools';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;

async function run(argv: string[], deps: BuildCommandDeps = {}, cwd = os.tmpdir()): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, env: {} };
  const code = await main(argv, io, [buildCommand(deps)]);
  return { code, out, err };
}

function today(): string {
  return new Date().toISOString().slice(0, 10).replace(/-/g, '');
}

test('formatDuration, formatSize, summaryLine', () => {
  expect(formatDuration(723)).toBe('12m3s');
  expect(formatDuration(45.4)).toBe('45s');
  expect(formatDuration(3723)).toBe('1h2m3s');
  expect(formatSize(612_345_678)).toBe('612 MB');
  expect(formatSize(1_412_345_678)).toBe('1.4 GB');
  expect(formatSize(5_234_567)).toBe('5.2 MB');
  expect(formatSize(830_000)).toBe('830 kB');
  const base = { image: 'ubuntu_2404', environment: 'bgo', build_id: 'x', started_at: '2026-11-04T09:30:00Z', steps: [], upstream: { url: 'u' }, fingerprint: 'f', tools: {} };
  expect(
    summaryLine({
      ...base,
      result: 'success',
      finished_at: '2026-11-04T09:42:03Z',
      artifact: { file: 'ubuntu_2404-20261104.qcow2', size_bytes: 612_000_000, md5: 'm', sha256: 's' },
    }),
  ).toBe('ubuntu_2404: success in 12m3s, stored ubuntu_2404-20261104.qcow2 (612 MB)');
  expect(summaryLine({ ...base, result: 'unchanged' })).toBe('ubuntu_2404: unchanged');
  expect(summaryLine({ ...base, result: 'failed', error: 'download: HTTP 404' })).toBe('ubuntu_2404: failed: download: HTTP 404');
});

test('the baker is chosen from the runner config', () => {
  const raw = (extra: Record<string, unknown>): Record<string, unknown> => ({
    image: 'x',
    environment: 'e',
    cloud: 'c',
    region: 'r',
    upstream: { url: 'https://u.example/', file: 'f.img' },
    template: 'default',
    fingerprint: 'a'.repeat(64),
    packer_vars: {},
    source_image: { min_ram_mb: 1, min_disk_gb: 1, efi: false },
    output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 1 },
    rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
    paths: { store: '/s', logs: '/l', state: '/st', work: '/w' },
    timeouts_s: { download: 1, packer: 1, convert: 1 },
    ...extra,
  });
  const ctx = { bundleDir: '/b' };
  expect(defaultBakerFor(parseRunnerConfig(raw({ template_file: 'templates/default.json' }), 'x'), ctx)).toBeInstanceOf(PackerBaker);
  expect(defaultBakerFor(parseRunnerConfig(raw({ external_command: ['/usr/local/bin/build-windows'] }), 'x'), ctx)).toBeInstanceOf(ExternalBaker);
});

describe('goldsmith build: command line', () => {
  test('--help documents usage and exit codes', async () => {
    const r = await run(['build', '--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('usage: goldsmith build <image> [--bundle DIR] [--force] [--dry-run] [--quiet]');
    const text = r.out.join('\n');
    expect(text).toContain('--bundle DIR   the installed builder bundle (default: /etc/goldsmith/bundle)');
    expect(text).toMatch(/^ {2}75 {2}another build of the image is running/m);
    expect(text).toMatch(/^ {2}2 {3}bad command line \(including an invalid image name\)/m);
  });

  test('bad image name, missing image, extra argument, unknown option: exit 2 before touching anything', async () => {
    const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-cli-build-'));
    try {
      const bakerFor = jest.fn();
      for (const bad of ['Ubuntu', '../etc', 'a-b', 'a.b', '']) {
        expect(await run(['build', bad, '--bundle', bundle], { bakerFor })).toEqual({
          code: 2,
          out: [],
          err: [`goldsmith build: invalid image name ${JSON.stringify(bad)} (expected [a-z0-9_]+) (see \`goldsmith build --help\`)`],
        });
      }
      expect((await run(['build'])).err).toEqual(['goldsmith build: missing <image> (see `goldsmith build --help`)']);
      expect((await run(['build', 'a', 'b'])).err).toEqual(['goldsmith build: unexpected argument `b` (see `goldsmith build --help`)']);
      expect((await run(['build', 'a', '--frobnicate'])).code).toBe(2);
      expect(bakerFor).not.toHaveBeenCalled();
      expect(fs.readdirSync(bundle)).toEqual([]);
    } finally {
      fs.rmSync(bundle, { recursive: true, force: true });
    }
  });

  test('missing bundle directory: one line, exit 1', async () => {
    expect(await run(['build', 'ubuntu_2404', '--bundle', '/nonexistent/goldsmith-bundle'])).toEqual({
      code: 1,
      out: [],
      err: ['goldsmith build: bundle directory /nonexistent/goldsmith-bundle does not exist'],
    });
  });
});

describeWithTools(['qemu-img'], 'goldsmith build', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  test('success: progress lines with UTC time on stdout, summary line, exit 0; second run unchanged, exit 0', async () => {
    const baker = new FakeBaker();
    const termListeners = process.listenerCount('SIGTERM');
    const intListeners = process.listenerCount('SIGINT');
    const r = await run(['build', IMAGE, '--bundle', 'bundle'], { bakerFor: () => baker }, fx.root);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const progress = r.out.slice(0, -1);
    expect(progress.every((l) => STAMP.test(l))).toBe(true);
    const text = progress.map((l) => l.replace(STAMP, ''));
    for (const step of ['prepare', 'fetch-checksum', 'download', 'bake', 'inspect', 'convert', 'verify', 'store', 'prune']) {
      expect(text).toContain(`== ${step}`);
    }
    expect(text).toContain('fake packer: build started');
    expect(text[text.length - 1]).toBe('result: success');
    const file = `${IMAGE}-${today()}.qcow2`;
    const size = fs.statSync(path.join(fx.config.paths.store, file)).size;
    expect(r.out[r.out.length - 1]).toMatch(new RegExp(`^${IMAGE}: success in \\d+s, stored ${file} \\(\\d+(\\.\\d)? (MB|kB)\\)$`));
    expect(r.out[r.out.length - 1]).toContain(`(${formatSize(size)})`);
    expect(readReport(fx).result).toBe('success');
    // the handlers are gone again
    expect(process.listenerCount('SIGTERM')).toBe(termListeners);
    expect(process.listenerCount('SIGINT')).toBe(intListeners);

    const again = await run(['build', IMAGE, '--bundle', fx.bundleDir], { bakerFor: () => baker });
    expect(again.code).toBe(0);
    expect(again.err).toEqual([]);
    expect(again.out[again.out.length - 1]).toBe(`${IMAGE}: unchanged, ${file} is current`);
    expect(baker.calls).toBe(1);

    // --force rebuilds
    const forced = await run(['build', IMAGE, '--bundle', fx.bundleDir, '--force'], { bakerFor: () => baker });
    expect(forced.code).toBe(0);
    expect(forced.out[forced.out.length - 1]).toMatch(new RegExp(`^${IMAGE}: success in `));
    expect(baker.calls).toBe(2);
  });

  test('--dry-run: what would happen, exit 0, no files, no baker, no network', async () => {
    const before = deepListing(fx.root);
    const bakerFor = jest.fn();
    const r = await run(['build', IMAGE, '--bundle', fx.bundleDir, '--dry-run'], { bakerFor });
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.slice(0, -1).every((l) => STAMP.test(l) && l.replace(STAMP, '').startsWith('[dry-run] '))).toBe(true);
    expect(r.out.some((l) => l.includes('would download'))).toBe(true);
    expect(r.out[r.out.length - 1]).toBe(`${IMAGE}: dry run, nothing done`);
    expect(deepListing(fx.root)).toEqual(before);
    expect(fx.server.requests).toEqual([]);
    expect(bakerFor).not.toHaveBeenCalled();
  });

  test('image not in the bundle, invalid runner config: one-line error, exit 1, nothing written', async () => {
    const r = await run(['build', 'other', '--bundle', fx.bundleDir]);
    expect(r).toEqual({
      code: 1,
      out: [],
      err: [`goldsmith build: ${path.join(fx.bundleDir, 'images', 'other.json')}: no such file (is other in the bundle at ${fx.bundleDir}?)`],
    });
    fx.writeConfig((c) => (c.external_command = ['/bin/true']));
    const bad = await run(['build', IMAGE, '--bundle', fx.bundleDir]);
    expect(bad).toEqual({
      code: 1,
      out: [],
      err: [
        `goldsmith build: ${path.join(fx.bundleDir, 'images', `${IMAGE}.json`)}: external_command: must not be given together with template_file (exactly one of them)`,
      ],
    });
    expect(fs.existsSync(fx.config.paths.state)).toBe(false);
  });

  test('lock held by another live run: exit 75 with the message, nothing else done', async () => {
    fs.mkdirSync(fx.config.paths.state, { recursive: true });
    const held = await acquireLock(fx.config.paths.state, IMAGE, new Date('2026-11-25T09:00:00.000Z'), () => undefined);
    const bakerFor = jest.fn();
    const r = await run(['build', IMAGE, '--bundle', fx.bundleDir], { bakerFor }).finally(() => held.release());
    expect(r).toEqual({
      code: 75,
      out: [],
      err: [`goldsmith build: another build of ${IMAGE} is running (pid ${process.pid} since 2026-11-25T09:00:00.000Z)`],
    });
    expect(fx.server.requests).toEqual([]);
    expect(bakerFor).not.toHaveBeenCalled();
  });

  test('bake fails: failed summary on stderr, exit 1', async () => {
    const r = await run(['build', IMAGE, '--bundle', fx.bundleDir], { bakerFor: () => new FakeBaker({ mode: 'fail' }) });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`${IMAGE}: failed: bake: packer build failed: exit status 1 (Build 'openstack' errored: fake)`]);
    expect(r.out.map((l) => l.replace(STAMP, ''))).toContain('result: failed');
    expect(readReport(fx)).toMatchObject({ result: 'failed', error: "bake: packer build failed: exit status 1 (Build 'openstack' errored: fake)" });
  });

  test('--quiet (cron): nothing on stdout; a failure is one line on stderr, so MAILTO mails failures only', async () => {
    const ok = await run(['build', IMAGE, '--bundle', fx.bundleDir, '--quiet'], { bakerFor: () => new FakeBaker() });
    expect(ok).toEqual({ code: 0, out: [], err: [] });
    expect(readReport(fx).result).toBe('success');
    const unchanged = await run(['build', IMAGE, '--bundle', fx.bundleDir, '--quiet'], { bakerFor: () => new FakeBaker() });
    expect(unchanged).toEqual({ code: 0, out: [], err: [] });
    const failed = await run(['build', IMAGE, '--bundle', fx.bundleDir, '--quiet', '--force'], { bakerFor: () => new FakeBaker({ mode: 'fail' }) });
    expect(failed).toEqual({
      code: 1,
      out: [],
      err: [`${IMAGE}: failed: bake: packer build failed: exit status 1 (Build 'openstack' errored: fake)`],
    });
    // the progress still reaches the build's log file
    const log = fs.readFileSync(path.join(fx.config.paths.logs, readReport(fx).log_file!), 'utf8');
    expect(log).toContain('== bake');
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('%s during a slow bake: the run is aborted, cleanup runs, exit 1, report failed', async (sig) => {
    const signals = new EventEmitter();
    let seen: BakeRequest | undefined;
    const slow: ImageBaker = {
      bake(req: BakeRequest): Promise<BakeResult> {
        seen = req;
        req.log('slow baker: started');
        // the signal arrives while the bake is in progress
        setTimeout(() => signals.emit(sig), 50);
        // and it stops only when the signal reaches it (a real baker then cleans up for a while)
        return new Promise((_, reject) =>
          req.signal.addEventListener('abort', () => setTimeout(() => reject(new Error('slow baker: stopped')), 20), { once: true }),
        );
      },
    };
    const r = await run(['build', IMAGE, '--bundle', fx.bundleDir], { bakerFor: () => slow, signals });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`${IMAGE}: failed: bake: cancelled`]);
    const text = r.out.map((l) => l.replace(STAMP, ''));
    expect(text).toContain(`received ${sig}: cancelling the build (cleanup still runs)`);
    expect(text[text.length - 1]).toBe('result: failed');
    expect(seen!.signal.aborted).toBe(true);
    expect(readReport(fx)).toMatchObject({ result: 'failed', error: 'bake: cancelled' });
    // cleanup ran: no lock, no work directory, no temp files in the store
    expect(fs.existsSync(path.join(fx.config.paths.state, `${IMAGE}.lock`))).toBe(false);
    expect(fs.existsSync(seen!.workDir)).toBe(false);
    expect(fs.readdirSync(fx.config.paths.store)).toEqual([]);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });

  test('external_command image with the default baker: the real ExternalBaker runs the script', async () => {
    const script = path.join(fx.root, 'build-external.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho "building $GOLDSMITH_IMAGE"\ncp "$GOLDSMITH_SOURCE_FILE" "$GOLDSMITH_ARTIFACT_FILE"\n', { mode: 0o755 });
    fx.writeConfig((c) => {
      delete c.template_file;
      c.external_command = [script];
    });
    const r = await run(['build', IMAGE, '--bundle', fx.bundleDir]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => l.replace(STAMP, ''))).toContain(`build-external.sh: building ${IMAGE}`);
    expect(r.out[r.out.length - 1]).toMatch(new RegExp(`^${IMAGE}: success in \\d+s, stored ${IMAGE}-${today()}\\.qcow2 `));
  });

  test('real process: SIGTERM to `goldsmith build` stops the external command, cleans up, exit 1', async () => {
    // A separate node process running bin/goldsmith.ts (transpiled on the fly): the signal goes to
    // that process, never to the jest worker. (With -e, process.argv[1] is the first argument: a
    // placeholder, so that argv.slice(2) starts at `build`.)
    const pidFile = path.join(fx.root, 'external.pid');
    const termFile = path.join(fx.root, 'external.term');
    const script = path.join(fx.root, 'build-slow.sh');
    fs.writeFileSync(
      script,
      `#!/bin/sh\ntrap 'echo TERM > "${termFile}"; exit 143' TERM\necho $$ > "${pidFile}"\necho started\nwhile :; do sleep 0.1; done\n`,
      { mode: 0o755 },
    );
    fx.writeConfig((c) => {
      delete c.template_file;
      c.external_command = [script];
    });
    const repo = path.join(__dirname, '../..');
    const child = spawn(
      process.execPath,
      ['-e', `require(${JSON.stringify(path.join(repo, 'test/runner/register-ts.js'))}); require(${JSON.stringify(path.join(repo, 'bin/goldsmith.ts'))});`, 'goldsmith', 'build', IMAGE, '--bundle', fx.bundleDir],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: fx.root },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(pidFile) || !stdout.includes('build-slow.sh: started')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the build never reached the bake:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(stderr).toBe(`${IMAGE}: failed: bake: cancelled\n`);
    expect(stdout).toMatch(/^\S+Z received SIGTERM: cancelling the build \(cleanup still runs\)$/m);
    expect(stdout).toMatch(/^\S+Z build-slow\.sh: build cancelled, sending SIGTERM$/m);
    expect(fs.readFileSync(termFile, 'utf8')).toBe('TERM\n');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
    expect(readReport(fx)).toMatchObject({ result: 'failed', error: 'bake: cancelled' });
    expect(fs.existsSync(path.join(fx.config.paths.state, `${IMAGE}.lock`))).toBe(false);
    expect(fs.readdirSync(fx.config.paths.work)).toEqual([]);
  });
});
