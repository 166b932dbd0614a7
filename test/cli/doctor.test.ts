// goldsmith doctor through the dispatcher: listed, documented, and a host that is not ready exits 1
// with one line per problem on stderr (the checks themselves: test/runner/doctor.test.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import type { CliIo } from '../../lib/cli/command';

function capture(cwd: string): CliIo & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l), cwd, env: { PATH: '/nonexistent' } };
}

test('goldsmith --help lists doctor; doctor --help documents it', async () => {
  const io = capture(os.tmpdir());
  expect(await main(['--help'], io)).toBe(0);
  expect(io.lines.out.some((l) => /^ {2}doctor +check that this builder host can run the bundle’s builds$/.test(l))).toBe(true);
  const help = capture(os.tmpdir());
  expect(await main(['doctor', '--help'], help)).toBe(0);
  expect(help.lines.out[0]).toBe('usage: goldsmith doctor [--bundle DIR] [--user NAME]');
});

test('no packer, no qemu-img, no bundle: exit 1, one line each on stderr', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-doctor-cli-'));
  try {
    const io = capture(dir);
    expect(await main(['doctor', '--bundle', 'bundle', '--user', 'nobody-here'], io)).toBe(1);
    expect(io.lines.err).toEqual([
      ...(Number(process.versions.node.split('.')[0]) < 22
        ? [`goldsmith doctor: node ${process.versions.node} is too old: goldsmith needs Node.js 22 or newer (AlmaLinux 8/9: \`dnf module install nodejs:22\`)`]
        : []),
      'goldsmith doctor: packer: cannot run `packer version` (not found): install packer',
      'goldsmith doctor: qemu-img: cannot run `qemu-img --version` (not found): install qemu-img (qemu-utils / qemu-img)',
      'goldsmith doctor: user nobody-here does not exist: create it (the cron lines run as nobody-here)',
      expect.stringMatching(new RegExp(`^goldsmith doctor: bundle ${path.join(dir, 'bundle')}: no images/ directory \\(ENOENT`)),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
