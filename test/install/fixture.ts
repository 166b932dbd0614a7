// Fixtures of the goldsmith install tests: the bundled catalog synthesized once per test file,
// bundles edited with their manifest kept consistent, temporary builder roots, a full snapshot
// of a tree (to prove a dry run changes nothing), and the install command run in-process.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog } from '../../lib/catalog';
import { canonicalJson, sha256Hex } from '../../lib/common';
import { installCommand } from '../../lib/cli/install';
import { synthCatalog } from '../../synth/synth';

export const REPO = path.resolve(__dirname, '..', '..');
/** gid of the build group in the fixture roots' etc/group. */
export const BUILD_GID = 4711;
export const AS_ROOT = process.geteuid?.() === 0;

const temps: string[] = [];

/** A temporary directory, removed by cleanupTemps(). */
export function tempDir(prefix = 'goldsmith-install-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function cleanupTemps(): void {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Synthesizes catalog `configDir` into a temporary cdktf.out; returns its directory. */
export function synth(configDir: string): string {
  const tmp = tempDir('goldsmith-install-synth-');
  synthCatalog(loadCatalog(configDir), path.join(tmp, 'cdktf.out'), { stateBaseDir: tmp });
  return path.join(tmp, 'cdktf.out');
}

/** A copy of bundle `from` (a synthesized builder directory) to edit. */
export function copyBundle(from: string): string {
  const dir = path.join(tempDir('goldsmith-install-bundle-'), 'builder');
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** An empty builder root with the build group in etc/group. */
export function newRoot(): string {
  const root = tempDir('goldsmith-install-root-');
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'group'), `root:x:0:\ngoldsmith:x:${BUILD_GID}:\n`);
  return root;
}

/** A bundle as editable data: the parsed manifest and every file's text by bundle path. */
export interface EditableBundle {
  manifest: any;
  files: Map<string, string>;
}

function readTree(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) for (const [k, v] of readTree(path.join(dir, e.name), `${rel}/`)) out.set(k, v);
    else out.set(rel, fs.readFileSync(path.join(dir, e.name), 'utf8'));
  }
  return out;
}

/** Edits the bundle in `dir` and rewrites it with every sha256 of its manifest recomputed. */
export function editBundle(dir: string, edit: (b: EditableBundle) => void): void {
  const files = readTree(dir);
  files.delete('manifest.json');
  const b: EditableBundle = { manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), files };
  edit(b);
  const m = b.manifest;
  const hashes = (sub: string, names: string[]) => Object.fromEntries(names.map((n) => [n, sha256Hex(files.get(`${sub}/${n}`) ?? '')]));
  const under = (sub: string) => [...files.keys()].filter((k) => k.startsWith(`${sub}/`)).map((k) => k.slice(sub.length + 1));
  m.templates = Object.fromEntries(under('templates').map((n) => [n.replace(/\.json$/, ''), sha256Hex(files.get(`templates/${n}`)!)]));
  m.scripts = hashes('scripts', under('scripts'));
  if (m.checks !== undefined) m.checks = Object.fromEntries(under('checks').map((n) => [n.replace(/\.json$/, ''), sha256Hex(files.get(`checks/${n}`)!)]));
  if (m.sensu !== undefined) m.sensu = hashes('sensu', under('sensu'));
  m.images = m.images.filter((i: { name: string }) => files.has(`images/${i.name}.json`));
  for (const i of m.images) i.runner_config_sha256 = sha256Hex(files.get(`images/${i.name}.json`)!);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text, { mode: rel.startsWith('scripts/') ? 0o755 : 0o644 });
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), canonicalJson(m));
}

/** Removes an image from an editable bundle: runner config, check, cron line. */
export function dropImage(b: EditableBundle, image: string): void {
  b.files.delete(`images/${image}.json`);
  b.files.delete(`checks/${image}.json`);
  const cron = b.files.get('cron.d/goldsmith')!;
  b.files.set('cron.d/goldsmith', cron.split('\n').filter((l) => !l.includes(` build ${image} `)).join('\n'));
}

/** A runner config of an editable bundle, parsed. */
export function runnerConfig(b: EditableBundle, image: string): any {
  return JSON.parse(b.files.get(`images/${image}.json`)!);
}

/** Every entry below `dir` (directories, files, symlinks) with type, mode, owner, mtime and content. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    const st = fs.lstatSync(d);
    const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs}`;
    if (st.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(d)} ${meta}`;
    else if (st.isFile()) out[rel] = `file ${sha256Hex(fs.readFileSync(d))} ${meta}`;
    else if (st.isDirectory()) {
      out[rel] = `dir ${meta}`;
      for (const name of fs.readdirSync(d).sort()) walk(path.join(d, name), `${rel}/${name}`);
    } else out[rel] = `other ${meta}`;
  };
  walk(dir, '');
  return out;
}

/** Runs `goldsmith install` in-process; stdout and stderr lines and the exit code. */
export async function install(...args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await installCommand.run(args, { out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd: os.tmpdir(), env: {} });
  return { code, stdout, stderr };
}

/** The host path of builder path `p` under `root`. */
export function at(root: string, p: string): string {
  return path.join(root, p);
}

// Stored builds as the runner leaves them (the default paths of the bundled catalog's runner configs).
export const STORE = '/opt/images/public_builds';
export const LOGS = '/var/log/goldsmith';
export const STATE = '/var/lib/goldsmith';
export const WORK = '/var/lib/goldsmith/work';
export const EXTS = ['qcow2', 'md5', 'sha256', 'json'];

/** A stored build as the runner leaves it: image, checksums and record. */
export function storeBuild(root: string, base: string): void {
  for (const e of EXTS) fs.writeFileSync(at(root, `${STORE}/${base}.${e}`), `${base}.${e}\n`);
}

/** The -latest layout pointing at `base` (docs/builder-bundle.md, "Files the runner writes"). */
export function pointLatest(root: string, image: string, base: string): void {
  const store = at(root, STORE);
  fs.mkdirSync(path.join(store, `.${base}.latest`));
  for (const e of EXTS) fs.symlinkSync(`../${base}.${e}`, path.join(store, `.${base}.latest`, `image.${e}`));
  fs.symlinkSync(`.${base}.latest`, path.join(store, `.${image}-latest`));
  for (const e of EXTS) fs.symlinkSync(`.${image}-latest/image.${e}`, path.join(store, `${image}-latest.${e}`));
}

/** What a builder that has run an image for a while holds for it. */
export function builtImage(root: string, image: string, bases: readonly string[]): void {
  for (const dir of [STORE, LOGS, WORK]) fs.mkdirSync(at(root, dir), { recursive: true });
  for (const base of bases) storeBuild(root, base);
  pointLatest(root, image, bases[bases.length - 1]);
  const run = `${bases[bases.length - 1].slice(image.length + 1, image.length + 9)}T164500Z`;
  fs.writeFileSync(at(root, `${LOGS}/${image}-report.json`), '{"result":"success"}\n');
  fs.writeFileSync(at(root, `${LOGS}/${image}-${run}.log`), 'log\n');
  fs.writeFileSync(at(root, `${STATE}/${image}.last-success.json`), '{}\n');
  fs.mkdirSync(at(root, `${WORK}/${image}-${run}`));
  fs.writeFileSync(at(root, `${WORK}/${image}-${run}/build-key`), 'left by a killed run\n');
}

/** The names in `dir` of `image` (`<image>-…`, `<image>.…`, `.<image>-…`). */
export function names(dir: string, image: string): string[] {
  const re = new RegExp(`^\\.?${image}[-.]`);
  return fs.readdirSync(dir).filter((n) => re.test(n)).sort();
}

