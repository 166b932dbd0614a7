// goldsmith adopt <env>: the Glance images himlarcli published become releases of the builds file,
// each with its Glance id, so the first deploy imports them (Terraform import blocks) instead of
// uploading them again. Nothing here writes a file.
//
// What is adopted: per image of the environment, the Glance images tagged [type, short name]
// (himlarcli's tags), hidden or not, `active` (the GOLD) or `deactivated` (Outdated: himlarcli
// deactivates the image a new one replaces). Their release is Glance's facts: the id, the md5
// (`checksum`) and size (the postcondition every release carries then holds), the creation date;
// the file name carries Glance's disk format (which forces replacement in Terraform).
//
// What is refused, one line each, and then nothing is written: two active images with the same
// tags (himlarcli's update leaves that window; which one is GOLD?), none active, an image whose
// container or disk format Terraform would replace, an image without data, and an image of a
// catalog type whose tags match no image of the environment (unless `leaveUnknown`: then it is
// left as it is, named in a note).
import type { Catalog, Environment, Image, ImageReleases } from '../catalog/model';
import { cmp, plural } from '../common';
import { withdrawnName } from '../contract/glance-names';
import type { GlanceImage } from '../openstack/glance';
import { BuildsFileEditor, type ReleaseLines } from '../promote/builds-file';

/** Where adopt looks (injectable for tests). */
export interface AdoptSources {
  /** Every Glance image tagged `tag`, hidden or not, of any visibility the entry `cloud` may see. */
  images(tag: string, cloud: string): Promise<GlanceImage[]>;
  /** The member grants of a Glance image (`GET /v2/images/{id}/members`). */
  members(imageId: string, cloud: string): Promise<ImageMemberGrant[]>;
  /**
   * The project the entry's token is scoped to.
   * @default unknown: no owner note
   */
  projectId?(cloud: string): Promise<string | undefined>;
}

export interface ImageMemberGrant {
  readonly member_id: string;
  readonly status: string;
}

export interface AdoptOptions {
  /** Images of a catalog type whose tags match no image of the environment: a note instead of a problem. */
  readonly leaveUnknown?: boolean;
}

export interface AdoptPlan {
  /** One line per adopted image line. */
  readonly changes: readonly string[];
  /** What changes in place at the deploy, what is left alone, what to do next. */
  readonly notes: readonly string[];
  /** Why nothing may be written (one line each). */
  readonly problems: readonly string[];
  /** Glance images adopted (= import blocks of the first deploy). */
  readonly adopted: number;
  readonly text: string;
  readonly changed: boolean;
}

/** Glance fields that are not image properties. */
const CORE_FIELDS = new Set([
  'id', 'name', 'status', 'visibility', 'disk_format', 'container_format', 'size', 'virtual_size', 'checksum',
  'min_ram', 'min_disk', 'tags', 'protected', 'owner', 'created_at', 'updated_at', 'file', 'schema', 'self',
  'direct_url', 'locations', 'stores',
]);
const DISK_FORMATS = new Set(['qcow2', 'raw']);
const ADOPTABLE = new Set(['active', 'deactivated']);

interface Line {
  readonly image: Image;
  readonly cloud: string;
  readonly found: GlanceImage[];
}

/** Decides the adoption of `environment`'s Glance images into its builds file `text`. */
export async function planAdoption(
  catalog: Catalog,
  environment: Environment,
  text: string | undefined,
  sources: AdoptSources,
  options: AdoptOptions = {},
): Promise<AdoptPlan> {
  const env = environment.name;
  const definitions = new Map(catalog.images.map((i) => [i.name, i]));
  const carried = environment.images.map((n) => definitions.get(n)).filter((i): i is Image => i !== undefined);
  const cloudOf = (image: Image) => (image.owner !== undefined ? environment.ownerClouds[image.owner] : undefined) ?? environment.cloud;
  const recorded = new Map((catalog.builds[env] ?? []).map((e) => [e.image, e]));
  const adoptedIds = new Set([...recorded.values()].flatMap((e) => e.releases.map((r) => r.glanceId)).filter((id) => id !== undefined));

  // Every image of the catalog's types, through every clouds.yaml entry the environment uses.
  const types = [...new Set(carried.map((i) => i.type))].sort(cmp);
  const clouds = [...new Set(carried.map(cloudOf))].sort(cmp);
  const seen = new Map<string, GlanceImage>();
  const foreign = new Map<string, GlanceImage>();
  for (const cloud of clouds) {
    // Another project's image is adopted only when public (which only an admin can make): a
    // tenant's private, shared or community look-alike with the same tags is left alone.
    const project = await sources.projectId?.(cloud);
    for (const type of types) {
      for (const img of await sources.images(type, cloud)) {
        if (!Array.isArray(img.tags) || !img.tags.includes(type)) continue;
        if (project !== undefined && img.owner && img.owner !== project && img.visibility !== 'public') foreign.set(img.id, img);
        else seen.set(img.id, img);
      }
    }
  }

  const problems: string[] = [];
  const notes: string[] = [];
  for (const [id, img] of foreign) {
    if (!seen.has(id)) notes.push(`${env}: left alone: Glance image ${id} of project ${String(img.owner)} (${img.visibility}) carries catalog tags but is not public nor the entry's own`);
  }
  const changes: string[] = [];
  const lines = new Map<string, Line>();
  const unknown = new Map<string, GlanceImage[]>();
  const matching = (image: Image, img: GlanceImage) => img.tags.includes(image.type) && img.tags.includes(image.shortName);
  for (const img of [...seen.values()].sort(byCreation)) {
    if (adoptedIds.has(img.id)) continue; // adopted before
    if (typeof img.goldsmith_image === 'string') continue; // published by goldsmith
    const owners = carried.filter((i) => matching(i, img));
    if (owners.length > 1) {
      problems.push(`${env}: ${describe(img)} matches images ${owners.map((i) => i.name).join(' and ')}: give it one pair of tags [type, short name]`);
      continue;
    }
    if (owners.length === 0) {
      const key = tagKey(img, types);
      unknown.set(key, [...(unknown.get(key) ?? []), img]);
      continue;
    }
    const image = owners[0];
    const line = lines.get(image.name) ?? { image, cloud: cloudOf(image), found: [] };
    line.found.push(img);
    lines.set(image.name, line);
  }

  for (const [key, imgs] of [...unknown.entries()].sort(([a], [b]) => cmp(a, b))) {
    const elsewhere = catalog.images.find((i) => imgs[0].tags.includes(i.type) && imgs[0].tags.includes(i.shortName));
    const why = elsewhere
      ? `image ${elsewhere.name}, which ${env} does not carry`
      : 'no image of the catalog';
    const what = `${plural(imgs.length, 'Glance image')} tagged ${key} (${imgs.map((i) => `${i.id} "${i.name ?? ''}"`).join(', ')}) ${imgs.length === 1 ? 'matches' : 'match'} ${why}`;
    if (options.leaveUnknown) notes.push(`${env}: left as ${imgs.length === 1 ? 'it is' : 'they are'}: ${what}`);
    else problems.push(`${env}: ${what}: add it to the catalog, or run again with --leave-unknown to leave ${imgs.length === 1 ? 'it' : 'them'} alone`);
  }

  const editor = new BuildsFileEditor(text);
  let adopted = 0;
  for (const line of [...lines.values()].sort((a, b) => cmp(a.image.name, b.image.name))) {
    const at = `${env} · ${line.image.name}`;
    const result = await adoptLine(line, recorded.get(line.image.name), sources);
    problems.push(...result.problems.map((p) => `${at}: ${p}`));
    notes.push(...result.notes.map((n) => `${at}: ${n}`));
    if (result.problems.length > 0 || result.releases.length === 0) continue;
    // Oldest first: each is added on top, so the file lists the newest first.
    for (const release of result.releases) editor.addRelease(line.image.name, release);
    editor.recordLine(line.image.name, line.image.type, line.image.outdatedName, line.image.shortName);
    adopted += result.releases.length;
    changes.push(`${at}: adopt ${result.summary}`);
  }
  for (const image of carried) {
    if (!lines.has(image.name) && !(recorded.get(image.name)?.releases.length)) {
      notes.push(`${env} · ${image.name}: no Glance image tagged [${image.type}, ${image.shortName}]: nothing to adopt`);
    }
  }
  const changed = problems.length === 0 && editor.isChanged;
  return { changes, notes, problems, adopted: changed ? adopted : 0, text: changed ? editor.toString() : (text ?? ''), changed };
}

interface LineResult {
  readonly releases: ReleaseLines[];
  readonly summary: string;
  readonly notes: string[];
  readonly problems: string[];
}

/** The releases of one image line: its GOLD (the active image) and Outdated (deactivated) ones, oldest first. */
async function adoptLine(line: Line, entry: ImageReleases | undefined, sources: AdoptSources): Promise<LineResult> {
  const { image } = line;
  const notes: string[] = [];
  const problems: string[] = [];
  const usable: GlanceImage[] = [];
  for (const img of line.found) {
    if (ADOPTABLE.has(img.status)) usable.push(img);
    else notes.push(`left as it is: ${describe(img)} is ${img.status} (himlarcli leaves failed uploads behind; delete it by hand)`);
  }
  const active = usable.filter((img) => img.status === 'active');
  if (active.length > 1) {
    problems.push(
      `${active.length} active Glance images carry the tags [${image.type}, ${image.shortName}]: ${active.map(describe).join(', ')}: ` +
        `deactivate the one that is not GOLD (openstack image set --deactivate <id>), then run again`,
    );
  } else if (active.length === 0 && usable.length > 0) {
    problems.push(
      `no active Glance image carries the tags [${image.type}, ${image.shortName}] (${plural(usable.length, 'deactivated one')}): ` +
        `reactivate the one that is GOLD (openstack image set --activate <id>), then run again`,
    );
  }
  for (const img of usable) {
    if (img.container_format !== 'bare') problems.push(`${describe(img)} has container format ${String(img.container_format)}: Terraform would replace it (goldsmith publishes bare images)`);
    if (!DISK_FORMATS.has(String(img.disk_format))) problems.push(`${describe(img)} has disk format ${String(img.disk_format)}: Terraform would replace it (goldsmith publishes qcow2 and raw)`);
    if (typeof img.checksum !== 'string' || !/^[0-9a-f]{32}$/.test(img.checksum) || typeof img.size !== 'number' || img.size < 1) {
      problems.push(`${describe(img)} has no data (checksum ${String(img.checksum)}, size ${String(img.size)}): nothing to adopt`);
    }
    if (!/^\d{4}-\d{2}-\d{2}T/.test(img.created_at)) problems.push(`${describe(img)} has no creation date (${String(img.created_at)})`);
  }
  if (problems.length > 0 || usable.length === 0) return { releases: [], summary: '', notes, problems };

  const gold = active[0];
  const taken = new Set(entry?.releases.map((r) => r.buildId) ?? []);
  const releases: ReleaseLines[] = [];
  const parts: string[] = [];
  const owner = await sources.projectId?.(line.cloud);
  for (const img of usable.sort(byCreation)) {
    const date = img.created_at.slice(0, 10);
    const base = date.replace(/-/g, '');
    let buildId = base;
    for (let n = 2; taken.has(buildId); n++) buildId = `${base}.${n}`;
    taken.add(buildId);
    const newer = byCreation(img, gold) > 0;
    const role = img === gold ? 'GOLD' : newer ? 'withdrawn' : 'Outdated';
    const ext = img.disk_format === 'raw' ? 'raw' : 'qcow2';
    const sha256 = img.os_hash_algo === 'sha256' && typeof img.os_hash_value === 'string' ? img.os_hash_value : undefined;
    releases.push({
      build_id: buildId,
      date,
      file: `${image.name}-${buildId}.${ext}`,
      md5: img.checksum!,
      ...(sha256 !== undefined ? { sha256 } : {}),
      size_bytes: img.size!,
      ...(role === 'withdrawn' ? { state: 'withdrawn' as const } : {}),
      glance_id: img.id,
    });
    parts.push(`${role} ${buildId} (${img.id}${img.status === 'deactivated' ? ', deactivated' : ''})`);
    const diff = inPlace(image, img, role === 'GOLD' ? image.goldName : role === 'withdrawn' ? withdrawnName(image.displayName) : image.outdatedName);
    if (diff.length > 0) notes.push(`${buildId} (${img.id}) changes in place at the deploy: ${diff.join('; ')}`);
    if (img.disk_format !== image.diskFormat) {
      notes.push(`${buildId} keeps Glance's disk format ${String(img.disk_format)} (another would replace it); builds use the catalog's ${image.diskFormat}`);
    }
    if (owner !== undefined && img.owner && img.owner !== owner) {
      notes.push(`${buildId} is owned by project ${img.owner}, not by ${line.cloud}'s ${owner}: the deploy can update it only with an admin entry`);
    }
  }
  if (byCreation(usable[usable.length - 1], gold) > 0) {
    notes.push(`deactivated images newer than the active one are adopted as withdrawn (hidden, never GOLD)`);
  }
  const newest = entry?.releases.find((r) => r.state === 'released');
  if (newest && newest.date > gold.created_at.slice(0, 10)) {
    notes.push(`the builds file's release ${newest.buildId} is newer than the active image: it stays GOLD, the adopted one becomes Outdated`);
  }
  const outdated = releases.filter((r) => r.state === undefined).length - 1;
  if (outdated > image.keepOutdated) {
    notes.push(`${plural(outdated, 'Outdated release')}, keep_outdated ${image.keepOutdated}: the next goldsmith promote proposes removing the older ones no server or volume uses`);
  }
  if (gold.visibility === 'shared' || image.visibility === 'shared') {
    const grants = await sources.members(gold.id, line.cloud);
    const accepted = grants.filter((g) => g.status === 'accepted').length;
    notes.push(
      `GOLD ${gold.id} is shared with ${plural(grants.length, 'project')} in Glance (${accepted} accepted): adopted releases keep their grants; ` +
        `builds goldsmith publishes are granted to the catalog's members (${image.members.length ? image.members.join(', ') : 'none yet: add them'})`,
    );
  }
  return { releases, summary: `${plural(releases.length, 'Glance image')}: ${parts.reverse().join(', ')}`, notes, problems };
}

/** What the first deploy changes in place on an adopted image (everything the catalog manages but hidden and goldsmith_*). */
function inPlace(image: Image, img: GlanceImage, name: string): string[] {
  const out: string[] = [];
  if (img.name !== name) out.push(`name "${img.name ?? ''}" → "${name}"`);
  if (img.visibility !== image.visibility) out.push(`visibility ${img.visibility} → ${image.visibility}`);
  if (img.min_ram !== image.minRamMb) out.push(`min_ram ${img.min_ram} → ${image.minRamMb}`);
  if (img.min_disk !== image.minDiskGb) out.push(`min_disk ${img.min_disk} → ${image.minDiskGb}`);
  if (img.protected === true) out.push('protected true → false');
  const extra = img.tags.filter((t) => t !== image.type && t !== image.shortName);
  if (extra.length > 0) out.push(`tags ${extra.join(', ')} removed`);
  const have = properties(img);
  const want = image.properties;
  // terraform-provider-openstack leaves `os_*` properties of an existing image as they are (its
  // CustomizeDiff puts the old value back): they neither change nor go.
  const managed = (k: string) => !k.startsWith('os_');
  const changes = [
    ...Object.keys(want).filter((k) => managed(k) && have[k] === undefined).map((k) => `+${k}`),
    ...Object.keys(have).filter((k) => managed(k) && want[k] === undefined).map((k) => `-${k}`),
    ...Object.keys(want).filter((k) => managed(k) && have[k] !== undefined && have[k] !== want[k]).map((k) => `~${k}`),
  ];
  if (changes.length > 0) out.push(`properties ${changes.join(' ')}`);
  const kept = Object.keys(want).filter((k) => !managed(k) && have[k] !== want[k]);
  if (kept.length > 0) {
    out.push(`${kept.map((k) => `${k} stays ${have[k] === undefined ? 'unset' : `"${have[k]}"`}`).join(', ')} (the provider never changes os_* properties of an existing image; the catalog's apply to new builds)`);
  }
  return out;
}

/** Glance's own `os_*` fields (not image properties anyone sets). */
const GLANCE_OS_FIELDS = /^os_(hash_algo|hash_value|hidden|glance_.*)$/;

/** The image's custom properties, without those Glance or goldsmith manage. */
function properties(img: GlanceImage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(img)) {
    if (CORE_FIELDS.has(k) || GLANCE_OS_FIELDS.test(k) || k.startsWith('goldsmith_') || k === 'depricated' || typeof v !== 'string') continue;
    out[k] = v;
  }
  return out;
}

/** Oldest first: created_at, then id. */
function byCreation(a: GlanceImage, b: GlanceImage): number {
  return cmp(a.created_at, b.created_at) || cmp(a.id, b.id);
}

function describe(img: GlanceImage): string {
  return `${img.id} "${img.name ?? ''}" (${img.status}, created ${String(img.created_at).slice(0, 10)})`;
}

/** `[type, other tags…]` of an image, its catalog type first. */
function tagKey(img: GlanceImage, types: readonly string[]): string {
  const type = types.find((t) => img.tags.includes(t))!;
  return `[${[type, ...img.tags.filter((t) => t !== type).sort(cmp)].join(', ')}]`;
}

