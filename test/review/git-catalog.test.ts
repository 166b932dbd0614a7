// The base catalog out of git: the committed files, exactly, without touching the index, the
// working tree or HEAD; the catalog at the top of a repository; refs that are options.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ReviewError } from '../../review';
import { extractCatalogAt } from '../../review/git-catalog';
import { GitFixture } from './git-fixture';

let fixture: GitFixture;
let into: string;

beforeEach(() => {
  fixture = new GitFixture();
  into = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-extract-'));
});

afterEach(() => {
  fixture.cleanup();
  fs.rmSync(into, { recursive: true, force: true });
});

test('the committed catalog, whatever the working tree and the index hold', async () => {
  const commit = fixture.commit();
  fixture.write('defaults.yaml', 'image: {}\n');
  fixture.git('add', 'config/defaults.yaml');
  fixture.write('templates.yaml', 'templates: {}\n');
  const status = fixture.git('status', '--porcelain');
  const base = await extractCatalogAt('HEAD', fixture.path(''), path.join(into, 'base'));
  expect(base).toEqual({ dir: path.join(into, 'base', 'config'), root: path.join(into, 'base'), commit, pathInRepo: 'config' });
  expect(fs.readFileSync(path.join(base.dir, 'defaults.yaml'), 'utf8')).toContain('keep_outdated: 5');
  expect(fs.readFileSync(path.join(base.dir, 'templates.yaml'), 'utf8')).toContain('resolver.sh');
  expect(fs.statSync(path.join(base.dir, 'provision', 'resolver.sh')).isFile()).toBe(true);
  expect(fixture.git('status', '--porcelain')).toBe(status);
  expect(fs.readdirSync(into)).toEqual(['base']); // the throw-away index is gone
});

test('a catalog at the top of its repository', async () => {
  fixture.commit();
  const top = new GitFixture({});
  try {
    fs.cpSync(fixture.path(''), top.dir, { recursive: true });
    fs.rmSync(top.path(''), { recursive: true, force: true });
    const commit = top.commit();
    const base = await extractCatalogAt('main', top.dir, path.join(into, 'base'));
    expect(base).toMatchObject({ dir: path.join(into, 'base'), commit, pathInRepo: '' });
    expect(fs.existsSync(path.join(base.dir, 'environments.yaml'))).toBe(true);
  } finally {
    top.cleanup();
  }
});

test('a ref that looks like an option, or names a file instead of the directory', async () => {
  fixture.commit();
  await expect(extractCatalogAt('--output=/tmp/x', fixture.path(''), into, 'config')).rejects.toThrow(new ReviewError('base ref `--output=/tmp/x` is not a ref'));
  await expect(extractCatalogAt('HEAD', fixture.path('images'), into, 'config/images')).resolves.toMatchObject({ pathInRepo: 'config/images' });
  fs.rmSync(fixture.path('images'), { recursive: true });
  fixture.write('images', 'not a directory\n');
  fixture.commit('images is a file');
  fs.rmSync(fixture.path('images'));
  fs.mkdirSync(fixture.path('images'));
  await expect(extractCatalogAt('HEAD', fixture.path('images'), path.join(into, 'x'), 'config/images')).rejects.toThrow(
    new ReviewError('config/images is not a directory at HEAD'),
  );
});

test('a base missing from a shallow clone says so', async () => {
  fixture.commit('one');
  fixture.write('defaults.yaml', 'image: {}\n');
  fixture.commit('two');
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-shallow-'));
  try {
    fixture.git('clone', '--quiet', '--depth', '1', `file://${fixture.dir}`, clone);
    await expect(extractCatalogAt('HEAD~1', path.join(clone, 'config'), into, 'config')).rejects.toThrow(
      new ReviewError('base ref `HEAD~1` does not exist (a shallow clone: fetch the base, or clone with full history)'),
    );
  } finally {
    fs.rmSync(clone, { recursive: true, force: true });
  }
});
