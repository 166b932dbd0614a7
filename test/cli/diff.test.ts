// goldsmith diff on git fixtures: the exact text, markdown and JSON of realistic changes, the exit
// codes, and one clear line (exit 1, nothing on stdout, nothing left behind) for bad input.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffCommand } from '../../lib/cli/diff';
import { main } from '../../lib/cli/main';
import { DiffReportSchema } from '../../review';
import { captureIo, GitFixture, releaseYaml } from '../review/git-fixture';

let fixture: GitFixture;
let tmp: string;
let savedTmp: string | undefined;

beforeEach(() => {
  fixture = new GitFixture();
  // Every temporary directory of the command goes here: it must be empty again afterwards.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-diff-tmp-'));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
});

afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  fs.rmSync(tmp, { recursive: true, force: true });
  fixture.cleanup();
});

async function diff(...args: string[]) {
  const io = captureIo(fixture.dir);
  const status = () => (fs.existsSync(path.join(fixture.dir, '.git')) ? fixture.git('status', '--porcelain') : '');
  const before = status();
  const code = await diffCommand.run(args, io);
  expect(fs.readdirSync(tmp)).toEqual([]);
  expect(status()).toBe(before); // the index and the working tree untouched
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** A rotation, a retirement, a cron move and a script change in one working tree. */
function realisticChange(): void {
  fixture.edit('builds/bgo.yaml', '  debian_11:', `${releaseYaml('ubuntu_2404', '20261202')}  debian_11:`);
  const gold = fs.readFileSync(fixture.path('images/gold.yaml'), 'utf8');
  fixture.write('images/gold.yaml', gold.slice(0, gold.indexOf('  debian_11:')));
  fixture.edit('images/gold.yaml', 'minute: 40', 'minute: 10');
  fs.appendFileSync(fixture.path('provision/resolver.sh'), '# resolvers of the new data centre\n');
}

describe('goldsmith diff', () => {
  test('no change: exit 0, every environment in one line', async () => {
    fixture.commit();
    expect(await diff()).toEqual({ code: 0, stdout: ['no change: bgo, osl'], stderr: [] });
  });

  test('the bundled catalog synthesizes to the same bytes twice: no change', async () => {
    fs.rmSync(fixture.path(''), { recursive: true });
    fs.cpSync(path.join(__dirname, '..', '..', 'config'), fixture.path(''), { recursive: true });
    fixture.commit();
    const { code, stdout, stderr } = await diff();
    expect({ code, stderr }).toEqual({ code: 0, stderr: [] });
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(/^no change: bgo, osl, /);
  });

  test('a rotation, a retirement, a moved cron line and a changed script, as text', async () => {
    fixture.commit();
    realisticChange();
    expect(await diff('--base', 'HEAD')).toEqual({
      code: 2,
      stdout: [
        'bgo · retired: debian_11 (3 releases become Outdated, hidden)',
        'bgo · GOLD Ubuntu 24.04 LTS: new build 20261202 becomes GOLD; 20261104 becomes Outdated',
        'bgo · builder: cron removed: debian_11 (was mon 03:00)',
        'bgo · builder: cron moved: ubuntu_2404 wed 09:40 → wed 09:10',
        'bgo · builder: script changed: resolver.sh',
        'bgo · builder: runner config changed: ubuntu_2404 (fingerprint, output.keep_files, rebuild.slot.minute)',
        'bgo · builder: runner config removed: debian_11',
        'bgo · builder: check changed: ubuntu_2404.json (schedule.slot.minute)',
        'bgo · builder: check removed: debian_11.json',
        'osl · builder: cron removed: debian_11 (was mon 03:00)',
        'osl · builder: cron moved: ubuntu_2404 wed 09:40 → wed 09:10',
        'osl · builder: script changed: resolver.sh',
        'osl · builder: runner config changed: ubuntu_2404 (fingerprint, rebuild.slot.minute)',
        'osl · builder: runner config removed: debian_11',
        'osl · builder: check changed: ubuntu_2404.json (schedule.slot.minute)',
        'osl · builder: check removed: debian_11.json',
      ],
      stderr: [],
    });
  });

  test('the same change as markdown for a merge request comment', async () => {
    const commit = fixture.commit();
    realisticChange();
    const { code, stdout } = await diff('--format', 'markdown');
    expect(code).toBe(2);
    expect(stdout.join('\n')).toBe(
      [
        '## goldsmith diff',
        '',
        `Base \`HEAD\` (\`${commit.slice(0, 12)}\`), head: the working tree's \`config\`.`,
        '',
        '### bgo',
        '',
        '- retired: `debian_11` (3 releases become Outdated, hidden)',
        '- `GOLD Ubuntu 24.04 LTS`: new build `20261202` becomes GOLD; `20261104` becomes Outdated',
        '- builder: cron removed: `debian_11` (was `mon 03:00`)',
        '- builder: cron moved: `ubuntu_2404` `wed 09:40` → `wed 09:10`',
        '- builder: script changed: `resolver.sh`',
        '- builder: runner config changed: `ubuntu_2404` (`fingerprint`, `output.keep_files`, `rebuild.slot.minute`)',
        '- builder: runner config removed: `debian_11`',
        '- builder: check changed: `ubuntu_2404.json` (`schedule.slot.minute`)',
        '- builder: check removed: `debian_11.json`',
        '',
        '### osl',
        '',
        '- builder: cron removed: `debian_11` (was `mon 03:00`)',
        '- builder: cron moved: `ubuntu_2404` `wed 09:40` → `wed 09:10`',
        '- builder: script changed: `resolver.sh`',
        '- builder: runner config changed: `ubuntu_2404` (`fingerprint`, `rebuild.slot.minute`)',
        '- builder: runner config removed: `debian_11`',
        '- builder: check changed: `ubuntu_2404.json` (`schedule.slot.minute`)',
        '- builder: check removed: `debian_11.json`',
      ].join('\n'),
    );
  });

  test('a minimum updates in place (no warning); a region forces replacement: warnings first', async () => {
    fixture.commit();
    fixture.edit('images/gold.yaml', 'min_disk_gb: 8', 'min_disk_gb: 10');
    const inPlace = await diff();
    expect(inPlace.stdout.filter((l) => l.startsWith('warning:'))).toEqual([]);
    expect(inPlace.stdout).toContain('bgo · GOLD Ubuntu 24.04 LTS: 20261104, 20261021 updated: min_disk_gb 8 → 10');
    fixture.commit();
    fixture.edit('environments.yaml', 'region: osl', 'region: osl2');
    const replaced = await diff();
    expect(replaced.code).toBe(2);
    expect(replaced.stdout.slice(0, 1)).toEqual(['warning: osl · replaces Glance image "GOLD Ubuntu 24.04 LTS" (ubuntu_2404 20261104): region osl → osl2']);
  });

  test('a deleted release and a new GOLD name: what users boot by name changes', async () => {
    fixture.commit();
    fixture.edit('builds/bgo.yaml', releaseYaml('ubuntu_2404', '20261021'), '');
    fixture.edit('images/gold.yaml', '    display_name: Ubuntu 24.04 LTS\n', '    display_name: Ubuntu 24.04 LTS\n    gold_name: GOLD Ubuntu 24.04\n');
    expect(await diff('--format', 'text')).toEqual({
      code: 2,
      stdout: [
        'warning: bgo · deletes Glance image "Outdated (Ubuntu 24.04 LTS)" (ubuntu_2404 20261021)',
        'warning: bgo · renames what users boot by name: "GOLD Ubuntu 24.04 LTS" → "GOLD Ubuntu 24.04" (ubuntu_2404)',
        'warning: osl · renames what users boot by name: "GOLD Ubuntu 24.04 LTS" → "GOLD Ubuntu 24.04" (ubuntu_2404)',
        'bgo · GOLD Ubuntu 24.04: 20261104 renamed "GOLD Ubuntu 24.04 LTS" → "GOLD Ubuntu 24.04"',
        'bgo · deleted: ubuntu_2404 20261021',
        'bgo · builder: runner config changed: ubuntu_2404 (output.keep_files)',
        'osl · GOLD Ubuntu 24.04: 20261104 renamed "GOLD Ubuntu 24.04 LTS" → "GOLD Ubuntu 24.04"',
      ],
      stderr: [],
    });
  });

  test('json: the documented shape, exactly', async () => {
    const commit = fixture.commit();
    fixture.edit('builds/osl.yaml', '    releases:\n', `    releases:\n${releaseYaml('ubuntu_2404', '20261202')}`);
    const { code, stdout } = await diff('--format', 'json', '--config', 'config');
    expect(code).toBe(2);
    const report = JSON.parse(stdout.join('\n'));
    expect(DiffReportSchema.parse(report)).toEqual(report);
    const noBuilderChange = { cron: [], cron_settings: [], files: [] };
    const gold = { name: 'GOLD Ubuntu 24.04 LTS', role: 'gold', hidden: false };
    expect(report).toEqual({
      goldsmith_diff: 1,
      base: { ref: 'HEAD', commit },
      head: { config: 'config' },
      changed: true,
      warnings: [],
      environments: [
        { name: 'bgo', status: 'unchanged', images: [], builder: noBuilderChange, terraform: [] },
        {
          name: 'osl',
          status: 'changed',
          images: [
            {
              image: 'ubuntu_2404',
              label: 'GOLD Ubuntu 24.04 LTS',
              gold_before: '20261104',
              gold_after: '20261202',
              retired: false,
              no_gold: false,
              releases_after: 2,
              releases: [
                { build_id: '20261202', address: 'openstack_images_image_v2.ubuntu_2404_20261202', change: 'added', after: gold, attributes: [] },
                {
                  build_id: '20261104',
                  address: 'openstack_images_image_v2.ubuntu_2404_20261104',
                  change: 'updated',
                  before: gold,
                  after: { name: 'Outdated (Ubuntu 24.04 LTS)', role: 'outdated', hidden: true },
                  attributes: expect.arrayContaining([
                    { attribute: 'hidden', before: false, after: true, replaces: false },
                    { attribute: 'name', before: 'GOLD Ubuntu 24.04 LTS', after: 'Outdated (Ubuntu 24.04 LTS)', replaces: false },
                    { attribute: 'properties.depricated', after: '2026-12-02T00:00:00', replaces: false },
                  ]),
                },
              ],
              members: [],
            },
          ],
          builder: {
            cron: [],
            cron_settings: [],
            files: [
              { kind: 'runner_config', path: 'images/ubuntu_2404.json', name: 'ubuntu_2404', change: 'changed', keys: ['output.keep_files'] },
            ],
          },
          terraform: [],
        },
      ],
    });
  });
});

describe('goldsmith diff: bad input is one line, exit 1, nothing on stdout', () => {
  const oneError = async (args: string[], line: string | RegExp) => {
    const result = await diff(...args);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(line);
    expect(result.code).toBe(1);
  };

  test('a base ref that does not exist', async () => {
    fixture.commit();
    await oneError(['--base', 'origin/nope'], /^goldsmith diff: base ref `origin\/nope` does not exist$/);
  });

  test('a repository without commits', async () => {
    await oneError([], /^goldsmith diff: base ref `HEAD` does not exist$/);
  });

  test('a catalog that is not in a git repository', async () => {
    fs.rmSync(path.join(fixture.dir, '.git'), { recursive: true });
    await oneError([], /^goldsmith diff: config is not in a git repository$/);
  });

  test('a syntax error in the working tree', async () => {
    fixture.commit();
    fixture.write('defaults.yaml', 'image: [\n');
    await oneError([], /^goldsmith diff: the catalog is not valid: config\/defaults\.yaml:\d+:\d+: yaml syntax error: /);
  });

  test('a syntax error in the base', async () => {
    fixture.write('defaults.yaml', 'image: {keep_outdated: 2\n');
    fixture.commit('broken');
    fixture.write('defaults.yaml', 'image:\n  keep_outdated: 5\n');
    await oneError([], /^goldsmith diff: the base catalog is not valid: HEAD:config\/defaults\.yaml:\d+:\d+: yaml syntax error: /);
  });

  test('a catalog directory missing at the base', async () => {
    fs.writeFileSync(path.join(fixture.dir, 'README'), 'x\n');
    fixture.git('add', 'README');
    fixture.git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '--quiet', '-m', 'readme only');
    await oneError([], /^goldsmith diff: config does not exist at HEAD$/);
  });

  test('a bad command line', async () => {
    fixture.commit();
    await oneError(['--format', 'html'], /^goldsmith diff: --format must be one of text, markdown, json, not `html` \(see `goldsmith diff --help`\)$/);
    await oneError(['HEAD~1'], /^goldsmith diff: unexpected argument `HEAD~1`/);
    await oneError(['--base=--output=x'], /^goldsmith diff: base ref `--output=x` is not a ref$/);
  });
});

test('--help: usage, the base in CI, the exit codes', async () => {
  const io = captureIo(os.tmpdir());
  expect(await main(['diff', '--help'], io, [diffCommand])).toBe(0);
  expect(io.stdout[0]).toBe('usage: goldsmith diff [--base REF] [--config DIR] [--format text|markdown|json]');
  expect(io.stdout.join('\n')).toContain('$CI_MERGE_REQUEST_DIFF_BASE_SHA');
  expect(io.stdout.at(-2)).toBe('exit codes: 0 nothing changes, 2 something changes, 1 error (one line on stderr, nothing on stdout;');
});
