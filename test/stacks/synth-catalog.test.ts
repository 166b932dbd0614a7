// synthCatalog (all-or-nothing output) and the cdktf app entry point.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { synthCatalog } from '../../synth/synth';
import { main } from '../../bin/app';
import { makeCatalog, makeEnvironment } from '../fixtures/model';

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-synth-'));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function readStack(outdir: string, env: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', env, 'cdk.tf.json'), 'utf8'));
}

describe('synthCatalog', () => {
  test('writes manifest.json and stacks/<env>/cdk.tf.json per environment, nothing else beside it', () => {
    const outdir = path.join(work, 'cdktf.out');
    const result = synthCatalog(makeCatalog(), outdir, { stateBaseDir: work });
    expect(result).toEqual({ outdir, stacks: ['bgo', 'osl'] });
    expect(fs.readdirSync(work)).toEqual(['cdktf.out']);
    expect(fs.readdirSync(outdir).sort()).toEqual(['manifest.json', 'stacks']);
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o755);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toEqual(['bgo', 'osl']);
    expect(manifest.stacks.bgo.synthesizedStackPath).toBe('stacks/bgo/cdk.tf.json');
    const bgo = readStack(outdir, 'bgo');
    expect(bgo.terraform.backend).toEqual({ local: { path: '../../../terraform.bgo.tfstate' } });
    expect(Object.keys(bgo.resource.openstack_images_image_v2)).toEqual([
      'almalinux9_vgpu_20261029', 'almalinux9_vgpu_20261105', 'debian11_20260725', 'debian11_20260801',
      'ubuntu_2404_20261021', 'ubuntu_2404_20261028', 'ubuntu_2404_20261104', 'winsrv_2025_20261014',
    ]);
    expect(JSON.stringify(bgo)).not.toContain('staging');
    expect(readStack(outdir, 'osl').terraform.backend).toHaveProperty('s3');
  });

  test('is deterministic', () => {
    synthCatalog(makeCatalog(), path.join(work, 'a'));
    synthCatalog(makeCatalog(), path.join(work, 'b'));
    expect(fs.readFileSync(path.join(work, 'a/stacks/bgo/cdk.tf.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(work, 'b/stacks/bgo/cdk.tf.json'), 'utf8'),
    );
  });

  test('replaces a previous output completely (a removed environment leaves no stale stack)', () => {
    const outdir = path.join(work, 'cdktf.out');
    synthCatalog(makeCatalog(), outdir);
    fs.writeFileSync(path.join(outdir, 'stale'), 'x');
    synthCatalog(makeCatalog({ environments: [makeEnvironment()] }), outdir);
    expect(fs.readdirSync(path.join(outdir, 'stacks'))).toEqual(['bgo']);
    expect(fs.existsSync(path.join(outdir, 'stale'))).toBe(false);
    expect(fs.readdirSync(work)).toEqual(['cdktf.out']);
  });

  test('keeps terraform init caches of stacks that still exist', () => {
    const outdir = path.join(work, 'cdktf.out');
    synthCatalog(makeCatalog(), outdir);
    fs.mkdirSync(path.join(outdir, 'stacks/bgo/.terraform/providers'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'stacks/bgo/.terraform.lock.hcl'), 'lock');
    fs.mkdirSync(path.join(outdir, 'stacks/osl/.terraform'));
    synthCatalog(makeCatalog({ environments: [makeEnvironment()] }), outdir);
    expect(fs.existsSync(path.join(outdir, 'stacks/bgo/.terraform/providers'))).toBe(true);
    expect(fs.readFileSync(path.join(outdir, 'stacks/bgo/.terraform.lock.hcl'), 'utf8')).toBe('lock');
    expect(fs.readdirSync(path.join(outdir, 'stacks'))).toEqual(['bgo']);
  });

  test('a failure leaves the previous output untouched and no staging directory', () => {
    const outdir = path.join(work, 'cdktf.out');
    synthCatalog(makeCatalog(), outdir);
    const before = fs.readFileSync(path.join(outdir, 'stacks/bgo/cdk.tf.json'), 'utf8');
    const broken = makeCatalog({ environments: [makeEnvironment({ images: ['nope'] })] });
    expect(() => synthCatalog(broken, outdir)).toThrow('carries image nope');
    expect(fs.readFileSync(path.join(outdir, 'stacks/bgo/cdk.tf.json'), 'utf8')).toBe(before);
    expect(fs.readdirSync(outdir).sort()).toEqual(['manifest.json', 'stacks']);
    expect(fs.readdirSync(work)).toEqual(['cdktf.out']);
  });

  test('cdktf keeps no token stack traces during synth; real errors keep theirs, and the hook is undone', () => {
    const before = Error.prepareStackTrace;
    const broken = makeCatalog({ environments: [makeEnvironment({ images: ['nope'] })] });
    let error: unknown;
    try {
      synthCatalog(broken, path.join(work, 'out'));
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('environment bgo: carries image nope, which the catalog does not define');
    expect((error as Error).stack).toMatch(/^Error: environment bgo: carries image nope[^\n]*\n {4}at /);
    expect(Error.prepareStackTrace).toBe(before);
  });

  test('during synth cdktf captures no token stacks (plain objects); errors still capture theirs; the capture is restored', () => {
    const capture = jest.spyOn(Error, 'captureStackTrace');
    try {
      const spied = Error.captureStackTrace;
      synthCatalog(makeCatalog(), path.join(work, 'out'));
      // Without the hook, cdktf captures one stack per token into `{ stack: '' }`.
      expect(capture.mock.calls.filter(([target]) => !(target instanceof Error))).toEqual([]);
      expect(Error.captureStackTrace).toBe(spied);
      const error = new Error('after synth');
      Error.captureStackTrace(error);
      expect(error.stack).toMatch(/^Error: after synth\n {4}at /);
    } finally {
      capture.mockRestore();
    }
  });

  test('a failure on the first synth creates no output at all', () => {
    const outdir = path.join(work, 'nested', 'cdktf.out');
    const broken = makeCatalog({ environments: [makeEnvironment({ images: ['nope'] })] });
    expect(() => synthCatalog(broken, outdir)).toThrow();
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(path.join(work, 'nested'))).toEqual([]);
  });
});

describe('synth as a process', () => {
  test('synth of the bundled catalog prints nothing, not even a deprecation warning (Node 22 flags util.isArray)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-synth-proc-'));
    try {
      const repo = path.resolve(__dirname, '../..');
      const r = spawnSync(
        process.execPath,
        ['-r', path.join(repo, 'test/runner/register-ts.js'), path.join(repo, 'bin/app.ts')],
        { cwd: repo, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: path.join(out, 'cdktf.out'), CHECKPOINT_DISABLE: '1' } },
      );
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(fs.readdirSync(path.join(out, 'cdktf.out', 'stacks')).sort()).toEqual(['bgo', 'osl', 'test01', 'test02']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('bin/app main', () => {
  function stderrSink() {
    const lines: string[] = [];
    return { lines, stream: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream };
  }

  test('catalog problems: printed to stderr, exit 1, no output directory', () => {
    const config = path.join(work, 'config');
    fs.mkdirSync(config);
    fs.writeFileSync(path.join(config, 'environments.yaml'), 'environments: [this is: not valid\n');
    const outdir = path.join(work, 'cdktf.out');
    const { lines, stream } = stderrSink();
    expect(main({ GOLDSMITH_CONFIG: config, CDKTF_OUTDIR: outdir }, stream)).toBe(1);
    expect(lines).toEqual([
      `${config}/environments.yaml:2:1: yaml syntax error: flow sequence in block collection must be sufficiently indented and end with a ]\n`,
      `${config}/images: missing: at least one images/*.yaml file is required\n`,
      `${config}/templates.yaml: missing required file\n`,
    ]);
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(work)).toEqual(['config']);
  });

  test('an unreadable catalog directory: one line, no stack trace, no output', () => {
    // A symlink loop gives ELOOP to every read, even as root (permissions do not stop root).
    const config = path.join(work, 'config');
    fs.symlinkSync(config, config);
    const outdir = path.join(work, 'cdktf.out');
    const { lines, stream } = stderrSink();
    expect(main({ GOLDSMITH_CONFIG: config, CDKTF_OUTDIR: outdir }, stream)).toBe(1);
    expect(lines).toEqual([`${config}: cannot read: too many symbolic links (ELOOP)\n`]);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('an unreadable catalog sub-directory: one line, no stack trace, no output', () => {
    const config = path.join(work, 'config');
    fs.cpSync(path.resolve(__dirname, '../fixtures/catalogs/valid'), config, { recursive: true });
    fs.rmSync(path.join(config, 'images'), { recursive: true });
    fs.symlinkSync(path.join(config, 'images'), path.join(config, 'images'));
    const outdir = path.join(work, 'cdktf.out');
    const { lines, stream } = stderrSink();
    expect(main({ GOLDSMITH_CONFIG: config, CDKTF_OUTDIR: outdir }, stream)).toBe(1);
    expect(lines).toEqual([`${config}/images: is a symbolic link: only regular directories are read\n`]);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('the repository catalog synthesizes into CDKTF_OUTDIR', () => {
    const outdir = path.join(work, 'out');
    const { lines, stream } = stderrSink();
    const code = main({ GOLDSMITH_CONFIG: path.resolve(__dirname, '../../config'), CDKTF_OUTDIR: outdir }, stream);
    expect(lines).toEqual([]);
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'manifest.json'))).toBe(true);
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['bgo', 'osl', 'test01', 'test02']);
    for (const env of ['bgo', 'osl', 'test01', 'test02']) {
      expect(fs.readdirSync(path.join(outdir, 'stacks', env)).sort()).toEqual(['builder', 'cdk.tf.json']);
    }
  });
});
