// loadCatalog: read a catalog directory, validate every file (collecting all problems), apply the
// defaults and return the frozen model. See docs/catalog.md for the contract.
import * as fs from 'fs';
import * as path from 'path';
import { PROVISION_LIB, STANDARD_SCRIPTS } from '../build/packer-template';
import * as yaml from 'js-yaml';
import { z } from 'zod';
import { CatalogError, CatalogProblem, displayPath, formatPath } from './errors';
import { fsMessage, MAX_SCRIPT_BYTES, MAX_YAML_BYTES, readCatalogFile, specialFileKind } from './read';
import { checkText } from './text';
import { DEFAULT_MIN_GAP_MINUTES, formatSlot, planSchedule, type ScheduleCollision } from '../constructs/build-schedule';
export { formatPath } from './errors';
import type {
  Backend,
  Catalog,
  Environment,
  Image,
  ImageReleases,
  Release,
  Schedule,
  Template,
} from './model';
import {
  BuildsFile,
  BuildsFileSchema,
  DefaultsFile,
  DefaultsFileSchema,
  ENVIRONMENT_NAME,
  EnvironmentEntry,
  EnvironmentsFile,
  EnvironmentsFileSchema,
  ImageEntry,
  ImagesFile,
  ImagesFileSchema,
  SCRIPT_NAME,
  fileNameProblem,
  ScheduleEntry,
  ScheduleSchema,
  show,
  TemplatesFile,
  TemplatesFileSchema,
} from './schema';

/** Built-in defaults (docs/catalog.md). */
export const DEFAULTS = Object.freeze({
  keepOutdated: 2,
  keepBuilds: 2,
  compression: 'zlib',
  visibility: 'public',
  diskFormat: 'qcow2',
  template: 'default',
  network: 'imagebuilder',
  flavor: 'img.zerodisk',
} as const);

/** One YAML file of the catalog, read and checked against its schema. */
interface Loaded<T> {
  /** Absolute path. */
  readonly file: string;
  /** Path relative to the config dir, '/'-separated. */
  readonly rel: string;
  /** True when the file was read and parsed as YAML (raw is meaningful). */
  readonly parsed: boolean;
  /** The YAML document (undefined when not parsed). */
  readonly raw: unknown;
  /** Schema output, when the file passed its schema. */
  readonly data?: T;
}

/** Reads and validates the catalog in `configDir`; throws CatalogError listing every problem found. */
export function loadCatalog(configDir: string): Catalog {
  const dir = path.resolve(configDir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    const missing = ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');
    throw new CatalogError([{ file: dir, path: '', message: missing ? 'config directory does not exist' : fsMessage(e) }]);
  }
  if (!stat.isDirectory()) {
    throw new CatalogError([{ file: dir, path: '', message: 'config path is not a directory' }]);
  }
  const loader = new Loader(dir);
  return loader.load();
}

class Loader {
  private readonly problems: CatalogProblem[] = [];
  /** Sub directories holding files that were not read (.yml): their names are unknown. */
  private readonly incompleteDirs = new Set<string>();

  constructor(private readonly dir: string) {}

  load(): Catalog {
    const defaults = this.readFile('defaults.yaml', DefaultsFileSchema, false);
    const environments = this.readFile('environments.yaml', EnvironmentsFileSchema, true);
    const imageFiles = this.readDir('images', ImagesFileSchema, true);
    const templates = this.readFile('templates.yaml', TemplatesFileSchema, true);
    const builds = this.readDir('builds', BuildsFileSchema, false);
    const provision = this.readScripts();

    this.crossCheck(defaults, environments, imageFiles, templates, builds, provision);

    if (this.problems.length > 0) {
      // Stable: group by file (catalog order of first appearance), keep discovery order within a file.
      const order = new Map<string, number>();
      this.problems.forEach((p) => order.has(p.file) || order.set(p.file, order.size));
      const sorted = this.problems
        .map((p, i) => ({ p, i }))
        .sort((a, b) => order.get(a.p.file)! - order.get(b.p.file)! || a.i - b.i)
        .map((x) => x.p);
      throw new CatalogError(sorted);
    }
    return deepFreeze(
      buildModel(this.dir, defaults.data ?? {}, environments.data!, imageFiles, templates.data!, builds),
    );
  }

  // ---- reading ------------------------------------------------------------------------------

  private problem(file: string, keyPath: string, message: string, extra?: Partial<CatalogProblem>): void {
    this.problems.push({ file, path: keyPath, message, ...extra });
  }

  /**
   * Names of the entries of a sub directory (empty when it does not exist). A sub directory that is
   * a symbolic link, not a directory or unreadable is a problem line, never an exception.
   */
  private listDir(sub: string): string[] {
    const dirPath = path.join(this.dir, sub);
    try {
      const kind = specialFileKind(fs.lstatSync(dirPath));
      if (kind === 'a symbolic link') {
        this.problem(dirPath, '', 'is a symbolic link: only regular directories are read');
        this.incompleteDirs.add(sub);
        return [];
      }
      if (kind !== 'a directory') {
        this.problem(dirPath, '', `is ${kind ?? 'a file'}, expected a directory`);
        this.incompleteDirs.add(sub);
        return [];
      }
      return fs.readdirSync(dirPath).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem(dirPath, '', fsMessage(e));
        this.incompleteDirs.add(sub);
      }
      return [];
    }
  }

  /**
   * The provisioning scripts (`*.sh` in provision/): each must be a regular file within the size
   * cap, in UTF-8. Returns the names of the scripts present (also those with a problem, which is
   * reported here once).
   */
  private readScripts(): Set<string> {
    const names = this.listDir('provision').filter((n) => n.endsWith('.sh'));
    for (const n of names) {
      const file = path.join(this.dir, 'provision', n);
      const result = readCatalogFile(file, MAX_SCRIPT_BYTES);
      if (!result.ok) this.problem(file, '', result.message, result.line !== undefined ? { line: result.line } : {});
    }
    return new Set(names);
  }

  private readDir<T>(sub: string, schema: z.ZodType<T>, required: boolean): Loaded<T>[] {
    const dirPath = path.join(this.dir, sub);
    const names = this.listDir(sub);
    for (const n of names) {
      if (n.endsWith('.yml')) {
        this.problem(path.join(dirPath, n), '', 'use the .yaml extension (.yml files are not read)');
        this.incompleteDirs.add(sub);
      }
    }
    const yamlNames = names.filter((n) => n.endsWith('.yaml') && !n.startsWith('.'));
    if (required && yamlNames.length === 0 && !this.incompleteDirs.has(sub)) {
      this.problem(dirPath, '', `missing: at least one ${sub}/*.yaml file is required`);
    }
    return yamlNames.map((n) => this.readFile(`${sub}/${n}`, schema, true, !required));
  }

  /** `required`: the file must exist; `emptyOk`: an empty file reads as `{}` (default: when not required). */
  private readFile<T>(rel: string, schema: z.ZodType<T>, required: boolean, emptyOk = !required): Loaded<T> {
    const file = path.join(this.dir, ...rel.split('/'));
    const failed: Loaded<T> = { file, rel, parsed: false, raw: undefined };
    const read = readCatalogFile(file, MAX_YAML_BYTES);
    if (!read.ok) {
      if (read.code === 'ENOENT') {
        if (required) this.problem(file, '', 'missing required file');
      } else {
        this.problem(file, '', read.message, read.line !== undefined ? { line: read.line } : {});
      }
      return failed;
    }
    const text = read.text;
    let raw: unknown;
    try {
      // js-yaml 5 rejects an empty document; an empty (or comments-only) file is simply empty.
      raw = isBlankYaml(text) ? undefined : yaml.load(text, { filename: file });
    } catch (e) {
      if (e instanceof yaml.YAMLException) {
        const mark = (e as { mark?: { line?: number; column?: number } }).mark;
        const reason = ((e as { reason?: string }).reason ?? e.message).split('\n')[0];
        this.problem(file, '', `yaml syntax error: ${reason}`, {
          line: mark?.line !== undefined ? mark.line + 1 : undefined,
          column: mark?.column !== undefined ? mark.column + 1 : undefined,
        });
        return failed;
      }
      throw e;
    }
    if (raw === undefined || raw === null) {
      if (!emptyOk) {
        this.problem(file, '', 'file is empty');
        return { file, rel, parsed: true, raw: {} };
      }
      raw = {};
    }
    // The catalog text rule first: a file breaking it is neither schema- nor cross-checked (one line
    // per problem, no follow-up noise from the offending strings).
    const textProblems = checkText(raw);
    for (const p of textProblems) this.problem(file, p.path, p.message);
    if (textProblems.length > 0) return failed;
    const result = schema.safeParse(raw);
    if (result.success) return { file, rel, parsed: true, raw, data: result.data };
    for (const issue of result.error.issues) this.translate(file, schema, raw, issue);
    return { file, rel, parsed: true, raw };
  }

  /** Zod issue -> one line per problem, in the words of the catalog. */
  private translate(file: string, schema: z.ZodType, raw: unknown, issue: z.core.$ZodIssue): void {
    const keys = issue.path as (string | number)[];
    const at = formatPath(keys);
    const value = valueAt(raw, keys);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(schema, keys, raw);
        for (const key of issue.keys) {
          this.problem(file, formatPath([...keys, key]), unknownKeyMessage(key, allowed, keys));
        }
        return;
      }
      case 'invalid_type':
        this.problem(file, at, typeMessage(issue.expected, value));
        return;
      case 'invalid_value':
        this.problem(
          file,
          at,
          value === undefined
            ? `missing required key (one of ${issue.values.map(String).join(', ')})`
            : `must be one of ${issue.values.map(String).join(', ')}; got ${show(value)}`,
        );
        return;
      case 'invalid_union': {
        const disc = issue as { discriminator?: string; options?: unknown[] };
        if (disc.discriminator !== undefined) {
          const options = (disc.options ?? []).map(String).join(', ');
          this.problem(file, at, value === undefined ? `missing required key (one of ${options})` : `must be one of ${options}; got ${show(value)}`);
          return;
        }
        this.problem(file, at, issue.message.startsWith('Invalid input') ? `unexpected ${show(value)}` : issue.message);
        return;
      }
      case 'invalid_key': {
        const inner = issue.issues[0];
        this.problem(file, at, inner && !inner.message.startsWith('Invalid') ? inner.message : `invalid key \`${String(value)}\``);
        return;
      }
      default:
        this.problem(file, at, issue.message);
    }
  }

  // ---- cross-file checks (on the raw documents, so that one bad entry does not hide others) ----

  private crossCheck(
    defaults: Loaded<DefaultsFile>,
    environments: Loaded<EnvironmentsFile>,
    imageFiles: Loaded<ImagesFile>[],
    templates: Loaded<TemplatesFile>,
    builds: Loaded<BuildsFile>[],
    provision: Set<string>,
  ): void {
    const rawDefaults = asRecord(asRecord(defaults.raw)?.image) ?? {};

    // Images: unique names across files, unique gold names.
    const images = new Map<string, { file: string; raw: Record<string, unknown> }>();
    let imagesComplete = imageFiles.length > 0 && !this.incompleteDirs.has('images');
    const goldNames = new Map<string, string>();
    for (const f of imageFiles) {
      const entries = asRecord(asRecord(f.raw)?.images);
      if (!entries) {
        imagesComplete = false;
        continue;
      }
      for (const [name, value] of Object.entries(entries)) {
        const prev = images.get(name);
        if (prev) {
          this.problem(f.file, `images.${name}`, `image \`${name}\` is also defined in ${displayPath(prev.file)}`);
          continue;
        }
        const entry = asRecord(value) ?? {};
        images.set(name, { file: f.file, raw: entry });
        const display = str(entry.display_name);
        const gold = str(entry.gold_name) ?? (display !== undefined ? `GOLD ${display}` : undefined);
        if (gold !== undefined) {
          const other = goldNames.get(gold);
          if (other !== undefined) {
            this.problem(
              f.file,
              `images.${name}.${entry.gold_name !== undefined ? 'gold_name' : 'display_name'}`,
              `gold name \`${gold}\` is also the gold name of image \`${other}\``,
            );
          } else {
            goldNames.set(gold, name);
          }
        }
      }
    }
    const imageNames = [...images.keys()];

    // Templates: references from images and defaults, scripts present in provision/.
    const rawTemplates = asRecord(asRecord(templates.raw)?.templates);
    const templateNames = rawTemplates ? Object.keys(rawTemplates) : undefined;
    const templateSet = new Set(templateNames ?? []);
    const defaultTemplate = str(rawDefaults.template);
    if (templateNames && defaultTemplate !== undefined && !templateSet.has(defaultTemplate)) {
      this.problem(defaults.file, 'image.template', unknownRef('template', defaultTemplate, templateNames));
    }
    const usingDefault: string[] = [];
    const defaultVisibility = str(rawDefaults.visibility) ?? DEFAULTS.visibility;
    for (const [name, { file, raw }] of images) {
      const t = raw.template;
      if (t === undefined) usingDefault.push(name);
      else if (typeof t === 'string' && templateNames && !templateSet.has(t)) {
        this.problem(file, `images.${name}.template`, unknownRef('template', t, templateNames));
      }
      const members = raw.members;
      if (Array.isArray(members) && members.length > 0) {
        const own = str(raw.visibility);
        const visibility = own ?? defaultVisibility;
        if (visibility !== 'shared') {
          this.problem(
            file,
            `images.${name}.members`,
            `only allowed with visibility \`shared\`, visibility is \`${visibility}\`${own === undefined ? ' (from defaults)' : ''}`,
          );
        }
      }
    }
    if (templateNames && defaultTemplate === undefined && usingDefault.length > 0 && !templateSet.has(DEFAULTS.template)) {
      this.problem(
        templates.file,
        'templates',
        `missing template \`${DEFAULTS.template}\` (used by images without \`template\`: ${sample(usingDefault)})`,
      );
    }
    if (rawTemplates) {
      for (const [tname, value] of Object.entries(rawTemplates)) {
        const scripts = asRecord(value)?.custom_scripts;
        if (!Array.isArray(scripts)) continue;
        scripts.forEach((s, i) => {
          if (typeof s === 'string' && SCRIPT_NAME.test(s) && !provision.has(s)) {
            this.problem(
              templates.file,
              `templates.${tname}.custom_scripts[${i}]`,
              `script \`${s}\` not found in ${displayPath(path.join(this.dir, 'provision'))}/`,
            );
          }
        });
      }
    }

    // Packer templates run the standard sequence: its scripts must be in provision/ too.
    const packerTemplates = rawTemplates
      ? Object.values(rawTemplates).filter((t) => asRecord(t)?.external_command === undefined)
      : [];
    if (packerTemplates.length > 0) {
      const missing = [PROVISION_LIB, ...STANDARD_SCRIPTS].filter((script) => !provision.has(script));
      if (missing.length > 0) {
        this.problem(
          path.join(this.dir, 'provision'),
          '',
          `missing standard provisioning ${missing.length === 1 ? 'script' : 'scripts'} ${missing.join(', ')}`,
        );
      }
    }

    // Environments: image references, owner mappings.
    const rawEnvs = asRecord(asRecord(environments.raw)?.environments);
    const envNames = rawEnvs ? Object.keys(rawEnvs) : undefined;
    const envFile = environments.file;
    const carriedBy = new Map<string, string[]>();
    if (rawEnvs) {
      const imageSet = images;
      for (const [env, value] of Object.entries(rawEnvs)) {
        const e = asRecord(value);
        if (!e) continue;
        const checkList = (key: 'images' | 'exclude_images'): string[] | undefined => {
          const list = e[key];
          if (!Array.isArray(list)) return undefined;
          const seen = new Set<string>();
          const ok: string[] = [];
          list.forEach((n, i) => {
            if (typeof n !== 'string') return;
            if (seen.has(n)) {
              this.problem(envFile, `environments.${env}.${key}[${i}]`, `image \`${n}\` is listed twice`);
              return;
            }
            seen.add(n);
            if (imagesComplete && !imageSet.has(n)) {
              this.problem(envFile, `environments.${env}.${key}[${i}]`, unknownRef('image', n, imageNames));
            } else {
              ok.push(n);
            }
          });
          return ok;
        };
        const listed = checkList('images');
        const excluded = new Set(checkList('exclude_images') ?? []);
        if (e.images !== undefined && e.images !== 'all' && listed === undefined) continue; // bad type, reported
        const carried = (listed ?? imageNames).filter((n) => !excluded.has(n) && imageSet.has(n));
        carriedBy.set(env, carried);
        // Owners without a clouds.yaml entry in this environment.
        const ownerClouds = e.owner_clouds === undefined ? {} : asRecord(e.owner_clouds);
        if (!ownerClouds) continue;
        const missing = new Map<string, string[]>();
        for (const n of carried) {
          const owner = str(imageSet.get(n)!.raw.owner);
          if (owner !== undefined && !Object.prototype.hasOwnProperty.call(ownerClouds, owner)) {
            const list = missing.get(owner) ?? [];
            list.push(n);
            missing.set(owner, list);
          }
        }
        for (const [owner, names] of missing) {
          this.problem(
            envFile,
            `environments.${env}.owner_clouds`,
            `no clouds.yaml entry for owner \`${owner}\` (owner of ${names.length === 1 ? 'image' : 'images'} ${sample(names)})`,
          );
        }
      }
    }

    this.checkSchedules(images, carriedBy);

    // builds/<env>.yaml must name an environment.
    if (envNames && environments.parsed) {
      const envSet = new Set(envNames);
      for (const b of builds) {
        const env = path.basename(b.file, '.yaml');
        if (!envSet.has(env)) {
          this.problem(b.file, '', `no environment \`${env}\` in environments.yaml${hint(env, envNames)}`);
        }
      }
    } else {
      for (const b of builds) {
        const env = path.basename(b.file, '.yaml');
        if (!ENVIRONMENT_NAME.test(env)) this.problem(b.file, '', `invalid environment name \`${env}\` in file name`);
      }
    }

    // A release's file is one the builder stored for its image: `<image>-<YYYYMMDD>.qcow2`.
    for (const b of builds) {
      for (const [name, value] of Object.entries(asRecord(asRecord(b.raw)?.images) ?? {})) {
        const releases = asRecord(value)?.releases;
        if (!Array.isArray(releases)) continue;
        releases.forEach((r, i) => {
          const file = str(asRecord(r)?.file);
          if (file !== undefined && fileNameProblem(file) === undefined && !file.startsWith(`${name}-`)) {
            this.problem(b.file, `images.${name}.releases[${i}].file`, `must be a file of image \`${name}\` (\`${name}-<date>.qcow2\`), got \`${file}\``);
          }
        });
      }
    }

    // A recorded type / outdated_name (kept for when the image is retired) must match the catalog.
    const typeOfFile = new Map(imageFiles.map((f) => [f.file, str(asRecord(f.raw)?.type)]));
    for (const b of builds) {
      for (const [name, value] of Object.entries(asRecord(asRecord(b.raw)?.images) ?? {})) {
        const entry = asRecord(value);
        const defined = images.get(name);
        if (!entry || !defined) continue;
        const display = str(defined.raw.display_name);
        const expected = {
          type: typeOfFile.get(defined.file),
          outdated_name: str(defined.raw.outdated_name) ?? (display !== undefined ? `Outdated (${display})` : undefined),
        };
        for (const key of ['type', 'outdated_name'] as const) {
          const recorded = str(entry[key]);
          if (recorded !== undefined && expected[key] !== undefined && recorded !== expected[key]) {
            this.problem(
              b.file,
              `images.${name}.${key}`,
              `records \`${recorded}\` but the catalog says \`${expected[key]}\` (update the record)`,
            );
          }
        }
      }
    }
  }
  /**
   * Build times per builder (planSchedule, the rule BuildSchedule applies), on every image whose
   * schedule parsed: each collision and each image without a free time is one line, however many
   * builders share it.
   */
  private checkSchedules(
    images: ReadonlyMap<string, { file: string; raw: Record<string, unknown> }>,
    carriedBy: ReadonlyMap<string, readonly string[]>,
  ): void {
    const schedules = new Map<string, Schedule>();
    for (const [name, { raw }] of images) {
      const parsed = ScheduleSchema.safeParse(raw.schedule ?? {});
      if (parsed.success) schedules.set(name, toSchedule(parsed.data));
    }
    const collisions = new Map<string, { c: ScheduleCollision; envs: string[] }>();
    const unplaced = new Map<string, string[]>();
    for (const [env, carried] of carriedBy) {
      const scheduled = carried.filter((n) => schedules.has(n)).map((name) => ({ name, schedule: schedules.get(name)! }));
      const plan = planSchedule(scheduled);
      for (const c of plan.collisions) {
        const key = `${c.image} ${c.other}`;
        const seen = collisions.get(key) ?? { c, envs: [] };
        seen.envs.push(env);
        collisions.set(key, seen);
      }
      for (const name of plan.unplaced) unplaced.set(name, [...(unplaced.get(name) ?? []), env]);
    }
    const builders = (envs: string[]) => `${envs.length === 1 ? 'builder' : 'builders'} ${envs.sort().join(', ')}`;
    for (const { c, envs } of collisions.values()) {
      this.problem(
        images.get(c.image)!.file,
        `images.${c.image}.schedule`,
        `builds at ${formatSlot(c.slot)} on ${builders(envs)}, within ${DEFAULT_MIN_GAP_MINUTES} minutes of image \`${c.other}\` at ${formatSlot(c.otherSlot)}`,
        { related: { file: images.get(c.other)!.file, path: `images.${c.other}.schedule` } },
      );
    }
    for (const [name, envs] of unplaced) {
      this.problem(
        images.get(name)!.file,
        `images.${name}.schedule`,
        `no free build time on ${builders(envs)}: every time matching the schedule is within ${DEFAULT_MIN_GAP_MINUTES} minutes of another build`,
      );
    }
  }
}


// ---------------------------------------------------------------------------------------------
// Model

function buildModel(
  dir: string,
  defaults: DefaultsFile,
  environments: EnvironmentsFile,
  imageFiles: Loaded<ImagesFile>[],
  templates: TemplatesFile,
  builds: Loaded<BuildsFile>[],
): Catalog {
  const d = defaults.image ?? {};
  const defaultProperties = d.properties ?? {};
  const images: Image[] = [];
  for (const f of imageFiles) {
    const data = f.data!;
    for (const [name, img] of Object.entries(data.images)) {
      images.push(toImage(name, data.type, f.rel, img, d, defaultProperties));
    }
  }
  images.sort((a, b) => cmp(a.name, b.name));
  const allNames = images.map((i) => i.name);

  const envs: Environment[] = Object.entries(environments.environments)
    .map(([name, e]) => toEnvironment(name, e, allNames))
    .sort((a, b) => cmp(a.name, b.name));

  const tpls: Template[] = Object.entries(templates.templates)
    .map(([name, t]) => ({
      name,
      customScripts: [...(t.custom_scripts ?? [])],
      ...(t.external_command !== undefined ? { externalCommand: [...t.external_command] } : {}),
    }))
    .sort((a, b) => cmp(a.name, b.name));

  const keepOf = new Map(images.map((i) => [i.name, i.keepOutdated]));
  const buildsByEnv: Record<string, ImageReleases[]> = {};
  for (const e of envs) buildsByEnv[e.name] = [];
  for (const b of builds) {
    const env = path.basename(b.file, '.yaml');
    buildsByEnv[env] = Object.entries(b.data!.images ?? {})
      .map(([image, entry]): ImageReleases => {
        const releases: Release[] = entry.releases.map((r) => ({
          buildId: r.build_id,
          date: r.date,
          file: r.file,
          md5: r.md5,
          sha256: r.sha256,
          sizeBytes: r.size_bytes,
          ...(r.upstream_url !== undefined ? { upstreamUrl: r.upstream_url } : {}),
          ...(r.upstream_checksum !== undefined ? { upstreamChecksum: r.upstream_checksum } : {}),
        }));
        releases.sort((x, y) => cmp(y.date, x.date) || cmp(y.buildId, x.buildId));
        return {
          image,
          ...(entry.type !== undefined ? { type: entry.type } : {}),
          ...(entry.outdated_name !== undefined ? { outdatedName: entry.outdated_name } : {}),
          keepOutdated: keepOf.get(image) ?? d.keep_outdated ?? DEFAULTS.keepOutdated,
          releases,
        };
      })
      .sort((x, y) => cmp(x.image, y.image));
  }

  return { configDir: dir, environments: envs, images, templates: tpls, builds: buildsByEnv };
}

function toImage(
  name: string,
  type: string,
  sourceFile: string,
  img: ImageEntry,
  d: NonNullable<DefaultsFile['image']>,
  defaultProperties: Record<string, string>,
): Image {
  const u = img.upstream;
  const schedule = toSchedule(img.schedule ?? {});
  return {
    name,
    type,
    sourceFile,
    displayName: img.display_name,
    goldName: img.gold_name ?? `GOLD ${img.display_name}`,
    outdatedName: img.outdated_name ?? `Outdated (${img.display_name})`,
    upstream: {
      url: u.url,
      file: u.file,
      ...(u.checksum_file !== undefined ? { checksumFile: u.checksum_file } : {}),
      ...(u.algorithm !== undefined ? { algorithm: u.algorithm } : {}),
      ...(u.insecure_http_waiver !== undefined ? { insecureHttpWaiver: u.insecure_http_waiver } : {}),
      ...(u.no_checksum_waiver !== undefined ? { noChecksumWaiver: u.no_checksum_waiver } : {}),
    },
    sshUser: img.ssh_user,
    efi: img.efi ?? false,
    minRamMb: img.min_ram_mb,
    minDiskGb: img.min_disk_gb,
    diskFormat: img.disk_format ?? d.disk_format ?? DEFAULTS.diskFormat,
    containerFormat: 'bare',
    visibility: img.visibility ?? d.visibility ?? DEFAULTS.visibility,
    ...(img.owner !== undefined ? { owner: img.owner } : {}),
    members: [...(img.members ?? [])],
    properties: sortKeys({ ...defaultProperties, ...(img.properties ?? {}) }),
    template: img.template ?? d.template ?? DEFAULTS.template,
    schedule,
    keepOutdated: img.keep_outdated ?? d.keep_outdated ?? DEFAULTS.keepOutdated,
    keepBuilds: img.keep_builds ?? d.keep_builds ?? DEFAULTS.keepBuilds,
    compression: img.compression ?? d.compression ?? DEFAULTS.compression,
    ...(img.end_of_life !== undefined ? { endOfLife: img.end_of_life } : {}),
  };
}

function toSchedule(s: ScheduleEntry): Schedule {
  return {
    ...(s.weekday !== undefined ? { weekday: s.weekday } : {}),
    ...(s.hour !== undefined ? { hour: s.hour } : {}),
    ...(s.minute !== undefined ? { minute: s.minute } : {}),
    ...(s.week_of_month !== undefined ? { weekOfMonth: s.week_of_month } : {}),
    enabled: s.enabled ?? true,
  };
}

function toEnvironment(name: string, e: EnvironmentEntry, allImages: readonly string[]): Environment {
  const b = e.builder;
  let backend: Backend;
  if (e.backend === undefined || e.backend.type === 'local') {
    backend = { type: 'local', path: e.backend?.path ?? `terraform.${name}.tfstate` };
  } else {
    backend = {
      type: 's3',
      bucket: e.backend.bucket,
      key: e.backend.key ?? `${name}/terraform.tfstate`,
      region: e.backend.region,
      ...(e.backend.endpoint !== undefined ? { endpoint: e.backend.endpoint } : {}),
    };
  }
  const excluded = new Set(e.exclude_images ?? []);
  const listed = e.images === undefined || e.images === 'all' ? allImages : e.images;
  const images = [...new Set(listed)].filter((n) => !excluded.has(n)).sort(cmp);
  return {
    name,
    region: e.region,
    cloud: e.cloud,
    ownerClouds: sortKeys({ ...(e.owner_clouds ?? {}) }),
    builder: {
      baseUrl: b.base_url,
      network: b.network ?? DEFAULTS.network,
      flavor: b.flavor ?? DEFAULTS.flavor,
      availabilityZone: b.availability_zone,
      sshSourceCidrs: [...b.ssh_source_cidrs],
    },
    backend,
    images,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(record).sort(cmp)) out[k] = record[k];
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

function isBlankYaml(text: string): boolean {
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l) || /^(---|\.\.\.)\s*$/.test(l));
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}


function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Up to three names, then "and N more". */
function sample(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

function typeMessage(expected: string, value: unknown): string {
  if (value === undefined) return 'missing required key';
  const got = show(value);
  switch (expected) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean'
        ? `must be a string, got ${got} (quote it)`
        : `must be a string, got ${got}`;
    case 'number':
    case 'int':
      if (typeof value === 'number') return `must be a whole number, got ${value}`;
      if (typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value))) {
        return `must be a number, got ${got} (remove the quotes)`;
      }
      return `must be a ${expected === 'int' ? 'whole number' : 'number'}, got ${got}`;
    case 'boolean':
      return `must be true or false, got ${got}`;
    case 'object':
    case 'record':
      return `must be a mapping, got ${got}`;
    case 'array':
      return `must be a list, got ${got}`;
    case 'date':
      return `must be a date YYYY-MM-DD, got ${got}`;
    default:
      return `must be ${expected}, got ${got}`;
  }
}

const CREDENTIAL_KEY = /(^|_)(access|secret|password|passwd|token|credentials?|auth)(_|$)/i;

function unknownKeyMessage(key: string, allowed: readonly string[] | undefined, at: readonly PropertyKey[]): string {
  if (CREDENTIAL_KEY.test(key)) {
    const where = at.includes('backend')
      ? 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment'
      : 'use clouds.yaml/secure.yaml';
    return `unknown key \`${key}\` (credentials are never read from the catalog: ${where})`;
  }
  if (!allowed) return `unknown key \`${key}\``;
  const suggestion = closest(key, allowed);
  if (suggestion) return `unknown key \`${key}\` (did you mean \`${suggestion}\`?)`;
  return `unknown key \`${key}\` (allowed: ${allowed.join(', ')})`;
}

function unknownRef(what: string, name: string, known: readonly string[]): string {
  return `unknown ${what} \`${name}\`${hint(name, known)}`;
}

function hint(name: string, known: readonly string[]): string {
  const suggestion = closest(name, known);
  return suggestion ? ` (did you mean \`${suggestion}\`?)` : '';
}

/** The closest candidate by Levenshtein distance, if close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const limit = Math.max(1, Math.floor(Math.max(w.length, c.length) * 0.4));
    if (Math.abs(c.length - w.length) > limit) continue;
    const d = levenshtein(w, c.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

// Walk a zod schema along an issue path to find the keys an object there allows.
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  getter?: () => z.ZodType;
}

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(s: z.ZodType, raw: unknown): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else if (d.type === 'union' && d.options) {
      const r = asRecord(raw);
      const pick = d.options.find((o) => {
        const od = defOf(unwrapPlain(o));
        if (d.discriminator && r && od.shape) {
          const lit = od.shape[d.discriminator];
          return lit !== undefined && (defOf(lit).values ?? []).includes(r[d.discriminator]);
        }
        return Array.isArray(raw) ? od.type === 'array' : od.type === 'object' || od.type === 'record';
      });
      if (!pick) return s;
      s = pick;
    } else return s;
  }
  return s;
}

function unwrapPlain(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
  return s;
}

function allowedKeysAt(schema: z.ZodType, keys: readonly PropertyKey[], raw: unknown): string[] | undefined {
  let s: z.ZodType | undefined = schema;
  let v: unknown = raw;
  for (const k of keys) {
    s = unwrap(s, v);
    const d = defOf(s);
    if (d.type === 'object' && d.shape) s = d.shape[String(k)];
    else if (d.type === 'record') s = d.valueType;
    else if (d.type === 'array') s = d.element;
    else return undefined;
    if (!s) return undefined;
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  }
  const d = defOf(unwrap(s, v));
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
}
