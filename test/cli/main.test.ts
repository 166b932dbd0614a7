// The dispatcher as a process: --version, and output to a reader that has gone away.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { main, versionLine } from '../../lib/cli/main';
import type { CliIo } from '../../lib/cli/command';

const ROOT = path.join(__dirname, '..', '..');
const REGISTER_TS = path.join(ROOT, 'test', 'runner', 'register-ts.js');
const ENTRY = path.join(ROOT, 'bin', 'goldsmith.ts');

function capture(): CliIo & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l), cwd: ROOT, env: {} };
}

describe('goldsmith --version', () => {
  test.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    const io = capture();
    expect(await main([flag], io)).toBe(0);
    expect(io.lines).toEqual({ out: [`goldsmith ${require('../../package.json').version}`], err: [] });
    expect(versionLine()).toBe(io.lines.out[0]);
  });

  test('--help names it', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.lines.out).toContain('options: -h, --help (this help), -V, --version (the version of goldsmith)');
  });
});

describe('a closed stdout (goldsmith --help | head -1)', () => {
  test('exits 0, no EPIPE crash, nothing on stderr', () => {
    // The reader (`true`) is gone before the first line is written.
    const direct = spawnSync('bash', ['-c', 'node -r "$1" "$2" --help | true; echo "${PIPESTATUS[0]}"', 'bash', REGISTER_TS, ENTRY], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(direct.stderr).toBe('');
    expect(direct.stdout.trim()).toBe('0');
  });
});

describe('the CLI on a builder', () => {
  test('loading the commands (goldsmith build) does not load cdktf or the construct layer', () => {
    const probe = [
      "require(process.argv[1]);",
      "const loaded = Object.keys(require.cache);",
      "console.log(JSON.stringify({ cdktf: loaded.some((f) => f.includes('/node_modules/cdktf/')), constructs: loaded.some((f) => f.includes('/lib/constructs/')) }));",
    ].join('\n');
    const r = spawnSync('node', ['-r', REGISTER_TS, '-e', probe, path.join(ROOT, 'lib', 'cli', 'main.ts')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ cdktf: false, constructs: false });
  });
});
