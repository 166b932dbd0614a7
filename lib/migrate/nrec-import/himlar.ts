// himlar's hiera: the builder side. `hieradata/common/roles/builder.yaml` holds the build jobs
// (profile::application::builder::images), the packer template variants (::templates), the
// builder class parameters and the Sensu check; node files `hieradata/nodes/<loc>/<loc>-builder-NN.yaml`
// the Windows jobs of a location, `<loc>-proxy-NN.yaml` the cron that runs himlarcli's upload.
import * as fs from 'fs';
import * as path from 'path';
import { asRecord, reEscape } from '../../common';
import { ImportError, isDirectory, readYamlMapping } from './read-source';

/** Hiera key prefix of the builder class (profile::application::builder). */
export const BUILDER = 'profile::application::builder::';
/** Hiera key of the Sensu Go checks. */
export const SENSU_CHECKS = 'profile::monitoring::sensu::agent::checks';

/** One location (a himlar `nodes/<loc>/` directory with a builder node). */
export interface HimlarLocation {
  readonly name: string;
  /** The builder node's file, relative to the himlar checkout. */
  readonly builderFile: string;
  /** `profile::application::builder::windows_images`: job name -> settings. */
  readonly windowsJobs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Other `profile::application::builder::*` keys of the node (without the prefix). */
  readonly builderKeys: Readonly<Record<string, unknown>>;
  /** The proxy node file and its crontab entries that run himlarcli's image upload. */
  readonly uploadCrons: readonly { readonly file: string; readonly name: string; readonly entry: Readonly<Record<string, unknown>> }[];
}

export interface HimlarData {
  /** builder.yaml, relative to the himlar checkout. */
  readonly roleFile: string;
  /** Build jobs by name. */
  readonly jobs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Template variants: name -> custom script paths (as hiera writes them). */
  readonly templates: ReadonlyMap<string, readonly string[]>;
  /** Other `profile::application::builder::*` keys of the role (without the prefix). */
  readonly classParams: Readonly<Record<string, unknown>>;
  /** Sensu checks of the role (name -> definition). */
  readonly sensuChecks: Readonly<Record<string, unknown>>;
  /** The role's other top-level keys (the host's Puppet settings), with their values. */
  readonly other: Readonly<Record<string, unknown>>;
  readonly locations: readonly HimlarLocation[];
}

const ROLE_FILE = path.join('hieradata', 'common', 'roles', 'builder.yaml');

/** Reads the builder role and the node files of a himlar checkout. */
export function readHimlar(dir: string): HimlarData {
  const roleFile = path.join(dir, ROLE_FILE);
  if (!fs.existsSync(roleFile)) throw new ImportError(`${dir}: no ${ROLE_FILE} (give the himlar checkout)`);
  const role = readYamlMapping(roleFile);
  const jobs = new Map<string, Record<string, unknown>>();
  const templates = new Map<string, string[]>();
  const classParams: Record<string, unknown> = {};
  const other: Record<string, unknown> = {};
  let sensuChecks: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(role)) {
    if (key === `${BUILDER}images`) {
      for (const [job, settings] of Object.entries(mapping(value, roleFile, key))) jobs.set(job, mapping(settings, roleFile, `${key}.${job}`));
    } else if (key === `${BUILDER}templates`) {
      for (const [name, settings] of Object.entries(mapping(value, roleFile, key))) {
        const scripts = mapping(settings, roleFile, `${key}.${name}`).custom_scripts ?? [];
        if (!Array.isArray(scripts) || !scripts.every((s) => typeof s === 'string')) {
          throw new ImportError(`${roleFile}: ${key}.${name}.custom_scripts must be a list of paths`);
        }
        templates.set(name, scripts);
      }
    } else if (key.startsWith(BUILDER)) {
      classParams[key.slice(BUILDER.length)] = value;
    } else if (key === SENSU_CHECKS) {
      sensuChecks = mapping(value, roleFile, key);
    } else {
      other[key] = value;
    }
  }
  return { roleFile: ROLE_FILE, jobs, templates, classParams, sensuChecks, other, locations: readLocations(dir) };
}

function readLocations(dir: string): HimlarLocation[] {
  const nodes = path.join(dir, 'hieradata', 'nodes');
  if (!isDirectory(nodes)) return [];
  const out: HimlarLocation[] = [];
  for (const loc of fs.readdirSync(nodes).sort()) {
    const locDir = path.join(nodes, loc);
    if (!isDirectory(locDir)) continue;
    const files = fs.readdirSync(locDir).sort();
    const builder = files.find((f) => new RegExp(`^${reEscape(loc)}-builder-\\d+\\.yaml$`).test(f));
    if (!builder) continue;
    const builderFile = path.join(locDir, builder);
    const node = readYamlMapping(builderFile);
    const windowsJobs = new Map<string, Record<string, unknown>>();
    const builderKeys: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === `${BUILDER}windows_images`) {
        for (const [job, settings] of Object.entries(mapping(value, builderFile, key))) windowsJobs.set(job, mapping(settings, builderFile, `${key}.${job}`));
      } else if (key.startsWith(BUILDER)) {
        builderKeys[key.slice(BUILDER.length)] = value;
      }
    }
    const uploadCrons: HimlarLocation['uploadCrons'][number][] = [];
    for (const proxy of files.filter((f) => new RegExp(`^${reEscape(loc)}-proxy-\\d+\\.yaml$`).test(f))) {
      const proxyFile = path.join(locDir, proxy);
      const crontabs = asRecord(readYamlMapping(proxyFile)['profile::base::cron::crontabs']) ?? {};
      for (const [name, entry] of Object.entries(crontabs)) {
        const e = asRecord(entry);
        if (e && typeof e.command === 'string' && e.command.includes('image_update.sh')) {
          uploadCrons.push({ file: path.relative(dir, proxyFile), name, entry: e });
        }
      }
    }
    out.push({ name: loc, builderFile: path.relative(dir, builderFile), windowsJobs, builderKeys, uploadCrons });
  }
  return out;
}

function mapping(value: unknown, file: string, key: string): Record<string, unknown> {
  const m = value === null ? {} : asRecord(value);
  if (!m) throw new ImportError(`${file}: ${key} must be a mapping`);
  return m;
}
