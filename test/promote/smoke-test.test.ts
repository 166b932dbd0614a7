// The smoke-test hook runs the operator's program with the candidate in its environment only.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSmokeTest, type SmokeCandidate } from '../../lib/promote/smoke-test';

const CANDIDATE: SmokeCandidate = {
  environment: 'bgo',
  image: 'ubuntu_2404',
  buildId: '20261202',
  imageId: '00000000-0000-4000-8000-000000000001',
  cloud: 'bgo-admin',
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-smoke-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('exit 0 passes; the candidate arrives in the environment (beside the operator\'s own)', async () => {
  const seen = path.join(dir, 'seen');
  const program = script('pass', `env | grep -E '^(GOLDSMITH_(ENVIRONMENT|IMAGE|IMAGE_ID|BUILD_ID)|OS_CLOUD)=' > ${seen}; echo booted`);
  expect(await runSmokeTest(program, CANDIDATE, 10_000)).toBeUndefined();
  expect(fs.readFileSync(seen, 'utf8').trim().split('\n').sort()).toEqual([
    'GOLDSMITH_BUILD_ID=20261202',
    'GOLDSMITH_ENVIRONMENT=bgo',
    'GOLDSMITH_IMAGE=ubuntu_2404',
    `GOLDSMITH_IMAGE_ID=${CANDIDATE.imageId}`,
    'OS_CLOUD=bgo-admin',
  ]);
});

test('another exit code fails with its last line', async () => {
  const program = script('fail', 'echo starting; echo "no ssh after 300 s" >&2; exit 3');
  expect(await runSmokeTest(program, CANDIDATE, 10_000)).toBe(`${program} exited 3: no ssh after 300 s`);
});

test('a program that does not finish is killed at the timeout, with what it started', async () => {
  const pidFile = path.join(dir, 'sleep.pid');
  const program = script('hang', `echo waiting; sleep 30 & echo $! > ${pidFile}; wait`);
  expect(await runSmokeTest(program, CANDIDATE, 500)).toBe(`${program} did not finish within 1 s: waiting`);
  // Its background child is gone too (dead: no /proc entry, or a zombie waiting for its reaper).
  const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
  const alive = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${sleeper}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(alive()).toBe(false);
});

test('a program that does not exist fails in one line', async () => {
  const missing = path.join(dir, 'missing');
  expect(await runSmokeTest(missing, CANDIDATE, 1000)).toMatch(new RegExp(`^${missing} could not run \\(.*ENOENT.*\\)$`));
});
