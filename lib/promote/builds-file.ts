// Edits config/builds/<env>.yaml as a YAML document, so its comments and layout stay and a merge
// request shows only the lines a change touches.
import { Document, isMap, isSeq, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { ReleaseState } from '../catalog/model';

/** A release as the builds file writes it (snake_case keys, in this order). */
export interface ReleaseLines {
  readonly build_id: string;
  readonly date: string;
  readonly file: string;
  readonly md5: string;
  /** Left out only by `goldsmith adopt` (Glance knows no sha256 of an image it did not import for goldsmith). */
  readonly sha256?: string;
  readonly size_bytes: number;
  readonly upstream_url?: string;
  readonly upstream_checksum?: string;
  readonly state?: Exclude<ReleaseState, 'released'>;
  /** The Glance image an adopted release is (imported by Terraform, never uploaded). */
  readonly glance_id?: string;
}

const HEADER = [
  ' yaml-language-server: $schema=../../schema/catalog/builds.schema.json',
  ' Releases promoted in this environment (written by `goldsmith promote`, reviewed in a merge request).',
].join('\n');

/** One builds file, parsed once and edited in place. */
export class BuildsFileEditor {
  private readonly doc: Document;
  private changed = false;

  /** `text`: the file's contents (undefined when the environment has no builds file yet). */
  constructor(text: string | undefined) {
    this.doc = parseDocument(text ?? '', { keepSourceTokens: false });
    if (this.doc.errors.length > 0) throw new Error(this.doc.errors[0].message.split('\n')[0]);
    if (text === undefined || this.doc.contents === null) {
      this.doc.contents = this.doc.createNode({ images: {} }) as YAMLMap;
      if (text === undefined) this.doc.commentBefore = HEADER;
    }
  }

  /** Whether any edit was made. */
  get isChanged(): boolean {
    return this.changed;
  }

  /** Adds `release` as the first (newest) release of `image`, creating the image entry if needed. */
  addRelease(image: string, release: ReleaseLines): void {
    const releases = this.releases(image, true)!;
    const node = this.doc.createNode(withoutUndefined(release)) as YAMLMap;
    // Build ids look like numbers: always quoted, as people write them.
    node.set('build_id', quoted(release.build_id));
    releases.items.unshift(node);
    this.changed = true;
  }

  /**
   * Sets `type`, `short_name` (only when it is not the image key, the default) and `outdated_name`
   * of the image entry when they differ (kept for retirement).
   */
  recordLine(image: string, type: string, outdatedName: string, shortName: string = image): void {
    const entry = this.entry(image, true)!;
    for (const [key, value] of [['type', type], ['short_name', shortName === image ? undefined : shortName], ['outdated_name', outdatedName]] as const) {
      if (value === undefined) {
        if (entry.has(key)) {
          entry.delete(key);
          this.changed = true;
        }
      } else if (entry.get(key) !== value) {
        entry.set(key, value);
        this.changed = true;
      }
    }
    // Keep the conventional order: type, short_name, outdated_name, releases.
    const order = ['type', 'short_name', 'outdated_name', 'releases'];
    entry.items.sort((a, b) => rank(order, a.key) - rank(order, b.key));
  }

  /** Sets the state of a release (`released` removes the key: it is the default). */
  setState(image: string, buildId: string, state: ReleaseState): void {
    const release = this.release(image, buildId);
    if (state === 'released') {
      if (release.has('state')) release.delete('state');
      else return;
    } else {
      if (release.get('state') === state) return;
      release.set('state', state);
    }
    this.changed = true;
  }

  /** Adds `buildId` to the image's `withdrawn_builds` (a candidate withdrawn before it was ever active). */
  addWithdrawnBuild(image: string, buildId: string): void {
    const entry = this.entry(image, false);
    if (!entry) throw new Error(`images.${image} is not in the builds file`);
    let list = entry.get('withdrawn_builds');
    if (!isSeq(list)) {
      list = this.doc.createNode([]);
      entry.set('withdrawn_builds', list);
    }
    (list as YAMLSeq).items.push(quoted(buildId));
    this.changed = true;
  }

  /** Removes a release. */
  removeRelease(image: string, buildId: string): void {
    const releases = this.releases(image, false)!;
    const index = releases.items.findIndex((item) => isMap(item) && String(item.get('build_id')) === buildId);
    if (index < 0) throw new Error(`images.${image} has no release ${buildId}`);
    releases.items.splice(index, 1);
    this.changed = true;
  }

  /** The edited file. */
  toString(): string {
    return this.doc.toString({ lineWidth: 0, indentSeq: true });
  }

  private entry(image: string, create: boolean): YAMLMap | undefined {
    const root = this.doc.contents as YAMLMap;
    let images = root.get('images');
    if (!isMap(images)) {
      if (!create) return undefined;
      images = this.doc.createNode({});
      root.set('images', images);
    }
    let entry = (images as YAMLMap).get(image);
    if (!isMap(entry)) {
      if (!create) return undefined;
      entry = this.doc.createNode({ releases: [] });
      (images as YAMLMap).set(image, entry);
    }
    return entry as YAMLMap;
  }

  private releases(image: string, create: boolean): YAMLSeq | undefined {
    const entry = this.entry(image, create);
    if (!entry) throw new Error(`images.${image} is not in the builds file`);
    let releases = entry.get('releases');
    if (!isSeq(releases)) {
      releases = this.doc.createNode([]);
      entry.set('releases', releases);
    }
    return releases as YAMLSeq;
  }

  private release(image: string, buildId: string): YAMLMap {
    const found = this.releases(image, false)!.items.find((item) => isMap(item) && String(item.get('build_id')) === buildId);
    if (!found) throw new Error(`images.${image} has no release ${buildId}`);
    return found as YAMLMap;
  }
}

function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function rank(order: readonly string[], key: unknown): number {
  const i = order.indexOf(String((key as Scalar)?.value ?? key));
  return i < 0 ? order.length : i;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
