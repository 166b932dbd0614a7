// How a bundle reaches a builder: builder/goldsmith-update, run from root's cron, fast-forwards a
// clone of the merged catalog repository, synthesizes it and installs this builder's environment.
// End to end here: a git "origin" with the bundled catalog, the script with the goldsmith CLI and
// the synth of this working tree, a temporary builder root.
import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import { GitFixture } from '../review/git-fixture';
import { at, cleanupTemps, newRoot, REPO, snapshot, tempDir } from './fixture';
import { describeWithTools } from '../support/tools';

const SCRIPT = path.join(REPO, 'builder', 'goldsmith-update');
const REGISTER = path.join(REPO, 'test', 'runner', 'register-ts.js');

let origin: GitFixture;
let updateDir: string;
let root: string;
let env: Record<string, string>;

function wrapper(dir: string, name: string, script: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" -r "${REGISTER}" "${script}" "$@"\n`, { mode: 0o755 });
  return file;
}

function update(...args: string[]) {
  return execa.sync('sh', [SCRIPT, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore' });
}

describeWithTools(['git'], 'builder/goldsmith-update', () => {
  beforeAll(() => {
    origin = new GitFixture({});
    fs.rmSync(origin.path(''), { recursive: true, force: true });
    fs.cpSync(path.join(REPO, 'config'), origin.path(''), { recursive: true });
    origin.commit('the bundled catalog');
    updateDir = tempDir('goldsmith-update-');
    root = newRoot();
    const bin = tempDir('goldsmith-update-bin-');
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: updateDir,
      GIT_CONFIG_NOSYSTEM: '1',
      GOLDSMITH_UPDATE_DIR: updateDir,
      GOLDSMITH_ROOT: root,
      GOLDSMITH: wrapper(bin, 'goldsmith', path.join(REPO, 'test', 'install', 'goldsmith-child.js')),
      GOLDSMITH_SYNTH: wrapper(bin, 'synth', path.join(REPO, 'bin', 'app.ts')),
    };
    execa.sync('git', ['clone', '--quiet', origin.dir, path.join(updateDir, 'catalog')], { env, extendEnv: false, stdin: 'ignore' });
  });
  afterAll(() => {
    origin.cleanup();
    cleanupTemps();
  });

  test('first run installs the bgo bundle; a second prints nothing; a merged change is installed by the next', () => {
    const first = update('bgo');
    expect({ code: first.exitCode, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = first.stdout.split('\n');
    expect(lines).toContain('install /etc/cron.d/goldsmith');
    expect(lines[lines.length - 1]).toMatch(/^installed \d+$/);
    const synthesized = path.join(updateDir, 'cdktf.out', 'stacks', 'bgo', 'builder');
    expect(fs.readFileSync(at(root, '/etc/cron.d/goldsmith'), 'utf8')).toBe(fs.readFileSync(path.join(synthesized, 'cron.d/goldsmith'), 'utf8'));
    expect(fs.readFileSync(at(root, '/etc/goldsmith/bundle/manifest.json'), 'utf8')).toBe(fs.readFileSync(path.join(synthesized, 'manifest.json'), 'utf8'));

    const quiet = update('bgo');
    expect({ code: quiet.exitCode, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });

    fs.appendFileSync(origin.path('provision/resolver.sh'), '# resolvers of the new data centre\n');
    origin.commit('resolver.sh: the new data centre');
    const merged = update('bgo');
    expect(merged.exitCode).toBe(0);
    expect(merged.stdout.split('\n')).toContain('update /etc/goldsmith/bundle/scripts/resolver.sh (content)');
    expect(fs.readFileSync(at(root, '/etc/goldsmith/bundle/scripts/resolver.sh'), 'utf8')).toContain('the new data centre');
  });

  test('a rewritten history stops before anything is installed; a bad command line is exit 2', () => {
    const before = snapshot(root);
    fs.appendFileSync(origin.path('provision/resolver.sh'), '# amended\n');
    origin.git('add', '--all');
    origin.git('-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '--amend', '-m', 'rewritten');
    const r = update('bgo');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/cannot be fast-forwarded to its upstream branch: look at it by hand$/);
    expect(snapshot(root)).toEqual(before);
    expect(update().exitCode).toBe(2);
    expect(update('../etc').exitCode).toBe(2);
  });
});
