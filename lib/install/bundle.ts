// A synthesized builder bundle as goldsmith install sees it: the files to install (each checked
// against the sha256 its manifest records), the cron file (only the manifest's lines, never one
// that runs as root), the site env stubs the runner configs call for, the images with their
// directories, and the stored files of retired images that releases in Glance still name.
import * as fs from 'fs';
import * as path from 'path';
import { cmp, sha256Hex } from '../common';
import {
  BundleFileError,
  BundleManifestSchema,
  IMAGE_NAME,
  parseContractJson,
  parseRunnerConfig,
  type BundleManifest,
  type RunnerConfig,
  type SiteVariable,
} from '../contract';
import { bundleTarget, envStubTarget, INSTALL_CRON_FILE, InstallError, isBundleFile } from './paths';

/** A file to install. */
export interface DesiredFile {
  /** Builder path. */
  readonly path: string;
  /** Path in the bundle (`templates/default.json`, `cron.d/goldsmith`). */
  readonly rel: string;
  readonly content: Buffer;
  readonly sha256: string;
  /** 0644, 0755 for scripts. */
  readonly mode: number;
  readonly kind: 'bundle' | 'cron';
}

/** The site env file a template's runner configs name, with the variables it declares. */
export interface DesiredEnvStub {
  readonly path: string;
  readonly template: string;
  readonly variables: readonly SiteVariable[];
}

/** An image of the bundle: where its builds live, which stored files releases name. */
export interface DesiredImage {
  readonly name: string;
  readonly template: string;
  readonly paths: RunnerConfig['paths'];
  readonly keepFiles: readonly string[];
}

export interface LoadedBundle {
  readonly dir: string;
  readonly manifest: BundleManifest;
  readonly environment: string;
  /** Bundle files (manifest.json included) and the cron file, sorted by builder path. */
  readonly files: readonly DesiredFile[];
  readonly envStubs: readonly DesiredEnvStub[];
  readonly images: ReadonlyMap<string, DesiredImage>;
  /**
   * Retired image → stored file names its releases in the builds file name (manifest
   * `retired_files`); undefined when the manifest does not carry the field (an older bundle).
   */
  readonly retiredFiles: ReadonlyMap<string, readonly string[]> | undefined;
  /** The user the cron lines run as (the build user; its group reads the site env files). */
  readonly buildUser: string;
}

const CRON_ENV = /^(MAILTO|PATH|SHELL)=/;
const PLAIN_FILE_NAME = /^[^/\\\s][^/\\]*$/;

function readBundleFile(dir: string, rel: string): Buffer {
  try {
    return fs.readFileSync(path.join(dir, rel));
  } catch (e) {
    throw new InstallError(`${path.join(dir, rel)}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function checked(dir: string, rel: string, sha256: string): Buffer {
  if (!isBundleFile(rel)) throw new InstallError(`${path.join(dir, 'manifest.json')}: names ${JSON.stringify(rel)}, which is not a bundle file name`);
  const content = readBundleFile(dir, rel);
  if (sha256Hex(content) !== sha256) {
    throw new InstallError(`${path.join(dir, rel)}: its sha256 is not the one manifest.json records (changed after synth?)`);
  }
  return content;
}

/** The cron file's lines must be the manifest's cron lines, comments, blank or MAILTO/PATH/SHELL; none runs as root. */
function checkCron(file: string, text: string, manifest: BundleManifest): string {
  if (text === '' || !text.endsWith('\n')) throw new InstallError(`${file}: must end with a newline (cron ignores a last line without one)`);
  const wanted = new Set(manifest.images.flatMap((i) => (i.enabled && i.cron_line !== undefined ? [i.cron_line] : [])));
  const lines = text.slice(0, -1).split('\n');
  const users = new Set<string>();
  lines.forEach((line, i) => {
    if (/^\s*(#|$)/.test(line) || CRON_ENV.test(line)) return;
    if (!wanted.has(line)) throw new InstallError(`${file}: line ${i + 1} is not the cron line of an image of manifest.json`);
  });
  for (const line of wanted) {
    if (!lines.includes(line)) throw new InstallError(`${file}: lacks the cron line manifest.json gives for an image`);
    const user = line.trim().split(/\s+/)[5];
    if (user === undefined || user === 'root' || user === '0') throw new InstallError(`${file}: a cron line runs as ${user ?? 'nobody'}: builds never run as root`);
    users.add(user);
  }
  if (users.size > 1) throw new InstallError(`${file}: the cron lines run as different users (${[...users].sort(cmp).join(', ')})`);
  return [...users][0] ?? 'goldsmith';
}

/** Reads and checks the bundle in `dir` (a synthesized `cdktf.out/stacks/<env>/builder`). */
export function loadBundle(dir: string): LoadedBundle {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifestBytes = readBundleFile(dir, 'manifest.json');
  let manifest: BundleManifest;
  try {
    manifest = parseContractJson(BundleManifestSchema, manifestBytes.toString('utf8'), manifestFile);
  } catch (e) {
    if (e instanceof BundleFileError) throw new InstallError(e.message);
    throw e;
  }
  // An older manifest has no `retired_files` (the schema then gives {}): "no file is named" must not
  // be read into it, so whether the key is there is taken from the file itself.
  const saysRetiredFiles = Object.prototype.hasOwnProperty.call(JSON.parse(manifestBytes.toString('utf8')) as object, 'retired_files');
  const files: DesiredFile[] = [];
  const add = (rel: string, content: Buffer, mode = 0o644) =>
    files.push({ path: bundleTarget(rel), rel, content, sha256: sha256Hex(content), mode, kind: 'bundle' });

  add('manifest.json', manifestBytes);
  for (const [name, sha] of Object.entries(manifest.templates)) add(`templates/${name}.json`, checked(dir, `templates/${name}.json`, sha));
  for (const [name, sha] of Object.entries(manifest.scripts)) add(`scripts/${name}`, checked(dir, `scripts/${name}`, sha), 0o755);
  for (const [name, sha] of Object.entries(manifest.checks ?? {})) {
    if (!IMAGE_NAME.test(name)) throw new InstallError(`${manifestFile}: checks: ${JSON.stringify(name)} is not an image name`);
    add(`checks/${name}.json`, checked(dir, `checks/${name}.json`, sha));
  }
  for (const [name, sha] of Object.entries(manifest.sensu ?? {})) add(`sensu/${name}`, checked(dir, `sensu/${name}`, sha));

  const images = new Map<string, DesiredImage>();
  const stubs = new Map<string, { template: string; variables: SiteVariable[] }>();
  for (const image of manifest.images) {
    const rel = `images/${image.name}.json`;
    const content = checked(dir, rel, image.runner_config_sha256);
    add(rel, content);
    let rc: RunnerConfig;
    try {
      rc = parseRunnerConfig(JSON.parse(content.toString('utf8')), path.join(dir, rel));
    } catch (e) {
      throw new InstallError(e instanceof BundleFileError ? e.message : `${path.join(dir, rel)}: invalid JSON`);
    }
    if (rc.image !== image.name || rc.environment !== manifest.environment || rc.template !== image.template) {
      throw new InstallError(`${path.join(dir, rel)}: is not the runner config of image ${image.name} of environment ${manifest.environment}`);
    }
    images.set(image.name, { name: image.name, template: image.template, paths: rc.paths, keepFiles: rc.output.keep_files });
    if (rc.site_env !== undefined) {
      const target = envStubTarget(rc.template);
      if (rc.site_env.file !== target) {
        throw new InstallError(`${path.join(dir, rel)}: site_env.file must be ${target}, got ${rc.site_env.file}`);
      }
      const stub = stubs.get(target) ?? { template: rc.template, variables: [] };
      for (const v of rc.site_env.variables) {
        const known = stub.variables.findIndex((w) => w.name === v.name);
        if (known < 0) stub.variables.push({ name: v.name, required: v.required, secret: v.secret });
        else stub.variables[known] = { name: v.name, required: v.required || stub.variables[known].required, secret: v.secret || stub.variables[known].secret };
      }
      stubs.set(target, stub);
    }
  }

  const cronText = readBundleFile(dir, 'cron.d/goldsmith');
  const buildUser = checkCron(path.join(dir, 'cron.d/goldsmith'), cronText.toString('utf8'), manifest);
  files.push({ path: INSTALL_CRON_FILE, rel: 'cron.d/goldsmith', content: cronText, sha256: sha256Hex(cronText), mode: 0o644, kind: 'cron' });

  let retiredFiles: Map<string, readonly string[]> | undefined;
  if (saysRetiredFiles) {
    retiredFiles = new Map();
    for (const [image, names] of Object.entries(manifest.retired_files ?? {})) {
      if (!IMAGE_NAME.test(image) || !names.every((n) => PLAIN_FILE_NAME.test(n))) {
        throw new InstallError(`${manifestFile}: retired_files.${image}: must name an image and plain file names`);
      }
      retiredFiles.set(image, [...names]);
    }
  }

  return {
    dir,
    manifest,
    environment: manifest.environment,
    files: files.sort((a, b) => cmp(a.path, b.path)),
    envStubs: [...stubs.entries()].sort((a, b) => cmp(a[0], b[0])).map(([p, s]) => ({ path: p, template: s.template, variables: s.variables })),
    images,
    retiredFiles,
    buildUser,
  };
}
