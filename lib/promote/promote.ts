// What `goldsmith promote <env>` changes in the environment's builds file, decided per image from
// the builder's latest build record, Glance's view of a pending candidate and, before a release is
// dropped, whether any server or volume still uses it. Nothing here writes a file.
import type { Catalog, Environment, Image, ImageReleases, Release } from '../catalog/model';
import type { BuildRecord } from '../contract';
import type { ImageUsage } from '../openstack/usage';
import type { ReleaseImage } from '../openstack/glance-releases';
import { oneLine, plural } from '../common';
import { BuildsFileEditor, type ReleaseLines } from './builds-file';
import { checkCandidate } from './candidate-check';
import { newestFirst, sortedNewestFirst } from '../catalog/release-order';
import { releasesBeyondRetention } from './retention';

/** Where promote looks: the builder, Glance, Nova and Cinder (injectable for tests). */
export interface PromoteSources {
  /**
   * The builder's latest verified record of `image`, or undefined when it has none. Throws
   * one-line errors; an error with `repeated: true` was reported already and is not shown again.
   */
  latestRecord(image: string): Promise<BuildRecord | undefined>;
  /**
   * The Glance images tagged `tag` (an image line's short name, the second Glance tag), read with
   * clouds.yaml entry `cloud`; promote keeps those of the line (goldsmith_image, adopted ids).
   */
  releaseImages(tag: string, cloud: string): Promise<ReleaseImage[]>;
  /**
   * The project id of clouds.yaml entry `cloud`: only its images count as goldsmith's.
   * @default unknown: every image with the line's tags and properties counts
   */
  projectId?(cloud: string): Promise<string | undefined>;
  /** The servers and volumes made from a Glance image, read with clouds.yaml entry `cloud`. */
  usage(imageId: string, cloud: string): Promise<ImageUsage>;
  /**
   * The smoke test of a verified candidate: undefined when it passed, else why it failed.
   * @default none: a verified candidate becomes GOLD
   */
  smokeTest?(candidate: { image: string; buildId: string; imageId: string; cloud: string }): Promise<string | undefined>;
}

export interface PromoteOptions {
  /** Only these images (default: every image with a builds entry or carried by the environment). */
  readonly images?: readonly string[];
  /** Skip Glance, Nova and Cinder: no candidate becomes GOLD; releases are dropped unchecked. */
  readonly offline?: boolean;
  /**
   * The clock (a candidate still queued long after its creation has failed).
   * @default the system clock
   */
  readonly now?: () => Date;
}

/** The outcome: one line per change, per note and per problem, and the new file text. */
export interface PromotePlan {
  /** Changes made to the builds file, one line each. */
  readonly changes: readonly string[];
  /** What did not change and why (waiting candidates, releases kept in use, --offline warnings). */
  readonly notes: readonly string[];
  /** What is wrong (a refused record, a failed import): the command exits 1. */
  readonly problems: readonly string[];
  /** The edited builds file (equal to the input when nothing changed). */
  readonly text: string;
  readonly changed: boolean;
}

/** Decides the promotions of `environment` against its builds file `text` (undefined: none yet). */
export async function planPromotion(
  catalog: Catalog,
  environment: Environment,
  text: string | undefined,
  sources: PromoteSources,
  options: PromoteOptions = {},
): Promise<PromotePlan> {
  const editor = new BuildsFileEditor(text);
  const changes: string[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const recorded = new Map((catalog.builds[environment.name] ?? []).map((entry) => [entry.image, entry]));
  const definitions = new Map(catalog.images.map((image) => [image.name, image]));
  const names = options.images ?? [...new Set([...environment.images, ...recorded.keys()])].sort();

  for (const name of names) {
    const image = environment.images.includes(name) ? definitions.get(name) : undefined;
    const line = new ImageLine(environment, name, image, recorded.get(name), editor, sources, options);
    try {
      await line.promote();
    } catch (e) {
      // A source may say it already reported this failure (an unreachable builder: one line in all).
      if (!(e as { repeated?: boolean }).repeated) line.problems.push(oneLine(e));
    }
    changes.push(...line.changes.map((l) => `${environment.name} · ${name}: ${l}`));
    notes.push(...line.notes.map((l) => `${environment.name} · ${name}: ${l}`));
    problems.push(...line.problems.map((l) => `${environment.name} · ${name}: ${l}`));
  }
  const out = editor.isChanged ? editor.toString() : (text ?? '');
  return { changes, notes, problems, text: out, changed: editor.isChanged };
}

/** One image line of the environment, promoted step by step. */
class ImageLine {
  readonly changes: string[] = [];
  readonly notes: string[] = [];
  readonly problems: string[] = [];
  private releases: Release[];
  private glance: ReleaseImage[] | undefined;
  private readonly cloud: string;

  constructor(
    private readonly environment: Environment,
    private readonly name: string,
    /** The definition, when the environment carries the image (else it is retired here). */
    private readonly image: Image | undefined,
    private readonly entry: ImageReleases | undefined,
    private readonly editor: BuildsFileEditor,
    private readonly sources: PromoteSources,
    private readonly options: PromoteOptions,
  ) {
    this.releases = sortedNewestFirst(entry?.releases ?? []);
    const owner = image?.owner;
    this.cloud = (owner !== undefined ? environment.ownerClouds[owner] : undefined) ?? environment.cloud;
  }

  async promote(): Promise<void> {
    const candidate = this.image ? this.releases.find((r) => r.state === 'candidate') : undefined;
    if (candidate) {
      if (!(await this.verifyCandidate(candidate))) return;
    } else if (this.image) {
      if (await this.addCandidate()) return;
    }
    await this.retain();
  }

  /** The newest candidate becomes GOLD once Glance holds its bytes (and the smoke test passed). */
  private async verifyCandidate(candidate: Release): Promise<boolean> {
    if (this.options.offline) {
      this.notes.push(`candidate ${candidate.buildId} waits: verifying it needs Glance (--offline)`);
      return false;
    }
    const verdict = checkCandidate(candidate, await this.glanceImages(), this.options.now?.() ?? new Date());
    if (verdict.kind === 'waiting') {
      this.notes.push(`candidate ${candidate.buildId} waits: ${verdict.detail}`);
      return false;
    }
    if (verdict.kind === 'failed') {
      this.problems.push(`candidate ${candidate.buildId} failed: ${verdict.detail}; withdraw it: goldsmith withdraw ${this.environment.name} ${this.name} ${candidate.buildId}`);
      return false;
    }
    const smoke = this.sources.smokeTest
      ? await this.sources.smokeTest({ image: this.name, buildId: candidate.buildId, imageId: verdict.imageId, cloud: this.cloud })
      : undefined;
    if (smoke !== undefined) {
      this.problems.push(`candidate ${candidate.buildId} failed its smoke test: ${smoke}`);
      return false;
    }
    const gold = this.releases.find((r) => r.state === 'released');
    this.editor.setState(this.name, candidate.buildId, 'released');
    this.releases = this.releases.map((r) => (r === candidate ? { ...r, state: 'released' } : r));
    this.changes.push(
      `${candidate.buildId} becomes GOLD (${verdict.detail}${this.sources.smokeTest ? ', smoke test passed' : ''})` +
        (gold ? `; ${gold.buildId} becomes Outdated` : ''),
    );
    return true;
  }

  /** Adds the builder's newest build as a candidate when it is newer than every release. Returns whether it did. */
  private async addCandidate(): Promise<boolean> {
    const record = await this.sources.latestRecord(this.name);
    if (!record) {
      this.notes.push('no build on the builder yet');
      return false;
    }
    if (record.environment !== this.environment.name) {
      this.problems.push(`the builder's record is of environment ${record.environment}, not ${this.environment.name}`);
      return false;
    }
    const build = { buildId: record.build_id, date: record.date };
    const newest = this.releases[0];
    if (this.entry?.withdrawnBuilds?.includes(record.build_id)) {
      this.notes.push(`the builder's newest build ${record.build_id} was withdrawn: it is not promoted again`);
      return false;
    }
    if (newest && newestFirst(build, newest) >= 0) return false; // nothing newer than what is listed
    const gold = this.releases.find((r) => r.state === 'released');
    const lines: ReleaseLines = {
      build_id: record.build_id,
      date: record.date,
      file: record.file,
      md5: record.md5,
      sha256: record.sha256,
      size_bytes: record.size_bytes,
      upstream_url: record.upstream.url,
      upstream_checksum: record.upstream.checksum,
      state: 'candidate',
    };
    this.editor.addRelease(this.name, lines);
    this.editor.recordLine(this.name, this.image!.type, this.image!.outdatedName, this.image!.shortName);
    this.changes.push(
      `new build ${record.build_id} (candidate; built ${record.date}, ${record.reason.code})` +
        (gold ? `; ${gold.buildId} stays GOLD until it is verified` : ''),
    );
    return true;
  }

  /** Drops what keep_outdated lets go, unless a server or volume still uses it. */
  private async retain(): Promise<void> {
    const keep = this.image?.keepOutdated ?? this.entry?.keepOutdated;
    if (keep === undefined) return;
    for (const release of releasesBeyondRetention(this.releases, keep, this.image === undefined)) {
      const why = release.state === 'withdrawn' ? 'withdrawn' : release.state === 'candidate' ? 'a superseded candidate' : `beyond keep_outdated ${keep}`;
      if (this.options.offline) {
        this.notes.push(`warning: ${release.buildId} is removed unchecked: whether a server or volume uses it needs Nova and Cinder (--offline)`);
        this.drop(release, why);
        continue;
      }
      const inGlance = (await this.glanceImages()).filter((g) => g.goldsmith_build_id === release.buildId || g.id === release.glanceId);
      const users = { servers: 0, volumes: 0 };
      try {
        for (const g of inGlance) {
          const usage = await this.sources.usage(g.id, this.cloud);
          users.servers += usage.servers.length;
          users.volumes += usage.volumes.length;
        }
      } catch (e) {
        this.problems.push(`${release.buildId} stays (${why}): cannot tell whether a server or volume uses it: ${oneLine(e)}`);
        continue;
      }
      if (users.servers + users.volumes > 0) {
        this.notes.push(`${release.buildId} stays (${why}): used by ${plural(users.servers, 'server')} and ${plural(users.volumes, 'volume')}`);
        continue;
      }
      this.drop(release, `${why}; ${inGlance.length ? 'no server or volume uses it' : 'not in Glance'}`);
    }
  }

  private drop(release: Release, why: string): void {
    this.editor.removeRelease(this.name, release.buildId);
    this.releases = this.releases.filter((r) => r !== release);
    this.changes.push(`remove ${release.buildId} (${why})`);
  }

  /**
   * The Glance images of this line: tagged with its short name (the second tag, which other lines
   * may share under another type, e.g. gold and vgpu `almalinux9`) and carrying its image key in
   * `goldsmith_image`, or adopted by one of its releases and not yet deployed (no goldsmith_* yet).
   */
  private async glanceImages(): Promise<ReleaseImage[]> {
    if (!this.glance) {
      const adopted = new Set(this.releases.map((r) => r.glanceId).filter((id) => id !== undefined));
      const tagged = await this.sources.releaseImages(this.image?.shortName ?? this.entry?.shortName ?? this.name, this.cloud);
      // With an admin entry Glance lists every project's images: only the publishing project's
      // count (a tenant's look-alike with the same tags and properties decides nothing), and the
      // adopted releases, whoever owns them.
      const project = await this.sources.projectId?.(this.cloud);
      this.glance = tagged.filter((g) => (g.goldsmith_image === this.name && (project === undefined || g.owner === project)) || adopted.has(g.id));
    }
    return this.glance;
  }
}

