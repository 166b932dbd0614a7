import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, BuildLockedError } from '../../lib/build/lock';

describe('per-image lock', () => {
  let dir: string;
  const t = new Date('2026-11-25T09:30:00Z');
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('O_EXCL lock with pid and start; busy while held; released', () => {
    const lines: string[] = [];
    const held = acquireLock(dir, 'img', t, (l) => lines.push(l));
    const content = JSON.parse(fs.readFileSync(path.join(dir, 'img.lock'), 'utf8'));
    expect(content).toEqual({ pid: process.pid, host: os.hostname(), started_at: t.toISOString() });
    expect(() => acquireLock(dir, 'img', t, () => undefined)).toThrow(
      new BuildLockedError('img', content),
    );
    expect(() => acquireLock(dir, 'img', t, () => undefined)).toThrow(`another build of img is running (pid ${process.pid} since 2026-11-25T09:30:00.000Z)`);
    // another image is independent
    acquireLock(dir, 'img2', t, () => undefined).release();
    held.release();
    expect(fs.existsSync(path.join(dir, 'img.lock'))).toBe(false);
    expect(lines).toEqual([]);
  });

  test('stale lock of a dead pid is taken over', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    fs.writeFileSync(path.join(dir, 'img.lock'), JSON.stringify({ pid: dead.pid, host: os.hostname(), started_at: 'then' }));
    const lines: string[] = [];
    const held = acquireLock(dir, 'img', t, (l) => lines.push(l));
    expect(held.info.pid).toBe(process.pid);
    expect(lines).toEqual([`taking over stale lock ${path.join(dir, 'img.lock')}: pid ${dead.pid} (since then) is not running`]);
    expect(fs.readdirSync(dir)).toEqual(['img.lock']);
    held.release();
  });

  test('a lock of another host is never taken over', () => {
    fs.writeFileSync(path.join(dir, 'img.lock'), JSON.stringify({ pid: 999999, host: 'other-host', started_at: 'then' }));
    expect(() => acquireLock(dir, 'img', t, () => undefined)).toThrow('another build of img is running (pid 999999 since then)');
  });

  test('an unreadable lock is taken over only after the grace period', () => {
    const f = path.join(dir, 'img.lock');
    fs.writeFileSync(f, '');
    expect(() => acquireLock(dir, 'img', t, () => undefined)).toThrow(BuildLockedError);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(f, old, old);
    const lines: string[] = [];
    acquireLock(dir, 'img', t, (l) => lines.push(l)).release();
    expect(lines[0]).toMatch(/taking over unreadable lock/);
  });

  test('release does not remove a lock that is no longer ours', () => {
    const held = acquireLock(dir, 'img', t, () => undefined);
    fs.writeFileSync(path.join(dir, 'img.lock'), '{"pid":1,"started_at":"x"}');
    held.release();
    expect(fs.existsSync(path.join(dir, 'img.lock'))).toBe(true);
  });
});
