// Writes the builder bundle of one environment (docs/builder-bundle.md):
//   manifest.json, cron.d/goldsmith, templates/<name>.json, scripts/<name>.sh, images/<image>.json
// Deterministic (sorted keys, stable order, no timestamps: same input, same bytes) and atomic
// (written into a temporary sibling directory, then renamed into place: never a partial bundle).
import * as fs from 'fs';
import * as path from 'path';
import type { CronEntry } from '../constructs/build-schedule';
import { canonicalJson, sha256Hex } from './canonical-json';
import type { RunnerConfig } from './runner-config';

/** Version of the bundle layout; the runner refuses other versions. */
export const BUNDLE_FORMAT = 1;

/** Builder directories recorded in the manifest. */
export interface BundlePaths {
  /** Stored builds. */
  readonly store: string;
  /** Reports and logs. */
  readonly logs: string;
  /** Locks and last-success records. */
  readonly state: string;
}

/** One image of the bundle. */
export interface BundleImage {
  /** Image name ([a-z0-9_]+): images/<name>.json. */
  readonly name: string;
  /** Template name; must be one of the bundle's templates. */
  readonly template: string;
  /** The five cron fields (e.g. `40 9 * * 3`); undefined when the schedule is disabled. */
  readonly cronSchedule?: string;
  /** The whole cron.d line; undefined when the schedule is disabled. */
  readonly cronLine?: string;
  /** The runner config (runnerConfigFor), written as key-sorted JSON. */
  readonly runnerConfig: RunnerConfig | Readonly<Record<string, unknown>>;
}

/** Everything one builder node needs. */
export interface BuilderBundle {
  /** Environment name. */
  readonly environment: string;
  /** Text of cron.d/goldsmith (BuildSchedule.cronFileText). */
  readonly cronFile: string;
  /** Packer templates: name ([a-z0-9_]+) and JSON text, written as given. */
  readonly templates: readonly { readonly name: string; readonly json: string }[];
  /** Provisioning scripts: name (`[A-Za-z0-9._-]+`, `.sh` appended when missing) and content. */
  readonly scripts: readonly { readonly name: string; readonly content: string }[];
  /** The images with their runner configs. */
  readonly images: readonly BundleImage[];
  /** Builder directories. */
  readonly paths: BundlePaths;
}

/** One image in manifest.json. */
export interface ManifestImage {
  readonly name: string;
  readonly template: string;
  readonly enabled: boolean;
  readonly cron_schedule?: string;
  readonly cron_line?: string;
  /** sha256 hex of images/<name>.json. */
  readonly runner_config_sha256: string;
}

/** manifest.json. */
export interface BundleManifest {
  readonly bundle_format: number;
  readonly environment: string;
  /** Sorted by name. */
  readonly images: readonly ManifestImage[];
  /** Template name → sha256 hex of templates/<name>.json. */
  readonly templates: Readonly<Record<string, string>>;
  /** Script file name → sha256 hex of scripts/<name>. */
  readonly scripts: Readonly<Record<string, string>>;
  readonly paths: BundlePaths;
}

/** One file of the rendered bundle. */
export interface BundleFile {
  readonly content: string;
  /** 0o644, or 0o755 for scripts. */
  readonly mode: number;
}

/** A bundle image from a runner config and the image's cron entry (undefined or disabled = no line). */
export function bundleImage(runnerConfig: RunnerConfig, entry?: CronEntry): BundleImage {
  const enabled = entry !== undefined && entry.enabled && entry.line !== undefined;
  return {
    name: runnerConfig.image,
    template: runnerConfig.template,
    ...(enabled ? { cronSchedule: entry.cronSchedule, cronLine: entry.line } : {}),
    runnerConfig,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function scriptFileName(name: string): string {
  return name.endsWith('.sh') ? name : `${name}.sh`;
}

/**
 * The files of a bundle (relative path → content and mode), sorted by path, after validation.
 * writeBundle writes exactly these.
 */
export function renderBundle(bundle: BuilderBundle): Map<string, BundleFile> {
  const p = `builder bundle ${bundle.environment}`;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(bundle.environment)) {
    throw new Error(`builder bundle: environment name must match [a-z0-9][a-z0-9_-]*, got ${JSON.stringify(bundle.environment)}`);
  }
  if (bundle.cronFile === '' || !bundle.cronFile.endsWith('\n')) {
    throw new Error(`${p}: the cron file must end with a newline (cron ignores a last line without one)`);
  }
  for (const key of ['store', 'logs', 'state'] as const) {
    const v = bundle.paths[key];
    if (typeof v !== 'string' || !v.startsWith('/')) throw new Error(`${p}: paths.${key} must be an absolute path`);
  }

  const files = new Map<string, BundleFile>();
  const templates: Record<string, string> = {};
  for (const t of bundle.templates) {
    if (!/^[a-z0-9_]+$/.test(t.name)) throw new Error(`${p}: template name must match [a-z0-9_]+, got ${JSON.stringify(t.name)}`);
    if (t.name in templates) throw new Error(`${p}: template ${t.name} is listed twice`);
    try {
      JSON.parse(t.json);
    } catch (e) {
      throw new Error(`${p}: template ${t.name} is not valid JSON: ${(e as Error).message}`);
    }
    templates[t.name] = sha256Hex(t.json);
    files.set(`templates/${t.name}.json`, { content: t.json, mode: 0o644 });
  }
  const scripts: Record<string, string> = {};
  for (const s of bundle.scripts) {
    const file = scriptFileName(s.name);
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.sh$/.test(file)) {
      throw new Error(`${p}: script name must match [A-Za-z0-9._-]+.sh, got ${JSON.stringify(s.name)}`);
    }
    if (file in scripts) throw new Error(`${p}: script ${file} is listed twice`);
    scripts[file] = sha256Hex(s.content);
    files.set(`scripts/${file}`, { content: s.content, mode: 0o755 });
  }
  const images: ManifestImage[] = [];
  for (const image of [...bundle.images].sort((a, b) => cmp(a.name, b.name))) {
    if (!/^[a-z0-9_]+$/.test(image.name)) throw new Error(`${p}: image name must match [a-z0-9_]+, got ${JSON.stringify(image.name)}`);
    if (images.some((i) => i.name === image.name)) throw new Error(`${p}: image ${image.name} is listed twice`);
    const rc = image.runnerConfig as Record<string, unknown>;
    if (rc.external_command === undefined && !(image.template in templates)) {
      throw new Error(`${p}: image ${image.name} uses template ${image.template}, which the bundle does not hold`);
    }
    if (rc.image !== undefined && rc.image !== image.name) {
      throw new Error(`${p}: image ${image.name} has the runner config of ${String(rc.image)}`);
    }
    if (rc.template_file !== undefined && rc.template_file !== `templates/${image.template}.json`) {
      throw new Error(`${p}: image ${image.name}: runner config template_file must be templates/${image.template}.json`);
    }
    if ((image.cronSchedule === undefined) !== (image.cronLine === undefined)) {
      throw new Error(`${p}: image ${image.name}: give both cronSchedule and cronLine, or neither (disabled)`);
    }
    if (image.cronLine !== undefined) {
      if (/[\r\n]/.test(image.cronLine) || /[\r\n]/.test(image.cronSchedule as string)) {
        throw new Error(`${p}: image ${image.name}: the cron line must be one line`);
      }
      if (!bundle.cronFile.split('\n').includes(image.cronLine)) {
        throw new Error(`${p}: image ${image.name}: its cron line is not in the cron file`);
      }
    }
    const text = canonicalJson(image.runnerConfig);
    files.set(`images/${image.name}.json`, { content: text, mode: 0o644 });
    images.push({
      name: image.name,
      template: image.template,
      enabled: image.cronLine !== undefined,
      ...(image.cronLine !== undefined ? { cron_schedule: image.cronSchedule, cron_line: image.cronLine } : {}),
      runner_config_sha256: sha256Hex(text),
    });
  }
  files.set('cron.d/goldsmith', { content: bundle.cronFile, mode: 0o644 });
  const manifest: BundleManifest = {
    bundle_format: BUNDLE_FORMAT,
    environment: bundle.environment,
    images,
    templates,
    scripts,
    paths: { store: bundle.paths.store, logs: bundle.paths.logs, state: bundle.paths.state },
  };
  files.set('manifest.json', { content: canonicalJson(manifest), mode: 0o644 });
  return new Map([...files.entries()].sort((a, b) => cmp(a[0], b[0])));
}

/**
 * Writes the bundle to `dir` (replacing what is there) atomically: the files go into a temporary
 * sibling directory, which is then renamed to `dir`. Returns the manifest.
 */
export function writeBundle(dir: string, bundle: BuilderBundle): BundleManifest {
  const files = renderBundle(bundle);
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${base}.tmp-`));
  try {
    fs.chmodSync(tmp, 0o755);
    // The umask must not change the modes; chmod only where it would.
    const umask = process.umask();
    const made = new Set<string>([tmp]);
    for (const [rel, file] of files) {
      const abs = path.join(tmp, rel);
      const sub = path.dirname(abs);
      if (!made.has(sub)) {
        fs.mkdirSync(sub, { recursive: true });
        if (umask & 0o755) fs.chmodSync(sub, 0o755);
        made.add(sub);
      }
      fs.writeFileSync(abs, file.content, { mode: file.mode });
      if (umask & file.mode) fs.chmodSync(abs, file.mode);
    }
    let old: string | undefined;
    if (fs.existsSync(target)) {
      old = fs.mkdtempSync(path.join(parent, `.${base}.old-`));
      fs.renameSync(target, path.join(old, base));
    }
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      if (old !== undefined) fs.renameSync(path.join(old, base), target);
      throw e;
    } finally {
      if (old !== undefined) fs.rmSync(old, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return JSON.parse(files.get('manifest.json')!.content) as BundleManifest;
}

/** Reads and checks `<dir>/manifest.json`. */
export function readManifest(dir: string): BundleManifest {
  const file = path.join(dir, 'manifest.json');
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read the bundle manifest: ${(e as Error).message}`);
  }
  const m = data as Partial<BundleManifest> | null;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error(`${file}: must be a JSON object`);
  if (m.bundle_format !== BUNDLE_FORMAT) {
    throw new Error(`${file}: bundle_format must be ${BUNDLE_FORMAT}, got ${JSON.stringify(m.bundle_format)}`);
  }
  if (typeof m.environment !== 'string') throw new Error(`${file}: environment must be a string`);
  if (!Array.isArray(m.images)) throw new Error(`${file}: images must be a list`);
  for (const [i, img] of m.images.entries()) {
    if (typeof img?.name !== 'string' || typeof img.template !== 'string' || typeof img.runner_config_sha256 !== 'string') {
      throw new Error(`${file}: images[${i}] needs name, template and runner_config_sha256`);
    }
  }
  for (const key of ['templates', 'scripts', 'paths'] as const) {
    const v = m[key];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}: ${key} must be an object`);
  }
  return m as BundleManifest;
}
