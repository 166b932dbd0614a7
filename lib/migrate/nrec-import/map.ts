// NREC's files -> a goldsmith catalog (plain values, written by write-catalog.ts). Every source
// value that does not reach the catalog is an `unmapped` line saying why; every catalog value the
// sources do not hold (clouds.yaml entry names, SSH source addresses …) an `assumed` line.
//
// What comes from where (issue: "goldsmith import nrec"):
// - himlarcli config/images/*.yaml (the Glance side): type, the entry key (the second Glance tag,
//   kept as `short_name` where it is not the builder job), name -> gold_name/display_name,
//   depricated -> outdated_name, min_ram, min_disk, disk_format, visibility (himlarcli's default:
//   private), owner, properties; `latest` (<job>-latest.<ext> on http://builder/) names the job.
// - himlar hieradata/common/roles/builder.yaml (the build side): per job the upstream (url,
//   latest, checksum_file, checksum), username, efi, hour and minute, the template
//   (IB_TEMPLATE_DIR); the templates hash -> templates.yaml; the class's flavor.
// - himlar hieradata/nodes/<loc>/<loc>-builder-NN.yaml: the environments, the Windows jobs (which
//   locations carry the Windows images, their monthly schedule) and the management domain.
import { plural } from '../../common';
import * as path from 'path';
import { PROVISION_LIB, STANDARD_SCRIPTS } from '../../contract';
import { goldName, outdatedName } from '../../contract/glance-names';
import { propertyKeyProblem } from '../../catalog/schema';
import type { HimlarcliEntry, HimlarcliFile } from './himlarcli';
import type { HimlarData, HimlarLocation } from './himlar';
import { SCRIPT_VARIABLES, WINDOWS_COMMAND, WINDOWS_VARIABLES, type VariableDecl } from './provisioning';
import { ImportError } from './read-source';

/** What the import writes, as plain values in file order, and what it says about it. */
export interface ImportedCatalog {
  readonly defaults: Record<string, unknown>;
  readonly environments: Record<string, unknown>;
  readonly templates: Record<string, unknown>;
  readonly imageFiles: readonly ImageFileOut[];
  /** Source values that are not in the catalog, and why. */
  readonly unmapped: readonly string[];
  /** Catalog values the sources do not hold: written as stated, to be reviewed. */
  readonly assumed: readonly string[];
}

/** One images/<file>.yaml: named after the himlarcli file its entries come from. */
export interface ImageFileOut {
  readonly file: string;
  readonly type: string;
  readonly images: readonly ImageOut[];
}

export interface ImageOut {
  readonly key: string;
  /** Provenance, written as a comment above the entry. */
  readonly source: string;
  readonly entry: Record<string, unknown>;
}

export interface MapOptions {
  /** Environments to write (default: every location with a builder node). */
  readonly environments?: readonly string[];
  /** goldsmith's provisioning scripts (names): template scripts without a counterpart are left out. */
  readonly scripts: ReadonlySet<string>;
}

/** A placeholder the operator must replace: TEST-NET-1 (RFC 5737), never a real network. */
export const PLACEHOLDER_CIDR = '192.0.2.0/24';

/** The keys image.py reads from an entry (himlarcli image.py, glance.py). */
const HIMLARCLI_KEYS = new Set([
  'name', 'depricated', 'url', 'latest', 'builder_checksum', 'checksum_file', 'checksum', 'min_ram', 'min_disk',
  'visibility', 'disk_format', 'container_format', 'owner', 'tags', 'properties', 'retired',
]);
/** image.py update skips (silently) an entry missing one of these. */
const HIMLARCLI_MANDATORY = ['latest', 'url', 'name', 'min_ram', 'min_disk', 'depricated'];
/** The keys of a build job that the mapping reads (builder/jobs.pp, build_script.erb). */
const JOB_KEYS = new Set(['image_name', 'url', 'latest', 'checksum_file', 'checksum', 'min_ram', 'min_disk', 'flavor', 'efi', 'username', 'environment', 'hour', 'minute', 'weekday']);
const WINDOWS_JOB_KEYS = new Set(['version', 'buildhost', 'weekday', 'monthday', 'hour', 'minute']);
/** Builder class parameters that are the imagebuilder installation, replaced by goldsmith. */
const INSTALLATION_PARAMS = ['package_url', 'template_dir', 'download_dir', 'rc_file', 'custom_scriptdir'];
const PUBLISHED_FROM_BUILDER = /^https?:\/\/builder(\.[^/]*)?\/$/;

interface Job {
  readonly name: string;
  readonly windows: boolean;
  /** Linux: the role's settings; Windows: the first location's. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Windows: the locations that have the job. */
  readonly locations: readonly string[];
}

interface Mapped {
  readonly job: Job;
  readonly from: HimlarcliEntry;
  readonly entry: Record<string, unknown>;
}

export function mapNrec(cli: readonly HimlarcliFile[], himlar: HimlarData, options: MapOptions): ImportedCatalog {
  const unmapped: string[] = [];
  const assumed: string[] = [];
  const role = `himlar ${path.basename(himlar.roleFile)}`;

  // Build jobs: the role's Linux jobs, the nodes' Windows jobs.
  const jobs = new Map<string, Job>();
  for (const [name, settings] of himlar.jobs) jobs.set(name, { name, windows: false, settings, locations: [] });
  for (const loc of himlar.locations) {
    for (const [name, settings] of loc.windowsJobs) {
      const known = jobs.get(name);
      if (known && !known.windows) {
        unmapped.push(`himlar ${path.basename(loc.builderFile)}: windows_images.${name}: also a Linux job of ${role}: left out`);
        continue;
      }
      if (known) {
        const differs = ['weekday', 'monthday', 'hour', 'minute'].filter((k) => known.settings[k] !== settings[k]);
        if (differs.length > 0) {
          unmapped.push(
            `himlar ${path.basename(loc.builderFile)}: windows_images.${name}: ${differs.map((k) => `${k} ${String(settings[k])}`).join(', ')} differ from ${known.locations[0]}'s: goldsmith has one schedule per image (${known.locations[0]}'s is written)`,
          );
        }
      }
      jobs.set(name, { name, windows: true, settings: known?.settings ?? settings, locations: [...(known?.locations ?? []), loc.name] });
    }
  }

  // himlarcli entries -> images.
  const mapped: Mapped[] = [];
  const publishedBy = new Map<string, string>();
  for (const file of cli) {
    const src = `himlarcli ${file.file}`;
    if (file.retired) {
      const keys = file.entries.map((e) => e.key);
      unmapped.push(
        `${src}: ${plural(keys.length, 'retired image')} (${keys.join(', ')}): ${keys.length === 1 ? 'not a catalog entry' : 'not catalog entries'} (retired with image.py retire); ${keys.length === 1 ? 'its' : 'their'} Glance images stay as they are (goldsmith adopt --leave-unknown)`,
      );
      continue;
    }
    for (const e of file.entries) {
      const at = `${src}: ${e.key} (${str(e.fields.name) ?? 'no name'})`;
      const missing = HIMLARCLI_MANDATORY.filter((k) => e.fields[k] === undefined);
      if (missing.length > 0) {
        unmapped.push(`${at}: no ${missing.join(', ')}: image.py skips the entry too`);
        continue;
      }
      if (e.fields.retired === 1 || e.fields.retired === true) {
        unmapped.push(`${at}: retired: 1: image.py skips it`);
        continue;
      }
      const url = str(e.fields.url) ?? '';
      const latest = str(e.fields.latest) ?? '';
      if (!PUBLISHED_FROM_BUILDER.test(url)) {
        unmapped.push(`${at}: type ${file.type}, downloaded from ${url}${latest}, not built by the builder: not a goldsmith image`);
        continue;
      }
      const jobName = /^([a-z0-9_]+)-latest\.(qcow2|raw)$/.exec(latest)?.[1];
      const job = jobName !== undefined ? jobs.get(jobName) : undefined;
      if (jobName === undefined || !job) {
        unmapped.push(
          `${at}: publishes ${url}${latest}, but no build job \`${jobName ?? latest}\` is in ${role} or a node's windows_images: not a goldsmith image (its Glance images stay as they are)`,
        );
        continue;
      }
      const other = publishedBy.get(job.name);
      if (other !== undefined) {
        unmapped.push(`${at}: publishes job ${job.name}, which ${other} publishes already: left out`);
        continue;
      }
      publishedBy.set(job.name, `${src} ${e.key}`);
      mapped.push({ job, from: e, entry: imageEntry(e, job, at, unmapped) });
    }
  }
  for (const job of jobs.values()) {
    if (!publishedBy.has(job.name)) {
      unmapped.push(`${job.windows ? `himlar windows_images` : role}: job ${job.name}: no himlarcli entry publishes it (no Glance names): left out`);
    }
  }
  if (mapped.length === 0) throw new ImportError('no himlarcli entry publishes a build job of himlar: nothing to import');

  // The role's job settings that have no place in the catalog, one line per setting.
  const linuxJobs = [...himlar.jobs.entries()].filter(([name]) => publishedBy.has(name));
  const withKey = (key: string) => linuxJobs.filter(([, s]) => s[key] !== undefined).map(([name]) => name);
  const imageNames = withKey('image_name');
  if (imageNames.length > 0) {
    unmapped.push(`${role}: images.<job>.image_name (${plural(imageNames.length, 'job')}): the name of imagebuilder's bootstrap image; goldsmith names its temporary source image itself`);
  }
  const sizes = [...new Set([...withKey('min_ram'), ...withKey('min_disk')])];
  if (sizes.length > 0) {
    unmapped.push(
      `${role}: images.<job>.min_ram, min_disk (${plural(sizes.length, 'job')}): the bootstrap image's sizes; the catalog's min_ram_mb/min_disk_gb are himlarcli's (Glance's), which goldsmith's source image uses too`,
    );
  }
  const flavors = new Map<string, string[]>();
  for (const [name, s] of linuxJobs) if (typeof s.flavor === 'string') flavors.set(s.flavor, [...(flavors.get(s.flavor) ?? []), name]);
  const classFlavor = str(himlar.classParams.flavor);
  for (const [flavor, names] of flavors) {
    if (flavor === classFlavor) continue;
    unmapped.push(
      `${role}: images.<job>.flavor ${flavor} (${names.join(', ')}): goldsmith has one build flavor per environment (builder.flavor, written as ${classFlavor ?? 'the default img.zerodisk'}): choose one that fits these builds`,
    );
  }
  for (const [name, s] of linuxJobs) {
    const unknown = Object.keys(s).filter((k) => !JOB_KEYS.has(k));
    if (unknown.length > 0) unmapped.push(`${role}: images.${name}: ${unknown.join(', ')}: not read by the builder's build script: left out`);
    const env = Array.isArray(s.environment) ? s.environment : [];
    const other = env.filter((v) => typeof v !== 'string' || !/^(IMAGEBUILDER_REPORT=true|IB_TEMPLATE_DIR=\/etc\/imagebuilder\/[a-z0-9_]+)$/.test(v));
    if (other.length > 0) unmapped.push(`${role}: images.${name}.environment ${other.join(' ')}: no goldsmith counterpart: left out`);
  }
  if (linuxJobs.some(([, s]) => s.weekday === undefined)) {
    assumed.push(`images.*.schedule.weekday: left out, as himlar does (fqdn_rand(6, job) per builder host): goldsmith staggers the weekday itself`);
  }

  // Templates.
  const templates: Record<string, unknown> = {};
  const templateNames = new Set<string>();
  for (const m of mapped) templateNames.add(String(m.entry.template ?? 'default'));
  const standard = new Set([PROVISION_LIB, ...STANDARD_SCRIPTS]);
  const customScripts = new Map<string, string[]>();
  for (const [name, paths] of himlar.templates) {
    const scripts: string[] = [];
    for (const p of paths) {
      const script = path.posix.basename(p);
      if (!options.scripts.has(script) || standard.has(script)) {
        unmapped.push(`${role}: templates.${name}.custom_scripts ${p}: ${standard.has(script) ? 'already in goldsmith\'s standard sequence' : 'goldsmith has no such provisioning script'}: left out`);
        continue;
      }
      scripts.push(script);
    }
    customScripts.set(name, scripts);
  }
  const scriptsOf = (name: string): string[] => [...(customScripts.get(name) ?? [])];
  for (const name of [...himlar.templates.keys()].sort()) {
    const scripts = [...scriptsOf(name), 'report.sh'];
    templates[name] = { custom_scripts: scripts, ...variablesOf(scripts) };
    templateNames.delete(name);
  }
  if (himlar.templates.size > 0) {
    assumed.push(
      `templates.*.custom_scripts: report.sh added to every packer template (himlar's template.erb runs it in every build; goldsmith's standard sequence does not)`,
    );
  }
  if (templateNames.has('uio_rhel')) {
    const scripts = [...scriptsOf('default'), 'report.sh'];
    templates.uio_rhel = { custom_scripts: scripts, variables: [...(variablesOf(scripts).variables ?? []), ...SCRIPT_VARIABLES['uio-rhel.sh']] };
    templateNames.delete('uio_rhel');
    const uio = mapped.filter((m) => m.entry.template === 'uio_rhel').map((m) => m.job.name);
    assumed.push(
      `templates.uio_rhel (${uio.join(', ')}): himlar builds these with the default template, and imagebuilder's uio-rhel.sh holds the Satellite settings; goldsmith's reads RHSM_ORG, RHSM_ACTIVATION_KEY, SATELLITE_URL and UIO_RPM_URL from the builder's env file`,
    );
  }
  if (templateNames.has('windows')) {
    templates.windows = { external_command: [WINDOWS_COMMAND], variables: WINDOWS_VARIABLES.map(decl) };
    templateNames.delete('windows');
  }
  for (const name of templateNames) {
    throw new ImportError(`a build job uses IB_TEMPLATE_DIR=/etc/imagebuilder/${name}, but ${role} has no template ${name}`);
  }
  if (Object.keys(templates).length > 0) {
    assumed.push(`templates.*.variables: the site variables goldsmith's scripts read (names only): set their values in /etc/goldsmith/env/<template>.env on each builder (docs/builder-bundle.md)`);
  }

  // Builder class parameters, Sensu, the rest of the role.
  const install = INSTALLATION_PARAMS.filter((k) => himlar.classParams[k] !== undefined);
  if (install.length > 0) {
    unmapped.push(`${role}: ${install.join(', ')}: imagebuilder's installation and paths, replaced by goldsmith's bundle and store on the builder`);
  }
  if (himlar.classParams.ipv6 === false) unmapped.push(`${role}: ipv6: false: goldsmith's standard sequence always runs enable_ipv6.sh`);
  const otherParams = Object.keys(himlar.classParams).filter((k) => ![...INSTALLATION_PARAMS, 'ipv6', 'flavor', 'network', 'az'].includes(k));
  if (otherParams.length > 0) unmapped.push(`${role}: ${otherParams.join(', ')}: no goldsmith counterpart: left out`);
  for (const [name, check] of Object.entries(himlar.sensuChecks)) {
    const annotations = Object.keys((check as { annotations?: Record<string, unknown> })?.annotations ?? {}).filter((k) => k.startsWith('check-imagebuild/'));
    unmapped.push(
      `${role}: Sensu check ${name}${annotations.length ? ` (${plural(annotations.length, 'job annotation')})` : ''}: NREC's build monitoring (check-imagebuild.rb reads imagebuilder's reports): remove it at cutover (docs/migration.md)`,
    );
  }
  const hostKeys = Object.keys(himlar.other);
  if (hostKeys.length > 0) {
    // Grouped by their first two name parts: profile::base::lvm::volume_group -> profile::base.
    const groups = [...new Set(hostKeys.map((k) => k.split('::').slice(0, 2).join('::')))];
    unmapped.push(
      `${role}: ${plural(hostKeys.length, 'other key')} (${groups.join(', ')}): the builder host's Puppet settings, not catalog values: keep what the host still needs (the Apache vhost serves goldsmith's store too)`,
    );
  }

  // Defaults: the Glance properties every image has, with the value most have (an image with
  // another value overrides it; one without the key could not remove it, so such keys stay per image).
  const props = mapped.map((m) => (m.entry.properties ?? {}) as Record<string, string>);
  const common: Record<string, string> = {};
  for (const k of Object.keys(props[0] ?? {})) {
    if (!props.every((p) => p[k] !== undefined)) continue;
    const tally = new Map<string, number>();
    for (const p of props) tally.set(p[k], (tally.get(p[k]) ?? 0) + 1);
    common[k] = [...tally.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  }
  for (const m of mapped) {
    const own = Object.fromEntries(Object.entries((m.entry.properties ?? {}) as Record<string, string>).filter(([k, v]) => common[k] !== v));
    if (Object.keys(own).length > 0) m.entry.properties = own;
    else delete m.entry.properties;
  }
  const defaults: Record<string, unknown> = { image: { ...(Object.keys(common).length ? { properties: common } : {}), keep_outdated: 2 } };
  assumed.push(
    `defaults.yaml image.keep_outdated: 2 (himlarcli keeps every Outdated image until a manual purge; goldsmith promote proposes removing the older ones no server or volume uses)`,
  );

  // Environments.
  const environments = mapEnvironments(himlar, mapped, options, unmapped, assumed);

  // Image files, in himlarcli's order.
  const files = new Map<string, ImageFileOut & { images: ImageOut[] }>();
  for (const m of mapped) {
    const file = files.get(m.from.file) ?? { file: m.from.file, type: m.from.type, images: [] };
    files.set(m.from.file, file);
    const source = `himlarcli ${m.from.file} ${m.from.key} · himlar ${m.job.windows ? `windows_images ${m.job.name} (${m.job.locations.join(', ')})` : `job ${m.job.name}`}`;
    file.images.push({ key: m.job.name, source, entry: m.entry });
  }
  return { defaults, environments, templates, imageFiles: [...files.values()], unmapped, assumed };
}

/** One images/*.yaml entry from a himlarcli entry and its build job. */
function imageEntry(e: HimlarcliEntry, job: Job, at: string, unmapped: string[]): Record<string, unknown> {
  const f = e.fields;
  const unknown = Object.keys(f).filter((k) => !HIMLARCLI_KEYS.has(k));
  if (unknown.length > 0) unmapped.push(`${at}: ${unknown.join(', ')}: not read by image.py: left out`);
  if (f.container_format !== undefined && f.container_format !== 'bare') {
    unmapped.push(`${at}: container_format ${String(f.container_format)}: goldsmith publishes bare images`);
  }
  if (Array.isArray(f.tags) && f.tags.length > 0) unmapped.push(`${at}: tags ${f.tags.join(', ')}: goldsmith tags an image [type, short name] only`);
  if (f.checksum_file !== undefined || f.checksum !== undefined) {
    unmapped.push(`${at}: checksum_file/checksum: image.py's check of the builder's file; goldsmith promote checks the build's .md5 and .sha256`);
  }

  const name = String(f.name);
  const display = /^GOLD (.+)$/.exec(name)?.[1] ?? name;
  const depricated = String(f.depricated);
  const entry: Record<string, unknown> = {};
  if (e.key !== job.name) entry.short_name = e.key;
  entry.display_name = display;
  if (goldName(display) !== name) entry.gold_name = name;
  if (outdatedName(display) !== depricated) entry.outdated_name = depricated;
  const s = job.settings;
  if (job.windows) {
    const version = str(s.version) ?? String(s.version ?? job.name);
    entry.upstream = {
      url: 'https://windows-iso.invalid/',
      file: `windows-server-${version}.iso`,
      no_checksum_waiver: `placeholder written by goldsmith import: himlar's windows_images name no ISO (norcams/packer-windows pins it and its sha256): set url, file and checksum, then enable the schedule`,
    };
    entry.ssh_user = 'Admin';
    entry.efi = true;
  } else {
    const url = str(s.url) ?? '';
    const upstream: Record<string, unknown> = { url, file: str(s.latest) };
    const algorithm = str(s.checksum);
    if (typeof s.checksum_file === 'string') {
      upstream.checksum_file = s.checksum_file;
      upstream.algorithm = algorithm;
    } else {
      upstream.no_checksum_waiver = `imported from himlar, whose job ${job.name} verifies no checksum`;
    }
    if (url.startsWith('http:')) {
      upstream.insecure_http_waiver = `imported from himlar, whose job ${job.name} downloads over plain http: switch to https once the host serves it`;
    }
    entry.upstream = upstream;
    entry.ssh_user = s.username;
    entry.efi = s.efi === true;
  }
  entry.min_ram_mb = f.min_ram;
  entry.min_disk_gb = f.min_disk;
  if (f.disk_format !== undefined && f.disk_format !== 'qcow2') entry.disk_format = f.disk_format;
  const visibility = f.visibility ?? 'private';
  if (visibility !== 'public') entry.visibility = visibility;
  if (f.owner !== undefined) entry.owner = f.owner;
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries((f.properties ?? {}) as Record<string, unknown>)) {
    const problem = propertyKeyProblem(k);
    if (problem) unmapped.push(`${at}: properties.${k}: ${problem}: left out`);
    else properties[k] = String(v);
  }
  if (Object.keys(properties).length > 0) entry.properties = properties;
  const template = job.windows ? 'windows' : templateOf(s, e.type);
  if (template !== 'default') entry.template = template;
  entry.schedule = job.windows ? windowsSchedule(job, unmapped) : linuxSchedule(s);
  return entry;
}

function templateOf(job: Readonly<Record<string, unknown>>, type: string): string {
  const env = Array.isArray(job.environment) ? job.environment : [];
  const dir = env.map((v) => /^IB_TEMPLATE_DIR=\/etc\/imagebuilder\/([a-z0-9_]+)$/.exec(String(v))?.[1]).find((t) => t !== undefined);
  if (dir !== undefined && dir !== 'default') return dir;
  return type === 'uio' ? 'uio_rhel' : 'default';
}

function linuxSchedule(s: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    ...(typeof s.weekday === 'number' ? { weekday: s.weekday } : {}),
    ...(typeof s.hour === 'number' ? { hour: s.hour } : {}),
    // builder::jobs' default minute is 0.
    minute: typeof s.minute === 'number' ? s.minute : 0,
  };
}

/** himlar's Windows cron: monthday 8-14 and a Wednesday guard in the wrapper = the 2nd Wednesday. */
function windowsSchedule(job: Job, unmapped: string[]): Record<string, unknown> {
  const s = job.settings;
  const at = `himlar windows_images.${job.name}`;
  const unknown = Object.keys(s).filter((k) => !WINDOWS_JOB_KEYS.has(k));
  if (unknown.length > 0) unmapped.push(`${at}: ${unknown.join(', ')}: not read by the Windows build wrapper: left out`);
  if (s.monthday !== '8-14' || (s.weekday !== '*' && s.weekday !== undefined)) {
    unmapped.push(`${at}: monthday ${String(s.monthday)}, weekday ${String(s.weekday)}: not the 2nd-Wednesday pattern (8-14 + the wrapper's Wednesday guard): schedule written as the 2nd Wednesday`);
  }
  if (s.buildhost !== undefined) {
    unmapped.push(`${at}.buildhost (${job.locations.join(', ')}): a site value, not a catalog one: set WINDOWS_BUILD_HOST in /etc/goldsmith/env/windows.env on each builder`);
  }
  return {
    week_of_month: 2,
    weekday: 3,
    ...(typeof s.hour === 'number' ? { hour: s.hour } : {}),
    minute: typeof s.minute === 'number' ? s.minute : 0,
    // The upstream is a placeholder until someone sets the ISO: no build runs before that.
    enabled: false,
  };
}

function variablesOf(scripts: readonly string[]): { variables?: Record<string, unknown>[] } {
  const seen = new Set<string>();
  const variables: Record<string, unknown>[] = [];
  for (const script of scripts) {
    for (const v of SCRIPT_VARIABLES[script] ?? []) {
      if (seen.has(v.name)) continue;
      seen.add(v.name);
      variables.push(decl(v));
    }
  }
  return variables.length > 0 ? { variables } : {};
}

function decl(v: VariableDecl): Record<string, unknown> {
  return { name: v.name, ...(v.required === false ? { required: false } : {}), ...(v.secret === false ? { secret: false } : {}) };
}

function mapEnvironments(
  himlar: HimlarData,
  mapped: readonly Mapped[],
  options: MapOptions,
  unmapped: string[],
  assumed: string[],
): Record<string, unknown> {
  let locations: readonly HimlarLocation[] = himlar.locations;
  if (options.environments !== undefined) {
    const byName = new Map(himlar.locations.map((l) => [l.name, l]));
    for (const name of options.environments) {
      if (!byName.has(name)) {
        throw new ImportError(`no builder node for environment \`${name}\` in himlar hieradata/nodes/ (locations: ${himlar.locations.map((l) => l.name).join(', ') || 'none'})`);
      }
    }
    locations = options.environments.map((n) => byName.get(n)!);
  }
  if (locations.length === 0) throw new ImportError('himlar has no builder node (hieradata/nodes/<loc>/<loc>-builder-NN.yaml): no environment to import');
  if (options.environments === undefined) {
    assumed.push(`environments: ${locations.map((l) => l.name).join(', ')}: every location with a builder node; keep those goldsmith runs (--environment NAME chooses)`);
  }

  // The management domain of a location: its Windows build hosts are <host>.<domain_mgmt>.
  const domains = new Map<string, string>();
  for (const loc of himlar.locations) {
    for (const settings of loc.windowsJobs.values()) {
      const host = str(settings.buildhost);
      if (host && host.includes('.')) domains.set(loc.name, host.slice(host.indexOf('.') + 1));
    }
  }
  const vhost = str((himlar.other['profile::webserver::apache::vhosts'] as Record<string, { servername?: unknown }> | undefined)?.builds?.servername);
  const builderHost = (domain: string) => (vhost?.includes("%{hiera('domain_mgmt')}") ? vhost.replace("%{hiera('domain_mgmt')}", domain) : `builder.${domain}`);
  const pattern = [...domains.entries()].find(([loc, domain]) => domain.split('.').includes(loc));

  const windowsImages = mapped.filter((m) => m.job.windows);
  const owners = [...new Set(mapped.map((m) => m.entry.owner).filter((o): o is string => typeof o === 'string'))].sort();
  const flavor = str(himlar.classParams.flavor);
  const network = str(himlar.classParams.network);
  const environments: Record<string, unknown> = {};
  const guessed: string[] = [];
  for (const loc of locations) {
    let domain = domains.get(loc.name);
    if (domain === undefined && pattern) {
      domain = pattern[1].split('.').map((label) => (label === pattern[0] ? loc.name : label)).join('.');
      guessed.push(`${loc.name}: http://${builderHost(domain)}/`);
    }
    if (domain === undefined) throw new ImportError(`no management domain for ${loc.name} (no Windows build host names one): give --environment only for locations with one`);
    const exclude = windowsImages.filter((m) => !m.job.locations.includes(loc.name)).map((m) => m.job.name);
    for (const [key, value] of Object.entries(loc.builderKeys)) {
      if (key === 'fetch_windows_images') continue;
      unmapped.push(
        `himlar ${path.basename(loc.builderFile)}: ${key}: ${JSON.stringify(value)}: ${key === 'drop_cron' ? 'goldsmith has no per-environment switch for build times: disable schedules by hand or keep the environment out' : 'no goldsmith counterpart'}`,
      );
    }
    for (const cron of loc.uploadCrons) {
      const when = `${String(cron.entry.hour ?? '*')}:${String(cron.entry.minute ?? '*').padStart(2, '0')} on day ${String(cron.entry.monthday ?? '*')}`;
      unmapped.push(`himlar ${path.basename(cron.file)}: cron ${cron.name} (${when}): himlarcli's upload (image_update.sh), replaced by goldsmith promote and deploy: stop it at cutover (docs/migration.md)`);
    }
    environments[loc.name] = {
      region: loc.name,
      cloud: `${loc.name}-imagebuilder`,
      ...(owners.length ? { owner_clouds: Object.fromEntries(owners.map((o) => [o, `${loc.name}-${o}`])) } : {}),
      builder: {
        base_url: `http://${builderHost(domain)}/`,
        ...(network !== undefined ? { network } : {}),
        ...(flavor !== undefined ? { flavor } : {}),
        availability_zone: str(himlar.classParams.az)?.replace('${::location}', loc.name) ?? `${loc.name}-default-1`,
        ssh_source_cidrs: [PLACEHOLDER_CIDR],
      },
      images: 'all',
      ...(exclude.length ? { exclude_images: exclude } : {}),
    };
  }
  const names = locations.map((l) => l.name);
  assumed.push(`environments.*.cloud: <env>-imagebuilder (himlar's openrc user and project imagebuilder): name your clouds.yaml entries so, or change them`);
  if (owners.length) assumed.push(`environments.*.owner_clouds: ${owners.map((o) => `${o}: <env>-${o}`).join(', ')} (the image owners of himlarcli): clouds.yaml entries of those projects`);
  assumed.push(`environments.*.builder.ssh_source_cidrs: ${PLACEHOLDER_CIDR} (TEST-NET, a placeholder): not in himlar; replace it with the addresses the builder connects from (${names.join(', ')})`);
  if (guessed.length) assumed.push(`environments.*.builder.base_url: ${guessed.join(', ')}: no Windows build host names the location's management domain; derived from ${pattern![0]}'s ${pattern![1]}`);
  assumed.push(`environments.*.builder.availability_zone: <env>-default-1 (the builder class's default az)`);
  assumed.push(`environments.*.backend: none (local state terraform.<env>.tfstate): configure a shared backend before the first deploy`);
  if (windowsImages.length) {
    assumed.push(
      `images ${windowsImages.map((m) => m.job.name).join(', ')}: upstream is a placeholder (https://windows-iso.invalid/) and the schedule is disabled until it is set; ssh_user Admin, efi true as packer-windows builds them`,
    );
  }
  return environments;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

