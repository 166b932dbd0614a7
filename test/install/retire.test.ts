// Retired images on the builder, in detail: an image with no release left loses every stored file;
// a build of it that is still running postpones the pruning to the next install; a bundle without
// `retired_files` (older goldsmith) falls back to the files the image's last runner config kept;
// images whose names start alike are never touched.
import * as fs from 'fs';
import * as path from 'path';
import { acquireLock } from '../../lib/runner/lock';
import { at, builtImage, cleanupTemps, copyBundle, dropImage, editBundle, EXTS, install, LOGS, names, newRoot, REPO, STATE, STORE, synth, WORK } from './fixture';

let bgo: string;

beforeAll(() => {
  bgo = path.join(synth(path.join(REPO, 'config')), 'stacks', 'bgo', 'builder');
});
afterAll(() => cleanupTemps());

const all = (root: string, image: string) => [STORE, LOGS, STATE, WORK].flatMap((d) => names(at(root, d), image));

test('no release left: every stored file of the image goes; a look-alike image name and a foreign file stay', async () => {
  const root = newRoot();
  const bundle = copyBundle(bgo);
  await install('--bundle', bundle, '--root', root);
  builtImage(root, 'fedora_43', ['fedora_43-20261021', 'fedora_43-20261104']);
  // files of a (hypothetical) image fedora_43_arm, and a file that only looks related
  builtImage(root, 'fedora_43_arm', ['fedora_43_arm-20261104']);
  fs.writeFileSync(at(root, `${STORE}/fedora_43-20261104.qcow2.bak`), 'an operator’s copy\n');
  const lookalike = all(root, 'fedora_43_arm');
  editBundle(bundle, (b) => dropImage(b, 'fedora_43'));
  const { code, stdout } = await install('--bundle', bundle, '--root', root);
  expect(code).toBe(0);
  expect(stdout.filter((l) => l.startsWith('keep '))).toEqual([]);
  expect(all(root, 'fedora_43')).toEqual(['fedora_43-20261104.qcow2.bak']);
  expect(all(root, 'fedora_43_arm')).toEqual(lookalike);
  // the pointer layout is taken down before the builds it names
  const at_ = (line: string) => stdout.indexOf(`remove ${STORE}/${line}`);
  for (const e of EXTS) expect(at_(`fedora_43-latest.${e}`)).toBeLessThan(at_('.fedora_43-latest'));
  expect(at_('.fedora_43-latest')).toBeLessThan(at_('.fedora_43-20261104.latest/'));
  expect(at_('.fedora_43-20261104.latest/')).toBeLessThan(at_('fedora_43-20261021.qcow2'));
  expect((await install('--bundle', bundle, '--root', root)).stdout).toEqual(['nothing to do']);
});

test('a build of the retired image is running: its files wait for the next install', async () => {
  const root = newRoot();
  const bundle = copyBundle(bgo);
  await install('--bundle', bundle, '--root', root);
  builtImage(root, 'fedora_43', ['fedora_43-20261104']);
  const lock = await acquireLock(at(root, STATE), 'fedora_43', new Date(), () => undefined);
  try {
    editBundle(bundle, (b) => dropImage(b, 'fedora_43'));
    const first = await install('--bundle', bundle, '--root', root);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('remove /etc/goldsmith/bundle/images/fedora_43.json');
    expect(first.stdout).toContain('wait fedora_43: a build of it is running: its stored builds and logs are removed by the next install');
    expect(first.stdout.filter((l) => l.includes(STORE))).toEqual([]);
    expect(names(at(root, STORE), 'fedora_43').length).toBeGreaterThan(0);
  } finally {
    lock.release();
  }
  const second = await install('--bundle', bundle, '--root', root);
  expect(second.stdout).toContain(`remove ${STORE}/fedora_43-20261104.qcow2`);
  expect(all(root, 'fedora_43')).toEqual([]);
});

test('a bundle without retired_files: the builds the last runner config kept stay', async () => {
  const root = newRoot();
  const bundle = copyBundle(bgo);
  await install('--bundle', bundle, '--root', root);
  const keep = JSON.parse(fs.readFileSync(path.join(bgo, 'images/fedora_44.json'), 'utf8')).output.keep_files;
  expect(keep).toEqual(['fedora_44-20261105.qcow2']);
  builtImage(root, 'fedora_44', ['fedora_44-20261008', 'fedora_44-20261105', 'fedora_44-20261203']);
  editBundle(bundle, (b) => {
    dropImage(b, 'fedora_44');
    delete b.manifest.retired_files;
  });
  const { code, stdout } = await install('--bundle', bundle, '--root', root);
  expect(code).toBe(0);
  expect(stdout).toContain(`keep ${STORE}/fedora_44-20261105.qcow2 (a release in Glance names it)`);
  expect(names(at(root, STORE), 'fedora_44')).toEqual(EXTS.map((e) => `fedora_44-20261105.${e}`).sort());
  expect((await install('--bundle', bundle, '--root', root)).stdout).toEqual(['nothing to do']);
});
