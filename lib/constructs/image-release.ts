// One promoted build of an image in one environment: one Glance image (plus its member grants).
import { Construct, IConstruct } from 'constructs';
import { ITerraformDependable, TerraformProvider, TerraformStack } from 'cdktf';
import { ImagesImageV2 } from '../../.gen/providers/openstack/images-image-v2';
import { ImagesImageAccessV2 } from '../../.gen/providers/openstack/images-image-access-v2';
import type { DiskFormat, Release, Visibility } from '../catalog/model';
import { sortKeys } from '../common';
import { importTimeoutMinutes } from '../catalog/import-timeout';
import { trustCondition } from '../terraform/literal-strings';

/** Glance property that records when a release was demoted (sic: compatible with himlarcli). */
export const DEPRECATED_PROPERTY = 'depricated';

/** Prefix of the provenance properties goldsmith sets on every release. */
export const PROVENANCE_PREFIX = 'goldsmith_';

/**
 * Role of a release in its image line, also its `goldsmith_state` property: `gold` (the one users
 * boot by name), `outdated` (hidden, renamed), `candidate` (hidden, imported and verified before it
 * may become GOLD), `withdrawn` (hidden, a bad build that is never GOLD again).
 */
export type ReleaseRole = 'gold' | 'outdated' | 'candidate' | 'withdrawn';

/** Glance property holding the release's role (lookups select `gold` by it and the tags). */
export const STATE_PROPERTY = 'goldsmith_state';

/** Create timeout of a release's import, as Terraform writes it (see importTimeoutMinutes). */
export function importTimeout(sizeBytes: number): string {
  return `${importTimeoutMinutes(sizeBytes)}m`;
}

/**
 * The postcondition that Glance holds the reviewed bytes: its md5 (`checksum`, computed by Glance
 * after the import) and size equal the builds file's. Built only from a validated hex digest and an
 * integer, so it is safe as an expression.
 */
export function importedBytesCondition(md5: string, sizeBytes: number): string {
  if (!/^[0-9a-f]{32}$/.test(md5) || !Number.isSafeInteger(sizeBytes)) throw new Error(`invalid md5 ${md5} or size ${sizeBytes}`);
  return `\${self.checksum == "${md5}" && self.size_bytes == ${sizeBytes}}`;
}

/** A project granted access to a shared image. */
export interface ImageMember {
  /** Project name (used for the Terraform id). */
  readonly name: string;
  /** Project id (usually a token from a data.openstack_identity_project_v3). */
  readonly projectId: string;
}

export interface ImageReleaseProps {
  /** The image key: `goldsmith_image` property, Terraform id prefix, and the second Glance tag unless `shortName` says otherwise. */
  readonly imageName: string;
  /** The recorded build this Glance image is created from. */
  readonly release: Release;
  /** Its role in the image line (see {@link ReleaseRole}). */
  readonly role: ReleaseRole;
  /** Glance image name (`GOLD …` or `Outdated (…)`). */
  readonly glanceName: string;
  /** First Glance tag (gold, vgpu, uib …). */
  readonly type: string;
  /**
   * Second Glance tag (the catalog's `short_name`).
   * @default imageName
   */
  readonly shortName?: string;
  /** Glance disk format; must match the stored file. */
  readonly diskFormat: DiskFormat;
  /**
   * Glance visibility.
   * @default omitted: the attribute is not managed (see `ignoreChanges`)
   */
  readonly visibility?: Visibility;
  /**
   * Minimum RAM in MB.
   * @default omitted
   */
  readonly minRamMb?: number;
  /**
   * Minimum disk in GB.
   * @default omitted
   */
  readonly minDiskGb?: number;
  /**
   * Configured Glance properties (catalog defaults merged with the image's own). Provenance
   * properties and `depricated` are added on top and win.
   * @default {}
   */
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * Demotion time, `YYYY-MM-DDT00:00:00`, written to the `depricated` property.
   * Required for `outdated` and `withdrawn` releases, forbidden for `gold` and `candidate`.
   * @default none (gold and candidate releases)
   */
  readonly deprecatedAt?: string;
  /** Builder base URL ending in '/'; the source URL is `<baseUrl><release.file>`. */
  readonly sourceBaseUrl: string;
  /** OpenStack region of the image. */
  readonly region: string;
  /**
   * Provider (clouds.yaml entry) of the project that owns the image.
   * @default the stack's default `openstack` provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Resources that must be applied before this one (Outdated releases depend on the GOLD one).
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Projects granted access (only for visibility `shared`): one image access resource each. An
   * adopted release (`release.glanceId`) gets none: it keeps the grants Glance already has.
   * @default none
   */
  readonly members?: readonly ImageMember[];
  /**
   * Create the member grants as `accepted` (only an admin's credentials may).
   * @default false: grants stay `pending` until the member project accepts them
   */
  readonly acceptMembers?: boolean;
  /**
   * Attributes Terraform must not update on existing images (added to `image_source_url` and
   * `web_download`, which are always ignored so a changed builder URL never replaces images).
   * @default none
   */
  readonly ignoreChanges?: readonly string[];
}

/** Turns any string into a Terraform identifier: [A-Za-z0-9_], not starting with a digit. */
export function terraformId(...parts: readonly string[]): string {
  const id = parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** The `depricated` timestamp of a date: `YYYY-MM-DDT00:00:00` (deterministic, no time zone). */
export function demotionTime(date: string): string {
  return `${date}T00:00:00`;
}

const claimed = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * Reserves a Terraform address (`<type>.<id>`) in the stack of `scope`; throws when another
 * construct already holds it (two ids that sanitize to the same identifier).
 */
export function claimTerraformAddress(scope: IConstruct, address: string, owner: string): void {
  const stack = TerraformStack.of(scope);
  let addresses = claimed.get(stack);
  if (!addresses) {
    addresses = new Map();
    claimed.set(stack, addresses);
  }
  const holder = addresses.get(address);
  if (holder !== undefined && holder !== owner) {
    throw new Error(`terraform address ${address} of ${owner} is already used by ${holder}`);
  }
  addresses.set(address, owner);
}

/**
 * One release of an image in Glance: an `openstack_images_image_v2` whose Terraform id is
 * `<image>_<build id>` (sanitized), so it is stable for the life of the release and a rotation
 * renames it in place, plus one `openstack_images_image_access_v2` per member
 * (`<image>_<build id>_<member>`).
 */
export class ImageRelease extends Construct {
  /** The recorded build. */
  public readonly release: Release;
  /** `gold` or `outdated`. */
  public readonly role: ReleaseRole;
  /** Terraform id of the Glance image resource. */
  public readonly logicalId: string;
  /** The Glance image. */
  public readonly resource: ImagesImageV2;
  /** Member grants, in member order. */
  public readonly accesses: readonly ImagesImageAccessV2[];

  constructor(scope: Construct, id: string, props: ImageReleaseProps) {
    super(scope, id);
    const { release, role } = props;
    const demoted = role === 'outdated' || role === 'withdrawn';
    if (demoted && props.deprecatedAt === undefined) {
      throw new Error(`release ${props.imageName}/${release.buildId}: an ${role} release needs deprecatedAt`);
    }
    if (!demoted && props.deprecatedAt !== undefined) {
      throw new Error(`release ${props.imageName}/${release.buildId}: a ${role} release cannot have deprecatedAt`);
    }
    if (release.file.includes('/')) {
      throw new Error(`release ${props.imageName}/${release.buildId}: file ${release.file} must be a plain file name`);
    }
    if (!props.sourceBaseUrl.endsWith('/')) {
      throw new Error(`release ${props.imageName}/${release.buildId}: builder base url ${props.sourceBaseUrl} must end with '/'`);
    }
    this.release = release;
    this.role = role;
    this.logicalId = terraformId(props.imageName, release.buildId);
    const owner = `image ${props.imageName} build ${release.buildId}`;
    claimTerraformAddress(this, `${ImagesImageV2.tfResourceType}.${this.logicalId}`, owner);

    const properties: Record<string, string> = { ...(props.properties ?? {}) };
    properties.goldsmith_image = props.imageName;
    properties.goldsmith_build_id = release.buildId;
    properties.goldsmith_build_date = release.date;
    if (release.upstreamUrl !== undefined) properties.goldsmith_upstream_url = release.upstreamUrl;
    if (release.upstreamChecksum !== undefined) properties.goldsmith_upstream_checksum = release.upstreamChecksum;
    properties[STATE_PROPERTY] = role;
    if (props.deprecatedAt !== undefined) properties[DEPRECATED_PROPERTY] = props.deprecatedAt;

    const importedBytes = importedBytesCondition(release.md5, release.sizeBytes);
    this.resource = new ImagesImageV2(this, 'image', {
      provider: props.provider,
      name: props.glanceName,
      region: props.region,
      containerFormat: 'bare',
      diskFormat: props.diskFormat,
      imageSourceUrl: `${props.sourceBaseUrl}${release.file}`,
      webDownload: true,
      hidden: role !== 'gold',
      visibility: props.visibility,
      minRamMb: props.minRamMb,
      minDiskGb: props.minDiskGb,
      tags: [props.type, props.shortName ?? props.imageName],
      properties: sortKeys(properties),
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      timeouts: { create: importTimeout(release.sizeBytes) },
      lifecycle: {
        ignoreChanges: ['image_source_url', 'web_download', ...(props.ignoreChanges ?? [])],
        // A withdrawn build may be the broken import it was withdrawn for: no check blocks the plan.
        postcondition:
          role === 'withdrawn'
            ? undefined
            : [
                {
                  condition: importedBytes,
                  errorMessage: `Glance does not hold the reviewed bytes of ${release.file} (md5 ${release.md5}, ${release.sizeBytes} bytes): withdraw this release (goldsmith withdraw).`,
                },
              ],
      },
    });
    this.resource.overrideLogicalId(this.logicalId);
    trustCondition(this.resource, importedBytes);
    // An adopted release is the Glance image that already exists: an import block, no upload.
    // None of its forcing attributes may differ from Glance's (disk and container format, region,
    // image_source_url: `goldsmith adopt` checks the first three, lifecycle ignores the last).
    if (release.glanceId !== undefined) this.resource.importFrom(release.glanceId, props.provider);

    // An adopted release keeps the member grants Glance has (created outside Terraform, which
    // would fail to create them again); only releases goldsmith uploads get them from the catalog.
    const members = release.glanceId === undefined ? (props.members ?? []) : [];
    this.accesses = members.map((member) => {
      const accessId = terraformId(props.imageName, release.buildId, member.name);
      claimTerraformAddress(this, `${ImagesImageAccessV2.tfResourceType}.${accessId}`, `${owner} member ${member.name}`);
      const access = new ImagesImageAccessV2(this, `access-${member.name}`, {
        provider: props.provider,
        region: props.region,
        imageId: this.resource.id,
        memberId: member.projectId,
        status: props.acceptMembers ? 'accepted' : undefined,
      });
      access.overrideLogicalId(accessId);
      return access;
    });
  }
}
