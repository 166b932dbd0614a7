import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../lib/cli/main';

const FIXTURES = path.join(__dirname, '../fixtures/catalogs');
const REPO = path.join(__dirname, '../..');
const COMPILED = path.join(REPO, 'dist/bin/goldsmith.js');

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(argv: string[], cwd = FIXTURES, env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd, env };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('goldsmith validate', () => {
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-cli-')));
    fs.cpSync(path.join(FIXTURES, 'valid'), path.join(root, 'config'), { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('16: a schedule collision is one line naming both files and keys, reported alongside schema errors', async () => {
    const gold = path.join(root, 'config', 'images', 'gold.yaml');
    fs.writeFileSync(
      gold,
      fs
        .readFileSync(gold, 'utf8')
        .replace('      weekday: 0\n      enabled: false', '      weekday: 3\n      hour: 9\n      minute: 50')
        .replace('      week_of_month: 2\n', ''),
    );
    const vgpu = path.join(root, 'config', 'images', 'vgpu.yaml');
    fs.writeFileSync(vgpu, fs.readFileSync(vgpu, 'utf8').replace(/min_ram_mb: \d+/, 'min_ram_mb: 1'));
    expect(await run(['validate'], root)).toEqual({
      code: 1,
      out: [],
      err: [
        'config/images/vgpu.yaml:10:5: images.rocky_9.min_ram_mb: must be between 64 and 1048576',
        'config/images/gold.yaml:17:5: images.ubuntu_2404.schedule: builds at wed 09:40 on builders bgo, osl, within 30 minutes of image ' +
          '`debian_12` at wed 09:50 (config/images/gold.yaml:39:5: images.debian_12.schedule)',
      ],
    });
  });

  test('15: a typo in an image key retires it: a notice per retired image and per image without releases, exit 0', async () => {
    const gold = path.join(root, 'config', 'images', 'gold.yaml');
    fs.writeFileSync(gold, fs.readFileSync(gold, 'utf8').replace('  ubuntu_2404:', '  ubuntu2404:'));
    const envs = path.join(root, 'config', 'environments.yaml');
    fs.writeFileSync(envs, fs.readFileSync(envs, 'utf8').replace('images: [debian_12, ubuntu_2404]', 'images: [debian_12]'));
    const defaults = path.join(root, 'config', 'defaults.yaml');
    fs.writeFileSync(defaults, fs.readFileSync(defaults, 'utf8').replace('keep_outdated: 3', 'keep_outdated: 1'));
    expect(await run(['validate'], root)).toEqual({
      code: 0,
      out: ['ok: 3 images, 2 environments, 3 templates (config)'],
      err: [
        'notice: config/builds/bgo.yaml: images.centos_7: image `centos_7` is retired in bgo: its 1 release becomes outdated and hidden',
        'notice: config/builds/bgo.yaml: images.ubuntu_2404: image `ubuntu_2404` is retired in bgo: its 3 releases become outdated and hidden ' +
          '(`goldsmith promote` proposes removing those beyond keep_outdated)',
        'notice: config/images/gold.yaml: images.debian_12: image `debian_12` has no release in bgo, osl: nothing is published there until one is promoted',
        'notice: config/images/gold.yaml: images.ubuntu2404: image `ubuntu2404` has no release in bgo: nothing is published there until one is promoted',
      ],
    });
  });

  test('a candidate older than the GOLD release: one line naming the releases, exit 1', async () => {
    const builds = path.join(root, 'config', 'builds', 'bgo.yaml');
    fs.writeFileSync(builds, fs.readFileSync(builds, 'utf8').replace('        size_bytes: 612368384\n', '        size_bytes: 612368384\n        state: candidate\n'));
    expect(await run(['validate'], root)).toEqual({
      code: 1,
      out: [],
      err: ['config/builds/bgo.yaml:3:5: images.ubuntu_2404.releases: candidate 20261021 is older than the gold release 20261104.2'],
    });
  });

  test('14: validate writes nothing: not into a read-only catalog, the temp dir or the current directory', () => {
    const cfg = path.join(root, 'config');
    const cwd = path.join(root, 'cwd');
    fs.mkdirSync(cwd);
    const listing = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
    // A process of its own with a temp dir of its own: other test files use the shared one meanwhile.
    const tmp = path.join(root, 'tmp');
    fs.mkdirSync(tmp);
    const before = { cfg: listing(cfg), cwd: listing(cwd), tmp: listing(tmp) };
    fs.chmodSync(cfg, 0o555);
    for (const f of listing(cfg)) fs.chmodSync(path.join(cfg, f), fs.statSync(path.join(cfg, f)).isDirectory() ? 0o555 : 0o444);
    try {
      const out = execFileSync(
        process.execPath,
        ['-r', path.resolve(__dirname, '../runner/register-ts.js'), path.resolve(__dirname, '../../bin/goldsmith.ts'), 'validate', '--config', cfg],
        { cwd, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 },
      );
      expect(out).toBe(`ok: 3 images, 2 environments, 3 templates (${cfg})\n`);
      expect({ cfg: listing(cfg), cwd: listing(cwd), tmp: listing(tmp) }).toEqual(before);
    } finally {
      fs.chmodSync(cfg, 0o755);
      for (const f of listing(cfg)) fs.chmodSync(path.join(cfg, f), fs.statSync(path.join(cfg, f)).isDirectory() ? 0o755 : 0o644);
    }
  });

  test('ok: summary on stdout, notices on stderr, exit 0 (default config dir)', async () => {
    expect(await run(['validate'], root)).toEqual({
      code: 0,
      out: ['ok: 3 images, 2 environments, 3 templates (config)'],
      err: [
        'notice: config/builds/bgo.yaml: images.centos_7: image `centos_7` is retired in bgo: its 1 release becomes outdated and hidden',
        'notice: config/images/gold.yaml: images.debian_12: image `debian_12` has no release in bgo, osl: nothing is published there until one is promoted',
        'notice: config/images/gold.yaml: images.ubuntu_2404: image `ubuntu_2404` has no release in osl: nothing is published there until one is promoted',
      ],
    });
  });

  test('--config DIR and --config=DIR', async () => {
    const expected = {
      code: 0,
      out: ['ok: 3 images, 2 environments, 3 templates (valid)'],
      err: [
        'notice: valid/builds/bgo.yaml: images.centos_7: image `centos_7` is retired in bgo: its 1 release becomes outdated and hidden',
        'notice: valid/images/gold.yaml: images.debian_12: image `debian_12` has no release in bgo, osl: nothing is published there until one is promoted',
        'notice: valid/images/gold.yaml: images.ubuntu_2404: image `ubuntu_2404` has no release in osl: nothing is published there until one is promoted',
      ],
    };
    expect(await run(['validate', '--config', 'valid'])).toEqual(expected);
    expect(await run(['validate', '--config=valid'])).toEqual(expected);
  });

  test('bad catalog: one line per problem on stderr, exit 1', async () => {
    const gold = path.join(root, 'config/images/gold.yaml');
    fs.writeFileSync(
      gold,
      fs.readFileSync(gold, 'utf8').replace('min_ram_mb: 768', 'min_ram_mb: 32').replace('ssh_user: debian', 'ssh_usr: debian'),
    );
    expect(await run(['validate'], root)).toEqual({
      code: 1,
      out: [],
      err: [
        'config/images/gold.yaml:11:5: images.ubuntu_2404.min_ram_mb: must be between 64 and 1048576',
        'config/images/gold.yaml:23:3: images.debian_12.ssh_user: missing required key',
        'config/images/gold.yaml:33:5: images.debian_12.ssh_usr: unknown key `ssh_usr` (did you mean `ssh_user`?)',
      ],
    });
  });

  test('what the constructs would reject is located like the loader\'s problems: file, line, column, key', async () => {
    const templates = path.join(root, 'config', 'templates.yaml');
    fs.writeFileSync(templates, fs.readFileSync(templates, 'utf8').replace('custom_scripts: [resolver.sh]', 'custom_scripts: [resolver.sh, upgrade.sh]'));
    const envs = path.join(root, 'config', 'environments.yaml');
    fs.writeFileSync(envs, fs.readFileSync(envs, 'utf8').replace('10.1.250.0/24', '10.1.250.1/24'));
    expect(await run(['validate'], root)).toEqual({
      code: 1,
      out: [],
      err: [
        'config/environments.yaml:9:26: environments.osl.builder.ssh_source_cidrs[0]: has host bits set: use the network address `10.1.250.0/24`, got `10.1.250.1/24`',
      ],
    });
    fs.writeFileSync(envs, fs.readFileSync(envs, 'utf8').replace('10.1.250.1/24', '10.1.250.0/24'));
    expect(await run(['validate'], root)).toEqual({
      code: 1,
      out: [],
      err: ['config/templates.yaml:3:5: templates.default.custom_scripts: upgrade.sh is part of the standard sequence; list only custom scripts'],
    });
  });

  test('missing config dir: exit 1', async () => {
    expect(await run(['validate', '--config', 'nope'], root)).toEqual({
      code: 1,
      out: [],
      err: ['nope: config directory does not exist'],
    });
  });

  test('unexpected argument and unknown option: exit 2 with a usage hint', async () => {
    expect(await run(['validate', 'extra'], root)).toEqual({
      code: 2,
      out: [],
      err: ['goldsmith validate: unexpected argument `extra` (see `goldsmith validate --help`)'],
    });
    expect(await run(['validate', '--conf', 'x'], root)).toEqual({
      code: 2,
      out: [],
      err: ['goldsmith validate: unknown option `--conf` (see `goldsmith validate --help`)'],
    });
    expect((await run(['validate', '--config'], root)).err).toEqual([
      'goldsmith validate: option `--config` needs a value (see `goldsmith validate --help`)',
    ]);
  });
});

describe('goldsmith dispatcher', () => {
  test('unknown command: exit 2', async () => {
    expect(await run(['frobnicate'])).toEqual({
      code: 2,
      out: [],
      err: ['goldsmith: unknown command `frobnicate` (see `goldsmith --help`)'],
    });
  });

  test('unknown global flag: exit 2', async () => {
    expect(await run(['--verbose'])).toEqual({
      code: 2,
      out: [],
      err: ['goldsmith: unknown option `--verbose` (see `goldsmith --help`)'],
    });
  });

  test('--help, -h and help print the usage, exit 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.err).toEqual([]);
    expect(help.out[0]).toBe('usage: goldsmith <command> [options]');
    expect(help.out.join('\n')).toMatch(/^ {2}validate {2}/m);
    expect(await run(['-h'])).toEqual(help);
    expect(await run(['help'])).toEqual(help);
  });

  test('help for a command', async () => {
    const r = await run(['help', 'validate']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('usage: goldsmith validate [--config DIR]');
    expect(await run(['validate', '--help'])).toEqual(r);
    expect((await run(['help', 'nope'])).code).toBe(2);
  });

  test('no command: usage on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toBe('usage: goldsmith <command> [options]');
  });

  test('unexpected errors: `goldsmith: <message>`, exit 1, stack only with GOLDSMITH_DEBUG=1', async () => {
    const boom = {
      name: 'boom',
      summary: 'fails',
      help: 'usage: goldsmith boom',
      run: () => {
        throw new Error('kaputt\nsecond line');
      },
    };
    const errs: string[] = [];
    const io = (env: Record<string, string>): CliIo => ({ out: () => undefined, err: (l) => errs.push(l), cwd: FIXTURES, env });
    expect(await main(['boom'], io({}), [boom])).toBe(1);
    expect(errs).toEqual(['goldsmith: kaputt']);
    errs.length = 0;
    expect(await main(['boom'], io({ GOLDSMITH_DEBUG: '1' }), [boom])).toBe(1);
    expect(errs[0]).toBe('goldsmith: kaputt');
    expect(errs.some((l) => /^\s+at /.test(l))).toBe(true);
  });
});

const describeCompiled = fs.existsSync(COMPILED) ? describe : describe.skip;
describeCompiled('compiled dist/bin/goldsmith.js', () => {
  function spawn(args: string[]): { code: number; stdout: string; stderr: string } {
    try {
      const stdout = execFileSync(process.execPath, [COMPILED, ...args], {
        cwd: FIXTURES,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      });
      return { code: 0, stdout, stderr: '' };
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      return { code: x.status, stdout: x.stdout, stderr: x.stderr };
    }
  }

  test('has a node shebang', () => {
    expect(fs.readFileSync(COMPILED, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('validate ok / missing dir / unknown command', () => {
    expect(spawn(['validate', '--config', 'valid'])).toEqual({
      code: 0,
      stdout: 'ok: 3 images, 2 environments, 3 templates (valid)\n',
      stderr: '',
    });
    expect(spawn(['validate', '--config', 'nope'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'nope: config directory does not exist\n',
    });
    expect(spawn(['frobnicate']).code).toBe(2);
  });
});
