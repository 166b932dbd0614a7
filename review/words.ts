// The change model in an operator's words: one sentence per image line, builder change, other
// Terraform change and warning. Values that come from the catalog pass through a Style, so the
// markdown renderer can put them in code spans (no markup, mention or link from catalog text).
import { cmp } from '../lib/common';
import { ROLE_PROPERTIES } from './glance-changes';
import type {
  AttributeChange,
  BundleFileChange,
  EnvironmentReview,
  ImageLine,
  ReleaseChange,
  ReleaseRole,
  TerraformChange,
  Warning,
} from './report-schema';

/** How catalog values are written. */
export interface Style {
  /** An image key, build id, file name, label, time … */
  readonly value: (s: string) => string;
  /** A Glance name or other text whose ends matter (quoted). */
  readonly name: (s: string) => string;
}

/** Plain text: values as they are, names in double quotes. */
export const TEXT_STYLE: Style = { value: (s) => s, name: (s) => `"${s}"` };

const ROLE_WORDS: Readonly<Record<ReleaseRole, string>> = { candidate: 'candidate', gold: 'GOLD', outdated: 'Outdated', withdrawn: 'withdrawn' };
/** A string longer than this is named, not shown. */
const MAX_SHOWN = 60;

/** The sentences of one environment's change (without the environment), in a stable order. */
export function environmentSentences(environment: EnvironmentReview, style: Style): string[] {
  if (environment.status === 'removed') return ['environment removed'];
  return [
    ...(environment.status === 'added' ? ['new environment'] : []),
    ...environment.images.flatMap((line) => imageLineSentences(line, style)),
    ...terraformSentences(environment.terraform, style),
    ...builderSentences(environment.builder, style),
  ];
}

/**
 * An image line: `retired: …` when it was retired, `<label>: <what happens>` (new builds, GOLD
 * changes, renames, replacements, updates, member grants, joined by `; `), `deleted: <image> <build>`.
 */
export function imageLineSentences(line: ImageLine, style: Style): string[] {
  const v = style.value;
  const out: string[] = [];
  if (line.retired) {
    const n = line.releases_after;
    out.push(`retired: ${v(line.image)} (${n} release${n === 1 ? ' becomes' : 's become'} Outdated, hidden)`);
  }
  const segments: string[] = [];
  const added = line.releases.filter((r) => r.change === 'added');
  for (const release of added) {
    const role = release.after!.role;
    segments.push(role === 'gold' ? `new build ${v(release.build_id)} becomes GOLD` : `new build ${v(release.build_id)} (${ROLE_WORDS[role]})`);
  }
  const candidates = added.filter((r) => r.after!.role === 'candidate').length;
  if (candidates > 0 && line.gold_after !== null && line.gold_after === line.gold_before) {
    segments.push(`${v(line.gold_after)} stays GOLD until ${candidates === 1 ? 'it is' : 'one is'} verified`);
  }
  const kept = line.releases.filter((r) => r.change === 'updated' || r.change === 'replaced');
  for (const release of kept) {
    const [from, to] = [release.before!.role, release.after!.role];
    if (from === to || (line.retired && to === 'outdated')) continue;
    const id = v(release.build_id);
    segments.push(to === 'withdrawn' ? `${id} withdrawn` : to === 'candidate' ? `${id} becomes a candidate` : `${id} becomes ${ROLE_WORDS[to]}`);
  }
  grouped(
    kept.filter((r) => r.before!.role === r.after!.role && r.before!.name !== r.after!.name),
    (r) => `renamed ${style.name(r.before!.name)} → ${style.name(r.after!.name)}`,
    segments,
    style,
  );
  grouped(
    kept.filter((r) => r.change === 'replaced'),
    (r) => `replaced (${r.attributes.filter((a) => a.replaces).map((a) => attributeWords(a, style)).join(', ')})`,
    segments,
    style,
  );
  grouped(
    kept.filter((r) => r.change === 'updated'),
    (r) => {
      const words = inPlaceAttributes(r).map((a) => attributeWords(a, style));
      return words.length > 0 ? `updated: ${words.join(', ')}` : undefined;
    },
    segments,
    style,
  );
  const members = new Map<string, string[]>();
  for (const m of line.members) {
    const key = `${v(m.member)} ${m.change === 'changed' ? 'grant changed' : m.change} on`;
    members.set(key, [...(members.get(key) ?? []), m.build_id]);
  }
  for (const [key, builds] of members) segments.push(`${key} ${builds.map(v).join(', ')}`);
  if (segments.length > 0) out.push(`${v(line.label)}: ${segments.join('; ')}`);
  for (const release of line.releases.filter((r) => r.change === 'deleted')) out.push(`deleted: ${v(line.image)} ${v(release.build_id)}`);
  return out;
}

/** Attributes an in-place update changes that the role change does not explain (names are renames). */
function inPlaceAttributes(release: ReleaseChange): AttributeChange[] {
  const roleChanged = release.before!.role !== release.after!.role;
  return release.attributes.filter(
    (a) => a.attribute !== 'name' && !(roleChanged && (a.attribute === 'hidden' || ROLE_PROPERTIES.has(a.attribute))),
  );
}

/** `<builds> <words>` per distinct words, e.g. `20261021, 20261104 updated: visibility public → private`. */
function grouped(releases: readonly ReleaseChange[], words: (r: ReleaseChange) => string | undefined, into: string[], style: Style): void {
  const groups = new Map<string, string[]>();
  for (const release of releases) {
    const w = words(release);
    if (w !== undefined) groups.set(w, [...(groups.get(w) ?? []), release.build_id]);
  }
  for (const [w, builds] of groups) into.push(`${builds.map(style.value).join(', ')} ${w}`);
}

/** `disk_format qcow2 → raw`; only the attribute when a value is not a short scalar. */
export function attributeWords(change: AttributeChange, style: Style): string {
  const shown = (x: unknown): string | undefined => {
    if (x === undefined) return '(unset)';
    if (typeof x === 'string') return x.length <= MAX_SHOWN ? (x === '' ? '(empty)' : style.value(x)) : undefined;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    return undefined;
  };
  const [before, after] = [shown(change.before), shown(change.after)];
  return before !== undefined && after !== undefined ? `${change.attribute} ${before} → ${after}` : `${change.attribute} changed`;
}

const FILE_KINDS: Readonly<Record<BundleFileChange['kind'], [string, string]>> = {
  template: ['template', 'templates'],
  script: ['script', 'scripts'],
  runner_config: ['runner config', 'runner configs'],
  check: ['check', 'checks'],
  file: ['file', 'files'],
  manifest: ['manifest', 'manifest'],
};
const KIND_ORDER = Object.keys(FILE_KINDS);
const CHANGE_ORDER = ['added', 'changed', 'removed'];

/** `builder: cron moved: ubuntu_2404 wed 09:40 → wed 10:10`, `builder: scripts changed: a.sh, b.sh` … */
export function builderSentences(builder: EnvironmentReview['builder'], style: Style): string[] {
  const v = style.value;
  const out: string[] = [];
  for (const c of builder.cron) {
    if (c.change === 'added') out.push(`cron added: ${v(c.image)} ${v(c.after!)}`);
    else if (c.change === 'removed') out.push(`cron removed: ${v(c.image)} (was ${v(c.before!)})`);
    else if (c.change === 'moved') out.push(`cron moved: ${v(c.image)} ${v(c.before!)} → ${v(c.after!)}`);
    else out.push(`cron line changed: ${v(c.image)} (${v(c.after!)})`);
  }
  for (const s of builder.cron_settings) {
    const line = (value: string) => v(`${s.name}=${value}`);
    if (s.before === undefined) out.push(`cron setting added: ${line(s.after!)}`);
    else if (s.after === undefined) out.push(`cron setting removed: ${line(s.before)}`);
    else out.push(`cron setting changed: ${line(s.before)} → ${line(s.after)}`);
  }
  const groups = new Map<string, { kind: BundleFileChange['kind']; change: string; keys: string; names: string[] }>();
  const files = [...builder.files].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || CHANGE_ORDER.indexOf(a.change) - CHANGE_ORDER.indexOf(b.change) || cmp(a.name, b.name),
  );
  for (const f of files) {
    const keys = f.keys && f.keys.length > 0 ? f.keys.join(', ') : '';
    const id = `${f.kind} ${f.change} ${keys}`;
    const group = groups.get(id) ?? groups.set(id, { kind: f.kind, change: f.change, keys, names: [] }).get(id)!;
    group.names.push(f.name);
  }
  for (const g of groups.values()) {
    const [one, many] = FILE_KINDS[g.kind];
    const what = g.kind === 'manifest' ? 'bundle manifest' : g.names.length === 1 ? one : many;
    const names = g.kind === 'manifest' ? '' : `: ${g.names.map(v).join(', ')}`;
    const keys = g.keys ? ` (${g.keys.split(', ').map(v).join(', ')})` : '';
    out.push(`${what} ${g.change}${names}${keys}`);
  }
  return out.map((s) => `builder: ${s}`);
}

/** `terraform: added openstack_networking_secgroup_rule_v2.…`, one line per kind of change. */
export function terraformSentences(changes: readonly TerraformChange[], style: Style): string[] {
  const out: string[] = [];
  for (const change of CHANGE_ORDER_TF) {
    const addresses = changes.filter((c) => c.change === change).map((c) => style.value(c.address));
    if (addresses.length > 0) out.push(`terraform: ${change} ${addresses.join(', ')}`);
  }
  return out;
}
const CHANGE_ORDER_TF = ['added', 'changed', 'removed'] as const;

/** A warning's sentence (without its environment). */
export function warningSentence(w: Warning, style: Style): string {
  const v = style.value;
  const release = `${v(w.image ?? '')} ${v(w.build_id ?? '')}`;
  switch (w.kind) {
    case 'replaces_image':
      return `replaces Glance image ${style.name(w.name ?? '')} (${release}): ${(w.attributes ?? []).map((a) => attributeWords(a, style)).join(', ')}`;
    case 'deletes_image':
      return `deletes Glance image ${style.name(w.name ?? '')} (${release})`;
    case 'no_gold':
      return `leaves ${v(w.image ?? '')} without a GOLD image: ${style.name(w.name ?? '')} is no longer offered`;
    case 'renames_image':
      return `renames what users boot by name: ${style.name(w.name ?? '')} → ${(w.names_after ?? []).map(style.name).join(', ')} (${v(w.image ?? '')})`;
    case 'many_images':
      return `changes ${w.count} images at once`;
    case 'environment_removed':
      return `environment removed: no stack and no builder bundle any more; its ${w.count} Glance image${w.count === 1 ? '' : 's'} stay${w.count === 1 ? 's' : ''} in Glance, unmanaged`;
    case 'backend_changed':
      return 'changes the Terraform state backend: migrate the state (`terraform init -migrate-state`) before deploying';
  }
}
