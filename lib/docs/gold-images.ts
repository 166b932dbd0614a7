// The user-facing list of GOLD images, from the catalog alone: what a user can boot by name
// (`GOLD …`) and find by its tags, per image, and the images that were retired. The renderers
// (render.ts) turn it into a markdown or reStructuredText page; nothing here is formatted.
//
// The shape follows NREC's user documentation page of GOLD images (norcams/docs-enduser,
// docs/gold-images.rst: "GOLD image, Family, Default user name, Boot FW, End of Life, Notes", then
// a table of retired images), with what goldsmith knows instead of what it does not: the Glance
// name, the two Glance tags (type, short name) a lookup selects by, the login user, the firmware,
// the end of life and where the image is published.
import type { Catalog, Environment, Image, ImageReleases } from '../catalog/model';
import { cmp } from '../common';

/** Boot firmware of a published image, from its `hw_firmware_type` Glance property. */
export type Firmware = 'UEFI' | 'BIOS';

/** One image users can boot: it has a GOLD release in at least one of the environments shown. */
export interface GoldImageEntry {
  /** Image key in the catalog (not shown; the stable sort key after the Glance name). */
  readonly key: string;
  /** Glance name of the GOLD release (`GOLD <display name>` unless the catalog says otherwise). */
  readonly glanceName: string;
  /** First Glance tag: gold, vgpu, uib … */
  readonly type: string;
  /** Second Glance tag. */
  readonly shortName: string;
  /** The user cloud-init creates (the catalog's `ssh_user`). */
  readonly loginUser: string;
  readonly firmware: Firmware;
  /** YYYY-MM-DD, or undefined when the catalog gives none. */
  readonly endOfLife?: string;
  /** Regions (of the environments shown) where the GOLD release exists, sorted, without duplicates. */
  readonly regions: readonly string[];
}

/** An image that has been GOLD and is no longer offered in any of the environments shown. */
export interface RetiredImageEntry {
  readonly key: string;
  /** The display name (from the definition, else from the recorded Outdated name, else the key). */
  readonly name: string;
  /** Second Glance tag its releases carry. */
  readonly shortName: string;
  /** Date (YYYY-MM-DD) of its newest released build. */
  readonly lastRelease: string;
}

export interface GoldImagesPage {
  /** Names of the environments shown, in catalog order. */
  readonly environments: readonly string[];
  /** Their regions, sorted, without duplicates. */
  readonly regions: readonly string[];
  /** Sorted by type, then Glance name (digits by value: 9 before 10), then key. */
  readonly images: readonly GoldImageEntry[];
  /** Sorted by name (digits by value), then key. */
  readonly retired: readonly RetiredImageEntry[];
}

/** The firmware a published image boots with: UEFI when `hw_firmware_type` is `uefi`, else BIOS. */
export function firmwareOf(image: Image): Firmware {
  return image.properties.hw_firmware_type === 'uefi' ? 'UEFI' : 'BIOS';
}

/** The second Glance tag of an image: its `short_name`, by default its key. */
export function shortNameOf(image: Image): string {
  return image.shortName ?? image.name;
}

/** The second Glance tag a retired image's releases carry: a recorded `short_name`, else the key. */
function recordedShortName(key: string, entries: readonly ImageReleases[]): string {
  return entries.find((e) => e.shortName !== undefined)?.shortName ?? key;
}

/** The display name of a retired image whose definition is gone: `X` of a recorded `Outdated (X)`. */
function retiredName(key: string, entries: readonly ImageReleases[]): string {
  const outdated = entries.find((e) => e.outdatedName !== undefined)?.outdatedName;
  if (outdated === undefined) return key;
  return /^Outdated \((.+)\)$/.exec(outdated)?.[1] ?? outdated;
}

/**
 * Natural order of two names, as users read a list (`Alma Linux 9` before `Alma Linux 10`): runs
 * of digits compare by their value, everything else by code unit (locale-independent).
 */
export function naturalCmp(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (/^\d/.test(p) && /^\d/.test(q)) {
      const [pv, qv] = [p.replace(/^0+(?=\d)/, ''), q.replace(/^0+(?=\d)/, '')];
      const byValue = pv.length - qv.length || cmp(pv, qv);
      if (byValue !== 0) return byValue;
    }
    const byText = cmp(p, q);
    if (byText !== 0) return byText;
  }
  return x.length - y.length || cmp(a, b);
}

/** Newest date among `dates` (YYYY-MM-DD compares as text). */
function newest(dates: readonly string[]): string | undefined {
  return dates.reduce<string | undefined>((best, d) => (best === undefined || cmp(d, best) > 0 ? d : best), undefined);
}

/**
 * The page for `environmentNames` (default: every environment, merged into one list). An image is
 * listed when an environment shown carries it and has a `released` build of it (its GOLD: a
 * candidate or a withdrawn build alone is not); it is retired when it has a released build in an
 * environment shown but is GOLD in none of them (its definition is gone, or no environment shown
 * carries it any more). Images carried without any released build are not listed: users cannot
 * boot them yet. Throws on an unknown environment name.
 */
export function goldImagesPage(catalog: Catalog, environmentNames?: readonly string[]): GoldImagesPage {
  const environments = selectEnvironments(catalog, environmentNames);
  const definitions = new Map(catalog.images.map((image) => [image.name, image]));

  const goldIn = new Map<string, Set<string>>();
  const released = new Map<string, { entries: ImageReleases[]; dates: string[] }>();
  for (const environment of environments) {
    const carried = new Set(environment.images);
    for (const entry of catalog.builds[environment.name] ?? []) {
      const dates = entry.releases.filter((r) => r.state === 'released').map((r) => r.date);
      if (dates.length === 0) continue;
      if (carried.has(entry.image) && definitions.has(entry.image)) {
        const regions = goldIn.get(entry.image) ?? new Set<string>();
        regions.add(environment.region);
        goldIn.set(entry.image, regions);
      }
      const seen = released.get(entry.image) ?? { entries: [], dates: [] };
      seen.entries.push(entry);
      seen.dates.push(...dates);
      released.set(entry.image, seen);
    }
  }

  const images: GoldImageEntry[] = [];
  for (const [key, regions] of goldIn) {
    const image = definitions.get(key)!;
    images.push({
      key,
      glanceName: image.goldName,
      type: image.type,
      shortName: shortNameOf(image),
      loginUser: image.sshUser,
      firmware: firmwareOf(image),
      endOfLife: image.endOfLife,
      regions: [...regions].sort(cmp),
    });
  }
  images.sort((a, b) => cmp(a.type, b.type) || naturalCmp(a.glanceName, b.glanceName) || cmp(a.key, b.key));

  const retired: RetiredImageEntry[] = [];
  for (const [key, { entries, dates }] of released) {
    if (goldIn.has(key)) continue;
    const image = definitions.get(key);
    retired.push({
      key,
      name: image ? image.displayName : retiredName(key, entries),
      shortName: image ? shortNameOf(image) : recordedShortName(key, entries),
      lastRelease: newest(dates)!,
    });
  }
  retired.sort((a, b) => naturalCmp(a.name, b.name) || cmp(a.key, b.key));

  return {
    environments: environments.map((e) => e.name),
    regions: [...new Set(environments.map((e) => e.region))].sort(cmp),
    images,
    retired,
  };
}

/** The environments named (in catalog order), or all of them; an unknown name throws. */
function selectEnvironments(catalog: Catalog, names: readonly string[] | undefined): Environment[] {
  if (names === undefined || names.length === 0) return [...catalog.environments];
  for (const name of names) {
    if (!catalog.environments.some((e) => e.name === name)) {
      throw new UnknownEnvironmentError(name, catalog.environments.map((e) => e.name));
    }
  }
  return catalog.environments.filter((e) => names.includes(e.name));
}

/** An environment name that environments.yaml does not define. */
export class UnknownEnvironmentError extends Error {
  constructor(
    readonly environment: string,
    readonly known: readonly string[],
  ) {
    super(`no environment \`${environment}\` in environments.yaml (${known.join(', ')})`);
    this.name = 'UnknownEnvironmentError';
  }
}
