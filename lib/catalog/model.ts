// The typed, frozen catalog model: what the loader returns after validation.
// Constructs and the build side read only this, never the YAML files.

/** Checksum algorithms an upstream publishes. */
export type ChecksumAlgorithm = 'sha256' | 'sha512' | 'md5';

/** Glance image visibility. */
export type Visibility = 'public' | 'private' | 'shared' | 'community';

/** Glance disk formats goldsmith publishes. */
export type DiskFormat = 'qcow2' | 'raw';

/** Compression of the stored qcow2 on the builder. */
export type Compression = 'zlib' | 'zstd' | 'none';

/** Where an environment keeps its Terraform state. */
export type Backend =
  | { readonly type: 'local'; readonly path: string }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      readonly endpoint?: string;
    };

/** The builder node of an environment and the VM packer boots there. */
export interface BuilderSettings {
  /** HTTP(S) base URL under which the builder serves stored builds, ending in '/'. */
  readonly baseUrl: string;
  /** Network name the build VM is attached to. */
  readonly network: string;
  /** Flavor name of the build VM. */
  readonly flavor: string;
  /** Availability zone of the build VM. */
  readonly availabilityZone: string;
  /** CIDRs the builder connects from (the SSH security group allows only these). */
  readonly sshSourceCidrs: readonly string[];
  /** cron's MAILTO for the builder's build lines (comma-separated addresses); undefined: no mail. */
  readonly mailto?: string;
  /** The builder's Sensu Go entity name (its agent's name); undefined: the host of baseUrl. */
  readonly sensuEntity?: string;
}

export interface Environment {
  /** Key in environments.yaml: [a-z0-9_-]+. */
  readonly name: string;
  /** OpenStack region name. */
  readonly region: string;
  /** clouds.yaml entry name used by Terraform and the build runner (never credentials). */
  readonly cloud: string;
  /** clouds.yaml entry per owner project, for images whose owner is not the deploy project. */
  readonly ownerClouds: Readonly<Record<string, string>>;
  readonly builder: BuilderSettings;
  readonly backend: Backend;
  /** Short names of the images this environment carries (already resolved from all/include/exclude). */
  readonly images: readonly string[];
  /** Whether the deploy cloud entry creates member grants as `accepted` (an admin entry). */
  readonly acceptMembers: boolean;
}

export interface Upstream {
  /** Base URL ending in '/'. */
  readonly url: string;
  /** File name under url. */
  readonly file: string;
  /** Checksum file name under url; undefined only with noChecksumWaiver. */
  readonly checksumFile?: string;
  readonly algorithm?: ChecksumAlgorithm;
  /** Checksum pinned in the catalog, `<algorithm>:<lower-case hex>` (instead of a checksum file). */
  readonly checksum?: string;
  /** Reason why plain http is accepted (required for http:// URLs). */
  readonly insecureHttpWaiver?: string;
  /** Reason why no checksum is verified (required when neither checksumFile nor checksum is given). */
  readonly noChecksumWaiver?: string;
}

/** When the image is rebuilt; every field optional (omitted = staggered automatically). */
export interface Schedule {
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday?: number;
  readonly hour?: number;
  readonly minute?: number;
  /** Monthly schedule: the n-th (1-5) weekday of the month, e.g. 2 with weekday 3 = second Wednesday. */
  readonly weekOfMonth?: number;
  /** False disables the cron entry (the image stays published). */
  readonly enabled: boolean;
}

export interface Image {
  /** Key: [a-z0-9_]+; also the builder file prefix (and the second Glance tag unless `shortName` differs). */
  readonly name: string;
  /** First Glance tag: gold, vgpu, uib, uio, test … (from the images file's `type`). */
  readonly type: string;
  /** Second Glance tag (images/*.yaml `short_name`, default the key): what users' tag lookups name. */
  readonly shortName: string;
  /** Catalog file that defined it, relative to the config dir (for messages). */
  readonly sourceFile: string;
  readonly displayName: string;
  /** Glance name of the newest release; default `GOLD <displayName>`. */
  readonly goldName: string;
  /** Glance name of earlier releases; default `Outdated (<displayName>)`. */
  readonly outdatedName: string;
  readonly upstream: Upstream;
  readonly sshUser: string;
  readonly efi: boolean;
  readonly minRamMb: number;
  readonly minDiskGb: number;
  readonly diskFormat: DiskFormat;
  readonly containerFormat: 'bare';
  readonly visibility: Visibility;
  /** Owner project name (environment.ownerClouds maps it to a clouds.yaml entry). */
  readonly owner?: string;
  /** Project names granted access to a shared image. */
  readonly members: readonly string[];
  /** Glance properties: catalog defaults merged with the image's own (image wins). */
  readonly properties: Readonly<Record<string, string>>;
  /** Template name (key of templates.yaml). */
  readonly template: string;
  readonly schedule: Schedule;
  /** Rebuilt once per schedule period (`periodic`, patches) or only on an upstream or template change. */
  readonly rebuild: 'periodic' | 'on_change';
  /** Outdated releases kept in Glance besides the GOLD one. */
  readonly keepOutdated: number;
  /** Stored builds the builder keeps (newest first). */
  readonly keepBuilds: number;
  /** Compression of the stored qcow2. */
  readonly compression: Compression;
  /** ISO date (YYYY-MM-DD) after which the image should be retired. */
  readonly endOfLife?: string;
}

export interface Template {
  readonly name: string;
  /** Script file names under config/provision/, run before the standard sequence. */
  readonly customScripts: readonly string[];
  /** Argv of an external build command (no packer template); absent for packer templates. */
  readonly externalCommand?: readonly string[];
  /**
   * Site settings and secrets the template needs (names; values in the builder's env file), in
   * catalog order, defaults applied. Absent when the template declares none.
   */
  readonly variables?: readonly TemplateVariable[];
}

/** One declared site variable of a template (templates.yaml `variables[]`). */
export interface TemplateVariable {
  /** Environment variable name on the build VM, [A-Z][A-Z0-9_]*. */
  readonly name: string;
  /** A build without a value fails in its first step (default true). */
  readonly required: boolean;
  /** Kept out of packer's output and the build log (default true). */
  readonly secret: boolean;
}

export interface Release {
  /** Unique per image: [A-Za-z0-9][A-Za-z0-9._-]*, e.g. 20261104 or 20261104.2. */
  readonly buildId: string;
  /** Build date, YYYY-MM-DD. */
  readonly date: string;
  /** File name on the builder, e.g. ubuntu_2404-20261104.qcow2. */
  readonly file: string;
  readonly md5: string;
  /** Absent only on a release adopted from Glance (`glanceId`): Glance keeps an md5 and a sha512, no sha256. */
  readonly sha256?: string;
  readonly sizeBytes: number;
  /** Upstream file URL and its checksum (`<algorithm>:<hex>`) the build started from. */
  readonly upstreamUrl?: string;
  readonly upstreamChecksum?: string;
  /** Where the release stands: see {@link ReleaseState}. */
  readonly state: ReleaseState;
  /** The Glance image the release was adopted as (`goldsmith adopt`): imported, never uploaded. */
  readonly glanceId?: string;
}

/** Release states of the builds file, in the order a build passes them. */
export const RELEASE_STATES = ['candidate', 'released', 'withdrawn'] as const;
/**
 * `candidate`: imported hidden, waits for `goldsmith promote` to verify it in Glance; `released`:
 * GOLD when it is the newest released build, else Outdated; `withdrawn`: hidden, never GOLD again.
 */
export type ReleaseState = (typeof RELEASE_STATES)[number];

/** Releases of one image promoted in one environment, newest first. */
export interface ImageReleases {
  readonly image: string;
  /** Recorded for retired images (whose definition is gone): first Glance tag. */
  readonly type?: string;
  /** Recorded for retired images: their Outdated name. */
  readonly outdatedName?: string;
  /** Recorded for retired images: their second Glance tag, when it is not the image key. */
  readonly shortName?: string;
  /**
   * Outdated releases retention keeps besides the newest (also once the image is retired): the
   * image's keep_outdated, or defaults.yaml's when the definition is gone.
   */
  readonly keepOutdated?: number;
  /** Build ids withdrawn as candidates (no longer in `releases`): never promoted again. */
  readonly withdrawnBuilds?: readonly string[];
  readonly releases: readonly Release[];
}

export interface Catalog {
  /** Absolute path of the config directory. */
  readonly configDir: string;
  readonly environments: readonly Environment[];
  readonly images: readonly Image[];
  readonly templates: readonly Template[];
  /** Per environment name: releases per image name (also images no longer in the catalog). */
  readonly builds: Readonly<Record<string, readonly ImageReleases[]>>;
}
