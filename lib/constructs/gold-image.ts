// A GOLD image in one environment: everything that exists because the image is defined.
import { Construct } from 'constructs';
import type { ITerraformDependable, TerraformProvider } from 'cdktf';
import type { DiskFormat, Environment, Image, ImageReleases, Release, Visibility } from '../catalog/model';
import {
  DEPRECATED_PROPERTY,
  ImageMember,
  ImageRelease,
  PROVENANCE_PREFIX,
  demotionTime,
  type ReleaseRole,
} from './image-release';
import { ProjectLookup } from './project-lookup';
import type { BuildSchedule, CronEntry } from './build-schedule';
import { runnerConfigFor, type RunnerConfig, type TemplateRef } from './runner-config';
import { MonitoringCheck } from './monitoring-check';
import { candidateName, outdatedName, withdrawnName } from '../contract/glance-names';
import { sortedNewestFirst } from '../catalog/release-order';

/** The build side of a live image: how and when the builder rebuilds it. */
export interface GoldImageBuild {
  /** The template the image is built with, as written into the bundle. */
  readonly template: TemplateRef;
  /** sha256 hex of every provisioning script the template runs, by file name. */
  readonly scriptsSha: Readonly<Record<string, string>>;
  /** The builder's schedule, which holds this image's cron entry. */
  readonly schedule: BuildSchedule;
}

export interface GoldImageProps {
  /** The image key in the catalog and in `config/builds/<env>.yaml` (the second Glance tag is the definition's `shortName`). */
  readonly name: string;
  /**
   * The catalog definition of the image.
   * @default undefined: the definition is gone from the catalog, so the image is retired
   */
  readonly image?: Image;
  /** The environment the image is published in (region, cloud, builder base URL). */
  readonly environment: Environment;
  /**
   * The releases promoted in this environment (from `config/builds/<env>.yaml`), in any order.
   * @default undefined: the image has not been built yet, so no Glance image exists
   */
  readonly releases?: ImageReleases;
  /**
   * Whether the image is retired: every release becomes Outdated (withdrawn ones stay withdrawn)
   * and hidden.
   * @default true when `image` is undefined or the environment does not carry the image
   */
  readonly retired?: boolean;
  /**
   * The provider of the project that owns the image (a provider alias for an image with
   * `owner`, whose clouds entry is `environment.ownerClouds[owner]`).
   * @default the stack's default `openstack` provider (required when the owner's clouds entry
   * differs from `environment.cloud`)
   */
  readonly provider?: TerraformProvider;
  /**
   * Project ids of the image's members by project name.
   * @default looked up by name: one `data.openstack_identity_project_v3` per name per stack
   */
  readonly memberProjectIds?: Readonly<Record<string, string>>;
  /**
   * The build side (template, schedule) of a live image.
   * @default undefined: no build parts (retired images, or a stack without a builder)
   */
  readonly build?: GoldImageBuild;
}

/** What a release line looks like in Glance, resolved from the definition or the recorded fields. */
interface LineSettings {
  readonly type: string;
  readonly shortName: string;
  readonly outdatedName: string;
  readonly candidateName: string;
  readonly withdrawnName: string;
  readonly fallbackDiskFormat: DiskFormat;
  readonly visibility?: Visibility;
  readonly minRamMb?: number;
  readonly minDiskGb?: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly members: readonly string[];
  readonly ignoreChanges: readonly string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const IMAGE_NAME = /^[a-z0-9_]+$/;

/**
 * A GOLD image in one environment, composing its parts (architecture decision 2): the Glance side,
 * one {@link ImageRelease} per synthesized release (the newest is GOLD, earlier ones Outdated and
 * hidden, renamed in place), and, for a live image given `build`, its runner config (template +
 * fingerprint), its cron entry and its {@link MonitoringCheck}. A retired image keeps
 * only its releases.
 */
export class GoldImage extends Construct {
  /** Short name of the image. */
  public readonly name: string;
  /** The catalog definition (undefined when it is gone from the catalog). */
  public readonly image: Image | undefined;
  /** The environment the image is published in. */
  public readonly environment: Environment;
  /** Whether the image is retired (all releases Outdated, no build parts). */
  public readonly retired: boolean;
  /** Provider of the owner project (undefined = the stack's default provider). */
  public readonly provider: TerraformProvider | undefined;
  /** Synthesized releases (every recorded one), newest first. */
  public readonly releases: readonly ImageRelease[];
  /** The GOLD release: the newest `released` one (undefined when retired or none is released yet). */
  public readonly gold: ImageRelease | undefined;
  /** The runner config of images/<name>.json in the builder bundle (undefined without build parts). */
  public readonly runnerConfig: RunnerConfig | undefined;
  /** The image's line in the builder's cron file (undefined without build parts). */
  public readonly cronEntry: CronEntry | undefined;
  /** The monitoring check of checks/<name>.json in the builder bundle (undefined without build parts). */
  public readonly monitoringCheck: MonitoringCheck | undefined;

  constructor(scope: Construct, id: string, props: GoldImageProps) {
    super(scope, id);
    const { name, image, environment } = props;
    const fail = (message: string): never => {
      throw new Error(`gold image ${name}: ${message}`);
    };
    if (!IMAGE_NAME.test(name)) fail('name must match [a-z0-9_]+');
    if (image && image.name !== name) fail(`the definition is named ${image.name}`);
    const carried = environment.images.includes(name);
    const retired = props.retired ?? (image === undefined || !carried);
    if (!retired && !image) fail('a live image needs its catalog definition');
    if (!retired && !carried) fail(`environment ${environment.name} does not carry it (pass retired: true)`);

    const recorded = props.releases;
    if (recorded && recorded.image !== name) fail(`the releases belong to image ${recorded.image}`);
    if (recorded && recorded.releases.length === 0) {
      fail('releases must not be empty (omit them for an image not built yet)');
    }
    if (retired && !recorded) fail('a retired image needs releases (there is nothing to keep)');
    const sorted = sortedNewestFirst(recorded?.releases ?? []);
    const seen = new Set<string>();
    for (const release of sorted) {
      if (seen.has(release.buildId)) fail(`duplicate build id ${release.buildId}`);
      seen.add(release.buildId);
      if (!DATE.test(release.date)) fail(`release ${release.buildId}: date ${release.date} must be YYYY-MM-DD`);
    }

    if (image) {
      if (!Number.isInteger(image.keepOutdated) || image.keepOutdated < 0) {
        fail(`keep outdated must be a non-negative integer, got ${image.keepOutdated}`);
      }
      if (image.members.length > 0 && image.visibility !== 'shared') {
        fail(`members need visibility shared, not ${image.visibility}`);
      }
      for (const key of Object.keys(image.properties)) {
        if (key === DEPRECATED_PROPERTY || key.startsWith(PROVENANCE_PREFIX)) {
          fail(`property ${key} is reserved for goldsmith`);
        }
      }
      if (image.owner !== undefined) {
        const cloud = environment.ownerClouds[image.owner];
        if (cloud === undefined) {
          fail(`owner ${image.owner} has no owner_clouds entry in environment ${environment.name}`);
        } else if (cloud !== environment.cloud) {
          if (!props.provider) fail(`owner ${image.owner} needs the provider of clouds entry ${cloud}`);
          const providerCloud = (props.provider as { cloudInput?: string }).cloudInput;
          if (providerCloud !== undefined && providerCloud !== cloud) {
            fail(`owner ${image.owner} needs clouds entry ${cloud}, the provider uses ${providerCloud}`);
          }
        }
      }
    }

    this.name = name;
    this.image = image;
    this.environment = environment;
    this.retired = retired;
    this.provider = props.provider;

    const line = lineSettings(name, image, recorded);
    const memberIds = line.members.map(
      (member): ImageMember => ({ name: member, projectId: this.memberProjectId(member, props.memberProjectIds) }),
    );
    const roles = releaseRoles(sorted, retired, fail);
    // Every recorded release stays in Glance: retention is `goldsmith promote`'s reviewed change
    // (with its in-use check), never a silent consequence of synth.
    const goldRelease = sorted.find((release) => roles.get(release) === 'gold');
    const releases: ImageRelease[] = [];
    let goldResource: ImageRelease | undefined;
    // Order of the updates in one apply: a withdrawn build is hidden before a release becomes GOLD
    // (a lookup never picks it), the GOLD is in place before the previous one is renamed Outdated.
    const withdrawn = sorted.filter((r) => roles.get(r) === 'withdrawn');
    const order = [...withdrawn, ...(goldRelease ? [goldRelease] : []), ...sorted.filter((r) => r !== goldRelease && roles.get(r) !== 'withdrawn')];
    for (const release of order) {
      const role = roles.get(release)!;
      const made = new ImageRelease(this, release.buildId, {
        imageName: name,
        release,
        role,
        glanceName: { gold: image?.goldName ?? '', outdated: line.outdatedName, candidate: line.candidateName, withdrawn: line.withdrawnName }[role],
        type: line.type,
        shortName: line.shortName,
        diskFormat: diskFormatOf(release, line.fallbackDiskFormat),
        // Not offered to anyone before it is verified, nor after it is withdrawn: private, no members.
        visibility: offered(role) || line.visibility === undefined ? line.visibility : 'private',
        minRamMb: line.minRamMb,
        minDiskGb: line.minDiskGb,
        properties: line.properties,
        deprecatedAt: role === 'outdated' || role === 'withdrawn' ? demotionTime(demotedOn(release, sorted, role)) : undefined,
        sourceBaseUrl: environment.builder.baseUrl,
        region: environment.region,
        provider: props.provider,
        dependsOn: dependsOnFor(role, goldResource, releases),
        members: offered(role) ? memberIds : [],
        acceptMembers: environment.acceptMembers,
        ignoreChanges: line.ignoreChanges,
      });
      if (role === 'gold') goldResource = made;
      releases.push(made);
    }
    this.releases = sorted.map((release) => releases.find((r) => r.release === release)!);
    this.gold = goldResource;

    if (props.build && retired) fail('a retired image has no build parts');
    this.cronEntry = props.build?.schedule.entryFor(name);
    this.runnerConfig = props.build
      ? runnerConfigFor(image!, environment, props.build.template, props.build.scriptsSha, {
          slot: this.cronEntry!,
          // Every release in Glance keeps its file on the builder, so Glance can import it again.
          keepFiles: sorted.map((release) => release.file),
        })
      : undefined;
    // The check judges what the runner config builds: its slot, directories and timeouts.
    this.monitoringCheck = this.runnerConfig
      ? new MonitoringCheck(this, 'monitoring-check', {
          image: name,
          environment: environment.name,
          slot: this.runnerConfig.rebuild.slot,
          enabled: this.cronEntry!.enabled,
          paths: this.runnerConfig.paths,
          timeoutsS: this.runnerConfig.timeouts_s,
          endOfLife: image!.endOfLife,
        })
      : undefined;
  }

  /** Glance id of the GOLD image (a token), or undefined when retired or not built yet. */
  public get goldImageId(): string | undefined {
    return this.gold?.resource.id;
  }

  private memberProjectId(member: string, given: Readonly<Record<string, string>> | undefined): string {
    if (given) {
      const id = given[member];
      if (id === undefined) throw new Error(`gold image ${this.name}: no project id given for member ${member}`);
      return id;
    }
    return ProjectLookup.of(this).projectId(member);
  }
}

/** Newest first: latest date, then the same-day sequence (the catalog's one rule). */
export { sortedNewestFirst as sortNewestFirst };

/**
 * The role of each release (sorted newest first): the newest `released` one is GOLD unless the
 * image is retired; candidates must be newer than it (a retired image's count as Outdated);
 * withdrawn ones stay withdrawn; the rest are Outdated.
 */
export function releaseRoles(sorted: readonly Release[], retired: boolean, fail: (message: string) => never): Map<Release, ReleaseRole> {
  const roles = new Map<Release, ReleaseRole>();
  let gold: Release | undefined;
  for (const release of sorted) {
    if (release.state === 'withdrawn') roles.set(release, 'withdrawn');
    else if (release.state === 'candidate' && !retired) {
      if (gold) fail(`candidate ${release.buildId} is older than the gold release ${gold.buildId}`);
      roles.set(release, 'candidate');
    } else if (!retired && !gold && release.state === 'released') {
      gold = release;
      roles.set(release, 'gold');
    } else roles.set(release, 'outdated');
  }
  return roles;
}

/** Whether a release is offered to users (GOLD or Outdated), not a candidate or withdrawn build. */
function offered(role: ReleaseRole): boolean {
  return role === 'gold' || role === 'outdated';
}

/** What a release's update waits for: the GOLD waits for the withdrawn releases, Outdated ones for the GOLD. */
function dependsOnFor(role: ReleaseRole, gold: ImageRelease | undefined, made: readonly ImageRelease[]): ITerraformDependable[] | undefined {
  if (role === 'gold') {
    const withdrawn = made.filter((r) => r.role === 'withdrawn').map((r) => r.resource);
    return withdrawn.length > 0 ? withdrawn : undefined;
  }
  return role === 'outdated' && gold ? [gold.resource] : undefined;
}

/**
 * The date a release stopped being offered: for an Outdated one the date of the next newer
 * released build (which replaced it), for a withdrawn one (or the newest of a retired line) its own.
 */
function demotedOn(release: Release, sorted: readonly Release[], role: ReleaseRole): string {
  if (role === 'withdrawn') return release.date;
  const index = sorted.indexOf(release);
  const newer = sorted.slice(0, index).reverse().find((r) => r.state === 'released');
  return (newer ?? release).date;
}

/** Disk format of a stored file: `.raw` → raw, `.qcow2` → qcow2, otherwise `fallback`. */
export function diskFormatOf(release: Release, fallback: DiskFormat): DiskFormat {
  if (release.file.endsWith('.raw')) return 'raw';
  if (release.file.endsWith('.qcow2')) return 'qcow2';
  return fallback;
}

function lineSettings(name: string, image: Image | undefined, recorded: ImageReleases | undefined): LineSettings {
  if (image) {
    return {
      type: image.type,
      shortName: image.shortName,
      outdatedName: image.outdatedName,
      candidateName: candidateName(image.displayName),
      withdrawnName: withdrawnName(image.displayName),
      fallbackDiskFormat: image.diskFormat,
      visibility: image.visibility,
      minRamMb: image.minRamMb,
      minDiskGb: image.minDiskGb,
      properties: image.properties,
      members: image.visibility === 'shared' ? image.members : [],
      ignoreChanges: [],
    };
  }
  // The definition is gone: manage only what the builds file recorded (name, hidden, tags) and
  // leave what is unknown as it is in Glance instead of resetting it (visibility would become
  // private, min_* 0, and hw_* properties would be stripped from images servers still use).
  const outdated = recorded?.outdatedName ?? outdatedName(name);
  const display = /^Outdated \((.+)\)$/.exec(outdated)?.[1] ?? name;
  return {
    type: recorded?.type ?? 'retired',
    shortName: recorded?.shortName ?? name,
    outdatedName: outdated,
    candidateName: candidateName(display),
    withdrawnName: withdrawnName(display),
    fallbackDiskFormat: 'qcow2',
    properties: {},
    members: [],
    ignoreChanges: ['visibility', 'min_ram_mb', 'min_disk_gb', 'properties'],
  };
}
