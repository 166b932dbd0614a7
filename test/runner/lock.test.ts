// The per-image lock is kernel-released (abstract UNIX socket): a stale lock file, even one naming a
// live pid on this host, never blocks; a live holder always does; SIGKILL of the holder frees it.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, BuildLockedError, lockSocketName } from '../../lib/runner/lock';

/** A separate node process holding the lock of `image` in `dir` until killed. */
async function holder(dir: string, image: string): Promise<ChildProcess> {
  const code = `require(${JSON.stringify(path.join(__dirname, 'register-ts.js'))});
    const { acquireLock } = require(${JSON.stringify(path.join(__dirname, '../../lib/runner/lock.ts'))});
    acquireLock(process.argv[1], process.argv[2], new Date('2026-11-25T08:00:00Z'), () => {}).then(
      () => { process.stdout.write('held\\n'); setInterval(() => {}, 1000); },
      (e) => { process.stdout.write('ERROR ' + e.message + '\\n'); process.exit(2); });`;
  const child = spawn(process.execPath, ['-e', code, dir, image], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`holder did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('held')) {
        clearTimeout(t);
        resolve();
      }
      if (out.includes('ERROR')) {
        clearTimeout(t);
        reject(new Error(out));
      }
    });
  });
  return child;
}

async function lockError(p: Promise<unknown>): Promise<BuildLockedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof BuildLockedError)) throw new Error(`expected BuildLockedError, got ${String(e)}`);
  return e;
}

describe('per-image lock', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  const t = new Date('2026-11-25T09:30:00Z');
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-lock-'))));
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((r) => c.once('exit', r));
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('held: busy (with the holder in the message) while held; released', async () => {
    const lines: string[] = [];
    const held = await acquireLock(dir, 'img', t, (l) => lines.push(l));
    const content = JSON.parse(fs.readFileSync(path.join(dir, 'img.lock'), 'utf8'));
    expect(content).toEqual({ pid: process.pid, host: os.hostname(), started_at: t.toISOString() });
    const e = await lockError(acquireLock(dir, 'img', t, () => undefined));
    expect(e.message).toBe(`another build of img is running (pid ${process.pid} since 2026-11-25T09:30:00.000Z)`);
    // another image, and the same image in another state directory, are independent
    (await acquireLock(dir, 'img2', t, () => undefined)).release();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-lock2-'));
    (await acquireLock(other, 'img', t, () => undefined)).release();
    fs.rmSync(other, { recursive: true });
    held.release();
    expect(fs.existsSync(path.join(dir, 'img.lock'))).toBe(false);
    (await acquireLock(dir, 'img', t, () => undefined)).release();
    expect(lines).toEqual([]);
  });

  test.each([
    ['the pid of a live unrelated process (reused pid)', () => ({ pid: process.pid, host: os.hostname(), started_at: 'last week' })],
    ['pid 1 (always alive)', () => ({ pid: 1, host: os.hostname(), started_at: 'last week' })],
    ['another host name (the builder was renamed)', () => ({ pid: 999999, host: 'old-name', started_at: 'last week' })],
    ['garbage', () => 'not json'],
  ])('a lock file left by a dead run naming %s is taken over at once', async (_what, left) => {
    const v = left();
    fs.writeFileSync(path.join(dir, 'img.lock'), typeof v === 'string' ? v : JSON.stringify(v));
    const lines: string[] = [];
    const held = await acquireLock(dir, 'img', t, (l) => lines.push(l));
    expect(held.info.pid).toBe(process.pid);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^taking over stale lock .*img\.lock: .* is not running \(the lock was free\)$/);
    expect(fs.readdirSync(dir)).toEqual(['img.lock']);
    held.release();
  });

  test('a live holder in another process blocks (exit 75 path); SIGKILL of the holder releases it', async () => {
    const child = await holder(dir, 'img');
    children.push(child);
    const e = await lockError(acquireLock(dir, 'img', t, () => undefined));
    expect(e.message).toBe(`another build of img is running (pid ${child.pid} since 2026-11-25T08:00:00.000Z)`);
    // even when its lock file is gone, the holder still holds the lock
    fs.rmSync(path.join(dir, 'img.lock'));
    expect((await lockError(acquireLock(dir, 'img', t, () => undefined))).message).toMatch(/another build of img is running/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const held = await acquireLock(dir, 'img', t, () => undefined);
    expect(held.info.pid).toBe(process.pid);
    held.release();
  });

  test('release does not remove a lock file that is no longer ours', async () => {
    const held = await acquireLock(dir, 'img', t, () => undefined);
    fs.writeFileSync(path.join(dir, 'img.lock'), '{"pid":1,"started_at":"x"}');
    held.release();
    expect(fs.existsSync(path.join(dir, 'img.lock'))).toBe(true);
  });
});

test('two spellings of the state directory (a symlink) name one lock', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-lock-link-'));
  try {
    fs.mkdirSync(path.join(dir, 'state'));
    fs.symlinkSync(path.join(dir, 'state'), path.join(dir, 'via-link'));
    expect(lockSocketName(path.join(dir, 'via-link', 'img.lock'))).toBe(lockSocketName(path.join(dir, 'state', 'img.lock')));
    expect(lockSocketName(path.join(dir, 'state', 'other.lock'))).not.toBe(lockSocketName(path.join(dir, 'state', 'img.lock')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
