// The Glance side of a review: the `openstack_images_image_v2` resources (one per release) and
// their member grants of two synthesized stacks of one environment, by Terraform address, grouped
// into image lines (`goldsmith_image`), with the warnings they deserve.
import { isDeepStrictEqual } from 'util';
import { cmp } from '../lib/common';
import { RELEASE_ROLES, type AttributeChange, type ImageLine, type ReleaseChange, type ReleaseRole, type Warning } from './report-schema';
import { objectOf, stringOr, terraformText, type JsonObject } from './json';
import { accessesOf, memberChanges } from './member-changes';

/** Terraform type of a release's Glance image. */
export const IMAGE_TYPE = 'openstack_images_image_v2';

/**
 * Attributes Terraform cannot change in place (ForceNew in terraform-provider-openstack 3.4.0;
 * min_ram_mb, min_disk_gb and protected update in place since 1.47).
 */
const FORCE_NEW = new Set(['disk_format', 'container_format', 'region', 'local_file_path', 'decompress', 'image_id']);
/** Keys of a resource block that are not Glance attributes, or that the stack always ignores. */
const NOT_ATTRIBUTES = new Set(['//', 'depends_on', 'lifecycle', 'count', 'for_each', 'timeouts', 'image_source_url', 'web_download']);
/** Glance properties that follow a release's role (set when it is demoted or promoted). */
export const ROLE_PROPERTIES = new Set(['properties.goldsmith_state', 'properties.depricated']);

/** One release as synthesized. */
interface Release {
  readonly address: string;
  readonly image: string;
  readonly buildId: string;
  readonly date: string;
  readonly role: ReleaseRole;
  readonly hidden: boolean;
  readonly name: string;
  readonly body: JsonObject;
}

/** What the Glance side of one environment's change is. */
export interface GlanceReview {
  readonly images: ImageLine[];
  readonly warnings: Warning[];
}

/** What the comparison needs from the catalogs. */
export interface GlanceContext {
  readonly environment: string;
  /** What operators call an image (its GOLD name). */
  readonly label: (image: string) => string;
  /** Whether the head environment carries the image (else it is retired there). */
  readonly carried: (image: string) => boolean;
}

/** Compares the images of two stacks (undefined: the side has no stack). */
export function compareGlance(base: JsonObject | undefined, head: JsonObject | undefined, context: GlanceContext): GlanceReview {
  const before = releasesOf(base);
  const after = releasesOf(head);
  const accessBefore = accessesOf(base);
  const accessAfter = accessesOf(head);
  const lines = new Map<string, { before: Release[]; after: Release[] }>();
  const lineOf = (image: string) => lines.get(image) ?? lines.set(image, { before: [], after: [] }).get(image)!;
  for (const release of before.values()) lineOf(release.image).before.push(release);
  for (const release of after.values()) lineOf(release.image).after.push(release);

  const members = memberChanges(accessBefore, accessAfter, before, after);
  const images: ImageLine[] = [];
  const warnings: Warning[] = [];
  const warn = (warning: Omit<Warning, 'environment'>) => warnings.push({ environment: context.environment, ...warning });
  for (const image of [...lines.keys()].sort(cmp)) {
    const line = lines.get(image)!;
    const releases: ReleaseChange[] = [];
    for (const address of [...new Set([...line.before, ...line.after].map((r) => r.address))]) {
      const change = releaseChange(before.get(address), after.get(address));
      if (change) releases.push(change);
    }
    const order = new Map([...line.after, ...line.before].map((r) => [r.address, r]));
    releases.sort((a, b) => newestFirst(order.get(a.address)!, order.get(b.address)!));
    const lineMembers = members.filter((m) => m.image === image).map(({ image: _image, ...rest }) => rest);
    const goldBefore = line.before.find((r) => r.role === 'gold');
    const goldAfter = line.after.find((r) => r.role === 'gold');
    const lostGold = goldBefore !== undefined && goldAfter === undefined && line.after.length > 0;
    const retired = lostGold && !context.carried(image);
    const noGold = lostGold && !retired;
    if (releases.length === 0 && lineMembers.length === 0) continue;
    images.push({
      image,
      label: context.label(image),
      gold_before: goldBefore?.buildId ?? null,
      gold_after: goldAfter?.buildId ?? null,
      retired,
      no_gold: noGold,
      releases_after: line.after.length,
      releases,
      members: lineMembers,
    });

    for (const release of releases) {
      if (release.change === 'deleted') warn({ kind: 'deletes_image', image, build_id: release.build_id, name: release.before!.name });
      if (release.change === 'replaced') {
        warn({ kind: 'replaces_image', image, build_id: release.build_id, name: release.before!.name, attributes: release.attributes.filter((a) => a.replaces) });
      }
    }
    if (noGold) warn({ kind: 'no_gold', image, name: goldBefore!.name });
    // What users boot by name: a name offered before (not hidden) that is gone while the line
    // still offers others. (Gone without replacement is no_gold, retired or deleted.)
    const visibleBefore = new Set(line.before.filter((r) => !r.hidden).map((r) => r.name));
    const visibleAfter = [...new Set(line.after.filter((r) => !r.hidden).map((r) => r.name))].sort(cmp);
    for (const name of [...visibleBefore].sort(cmp)) {
      if (visibleAfter.length > 0 && !visibleAfter.includes(name)) warn({ kind: 'renames_image', image, name, names_after: visibleAfter });
    }
  }
  return { images, warnings };
}

function releaseChange(before: Release | undefined, after: Release | undefined): ReleaseChange | undefined {
  const side = (r: Release) => ({ name: r.name, role: r.role, hidden: r.hidden });
  const { address, buildId } = (after ?? before)!;
  if (!before) return { build_id: buildId, address, change: 'added', after: side(after!), attributes: [] };
  if (!after) return { build_id: buildId, address, change: 'deleted', before: side(before), attributes: [] };
  const attributes = attributeChanges(before.body, after.body);
  if (attributes.length === 0 && before.role === after.role) return undefined;
  const change = attributes.some((a) => a.replaces) ? 'replaced' : 'updated';
  return { build_id: buildId, address, change, before: side(before), after: side(after), attributes };
}

/**
 * The attributes of an image resource that differ, properties one by one. What the head's
 * `lifecycle.ignore_changes` names is not a change; neither is an attribute the base ignored and
 * left unset (its value in Glance is unknown here).
 */
export function attributeChanges(before: JsonObject, after: JsonObject): AttributeChange[] {
  const ignoredAfter = ignoredAttributes(after);
  const ignoredBefore = ignoredAttributes(before);
  if (ignoredAfter === 'all') return [];
  const out: AttributeChange[] = [];
  const compare = (attribute: string, top: string, x: unknown, y: unknown, unknownBefore: boolean) => {
    if (ignoredAfter.has(top) || (unknownBefore && x === undefined)) return;
    if (isDeepStrictEqual(x, y)) return;
    out.push({
      attribute,
      ...(x !== undefined ? { before: x as AttributeChange['before'] } : {}),
      ...(y !== undefined ? { after: y as AttributeChange['after'] } : {}),
      replaces: FORCE_NEW.has(attribute),
    });
  };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !NOT_ATTRIBUTES.has(k));
  for (const key of keys) {
    const unknownBefore = ignoredBefore === 'all' || ignoredBefore.has(key);
    if (key === 'properties') {
      const x = objectOf(before.properties);
      const y = objectOf(after.properties);
      if (unknownBefore && before.properties === undefined) continue;
      for (const property of [...new Set([...Object.keys(x), ...Object.keys(y)])]) {
        compare(`properties.${property}`, key, x[property], y[property], false);
      }
    } else if (key === 'tags') {
      compare(key, key, sortedStrings(before.tags), sortedStrings(after.tags), unknownBefore);
    } else {
      compare(key, key, before[key], after[key], unknownBefore);
    }
  }
  return out.sort((a, b) => cmp(a.attribute, b.attribute));
}

function ignoredAttributes(body: JsonObject): Set<string> | 'all' {
  const ignore = objectOf(body.lifecycle).ignore_changes;
  if (ignore === 'all') return 'all';
  return new Set(Array.isArray(ignore) ? ignore.filter((a): a is string => typeof a === 'string') : []);
}

/** The releases of a stack, by Terraform address. */
function releasesOf(stack: JsonObject | undefined): Map<string, Release> {
  const out = new Map<string, Release>();
  for (const [id, value] of Object.entries(objectOf(objectOf(stack?.resource)[IMAGE_TYPE]))) {
    const body = objectOf(value);
    const properties = objectOf(body.properties);
    const tags = Array.isArray(body.tags) ? body.tags : [];
    const hidden = body.hidden === true;
    const state = properties.goldsmith_state;
    out.set(`${IMAGE_TYPE}.${id}`, {
      address: `${IMAGE_TYPE}.${id}`,
      image: stringOr(properties.goldsmith_image, stringOr(tags[1], id)),
      buildId: stringOr(properties.goldsmith_build_id, id),
      date: stringOr(properties.goldsmith_build_date, ''),
      // Stacks from before the state property: the visible one is the GOLD.
      role: RELEASE_ROLES.includes(state as ReleaseRole) ? (state as ReleaseRole) : hidden ? 'outdated' : 'gold',
      hidden,
      name: terraformText(stringOr(body.name, '')),
      body,
    });
  }
  return out;
}

function newestFirst(a: Release, b: Release): number {
  return cmp(b.date, a.date) || cmp(b.buildId, a.buildId) || cmp(a.address, b.address);
}

function sortedStrings(x: unknown): unknown {
  return Array.isArray(x) ? [...x].map(String).sort(cmp) : x;
}
