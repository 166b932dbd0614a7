// The builder bundle of one environment as files (docs/builder-bundle.md): manifest.json,
// cron.d/goldsmith, templates/<name>.json, scripts/<name>.sh, images/<image>.json. Deterministic
// (sorted keys, stable order, no timestamps: same input, same bytes); synth writes them.
import type { CronEntry } from './build-schedule';
import { isParsedRunnerConfig } from './runner-config';
import { canonicalJson, cmp, sha256Hex } from '../common';
import {
  BUNDLE_FORMAT,
  BundleFileError,
  BundleManifestSchema,
  ENVIRONMENT_NAME,
  IMAGE_NAME,
  parseContract,
  parseContractJson,
  parseRunnerConfig,
  SCRIPT_NAME,
  TEMPLATE_NAME,
  type BundleManifest,
  type BundlePaths,
  type ManifestImage,
  type RunnerConfig,
  type RunnerConfigInput,
} from '../contract';


export { BUNDLE_FORMAT, type BundleManifest, type BundlePaths, type ManifestImage };

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
  /** The runner config (runnerConfigFor), checked by the contract's schema, written as key-sorted JSON. */
  readonly runnerConfig: RunnerConfig | RunnerConfigInput;
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

function scriptFileName(name: string): string {
  return name.endsWith('.sh') ? name : `${name}.sh`;
}

/**
 * The files of a bundle (relative path → content and mode), sorted by path, after validation.
 * writeBundle writes exactly these.
 */
export function renderBundle(bundle: BuilderBundle): Map<string, BundleFile> {
  const p = `builder bundle ${bundle.environment}`;
  if (!ENVIRONMENT_NAME.test(bundle.environment)) {
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
    if (!TEMPLATE_NAME.test(t.name)) throw new Error(`${p}: template name must match [a-z0-9_]+, got ${JSON.stringify(t.name)}`);
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
    if (!SCRIPT_NAME.test(file)) {
      throw new Error(`${p}: script name must match ${SCRIPT_NAME.source}, got ${JSON.stringify(s.name)}`);
    }
    if (file in scripts) throw new Error(`${p}: script ${file} is listed twice`);
    scripts[file] = sha256Hex(s.content);
    files.set(`scripts/${file}`, { content: s.content, mode: 0o755 });
  }
  const images: ManifestImage[] = [];
  for (const image of [...bundle.images].sort((a, b) => cmp(a.name, b.name))) {
    if (!IMAGE_NAME.test(image.name)) throw new Error(`${p}: image name must match [a-z0-9_]+, got ${JSON.stringify(image.name)}`);
    if (images.some((i) => i.name === image.name)) throw new Error(`${p}: image ${image.name} is listed twice`);
    const rc = isParsedRunnerConfig(image.runnerConfig)
      ? image.runnerConfig
      : parseRunnerConfig(image.runnerConfig, `${p}: images/${image.name}.json`);
    if (rc.external_command === undefined && !(image.template in templates)) {
      throw new Error(`${p}: image ${image.name} uses template ${image.template}, which the bundle does not hold`);
    }
    if (rc.image !== image.name) {
      throw new Error(`${p}: image ${image.name} has the runner config of ${rc.image}`);
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
    const text = canonicalJson(rc);
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
  const manifest = parseContract(BundleManifestSchema, {
    bundle_format: BUNDLE_FORMAT,
    environment: bundle.environment,
    images,
    templates,
    scripts,
    paths: { store: bundle.paths.store, logs: bundle.paths.logs, state: bundle.paths.state },
  }, `${p}: manifest.json`);
  files.set('manifest.json', { content: canonicalJson(manifest), mode: 0o644 });
  return new Map([...files.entries()].sort((a, b) => cmp(a[0], b[0])));
}
