// The bundle file writer, in this thread and in a worker (large catalogs): the same files, modes
// exact whatever the umask, and a failure in the worker reported, not lost.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFilesInBackground, writeFilesSync, type FileJob } from '../../synth/file-writer';
import { synthCatalog } from '../../synth/synth';
import { loadCatalog } from '../../lib/catalog';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-writer-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      const rel = path.relative(dir, p);
      if (st.isDirectory()) {
        out[`${rel}/`] = (st.mode & 0o777).toString(8);
        walk(p);
      } else out[rel] = `${(st.mode & 0o777).toString(8)} ${fs.readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

const jobs = (root: string): FileJob[] => [
  { path: path.join(root, 'manifest.json'), content: '{}\n', mode: 0o644 },
  { path: path.join(root, 'scripts', 'a.sh'), content: '#!/bin/bash\n', mode: 0o755 },
  { path: path.join(root, 'images', 'x.json'), content: '{"image":"x"}\n', mode: 0o644 },
];
const EXPECTED = {
  'images/': '755',
  'images/x.json': '644 {"image":"x"}\n',
  'manifest.json': '644 {}\n',
  'scripts/': '755',
  'scripts/a.sh': '755 #!/bin/bash\n',
};

test.each(['in this thread', 'in a worker'])('%s: exact files and modes under umask 077', (where) => {
  const old = process.umask(0o077);
  try {
    const root = path.join(tmp, 'out');
    fs.mkdirSync(root);
    if (where === 'in a worker') writeFilesInBackground(jobs(root)).wait();
    else writeFilesSync(jobs(root));
    expect(listing(root)).toEqual(EXPECTED);
  } finally {
    process.umask(old);
  }
});

test('a failure in the worker is thrown by wait, with its message', () => {
  fs.writeFileSync(path.join(tmp, 'file'), 'x');
  const bad: FileJob[] = [{ path: path.join(tmp, 'file', 'below', 'x.json'), content: '{}', mode: 0o644 }];
  expect(() => writeFilesInBackground(bad).wait()).toThrow(/^ENOTDIR: not a directory, mkdir /);
});

test('synth with the bundles written by a worker equals synth without', () => {
  const catalog = loadCatalog(path.resolve(__dirname, '../../config'));
  synthCatalog(catalog, path.join(tmp, 'inline'), { backgroundWriteMinFiles: Number.POSITIVE_INFINITY });
  synthCatalog(catalog, path.join(tmp, 'worker'), { backgroundWriteMinFiles: 1 });
  const inline = listing(path.join(tmp, 'inline'));
  expect(Object.keys(inline).filter((k) => k.includes('/builder/images/')).length).toBeGreaterThan(80);
  expect(listing(path.join(tmp, 'worker'))).toEqual(inline);
});
