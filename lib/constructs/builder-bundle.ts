// The builder bundle of one environment as files (docs/builder-bundle.md): manifest.json,
// cron.d/goldsmith, templates/<name>.json, scripts/<name>.sh, images/<image>.json,
// checks/<image>.json, sensu/checks.yaml. Deterministic (sorted keys, stable order, no timestamps:
// same input, same bytes); synth writes them.
import type { CronEntry } from './build-schedule';
import { isParsedCheckConfig } from './monitoring-check';
import { isParsedRunnerConfig } from './runner-config';
import { SENSU_CHECKS_FILE, sensuChecksYaml } from './sensu-check';
import { canonicalJson, cmp, sha256Hex } from '../common';
import {
  BUNDLE_FORMAT,
  BundleFileError,
  BundleManifestSchema,
  ENVIRONMENT_NAME,
  IMAGE_NAME,
  parseCheckConfig,
  parseContract,
  parseContractJson,
  parseRunnerConfig,
  SCRIPT_NAME,
  SensuCheckConfigSchema,
  TEMPLATE_NAME,
  type BundleManifest,
  type BundlePaths,
  type CheckConfig,
  type CheckConfigInput,
  type ManifestImage,
  type RunnerConfig,
  type RunnerConfigInput,
  type SensuCheckConfig,
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
  /**
   * The image's monitoring check (MonitoringCheck.checkConfig): checks/<name>.json, key-sorted JSON.
   * @default undefined: no check file (goldsmith check --all does not look at the image)
   */
  readonly checkConfig?: CheckConfig | CheckConfigInput;
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
  /**
   * Sensu Go checks of the builder (sensuCheckFor): sensu/checks.yaml.
   * @default none: no sensu/ file
   */
  readonly sensuChecks?: readonly SensuCheckConfig[];
  /**
   * Retired images of the environment's builds file → the store files their releases name
   * (manifest.json `retired_files`).
   * @default none
   */
  readonly retiredFiles?: Readonly<Record<string, readonly string[]>>;
}

/** One file of the rendered bundle. */
export interface BundleFile {
  readonly content: string;
  /** 0o644, or 0o755 for scripts. */
  readonly mode: number;
}

/**
 * A bundle image from a runner config, the image's cron entry (undefined or disabled = no line)
 * and its monitoring check's config (undefined = no check file).
 */
export function bundleImage(runnerConfig: RunnerConfig, entry?: CronEntry, checkConfig?: CheckConfig): BundleImage {
  const enabled = entry !== undefined && entry.enabled && entry.line !== undefined;
  return {
    name: runnerConfig.image,
    template: runnerConfig.template,
    ...(enabled ? { cronSchedule: entry.cronSchedule, cronLine: entry.line } : {}),
    runnerConfig,
    ...(checkConfig !== undefined ? { checkConfig } : {}),
  };
}

/** The store files a release file names: itself and its .md5, .sha256 and .json siblings (the runner's names). */
export function releaseStoreFiles(file: string): string[] {
  const base = file.replace(/\.(?:qcow2|raw)$/, '');
  return base === file ? [file] : [file, `${base}.md5`, `${base}.sha256`, `${base}.json`];
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
  const checks: Record<string, string> = {};
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
    if (image.checkConfig !== undefined) {
      const check = checkFile(p, image, rc);
      files.set(`checks/${image.name}.json`, { content: check, mode: 0o644 });
      checks[image.name] = sha256Hex(check);
    }
  }
  files.set('cron.d/goldsmith', { content: bundle.cronFile, mode: 0o644 });
  const sensu: Record<string, string> = {};
  if ((bundle.sensuChecks ?? []).length > 0) {
    const yaml = sensuFile(p, bundle.environment, bundle.sensuChecks!);
    files.set(SENSU_CHECKS_FILE, { content: yaml, mode: 0o644 });
    sensu[SENSU_CHECKS_FILE.slice('sensu/'.length)] = sha256Hex(yaml);
  }
  const retiredFiles: Record<string, string[]> = {};
  for (const [name, stored] of Object.entries(bundle.retiredFiles ?? {})) {
    if (!IMAGE_NAME.test(name)) throw new Error(`${p}: retired image name must match [a-z0-9_]+, got ${JSON.stringify(name)}`);
    if (images.some((i) => i.name === name)) throw new Error(`${p}: image ${name} is both built and retired`);
    retiredFiles[name] = [...new Set(stored)].sort(cmp);
  }
  const manifest = parseContract(BundleManifestSchema, {
    bundle_format: BUNDLE_FORMAT,
    environment: bundle.environment,
    images,
    templates,
    scripts,
    paths: { store: bundle.paths.store, logs: bundle.paths.logs, state: bundle.paths.state },
    checks,
    sensu,
    retired_files: retiredFiles,
  }, `${p}: manifest.json`);
  files.set('manifest.json', { content: canonicalJson(manifest), mode: 0o644 });
  return new Map([...files.entries()].sort((a, b) => cmp(a[0], b[0])));
}

/**
 * checks/<image>.json of one image, after checking that the check judges what the runner config
 * builds: the same image, environment, directories and schedule slot (one definition drives both).
 */
function checkFile(p: string, image: BundleImage, rc: RunnerConfig): string {
  const file = `checks/${image.name}.json`;
  const cc = isParsedCheckConfig(image.checkConfig!) ? image.checkConfig : parseCheckConfig(image.checkConfig, `${p}: ${file}`);
  const mismatch = (what: string) => new Error(`${p}: image ${image.name}: its check config ${what}`);
  if (cc.image !== image.name) throw mismatch(`is of image ${cc.image}`);
  if (cc.environment !== rc.environment) throw mismatch(`is of environment ${cc.environment}, the runner config of ${rc.environment}`);
  if (cc.paths.logs !== rc.paths.logs || cc.paths.state !== rc.paths.state) throw mismatch('reads other logs or state directories than the runner config writes');
  if (canonicalJson(cc.schedule.slot) !== canonicalJson(rc.rebuild.slot)) throw mismatch('has another schedule slot than the runner config');
  if (cc.schedule.enabled !== (image.cronLine !== undefined)) throw mismatch(`says the schedule is ${cc.schedule.enabled ? 'enabled' : 'disabled'}, the cron file does not`);
  return canonicalJson(cc);
}

/** sensu/checks.yaml, after checking every check through the contract's schema; names must be unique. */
function sensuFile(p: string, environment: string, checks: readonly SensuCheckConfig[]): string {
  const names = new Set<string>();
  const parsed = checks.map((check) => {
    const c = parseContract(SensuCheckConfigSchema, check, `${p}: ${SENSU_CHECKS_FILE}`);
    if (names.has(c.metadata.name)) throw new Error(`${p}: sensu check ${c.metadata.name} is listed twice`);
    names.add(c.metadata.name);
    return c;
  });
  return sensuChecksYaml(environment, parsed);
}
