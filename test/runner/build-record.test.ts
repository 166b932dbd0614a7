// The build record (`<base>.json`, `<image>-latest.json`) the runner publishes with every stored
// build: real builds (real qemu-img, loopback HTTP, the fake baker), fault injection in the store
// step, same-day rebuilds, retention and the temp/orphan cleanup of the store.

import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildRecordSchema, parseContractJson, type BuildRecord } from '../../lib/contract';
import { runBuild } from '../../lib/runner';
import { cleanOrphans, cleanStaleTemps, newBuildBase, parseBuildName, repairLatest, storeBuild, storeTempFile, type StorePoint, type StoredFile } from '../../lib/runner/store';
import { describeWithTools } from '../support/tools';
import { createFixture, DAY1, DAY2, expectLatestLayout, IMAGE, latestTrio, makeUpstreamImage, md5, readReport, resolvedBase, runOptions, sha256, storeFiles, type Fixture } from './fixture';

const QCOW2_INSPECTED = 'a self-contained qcow2 image (magic bytes, header, qemu-img info -f qcow2)';

function readRecord(store: string, name: string): BuildRecord {
  return parseContractJson(BuildRecordSchema, fs.readFileSync(path.join(store, name), 'utf8'), name);
}

/** The record's hashes and size are those of the stored file and of its .md5/.sha256 files. */
function expectRecordOfFile(store: string, r: BuildRecord): void {
  const bytes = fs.readFileSync(path.join(store, r.file));
  expect([r.md5, r.sha256, r.size_bytes]).toEqual([md5(bytes), sha256(bytes), bytes.length]);
  const base = r.file.replace(/\.(qcow2|raw)$/, '');
  expect(fs.readFileSync(path.join(store, `${base}.md5`), 'utf8')).toBe(`${r.md5}  ${r.file}\n`);
  expect(fs.readFileSync(path.join(store, `${base}.sha256`), 'utf8')).toBe(`${r.sha256}  ${r.file}\n`);
}

describeWithTools(['qemu-img'], 'build records', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  test('a build publishes <base>.json and -latest.json: the contract schema, the stored file\'s hashes and size, the checks it passed', async () => {
    const report = await runBuild(runOptions(fx));
    expect(report.result).toBe('success');
    const store = fx.config.paths.store;
    const base = `${IMAGE}-20261125`;
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261125'));
    const text = fs.readFileSync(path.join(store, `${base}.json`), 'utf8');
    if (process.env.GOLDSMITH_DEBUG_BUILD) process.stderr.write(text);
    const r = readRecord(store, `${base}.json`);
    expect(r).toEqual({
      record_format: 1,
      image: IMAGE,
      environment: 'test01',
      build_id: '20261125',
      run_id: '20261125T093000Z',
      date: '2026-11-25',
      finished_at: '2026-11-25T09:30:00.000Z',
      file: `${base}.qcow2`,
      disk_format: 'qcow2',
      md5: report.artifact!.md5,
      sha256: report.artifact!.sha256,
      size_bytes: report.artifact!.size_bytes,
      upstream: { url: `${fx.server.baseUrl}cloud-generic.qcow2`, checksum: `sha256:${sha256(fx.upstream)}` },
      fingerprint: fx.config.fingerprint,
      tools: { 'qemu-img': report.tools['qemu-img'], packer: '0.0.0-fake' },
      reason: { code: 'first_build', detail: 'no successful build recorded' },
      verification: {
        result: 'passed',
        checks: [
          { name: 'upstream-checksum', result: 'passed', detail: 'sha256 of the download equals the cloud-generic.qcow2 entry of SHA256SUMS' },
          { name: 'upstream-image', result: 'passed', detail: QCOW2_INSPECTED },
          { name: 'artifact-image', result: 'passed', detail: QCOW2_INSPECTED },
          { name: 'converted-format', result: 'passed', detail: "qemu-img info -f qcow2: qcow2, virtual size 8388608 as the artifact's" },
          { name: 'qemu-img-check', result: 'passed', detail: 'qemu-img check -f qcow2: no errors, no leaks' },
          { name: 'qemu-img-compare', result: 'passed', detail: 'qemu-img compare: the same guest-visible content as the artifact' },
        ],
      },
    });
    expect(text).toBe(`${JSON.stringify(r, null, 2)}\n`);
    expectRecordOfFile(store, r);
    expect(fs.statSync(path.join(store, `${base}.json`)).mode & 0o777).toBe(0o644);
    // -latest.json is the same file, through the pointer
    expect(fs.readlinkSync(path.join(store, `${IMAGE}-latest.json`))).toBe(`.${IMAGE}-latest/image.json`);
    expect(fs.readlinkSync(path.join(store, `.${base}.latest`, 'image.json'))).toBe(`../${base}.json`);
    expect(fs.realpathSync(path.join(store, `${IMAGE}-latest.json`))).toBe(fs.realpathSync(path.join(store, `${base}.json`)));
    expectLatestLayout(store, base);
    expect(readReport(fx).steps.find((s) => s.name === 'store')!.detail).toBe(`${base}.qcow2`);
  });

  test('raw output without an upstream checksum (waiver): the record claims no qemu-img check and no checksum verification', async () => {
    fx.writeConfig((c) => {
      delete c.upstream.checksum_file;
      delete c.upstream.algorithm;
      c.output.disk_format = 'raw';
    });
    expect((await runBuild(runOptions(fx))).result).toBe('success');
    const store = fx.config.paths.store;
    const r = readRecord(store, `${IMAGE}-latest.json`);
    expect([r.file, r.disk_format, r.upstream.checksum]).toEqual([`${IMAGE}-20261125.raw`, 'raw', `sha256:${sha256(fx.upstream)}`]);
    expect(r.verification.checks.map((c) => c.name)).toEqual(['upstream-image', 'artifact-image', 'converted-format', 'qemu-img-compare']);
    expect(r.verification.checks[2].detail).toBe("qemu-img info -f raw: raw, virtual size 8388608 as the artifact's");
    expectRecordOfFile(store, r);
    expectLatestLayout(store, `${IMAGE}-20261125`, 'raw');
  });

  test('a same-day rebuild gets -2 and its own record; the first build\'s record is untouched', async () => {
    expect((await runBuild(runOptions(fx))).result).toBe('success');
    const store = fx.config.paths.store;
    const first = fs.readFileSync(path.join(store, `${IMAGE}-20261125.json`));
    const report = await runBuild(runOptions(fx, { force: true, now: () => new Date('2026-11-25T11:00:00Z') }));
    expect(report.artifact!.file).toBe(`${IMAGE}-20261125-2.qcow2`);
    expect(fs.readFileSync(path.join(store, `${IMAGE}-20261125.json`))).toEqual(first);
    const r = readRecord(store, `${IMAGE}-20261125-2.json`);
    expect(r).toMatchObject({ build_id: '20261125-2', run_id: '20261125T110000Z', date: '2026-11-25', file: `${IMAGE}-20261125-2.qcow2`, reason: { code: 'forced' } });
    expectRecordOfFile(store, r);
    expect(resolvedBase(store, `${IMAGE}-latest.json`)).toBe(`${IMAGE}-20261125-2`);
    expect(readRecord(store, `${IMAGE}-latest.json`)).toEqual(r);
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261125', '20261125-2'));
  });

  test('at every store point of a build, -latest.json is the record of the build -latest.qcow2 is', async () => {
    expect((await runBuild(runOptions(fx, { now: () => DAY1 }))).result).toBe('success');
    fx.setUpstream(await makeUpstreamImage(path.join(fx.root, 'src2')));
    const store = fx.config.paths.store;
    const seen: string[] = [];
    const report = await runBuild(
      runOptions(fx, {
        storeHook: (p) => {
          const trio = latestTrio(store); // throws on a -latest.json of another build
          seen.push(`${p} ${trio} ${readRecord(store, `${IMAGE}-latest.json`).file}`);
        },
      }),
    );
    expect(report.result).toBe('success');
    const [a, b] = [`${IMAGE}-20261120`, `${IMAGE}-20261125`];
    expect(seen).toEqual([
      `checksums-published ${a} ${a}.qcow2`,
      `image-published ${a} ${a}.qcow2`,
      `latest-dir-created ${a} ${a}.qcow2`,
      `pointer-temp-created ${a} ${a}.qcow2`,
      `latest-switched ${b} ${b}.qcow2`,
    ]);
  });

  test.each(['checksums-published', 'image-published', 'latest-dir-created', 'pointer-temp-created', 'latest-switched'] as const)(
    'a store step failing at %s leaves -latest.json on the build -latest.qcow2 is; the next run cleans up and publishes its own',
    async (point: StorePoint) => {
      expect((await runBuild(runOptions(fx, { now: () => DAY1 }))).result).toBe('success');
      fx.setUpstream(await makeUpstreamImage(path.join(fx.root, 'src2')));
      const store = fx.config.paths.store;
      const failed = await runBuild(
        runOptions(fx, {
          storeHook: (p) => {
            if (p === point) throw new Error(`injected fault at ${p}`);
          },
        }),
      );
      expect(failed.result).toBe('failed');
      expect(failed.error).toBe(`store: injected fault at ${point}`);
      const latest = point === 'latest-switched' ? `${IMAGE}-20261125` : `${IMAGE}-20261120`;
      expect(latestTrio(store)).toBe(latest);
      expect(readRecord(store, `${IMAGE}-latest.json`).file).toBe(`${latest}.qcow2`);
      expect(fs.existsSync(path.join(store, `${IMAGE}-20261125.json`))).toBe(true); // published before the image

      const o = runOptions(fx, { force: true, now: () => new Date('2026-11-25T12:00:00Z') });
      const next = await runBuild(o);
      expect(next.result).toBe('success');
      if (point === 'checksums-published') {
        // the record whose image never appeared is removed with the checksum files; the name is free again
        expect(o.lines).toContain(`removed ${IMAGE}-20261125.json: its image was never stored (an earlier run was killed while storing)`);
        expect(next.artifact!.file).toBe(`${IMAGE}-20261125.qcow2`);
      } else {
        expect(next.artifact!.file).toBe(`${IMAGE}-20261125-2.qcow2`);
      }
      const newest = next.artifact!.file.replace(/\.qcow2$/, '');
      expect(latestTrio(store)).toBe(newest);
      const r = readRecord(store, `${IMAGE}-latest.json`);
      expect(r.file).toBe(next.artifact!.file);
      expectRecordOfFile(store, r);
      // every record in the store belongs to a stored image and describes it
      for (const n of fs.readdirSync(store).filter((x) => /^testimg-\d{8}(-\d+)?\.json$/.test(x))) expectRecordOfFile(store, readRecord(store, n));
      expect(fs.readdirSync(store).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    },
  );

  test('retention removes a build\'s record with the build; a build a release names keeps its record', async () => {
    const store = fx.config.paths.store;
    const at = (d: string): Date => new Date(`${d}T09:30:00Z`);
    for (const d of ['2026-11-20', '2026-11-25', '2026-11-30']) expect((await runBuild(runOptions(fx, { force: true, now: () => at(d) }))).result).toBe('success');
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261125', '20261130'));
    expect(readReport(fx).steps.find((s) => s.name === 'prune')!.detail).toBe(
      `removed .${IMAGE}-20261120.latest, ${IMAGE}-20261120.json, ${IMAGE}-20261120.md5, ${IMAGE}-20261120.qcow2, ${IMAGE}-20261120.sha256`,
    );

    fx.writeConfig((c) => (c.output.keep_files = [`${IMAGE}-20261125.qcow2`]));
    for (const d of ['2026-12-05', '2026-12-10']) expect((await runBuild(runOptions(fx, { force: true, now: () => at(d) }))).result).toBe('success');
    expect(fs.readdirSync(store).sort()).toEqual(storeFiles('20261125', '20261205', '20261210'));
    expectRecordOfFile(store, readRecord(store, `${IMAGE}-20261125.json`));
  });

  test('--dry-run names the record the store step would write', async () => {
    const o = runOptions(fx, { dryRun: true });
    expect((await runBuild(o)).result).toBe('dry-run');
    const base = `${IMAGE}-20261125`;
    expect(o.lines).toContain(
      `[dry-run] store: would store ${path.join(fx.config.paths.store, `${base}.qcow2`)} with ${base}.md5, ${base}.sha256 and its build record ${base}.json, ` +
        `make .${base}.latest/ and switch .${IMAGE}-latest to it (${IMAGE}-latest.{qcow2,md5,sha256,json} resolve through it)`,
    );
  });
});

describe('build records in the store (no build)', () => {
  let root: string;
  let store: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-record-'));
    store = path.join(root, 'store');
    fs.mkdirSync(store);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const recordOf = (f: StoredFile): BuildRecord => ({
    record_format: 1,
    image: IMAGE,
    environment: 'test01',
    build_id: f.buildId,
    run_id: '20261125T093000Z',
    date: '2026-11-25',
    finished_at: '2026-11-25T09:30:00.000Z',
    file: f.file,
    disk_format: 'qcow2',
    md5: f.md5,
    sha256: f.sha256,
    size_bytes: f.size,
    upstream: { url: 'https://example.org/x.qcow2', checksum: `sha256:${sha256('x')}` },
    fingerprint: sha256('template'),
    tools: {},
    reason: { code: 'forced', detail: 'test' },
    verification: { result: 'passed', checks: [{ name: 'qemu-img-compare', result: 'passed' }] },
  });

  async function store1(record?: (f: StoredFile) => BuildRecord): Promise<string> {
    const tmp = storeTempFile(store, IMAGE, `t${crypto.randomBytes(4).toString('hex')}.qcow2`);
    fs.writeFileSync(tmp, crypto.randomBytes(4096));
    return (await storeBuild(store, IMAGE, DAY2, 'qcow2', tmp, undefined, record)).base;
  }

  test('records count as build files: names, the next free name, temp and orphan cleanup', () => {
    expect(parseBuildName(IMAGE, `${IMAGE}-20261125-2.json`)).toEqual({ base: `${IMAGE}-20261125-2`, date: '20261125', seq: 2, ext: 'json' });
    expect(parseBuildName(IMAGE, `${IMAGE}-latest.json`)).toBeUndefined();
    fs.writeFileSync(path.join(store, `${IMAGE}-20261125.json`), '{}');
    expect(newBuildBase(store, IMAGE, DAY2)).toBe(`${IMAGE}-20261125-2`); // a record alone takes the name
    fs.writeFileSync(path.join(store, `.${IMAGE}-20261125-2.json.4242.cafebabe.tmp`), '{');
    expect(cleanStaleTemps(store, IMAGE)).toEqual([`.${IMAGE}-20261125-2.json.4242.cafebabe.tmp`]);
    expect(cleanOrphans(store, IMAGE)).toEqual([`${IMAGE}-20261125.json`]);
    expect(fs.readdirSync(store)).toEqual([]);
  });

  test('a record that does not satisfy the contract or does not describe the file fails the store step before anything is published', async () => {
    await expect(store1((f) => ({ ...recordOf(f), file: 'other.qcow2' }))).rejects.toThrow(
      `${IMAGE}-20261125.json: file: must be ${IMAGE}-20261125.qcow2 (image, build_id, disk_format), got "other.qcow2"`,
    );
    await expect(store1((f) => ({ ...recordOf(f), md5: md5('other') }))).rejects.toThrow(`${IMAGE}-20261125.json: the record does not describe ${IMAGE}-20261125.qcow2 as stored`);
    await expect(store1((f) => ({ ...recordOf(f), verification: { result: 'passed', checks: [] } }))).rejects.toThrow(
      `${IMAGE}-20261125.json: verification.result: must be failed: passed means at least one check and every check passed`,
    );
    expect(fs.readdirSync(store).filter((n) => !n.endsWith('.tmp'))).toEqual([]);
  });

  test('the record and the checksum files are 0644 whatever the umask (the web server reads them)', async () => {
    const old = process.umask(0o077);
    let base: string;
    try {
      base = await store1(recordOf);
    } finally {
      process.umask(old);
    }
    for (const e of ['json', 'md5', 'sha256', 'qcow2']) expect([e, fs.statSync(path.join(store, `${base}.${e}`)).mode & 0o777]).toEqual([e, 0o644]);
  });

  test('a store of builds without record (older runner): -latest.json resolves to nothing until a build with a record is latest', async () => {
    const old = await store1();
    expect(fs.existsSync(path.join(store, `${old}.json`))).toBe(false);
    expect(fs.readlinkSync(path.join(store, `${IMAGE}-latest.json`))).toBe(`.${IMAGE}-latest/image.json`);
    expect(resolvedBase(store, `${IMAGE}-latest.json`)).toBeUndefined(); // a 404, never another build's record
    expect(latestTrio(store)).toBe(old);
    // the old layout's -latest directory (no image.json link) is not touched by repair: still a 404
    fs.rmSync(path.join(store, `.${old}.latest`, 'image.json'));
    expect(repairLatest(store, IMAGE, 'qcow2')).toEqual([]);
    expect(resolvedBase(store, `${IMAGE}-latest.json`)).toBeUndefined();
    const next = await store1(recordOf);
    expect(next).toBe(`${IMAGE}-20261125-2`);
    expectLatestLayout(store, next);
    expect(readRecord(store, `${IMAGE}-latest.json`)).toEqual(readRecord(store, `${next}.json`));
  });
});
