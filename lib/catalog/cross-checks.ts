// Checks across files, on the raw documents so that one bad entry does not hide others: unique
// image and gold names, references (templates, scripts, images, environments), owner mappings,
// build times per builder, and builds records that must match the catalog.
import * as path from 'path';
import { asRecord, closest } from '../common';
import { ENVIRONMENT_NAME, PROVISION_LIB, SCRIPT_NAME, STANDARD_SCRIPTS } from '../contract';
import { DEFAULT_MIN_GAP_MINUTES, formatSlot, planSchedule, type ScheduleCollision } from './schedule-plan';
import { DEFAULTS, toSchedule } from './build-model';
import { displayPath } from './errors';
import type { Schedule } from './model';
import type { LoadedFile } from './read';
import {
  BuildsFile,
  DefaultsFile,
  EnvironmentsFile,
  fileNameProblem,
  ImagesFile,
  ScheduleSchema,
  TemplatesFile,
} from './schema';
import { goldName, outdatedName } from '../contract/glance-names';

type Keys = readonly (string | number)[];

/** Records one problem: the file, the key path in it, the message, another place it involves. */
export type Report = (file: string, keys: Keys, message: string, related?: { file: string; keys: Keys }) => void;

export interface CrossCheckContext {
  /** The config directory (absolute). */
  readonly dir: string;
  /** Sub directories with files that were not read (their names are unknown). */
  readonly incompleteDirs: ReadonlySet<string>;
  readonly report: Report;
}

export function crossCheck(
ctx: CrossCheckContext,
  defaults: LoadedFile<DefaultsFile>,
  environments: LoadedFile<EnvironmentsFile>,
  imageFiles: LoadedFile<ImagesFile>[],
  templates: LoadedFile<TemplatesFile>,
  builds: LoadedFile<BuildsFile>[],
  provision: ReadonlySet<string>,
): void {
  const report = ctx.report;
  const rawDefaults = asRecord(asRecord(defaults.raw)?.image) ?? {};

  // Images: unique names across files, unique gold names.
  const images = new Map<string, { file: string; raw: Record<string, unknown> }>();
  let imagesComplete = imageFiles.length > 0 && !ctx.incompleteDirs.has('images');
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
        report(f.file, ['images', name], `image \`${name}\` is also defined in ${displayPath(prev.file)}`);
        continue;
      }
      const entry = asRecord(value) ?? {};
      images.set(name, { file: f.file, raw: entry });
      const display = str(entry.display_name);
      const gold = str(entry.gold_name) ?? (display !== undefined ? goldName(display) : undefined);
      if (gold !== undefined) {
        const other = goldNames.get(gold);
        if (other !== undefined) {
          report(
            f.file,
            ['images', name, entry.gold_name !== undefined ? 'gold_name' : 'display_name'],
            `gold name \`${gold}\` is also the gold name of image \`${other}\``,
          );
        } else {
          goldNames.set(gold, name);
        }
      }
    }
  }
  const imageNames = [...images.keys()];

  // Glance tags [type, short name]: one image line per pair, or lookups by tag meet two lines.
  const typeOfFile = new Map(imageFiles.map((f) => [f.file, str(asRecord(f.raw)?.type)]));
  const tagPairs = new Map<string, string>();
  for (const [name, { file, raw }] of images) {
    const type = typeOfFile.get(file);
    const short = str(raw.short_name) ?? name;
    if (type === undefined) continue;
    const other = tagPairs.get(`${type}/${short}`);
    if (other !== undefined) {
      report(
        file,
        ['images', name, ...(raw.short_name !== undefined ? ['short_name'] : [])],
        `glance tags [${type}, ${short}] are also those of image \`${other}\``,
      );
    } else {
      tagPairs.set(`${type}/${short}`, name);
    }
  }

  // Templates: references from images and defaults, scripts present in provision/.
  const rawTemplates = asRecord(asRecord(templates.raw)?.templates);
  const templateNames = rawTemplates ? Object.keys(rawTemplates) : undefined;
  const templateSet = new Set(templateNames ?? []);
  const defaultTemplate = str(rawDefaults.template);
  if (templateNames && defaultTemplate !== undefined && !templateSet.has(defaultTemplate)) {
    report(defaults.file, ['image', 'template'], unknownRef('template', defaultTemplate, templateNames));
  }
  const usingDefault: string[] = [];
  const defaultVisibility = str(rawDefaults.visibility) ?? DEFAULTS.visibility;
  for (const [name, { file, raw }] of images) {
    const t = raw.template;
    if (t === undefined) usingDefault.push(name);
    else if (typeof t === 'string' && templateNames && !templateSet.has(t)) {
      report(file, ['images', name, 'template'], unknownRef('template', t, templateNames));
    }
    const members = raw.members;
    if (Array.isArray(members) && members.length > 0) {
      const own = str(raw.visibility);
      const visibility = own ?? defaultVisibility;
      if (visibility !== 'shared') {
        report(
          file,
          ['images', name, 'members'],
          `only allowed with visibility \`shared\`, visibility is \`${visibility}\`${own === undefined ? ' (from defaults)' : ''}`,
        );
      }
    }
  }
  if (templateNames && defaultTemplate === undefined && usingDefault.length > 0 && !templateSet.has(DEFAULTS.template)) {
    report(
      templates.file,
      ['templates'],
      `missing template \`${DEFAULTS.template}\` (used by images without \`template\`: ${sample(usingDefault)})`,
    );
  }
  // A provision/ that could not be read (a symlink, unreadable) has its own problem line: no
  // "not found" lines follow from it.
  const provisionRead = !ctx.incompleteDirs.has('provision');
  if (rawTemplates && provisionRead) {
    for (const [tname, value] of Object.entries(rawTemplates)) {
      const scripts = asRecord(value)?.custom_scripts;
      if (!Array.isArray(scripts)) continue;
      scripts.forEach((s, i) => {
        if (typeof s === 'string' && SCRIPT_NAME.test(s) && !provision.has(s)) {
          report(
            templates.file,
            ['templates', tname, 'custom_scripts', i],
            `script \`${s}\` not found in ${displayPath(path.join(ctx.dir, 'provision'))}/`,
          );
        }
      });
    }
  }

  // Packer templates run the standard sequence: its scripts must be in provision/ too.
  const packerTemplates = rawTemplates
    ? Object.values(rawTemplates).filter((t) => asRecord(t)?.external_command === undefined)
    : [];
  if (packerTemplates.length > 0 && provisionRead) {
    const missing = [PROVISION_LIB, ...STANDARD_SCRIPTS].filter((script) => !provision.has(script));
    if (missing.length > 0) {
      report(
        path.join(ctx.dir, 'provision'),
        [],
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
            report(envFile, ['environments', env, key, i], `image \`${n}\` is listed twice`);
            return;
          }
          seen.add(n);
          if (imagesComplete && !imageSet.has(n)) {
            report(envFile, ['environments', env, key, i], unknownRef('image', n, imageNames));
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
        report(
          envFile,
          ['environments', env, 'owner_clouds'],
          `no clouds.yaml entry for owner \`${owner}\` (owner of ${names.length === 1 ? 'image' : 'images'} ${sample(names)})`,
        );
      }
    }
  }

  checkSchedules(report, images, carriedBy);

  // builds/<env>.yaml must name an environment.
  if (envNames && environments.parsed) {
    const envSet = new Set(envNames);
    for (const b of builds) {
      const env = path.basename(b.file, '.yaml');
      if (!envSet.has(env)) {
        report(b.file, [], `no environment \`${env}\` in environments.yaml${hint(env, envNames)}`);
      }
    }
  } else {
    for (const b of builds) {
      const env = path.basename(b.file, '.yaml');
      if (!ENVIRONMENT_NAME.test(env)) report(b.file, [], `invalid environment name \`${env}\` in file name`);
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
          report(b.file, ['images', name, 'releases', i, 'file'], `must be a file of image \`${name}\` (\`${name}-<date>.qcow2\`), got \`${file}\``);
        }
      });
    }
  }

  // A Glance image is adopted by one release at most.
  for (const b of builds) {
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(asRecord(asRecord(b.raw)?.images) ?? {})) {
      const releases = asRecord(value)?.releases;
      if (!Array.isArray(releases)) continue;
      releases.forEach((r, i) => {
        const id = str(asRecord(r)?.glance_id);
        if (id === undefined) return;
        const first = seen.get(id);
        if (first !== undefined) report(b.file, ['images', name, 'releases', i, 'glance_id'], `glance image ${id} is also adopted by ${first}`);
        else seen.set(id, `images.${name}.releases[${i}]`);
      });
    }
  }

  // A recorded type / short_name / outdated_name (kept for when the image is retired) must match the catalog.
  for (const b of builds) {
    for (const [name, value] of Object.entries(asRecord(asRecord(b.raw)?.images) ?? {})) {
      const entry = asRecord(value);
      const defined = images.get(name);
      if (!entry || !defined) continue;
      const display = str(defined.raw.display_name);
      const expected = {
        type: typeOfFile.get(defined.file),
        short_name: str(defined.raw.short_name) ?? name,
        outdated_name: str(defined.raw.outdated_name) ?? (display !== undefined ? outdatedName(display) : undefined),
      };
      for (const key of ['type', 'short_name', 'outdated_name'] as const) {
        const recorded = str(entry[key]);
        if (recorded !== undefined && expected[key] !== undefined && recorded !== expected[key]) {
          report(
            b.file,
            ['images', name, key],
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
function checkSchedules(
report: Report,
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
    report(
      images.get(c.image)!.file,
      ['images', c.image, 'schedule'],
      `builds at ${formatSlot(c.slot)} on ${builders(envs)}, within ${DEFAULT_MIN_GAP_MINUTES} minutes of image \`${c.other}\` at ${formatSlot(c.otherSlot)}`,
      { file: images.get(c.other)!.file, keys: ['images', c.other, 'schedule'] },
    );
  }
  for (const [name, envs] of unplaced) {
    report(
      images.get(name)!.file,
      ['images', name, 'schedule'],
      `no free build time on ${builders(envs)}: every time matching the schedule is within ${DEFAULT_MIN_GAP_MINUTES} minutes of another build`,
    );
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Up to three names, then "and N more". */
function sample(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

function unknownRef(what: string, name: string, known: readonly string[]): string {
  return `unknown ${what} \`${name}\`${hint(name, known)}`;
}

function hint(name: string, known: readonly string[]): string {
  const suggestion = closest(name, known);
  return suggestion ? ` (did you mean \`${suggestion}\`?)` : '';
}
