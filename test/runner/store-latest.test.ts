// The -latest trio of the store (<image>-latest.<ext>, .md5, .sha256) on a real file system: one
// atomic switch, never a mixed trio, migration from the old layout, extension change, retention.

import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanOrphans, cleanStaleTemps, pruneBuilds, repairLatest, storeBuild, storeTempFile, type StorePoint } from '../../lib/runner/store';
import { expectLatestLayout, IMAGE, latestTrio, resolvedBase } from './fixture';

const DATE = new Date('2026-11-25T09:30:00Z');
const md5 = (b: Buffer): string => crypto.createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/**
 * What a reader sees: every -latest image name that resolves names the build -latest.md5 and
 * -latest.sha256 name (an image name that does not resolve is a 404, never a wrong image).
 */
function expectNoMixedImage(store: string): string | undefined {
  const sums = ['md5', 'sha256'].map((e) => resolvedBase(store, `${IMAGE}-latest.${e}`));
  expect(sums[1]).toBe(sums[0]);
  for (const e of ['qcow2', 'raw']) {
    const b = resolvedBase(store, `${IMAGE}-latest.${e}`);
    if (b !== undefined) expect(b).toBe(sums[0]);
  }
  return sums[0];
}

/** A build in the layout of the old code: dated files only (links are made by the test). */
function seedOldBuild(store: string, base: string, ext = 'qcow2'): void {
  const bytes = crypto.randomBytes(4096);
  fs.writeFileSync(path.join(store, `${base}.${ext}`), bytes);
  fs.writeFileSync(path.join(store, `${base}.md5`), `${md5(bytes)}  ${base}.${ext}\n`);
  fs.writeFileSync(path.join(store, `${base}.sha256`), `${sha256(bytes)}  ${base}.${ext}\n`);
}

async function storeNew(store: string, ext = 'qcow2', date = DATE): Promise<string> {
  const tmp = storeTempFile(store, IMAGE, `t${crypto.randomBytes(4).toString('hex')}.${ext}`);
  fs.writeFileSync(tmp, crypto.randomBytes(4096));
  const s = await storeBuild(store, IMAGE, date, ext, tmp);
  return s.file.replace(/\.(qcow2|raw)$/, '');
}

describe('store -latest trio', () => {
  let root: string;
  let store: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-latest-'));
    store = path.join(root, 'store');
    fs.mkdirSync(store);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a reader resolving the -latest names while 50 builds are stored never sees a mixed set (image, checksums, record)', async () => {
    const first = await storeNew(store);
    const done = path.join(root, 'done');
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'store-switch-child.js'), JSON.stringify({ store, image: IMAGE, count: 50, done })],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    let exitCode: number | null = null;
    const exited = new Promise<void>((r) => child.on('exit', (code) => ((exitCode = code), r())));
    const mixed: string[] = [];
    const seen = new Set<string>();
    try {
      // md5, sha256, image, record, then md5 again: when both md5 reads name the same build, the
      // pointer named that build the whole time (builds only move forward), so the image, sha256
      // and record resolved in between must name it too (the first build has no record).
      while (!fs.existsSync(done) && exitCode === null) {
        for (let i = 0; i < 200; i++) {
          const m1 = resolvedBase(store, `${IMAGE}-latest.md5`);
          const s = resolvedBase(store, `${IMAGE}-latest.sha256`);
          const q = resolvedBase(store, `${IMAGE}-latest.qcow2`);
          const j = resolvedBase(store, `${IMAGE}-latest.json`);
          const m2 = resolvedBase(store, `${IMAGE}-latest.md5`);
          if (m1 === undefined || m1 !== m2) continue;
          seen.add(m1);
          if (s !== m1 || q !== m1 || (j !== m1 && !(m1 === first && j === undefined))) mixed.push(`md5 ${m1}, sha256 ${s}, qcow2 ${q}, json ${j}`);
        }
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      if (exitCode === null && !fs.existsSync(done)) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    expect(out).not.toContain('ERROR');
    expect(exitCode).toBe(0);
    expect([...new Set(mixed)].slice(0, 5)).toEqual([]);
    expect(seen.size).toBeGreaterThan(1);
    const last = `${IMAGE}-20261125-51`;
    for (const ext of ['qcow2', 'md5', 'sha256', 'json']) expect(resolvedBase(store, `${IMAGE}-latest.${ext}`)).toBe(last);
    expect(JSON.parse(fs.readFileSync(path.join(store, `${IMAGE}-latest.json`), 'utf8')).file).toBe(`${last}.qcow2`);
  });

  test('migration from the old layout (direct -latest links): dir and pointer first, then each top-level link; one build at every step', () => {
    const [x1, x2] = [`${IMAGE}-20261118`, `${IMAGE}-20261120`];
    seedOldBuild(store, x1);
    seedOldBuild(store, x2);
    for (const e of ['qcow2', 'md5', 'sha256']) fs.symlinkSync(`${x2}.${e}`, path.join(store, `${IMAGE}-latest.${e}`));
    expect(latestTrio(store)).toBe(x2);
    const steps: string[] = [];
    const done = repairLatest(store, IMAGE, 'qcow2', (what) => {
      steps.push(what);
      expect(latestTrio(store)).toBe(x2);
    });
    expect(steps).toEqual([
      `made .${x2}.latest/`,
      `.${IMAGE}-latest -> .${x2}.latest`,
      `${IMAGE}-latest.md5 -> .${IMAGE}-latest/image.md5`,
      `${IMAGE}-latest.sha256 -> .${IMAGE}-latest/image.sha256`,
      `${IMAGE}-latest.json -> .${IMAGE}-latest/image.json`,
      `${IMAGE}-latest.qcow2 -> .${IMAGE}-latest/image.qcow2`,
    ]);
    expect(done).toEqual(steps);
    expectLatestLayout(store, x2);
    expect(fs.existsSync(path.join(store, `.${x1}.latest`))).toBe(false);
    expect(repairLatest(store, IMAGE, 'qcow2')).toEqual([]); // idempotent
    expect(fs.readdirSync(store).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('migration inside storeBuild (no earlier repair): at every store point the trio is one build', async () => {
    const x2 = `${IMAGE}-20261120`;
    seedOldBuild(store, x2);
    for (const e of ['qcow2', 'md5', 'sha256']) fs.symlinkSync(`${x2}.${e}`, path.join(store, `${IMAGE}-latest.${e}`));
    const seen: [StorePoint, string | undefined][] = [];
    const tmp = storeTempFile(store, IMAGE, 'x.qcow2');
    fs.writeFileSync(tmp, crypto.randomBytes(4096));
    await storeBuild(store, IMAGE, DATE, 'qcow2', tmp, (p) => seen.push([p, latestTrio(store)]));
    const next = `${IMAGE}-20261125`;
    expect(seen).toEqual([
      ['checksums-published', x2],
      ['image-published', x2],
      ['latest-dir-created', x2],
      ['pointer-temp-created', x2],
      ['latest-switched', next],
    ]);
    expectLatestLayout(store, next);
    expect(fs.readdirSync(store).filter((n) => n.startsWith('.')).sort()).toEqual([`.${IMAGE}-latest`, `.${x2}.latest`, `.${next}.latest`].sort());
  });

  test('an old store left mixed by a killed run (checksum links ahead of the image link) is migrated to the image link\'s build', () => {
    const [a, b] = [`${IMAGE}-20261118`, `${IMAGE}-20261120`];
    seedOldBuild(store, a);
    seedOldBuild(store, b);
    fs.symlinkSync(`${a}.qcow2`, path.join(store, `${IMAGE}-latest.qcow2`));
    fs.symlinkSync(`${b}.md5`, path.join(store, `${IMAGE}-latest.md5`));
    fs.symlinkSync(`${b}.sha256`, path.join(store, `${IMAGE}-latest.sha256`));
    expect(() => latestTrio(store)).toThrow(/mixed -latest trio/);
    repairLatest(store, IMAGE, 'qcow2');
    expectLatestLayout(store, a);
  });

  test('an old store after an extension change (stale -latest.qcow2 beside the raw trio): the raw trio is kept, -latest.qcow2 removed', () => {
    const [q, r] = [`${IMAGE}-20261118`, `${IMAGE}-20261120`];
    seedOldBuild(store, q, 'qcow2');
    seedOldBuild(store, r, 'raw');
    fs.symlinkSync(`${q}.qcow2`, path.join(store, `${IMAGE}-latest.qcow2`));
    for (const e of ['raw', 'md5', 'sha256']) fs.symlinkSync(`${r}.${e}`, path.join(store, `${IMAGE}-latest.${e}`));
    repairLatest(store, IMAGE, 'qcow2', () => expectNoMixedImage(store) ?? '');
    expectLatestLayout(store, r, 'raw');
    expect(fs.lstatSync(path.join(store, `${IMAGE}-latest.qcow2`), { throwIfNoEntry: false })).toBeUndefined();
  });

  test('an extension change (qcow2 -> raw -> qcow2) moves the trio in one step; the other -latest.<ext> link is removed', async () => {
    const a = await storeNew(store, 'qcow2', new Date('2026-11-20T00:00:00Z'));
    expectLatestLayout(store, a);
    const seen: string[] = [];
    const check = (p: StorePoint): void => {
      seen.push(`${p} ${expectNoMixedImage(store)}`);
    };
    let tmp = storeTempFile(store, IMAGE, 'x.raw');
    fs.writeFileSync(tmp, crypto.randomBytes(4096));
    const b = (await storeBuild(store, IMAGE, DATE, 'raw', tmp, check)).file.replace(/\.raw$/, '');
    expect(seen).toEqual([
      `checksums-published ${a}`,
      `image-published ${a}`,
      `latest-dir-created ${a}`,
      `pointer-temp-created ${a}`,
      `latest-switched ${b}`,
    ]);
    expectLatestLayout(store, b, 'raw');
    expect(fs.lstatSync(path.join(store, `${IMAGE}-latest.qcow2`), { throwIfNoEntry: false })).toBeUndefined();
    expect(fs.readdirSync(path.join(store, `.${b}.latest`)).sort()).toEqual(['image.json', 'image.md5', 'image.raw', 'image.sha256']);

    seen.length = 0;
    tmp = storeTempFile(store, IMAGE, 'y.qcow2');
    fs.writeFileSync(tmp, crypto.randomBytes(4096));
    const c = (await storeBuild(store, IMAGE, DATE, 'qcow2', tmp, check)).file.replace(/\.qcow2$/, '');
    expect(seen[seen.length - 1]).toBe(`latest-switched ${c}`);
    expect(seen.slice(0, -1).every((l) => l.endsWith(` ${b}`))).toBe(true);
    expectLatestLayout(store, c, 'qcow2');
    expect(fs.lstatSync(path.join(store, `${IMAGE}-latest.raw`), { throwIfNoEntry: false })).toBeUndefined();
  });

  test('retention removes the .<base>.latest/ directories of pruned builds, never the one the pointer names', async () => {
    const days = ['20261101', '20261102', '20261103', '20261104'];
    const bases: string[] = [];
    for (const d of days) bases.push(await storeNew(store, 'qcow2', new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}T00:00:00Z`)));
    for (const b of bases) expect(fs.existsSync(path.join(store, `.${b}.latest`))).toBe(true);
    expect(pruneBuilds(store, IMAGE, 3, bases[3])).toEqual([`.${bases[0]}.latest`, `${bases[0]}.md5`, `${bases[0]}.qcow2`, `${bases[0]}.sha256`]);
    expectLatestLayout(store, bases[3]);

    // an operator rolled -latest back to an older build: retention keeps it and its directory
    fs.symlinkSync(`.${bases[1]}.latest`, path.join(store, '.rollback.tmp'));
    fs.renameSync(path.join(store, '.rollback.tmp'), path.join(store, `.${IMAGE}-latest`));
    expect(pruneBuilds(store, IMAGE, 2, bases[3])).toEqual([`.${bases[2]}.latest`, `${bases[2]}.md5`, `${bases[2]}.qcow2`, `${bases[2]}.sha256`]);
    expectLatestLayout(store, bases[1]);
    expect(fs.readdirSync(store).filter((n) => n.startsWith('.')).sort()).toEqual([`.${bases[1]}.latest`, `.${bases[3]}.latest`, `.${IMAGE}-latest`].sort());
  });

  test('leftovers of a killed switch (temp dir, temp pointer, temp link) and directories of gone builds are removed by the next run', async () => {
    const a = await storeNew(store);
    const b = await storeNew(store);
    const half = path.join(store, `.${IMAGE}-20261125-3.latest.4242.deadbeef.tmp`);
    fs.mkdirSync(half);
    fs.symlinkSync(`../${IMAGE}-20261125-3.qcow2`, path.join(half, 'image.qcow2'));
    fs.symlinkSync(`.${IMAGE}-20261125-3.latest`, path.join(store, `.${IMAGE}-latest.4242.deadbeef.tmp`));
    fs.symlinkSync(`.${IMAGE}-latest/image.md5`, path.join(store, `.${IMAGE}-latest.md5.4242.cafebabe.tmp`));
    fs.mkdirSync(path.join(store, `.${IMAGE}-20261101.latest`)); // a build removed by hand
    fs.mkdirSync(path.join(store, `.other-20261101.latest`)); // another image's: untouched
    expect(cleanStaleTemps(store, IMAGE).sort()).toEqual(
      [`.${IMAGE}-20261125-3.latest.4242.deadbeef.tmp`, `.${IMAGE}-latest.4242.deadbeef.tmp`, `.${IMAGE}-latest.md5.4242.cafebabe.tmp`].sort(),
    );
    expect(cleanOrphans(store, IMAGE)).toEqual([`.${IMAGE}-20261101.latest`]);
    expect(repairLatest(store, IMAGE, 'qcow2')).toEqual([]);
    expectLatestLayout(store, b);
    expect(fs.readdirSync(store).filter((n) => n.startsWith('.')).sort()).toEqual([`.${a}.latest`, `.${b}.latest`, `.${IMAGE}-latest`, '.other-20261101.latest'].sort());

    // a top-level link that went missing or wrong is made again (through the pointer)
    fs.rmSync(path.join(store, `${IMAGE}-latest.sha256`));
    fs.rmSync(path.join(store, `${IMAGE}-latest.md5`));
    fs.symlinkSync(`${a}.md5`, path.join(store, `${IMAGE}-latest.md5`));
    expect(repairLatest(store, IMAGE, 'qcow2')).toEqual([`${IMAGE}-latest.md5 -> .${IMAGE}-latest/image.md5`, `${IMAGE}-latest.sha256 -> .${IMAGE}-latest/image.sha256`]);
    expectLatestLayout(store, b);
  });
});
