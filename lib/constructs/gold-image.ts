// A GOLD image in one environment: everything that exists because the image is defined.
import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import type { DiskFormat, Environment, Image, ImageReleases, Release, Visibility } from '../catalog/model';
import {
  DEPRECATED_PROPERTY,
  ImageMember,
  ImageRelease,
  PROVENANCE_PREFIX,
  demotionTime,
} from './image-release';
import { ProjectLookup } from './project-lookup';
import type { BuildSchedule, CronEntry } from './build-schedule';
import { runnerConfigFor, type RunnerConfig, type TemplateRef } from './runner-config';
import { outdatedName } from '../contract/glance-names';
import { cmp } from '../common';

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
  /** Short name of the image: its key in the catalog and in `config/builds/<env>.yaml`. */
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
   * Whether the image is retired: every release becomes Outdated and hidden; retention still
   * applies (keep_outdated of the definition, or `releases.keepOutdated` once it is gone).
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
  readonly outdatedName: string;
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
 * fingerprint) and its cron entry. The monitoring check joins here too. A retired image keeps
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
  /** Synthesized releases, newest first. */
  public readonly releases: readonly ImageRelease[];
  /** The GOLD release (undefined when retired or not built yet). */
  public readonly gold: ImageRelease | undefined;
  /** Recorded releases left out by retention (Terraform destroys them), newest first. */
  public readonly dropped: readonly Release[];
  /** The runner config of images/<name>.json in the builder bundle (undefined without build parts). */
  public readonly runnerConfig: RunnerConfig | undefined;
  /** The image's line in the builder's cron file (undefined without build parts). */
  public readonly cronEntry: CronEntry | undefined;

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
    const sorted = sortNewestFirst(recorded?.releases ?? []);
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
    // Retention also applies once retired: what it had deleted must not come back.
    const keepOutdated = image?.keepOutdated ?? recorded?.keepOutdated;
    const kept = keepOutdated === undefined ? sorted : sorted.slice(0, 1 + keepOutdated);
    this.dropped = sorted.slice(kept.length);

    const releases: ImageRelease[] = [];
    kept.forEach((release, index) => {
      const isGold = !retired && index === 0;
      // Demoted when the next newer release was built; the newest of a retired image: its own date.
      const deprecatedAt = isGold ? undefined : demotionTime((kept[index - 1] ?? release).date);
      releases.push(
        new ImageRelease(this, release.buildId, {
          imageName: name,
          release,
          role: isGold ? 'gold' : 'outdated',
          glanceName: isGold ? image!.goldName : line.outdatedName,
          type: line.type,
          diskFormat: diskFormatOf(release, line.fallbackDiskFormat),
          visibility: line.visibility,
          minRamMb: line.minRamMb,
          minDiskGb: line.minDiskGb,
          properties: line.properties,
          deprecatedAt,
          sourceBaseUrl: environment.builder.baseUrl,
          region: environment.region,
          provider: props.provider,
          dependsOn: !retired && index > 0 ? [releases[0].resource] : undefined,
          members: memberIds,
          ignoreChanges: line.ignoreChanges,
        }),
      );
    });
    this.releases = releases;
    this.gold = retired ? undefined : releases[0];

    if (props.build && retired) fail('a retired image has no build parts');
    this.cronEntry = props.build?.schedule.entryFor(name);
    this.runnerConfig = props.build
      ? runnerConfigFor(image!, environment, props.build.template, props.build.scriptsSha, {
          slot: this.cronEntry!,
          // The releases Terraform keeps in Glance: their files stay for a re-import (dropped ones leave Glance).
          keepFiles: kept.map((release) => release.file),
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

/** Newest first: latest date, ties broken by build id (string order, higher first). */
export function sortNewestFirst(releases: readonly Release[]): Release[] {
  return [...releases].sort((a, b) => cmp(b.date, a.date) || cmp(b.buildId, a.buildId));
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
      outdatedName: image.outdatedName,
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
  return {
    type: recorded?.type ?? 'retired',
    outdatedName: recorded?.outdatedName ?? outdatedName(name),
    fallbackDiskFormat: 'qcow2',
    properties: {},
    members: [],
    ignoreChanges: ['visibility', 'min_ram_mb', 'min_disk_gb', 'properties'],
  };
}
