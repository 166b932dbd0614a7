// The model: validated file contents + defaults -> the Catalog (sorted, defaults applied). Only
// called when every file passed its schema and the cross-file checks.
import * as path from 'path';
import { cmp, sortKeys } from '../common';
import type { Backend, Catalog, Environment, Image, ImageReleases, Release, Schedule, Template } from './model';
import type { LoadedFile } from './read';
import type {
  BuildsFile,
  DefaultsFile,
  EnvironmentEntry,
  EnvironmentsFile,
  ImageEntry,
  ImagesFile,
  ScheduleEntry,
  TemplatesFile,
} from './schema';
import { goldName, outdatedName } from '../contract/glance-names';

/** Built-in defaults (docs/catalog.md). */
export const DEFAULTS = Object.freeze({
  keepOutdated: 2,
  keepBuilds: 2,
  compression: 'zlib',
  visibility: 'public',
  diskFormat: 'qcow2',
  template: 'default',
  rebuild: 'periodic',
  network: 'imagebuilder',
  flavor: 'img.zerodisk',
} as const);

export function buildModel(
  dir: string,
  defaults: DefaultsFile,
  environments: EnvironmentsFile,
  imageFiles: LoadedFile<ImagesFile>[],
  templates: TemplatesFile,
  builds: LoadedFile<BuildsFile>[],
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
      ...(t.variables !== undefined && t.variables.length > 0
        ? { variables: t.variables.map((v) => ({ name: v.name, required: v.required ?? true, secret: v.secret ?? true })) }
        : {}),
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
          ...(r.sha256 !== undefined ? { sha256: r.sha256 } : {}),
          sizeBytes: r.size_bytes,
          ...(r.upstream_url !== undefined ? { upstreamUrl: r.upstream_url } : {}),
          ...(r.upstream_checksum !== undefined ? { upstreamChecksum: r.upstream_checksum } : {}),
          state: r.state ?? 'released',
          ...(r.glance_id !== undefined ? { glanceId: r.glance_id } : {}),
        }));
        releases.sort((x, y) => cmp(y.date, x.date) || cmp(y.buildId, x.buildId));
        return {
          image,
          ...(entry.type !== undefined ? { type: entry.type } : {}),
          ...(entry.outdated_name !== undefined ? { outdatedName: entry.outdated_name } : {}),
          ...(entry.short_name !== undefined ? { shortName: entry.short_name } : {}),
          keepOutdated: keepOf.get(image) ?? d.keep_outdated ?? DEFAULTS.keepOutdated,
          releases,
          ...(entry.withdrawn_builds?.length ? { withdrawnBuilds: [...entry.withdrawn_builds] } : {}),
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
    shortName: img.short_name ?? name,
    sourceFile,
    displayName: img.display_name,
    goldName: img.gold_name ?? goldName(img.display_name),
    outdatedName: img.outdated_name ?? outdatedName(img.display_name),
    upstream: {
      url: u.url,
      file: u.file,
      ...(u.checksum_file !== undefined ? { checksumFile: u.checksum_file } : {}),
      ...(u.algorithm !== undefined ? { algorithm: u.algorithm } : {}),
      ...(u.checksum !== undefined ? { checksum: u.checksum.toLowerCase() } : {}),
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
    rebuild: img.rebuild ?? d.rebuild ?? DEFAULTS.rebuild,
    keepOutdated: img.keep_outdated ?? d.keep_outdated ?? DEFAULTS.keepOutdated,
    keepBuilds: img.keep_builds ?? d.keep_builds ?? DEFAULTS.keepBuilds,
    compression: img.compression ?? d.compression ?? DEFAULTS.compression,
    ...(img.end_of_life !== undefined ? { endOfLife: img.end_of_life } : {}),
  };
}

export function toSchedule(s: ScheduleEntry): Schedule {
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
      ...(b.mailto !== undefined ? { mailto: b.mailto } : {}),
      ...(b.sensu_entity !== undefined ? { sensuEntity: b.sensu_entity } : {}),
    },
    backend,
    images,
    acceptMembers: e.accept_members ?? false,
  };
}
