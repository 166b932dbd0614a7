// The site env file (lib/runner/site-env.ts): format, file checks, missing variables, and that no
// value ever reaches an error message or a printed SiteValues.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';
import { MAX_SITE_ENV_BYTES, readSiteEnv, SiteEnvError, type RunnerSiteEnv } from '../../lib/runner/site-env';
import { SiteValues } from '../../lib/runner/site-values';

/** A marker in every value: no message may contain it. */
const SECRET = 'hunter2-s3cr3t';
const UID = process.geteuid?.() ?? 0;

let dir: string;
let envDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-site-env-'));
  envDir = path.join(dir, 'env');
  fs.mkdirSync(envDir, { mode: 0o750 });
  fs.chmodSync(envDir, 0o750);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function siteEnv(variables: RunnerSiteEnv['variables'], file = path.join(envDir, 'nv_vgpu.env')): RunnerSiteEnv {
  return { file, variables };
}

const NV: RunnerSiteEnv['variables'] = [
  { name: 'NVIDIA_GRID_DRIVER_URL', required: true, secret: true },
  { name: 'NVIDIA_GRID_DRIVER_SHA256', required: true, secret: false },
  { name: 'OPTIONAL_THING', required: false, secret: true },
];

function write(text: string | Buffer, mode = 0o640, name = 'nv_vgpu.env'): string {
  const f = path.join(envDir, name);
  fs.writeFileSync(f, text, { mode });
  fs.chmodSync(f, mode);
  return f;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SiteEnvError);
    const m = (e as Error).message;
    expect(m).not.toContain(SECRET);
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected a SiteEnvError');
}

describe('format', () => {
  test('NAME=value lines; comments and blank lines ignored; values taken literally', () => {
    const f = write(
      [
        '# vGPU driver (site settings of template nv_vgpu)',
        '',
        '   # an indented comment',
        '\t',
        `NVIDIA_GRID_DRIVER_URL=https://drivers.example/grid.run?token=${SECRET}&x="1" $HOME \\n #not-a-comment`,
        `NVIDIA_GRID_DRIVER_SHA256=${'a'.repeat(64)}`,
        'OPTIONAL_THING=',
      ].join('\n'),
    );
    const r = readSiteEnv(siteEnv(NV), 'nv_vgpu');
    expect(r.values.names).toEqual(['NVIDIA_GRID_DRIVER_URL', 'NVIDIA_GRID_DRIVER_SHA256']);
    expect(r.values.env('GOLDSMITH_SITE_')).toEqual({
      GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_URL: `https://drivers.example/grid.run?token=${SECRET}&x="1" $HOME \\n #not-a-comment`,
      GOLDSMITH_SITE_NVIDIA_GRID_DRIVER_SHA256: 'a'.repeat(64),
    });
    expect(r.notes).toEqual([`site settings from ${f}: NVIDIA_GRID_DRIVER_URL, NVIDIA_GRID_DRIVER_SHA256 (not set: OPTIONAL_THING)`]);
    for (const n of r.notes) expect(n).not.toContain(SECRET);
  });

  test('a name the template does not declare: a note, ignored', () => {
    const f = write(`NVIDIA_GRID_DRIVER_URL=${SECRET}\nNVIDIA_GRID_DRIVER_SHA256=x\nNVIDIA_GRID_DRIVER_UR=typo-${SECRET}\n`);
    const r = readSiteEnv(siteEnv(NV), 'nv_vgpu');
    expect(r.notes[0]).toBe(`site env file ${f}: line 3: NVIDIA_GRID_DRIVER_UR is not a variable of template nv_vgpu: ignored`);
    expect(r.values.has('NVIDIA_GRID_DRIVER_UR')).toBe(false);
  });

  test.each([
    [`export NVIDIA_GRID_DRIVER_URL=${SECRET}`, 'line 1 is not NAME=value'],
    [` NVIDIA_GRID_DRIVER_URL=${SECRET}`, 'line 1 is not NAME=value'],
    [`NVIDIA_GRID_DRIVER_URL = ${SECRET}`, 'line 1 is not NAME=value'],
    [`nvidia_grid_driver_url=${SECRET}`, 'line 1 is not NAME=value'],
    [SECRET, 'line 1 is not NAME=value'],
    [`NVIDIA_GRID_DRIVER_URL="${SECRET}"`, 'line 1: the value of NVIDIA_GRID_DRIVER_URL is in quotes: quotes are not removed, write the value without them'],
    [`NVIDIA_GRID_DRIVER_URL='${SECRET}'`, 'line 1: the value of NVIDIA_GRID_DRIVER_URL is in quotes'],
    [`NVIDIA_GRID_DRIVER_URL=${SECRET} `, 'line 1: the value of NVIDIA_GRID_DRIVER_URL starts or ends with white space'],
    [`NVIDIA_GRID_DRIVER_URL=a\t${SECRET}`, 'line 1: the value of NVIDIA_GRID_DRIVER_URL contains a control character'],
    [`NVIDIA_GRID_DRIVER_URL={{env \`OS_PASSWORD\`}}${SECRET}`, 'line 1: the value of NVIDIA_GRID_DRIVER_URL contains {{ or }} (packer would evaluate it)'],
    [`NVIDIA_GRID_DRIVER_URL=${SECRET}\r`, 'line 1 has a carriage return: use Unix line ends'],
    [`NVIDIA_GRID_DRIVER_URL=${SECRET}\n#\nNVIDIA_GRID_DRIVER_URL=${SECRET}2`, 'line 3: NVIDIA_GRID_DRIVER_URL is given twice (also line 1)'],
  ])('refuses %j with one line that names the line, never the value', (text, message) => {
    write(`${text}\nNVIDIA_GRID_DRIVER_SHA256=x\n`);
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toContain(message);
  });

  test('not UTF-8, and too large: refused', () => {
    write(Buffer.concat([Buffer.from(`NVIDIA_GRID_DRIVER_URL=${SECRET}`), Buffer.from([0xff, 0xfe, 0x0a])]));
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toMatch(/ is not valid UTF-8$/);
    write(`# ${'x'.repeat(MAX_SITE_ENV_BYTES)}\n`);
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toMatch(/ is larger than 64 KiB$/);
  });
});

describe('missing variables', () => {
  test('one line naming each missing required variable (an empty value is missing); no value in it', () => {
    const f = write(`OPTIONAL_THING=${SECRET}\nNVIDIA_GRID_DRIVER_SHA256=\n`);
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toBe(
      `site env file ${f}: missing required variables NVIDIA_GRID_DRIVER_URL, NVIDIA_GRID_DRIVER_SHA256 of template nv_vgpu`,
    );
    write(`OPTIONAL_THING=${SECRET}\nNVIDIA_GRID_DRIVER_SHA256=x\n`);
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toBe(`site env file ${f}: missing required variable NVIDIA_GRID_DRIVER_URL of template nv_vgpu`);
  });

  test('no file: required variables named; only optional ones: a note', () => {
    const f = path.join(envDir, 'nv_vgpu.env');
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toBe(
      `site env file ${f} does not exist: template nv_vgpu needs NVIDIA_GRID_DRIVER_URL, NVIDIA_GRID_DRIVER_SHA256`,
    );
    const optional = readSiteEnv(siteEnv([{ name: 'PUPPET_AGENT_PACKAGE', required: false, secret: false }]), 'uib_puppet');
    expect(optional.values.names).toEqual([]);
    expect(optional.notes).toEqual([`no site env file ${f}: the optional variables PUPPET_AGENT_PACKAGE are not set`]);
    // the same when the directory is missing
    expect(errorOf(() => readSiteEnv(siteEnv(NV, path.join(dir, 'nope', 'x.env')), 'nv_vgpu'))).toMatch(/ does not exist: /);
  });
});

describe('the file must be private', () => {
  const GOOD = `NVIDIA_GRID_DRIVER_URL=${SECRET}\nNVIDIA_GRID_DRIVER_SHA256=x\n`;

  test('0640 and 0600 are read', () => {
    write(GOOD, 0o640);
    expect(readSiteEnv(siteEnv(NV), 'nv_vgpu').values.names).toHaveLength(2);
    write(GOOD, 0o600);
    expect(readSiteEnv(siteEnv(NV), 'nv_vgpu').values.names).toHaveLength(2);
  });

  test.each([
    ['0644', 'is world-readable (mode 0644): make it 0640'],
    ['0604', 'is world-readable (mode 0604): make it 0640'],
    ['0660', 'is group- or world-writable (mode 0660): make it 0640'],
    ['0642', 'is group- or world-writable (mode 0642): make it 0640'],
    ['0666', 'is group- or world-writable (mode 0666): make it 0640'],
  ])('mode %s is refused', (mode, message) => {
    const f = write(GOOD, parseInt(mode, 8));
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toBe(`site env file ${f} ${message}`);
  });

  test('a symlink is refused, even to a private file', () => {
    const real = write(GOOD, 0o600, 'real.env');
    const link = path.join(envDir, 'nv_vgpu.env');
    fs.symlinkSync(real, link);
    expect(errorOf(() => readSiteEnv(siteEnv(NV, link), 'nv_vgpu'))).toBe(`site env file ${link} is a symbolic link: it must be a regular file`);
  });

  test('a FIFO and a directory are refused (a FIFO does not block the build)', () => {
    const fifo = path.join(envDir, 'nv_vgpu.env');
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    expect(errorOf(() => readSiteEnv(siteEnv(NV, fifo), 'nv_vgpu'))).toBe(`site env file ${fifo} is not a regular file`);
    fs.rmSync(fifo);
    fs.mkdirSync(fifo, { mode: 0o700 });
    expect(errorOf(() => readSiteEnv(siteEnv(NV, fifo), 'nv_vgpu'))).toBe(`site env file ${fifo} is not a regular file`);
  });

  test('a file owned by another user is refused', () => {
    const f = write(GOOD, 0o640);
    if (UID === 0) {
      fs.chownSync(f, 12345, 0);
      expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu', 0))).toBe(`site env file ${f} is owned by uid 12345: it must be owned by root (or the runner's own user)`);
    } else {
      expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu', UID + 1))).toBe(`site env file ${f} is owned by uid ${UID}: it must be owned by root (or the runner's own user)`);
    }
  });

  test('a group- or world-writable directory is refused', () => {
    write(GOOD, 0o640);
    fs.chmodSync(envDir, 0o770);
    expect(errorOf(() => readSiteEnv(siteEnv(NV), 'nv_vgpu'))).toBe(
      `site env file ${path.join(envDir, 'nv_vgpu.env')}: its directory is group- or world-writable (mode 0770): make it 0755 or 0750, owned by root`,
    );
  });
});

describe('SiteValues never prints a value', () => {
  const values = new SiteValues(
    new Map([
      ['NVIDIA_GRID_DRIVER_URL', `https://x/${SECRET}`],
      ['RHSM_ACTIVATION_KEY', SECRET],
      ['PUPPET_SERVER', 'puppet.uib.no'],
    ]),
    ['NVIDIA_GRID_DRIVER_URL', 'RHSM_ACTIVATION_KEY'],
  );

  test('JSON, String, inspect and template strings show names only', () => {
    for (const text of [JSON.stringify({ values }), String(values), `${values}`, inspect(values), inspect({ deep: { values } })]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('puppet.uib.no');
      expect(text).toContain('RHSM_ACTIVATION_KEY');
    }
  });

  test('redact replaces the secret values (the longest first), not the others', () => {
    expect(values.redact(`curl https://x/${SECRET} and ${SECRET} for puppet.uib.no`)).toBe('curl <sensitive> and <sensitive> for puppet.uib.no');
    expect(new SiteValues(new Map([['A', '']]), ['A']).redact('abc')).toBe('abc');
  });
});
