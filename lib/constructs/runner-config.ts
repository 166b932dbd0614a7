// The per-image runner config of the builder bundle: images/<image>.json (docs/builder-bundle.md).
// The JSON shape is the contract's RunnerConfigSchema; this file produces it from the catalog and
// checks the result through that schema.
import type { Environment, Image } from '../catalog/model';
import { canonicalJson, cmp, sha256Hex, sortKeys } from '../common';
import {
  BUILDER_SECURITY_GROUP,
  DEFAULT_RUNNER_PATHS,
  DEFAULT_RUNNER_TIMEOUTS,
  IMAGE_NAME,
  parseRunnerConfig,
  SHA256_HEX,
  siteEnvFile,
  type RunnerConfig,
  type RunnerPaths,
  type RunnerTimeouts,
} from '../contract';

export type { RunnerConfig, RunnerPaths, RunnerTimeouts };
export { DEFAULT_RUNNER_PATHS, DEFAULT_RUNNER_TIMEOUTS };

/** The packer template an image is built with, as written into the bundle. */
export interface TemplateRef {
  /** Template name (key of templates.yaml). */
  readonly name: string;
  /**
   * Path of the packer template file relative to the bundle root, e.g. `templates/default.json`.
   * @default undefined: the template is an external command (externalCommand)
   */
  readonly file?: string;
  /**
   * Argv of the external build command (templates with `external_command`).
   * @default undefined: a packer template (file)
   */
  readonly externalCommand?: readonly string[];
  /** sha256 hex of the template file's bytes. */
  readonly sha256: string;
  /**
   * Site settings and secrets the template needs (templates.yaml `variables`): the runner config's
   * `site_env` names them and the builder's env file that holds their values.
   * @default none
   */
  readonly variables?: readonly { readonly name: string; readonly required: boolean; readonly secret: boolean }[];
}

/** Properties every temporary source image gets (as the legacy bootstrap did). */
export const SOURCE_IMAGE_BASE_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({
  hw_disk_bus: 'scsi',
  hw_scsi_model: 'virtio-scsi',
  hw_rng_model: 'virtio',
});

/** Optional overrides of {@link runnerConfigFor}. */
export interface RunnerConfigOptions {
  /**
   * When cron starts the image's build (its BuildSchedule entry: staggered fields resolved).
   * @default the image's schedule fields, 0 where omitted
   */
  readonly slot?: { readonly weekday: number; readonly hour: number; readonly minute: number; readonly weekOfMonth?: number };
  /**
   * Stored files that releases in the environment's builds file name (the store never prunes them).
   * @default none
   */
  readonly keepFiles?: readonly string[];
  /**
   * Builder directories.
   * @default DEFAULT_RUNNER_PATHS
   */
  readonly paths?: Partial<RunnerPaths>;
  /**
   * Step timeouts in seconds.
   * @default DEFAULT_RUNNER_TIMEOUTS
   */
  readonly timeoutsS?: Partial<RunnerTimeouts>;
  /**
   * Security group of the build VM.
   * @default BUILDER_SECURITY_GROUP ('goldsmith-builder-ssh')
   */
  readonly securityGroup?: string;
  /**
   * Directory of the site env files on the builder (`<dir>/<template>.env`).
   * @default DEFAULT_SITE_ENV_DIR ('/etc/goldsmith/env')
   */
  readonly siteEnvDir?: string;
}

/**
 * Properties of the temporary private source image the build boots from: the base set, the
 * image's own `hw_*` properties, then uefi + q35 for EFI images. The build VM's firmware follows
 * the `efi` flag alone, as NREC's builder does: an image published as UEFI may be built with BIOS
 * (centosstream9), so the published `hw_firmware_type` never reaches the source image.
 */
export function sourceImageProperties(image: Image): Record<string, string> {
  const props: Record<string, string> = { ...SOURCE_IMAGE_BASE_PROPERTIES };
  for (const [k, v] of Object.entries(image.properties)) if (k.startsWith('hw_') && k !== 'hw_firmware_type') props[k] = v;
  if (image.efi) {
    props.hw_firmware_type = 'uefi';
    props.hw_machine_type = 'q35';
  }
  return sortKeys(props);
}

/** The contract's slot from a BuildSchedule entry, or from the image's own schedule. */
function slotOf(slot: RunnerConfigOptions['slot'] | undefined, image?: Image): RunnerConfig['rebuild']['slot'] {
  const s = slot ?? { weekday: image?.schedule.weekday ?? 0, hour: image?.schedule.hour ?? 0, minute: image?.schedule.minute ?? 0, weekOfMonth: image?.schedule.weekOfMonth };
  return { weekday: s.weekday, hour: s.hour, minute: s.minute, ...(s.weekOfMonth !== undefined ? { week_of_month: s.weekOfMonth } : {}) };
}

/**
 * sha256 hex over the template file's sha256, the sha256 of each script the template uses and
 * the build-relevant image settings (upstream, ssh user, efi, min ram/disk, disk format,
 * compression, source image properties), as key-sorted JSON. Settings that do not change the
 * built bytes (schedule, Glance names, keep_builds, environment) are left out.
 */
export function fingerprintFor(image: Image, templateSha256: string, scriptsSha: Readonly<Record<string, string>>): string {
  const input = {
    fingerprint_format: 1,
    template_sha256: templateSha256,
    scripts_sha256: { ...scriptsSha },
    image: {
      upstream: upstreamOf(image),
      ssh_user: image.sshUser,
      efi: image.efi,
      min_ram_mb: image.minRamMb,
      min_disk_gb: image.minDiskGb,
      disk_format: image.diskFormat,
      compression: image.compression,
      source_image_properties: sourceImageProperties(image),
    },
  };
  return sha256Hex(canonicalJson(input));
}

function upstreamOf(image: Image): RunnerConfig['upstream'] {
  const u = image.upstream;
  return {
    url: u.url,
    file: u.file,
    ...(u.checksumFile !== undefined ? { checksum_file: u.checksumFile } : {}),
    ...(u.algorithm !== undefined ? { algorithm: u.algorithm } : {}),
  };
}

/**
 * The runner config of `image` in `env` (images/<image>.json), key-sorted.
 * `scriptsSha` maps the name of every script the template uses to its sha256 hex.
 */
export function runnerConfigFor(
  image: Image,
  env: Environment,
  template: TemplateRef,
  scriptsSha: Readonly<Record<string, string>>,
  options: RunnerConfigOptions = {},
): RunnerConfig {
  const p = `runner config ${env.name}/${image.name}`;
  if (!IMAGE_NAME.test(image.name)) throw new Error(`${p}: image name must match [a-z0-9_]+`);
  if (!env.images.includes(image.name)) throw new Error(`${p}: environment ${env.name} does not carry image ${image.name}`);
  if (image.template !== template.name) {
    throw new Error(`${p}: image uses template ${image.template} but template ${template.name} was given`);
  }
  if (!SHA256_HEX.test(template.sha256)) throw new Error(`${p}: template ${template.name} sha256 must be 64 lower-case hex digits`);
  if ((template.file === undefined) === (template.externalCommand === undefined)) {
    throw new Error(`${p}: template ${template.name} needs either a file or an external command`);
  }
  if (template.file !== undefined && (template.file.startsWith('/') || template.file.split('/').includes('..') || template.file === '')) {
    throw new Error(`${p}: template file must be a path relative to the bundle root, got ${JSON.stringify(template.file)}`);
  }
  for (const [name, sha] of Object.entries(scriptsSha)) {
    if (!SHA256_HEX.test(sha)) throw new Error(`${p}: script ${name} sha256 must be 64 lower-case hex digits`);
  }
  if (image.upstream.checksumFile === undefined && image.upstream.checksum === undefined && image.upstream.noChecksumWaiver === undefined) {
    throw new Error(`${p}: upstream has no checksum_file, no pinned checksum and no no_checksum_waiver`);
  }
  const paths: RunnerPaths = { ...DEFAULT_RUNNER_PATHS, ...(options.paths ?? {}) };
  const timeouts: RunnerTimeouts = { ...DEFAULT_RUNNER_TIMEOUTS, ...(options.timeoutsS ?? {}) };
  const config = {
    image: image.name,
    environment: env.name,
    cloud: env.cloud,
    region: env.region,
    // The waiver lets the runner follow a redirect to plain http; it does not change the built bytes,
    // so it stays out of the fingerprint.
    upstream: {
      ...upstreamOf(image),
      ...(image.upstream.insecureHttpWaiver !== undefined ? { insecure_http_waiver: image.upstream.insecureHttpWaiver } : {}),
      // Not in the fingerprint: a new pin is an upstream change, which the runner sees as such.
      ...(image.upstream.checksum !== undefined ? { checksum: image.upstream.checksum } : {}),
    },
    template: template.name,
    ...(template.file !== undefined ? { template_file: template.file } : {}),
    ...(template.externalCommand !== undefined ? { external_command: [...template.externalCommand] } : {}),
    // Names only: the values stay in the builder's env file, and no bundle file ever holds one.
    ...((template.variables?.length ?? 0) > 0
      ? {
          site_env: {
            file: siteEnvFile(template.name, options.siteEnvDir),
            variables: template.variables!.map((v) => ({ name: v.name, required: v.required, secret: v.secret })),
          },
        }
      : {}),
    fingerprint: fingerprintFor(image, template.sha256, scriptsSha),
    packer_vars: {
      image_name: `goldsmith-build-${image.name}`,
      ssh_username: image.sshUser,
      flavor: env.builder.flavor,
      network: env.builder.network,
      availability_zone: env.builder.availabilityZone,
      security_group: options.securityGroup ?? BUILDER_SECURITY_GROUP,
      cloud: env.cloud,
      region: env.region,
    },
    source_image: {
      min_ram_mb: image.minRamMb,
      min_disk_gb: image.minDiskGb,
      efi: image.efi,
      properties: sourceImageProperties(image),
    },
    output: {
      disk_format: image.diskFormat,
      compression: image.compression,
      keep_builds: image.keepBuilds,
      keep_files: [...new Set(options.keepFiles ?? [])].sort(cmp),
    },
    rebuild: { policy: image.rebuild, slot: slotOf(options.slot, image) },
    paths,
    timeouts_s: timeouts,
  };
  const parsed = sortKeys(parseRunnerConfig(config, `images/${image.name}.json of ${env.name}`));
  PARSED.add(parsed);
  return parsed;
}

/** Runner configs made (and so parsed) by runnerConfigFor: the bundle writer need not parse them again. */
const PARSED = new WeakSet<object>();

/** True for a runner config that went through the contract's schema in runnerConfigFor. */
export function isParsedRunnerConfig(config: object): config is RunnerConfig {
  return PARSED.has(config);
}
