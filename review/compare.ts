// The change model of a review: both sides synthesized, compared environment by environment
// (Glance images, member grants, the rest of the stack, the builder bundle), with the warnings.
import { isDeepStrictEqual } from 'util';
import type { Catalog } from '../lib/catalog';
import { cmp } from '../lib/common';
import { compareBundles } from './builder-changes';
import { compareGlance, IMAGE_TYPE } from './glance-changes';
import { ACCESS_TYPE } from './member-changes';
import { WARNING_KINDS, type EnvironmentReview, type Review, type TerraformChange, type Warning } from './report-schema';
import { objectOf, withoutMetadata, type JsonObject } from './json';
import type { SynthesizedEnvironment } from './synthesized-tree';

/** More images than this changing in one environment at once is a warning. */
export const MANY_IMAGES = 5;

/** One side of a review: the catalog and its synthesized environments by name. */
export interface ReviewSide {
  readonly catalog: Catalog;
  readonly environments: ReadonlyMap<string, SynthesizedEnvironment>;
}

/** What the review compares, for the report's header. */
export interface ReviewSubject {
  readonly ref: string;
  readonly commit: string;
  /** The head catalog directory as shown to the user. */
  readonly config: string;
}

/** Compares every environment of either side; the result is sorted and deterministic. */
export function compareSides(base: ReviewSide, head: ReviewSide, subject: ReviewSubject): Review {
  const label = (image: string) =>
    head.catalog.images.find((i) => i.name === image)?.goldName ?? base.catalog.images.find((i) => i.name === image)?.goldName ?? image;
  const environments: EnvironmentReview[] = [];
  const warnings: Warning[] = [];
  const names = [...new Set([...base.environments.keys(), ...head.environments.keys()])].sort(cmp);
  for (const name of names) {
    const before = base.environments.get(name);
    const after = head.environments.get(name);
    if (!after) {
      environments.push({ name, status: 'removed', images: [], builder: { cron: [], cron_settings: [], files: [] }, terraform: [] });
      warnings.push({ environment: name, kind: 'environment_removed', count: Object.keys(resourcesOf(before!.stack, IMAGE_TYPE)).length });
      continue;
    }
    const carried = new Set(head.catalog.environments.find((e) => e.name === name)?.images ?? []);
    const glance = compareGlance(before?.stack, after.stack, { environment: name, label, carried: (image) => carried.has(image) });
    const builder = compareBundles(before?.builder ?? new Map(), after.builder);
    const terraform = compareRest(before?.stack, after.stack);
    warnings.push(...glance.warnings);
    if (before && terraform.some((t) => t.address === 'terraform.backend')) warnings.push({ environment: name, kind: 'backend_changed' });
    if (glance.images.length > MANY_IMAGES) warnings.push({ environment: name, kind: 'many_images', count: glance.images.length });
    const changed =
      glance.images.length + builder.cron.length + builder.cron_settings.length + builder.files.length + terraform.length > 0;
    environments.push({
      name,
      status: !before ? 'added' : changed ? 'changed' : 'unchanged',
      images: glance.images,
      builder,
      terraform,
    });
  }
  const kindOrder = (w: Warning) => WARNING_KINDS.indexOf(w.kind);
  warnings.sort(
    (a, b) =>
      cmp(a.environment, b.environment) ||
      kindOrder(a) - kindOrder(b) ||
      cmp(a.image ?? '', b.image ?? '') ||
      cmp(b.build_id ?? '', a.build_id ?? '') ||
      cmp(a.name ?? '', b.name ?? ''),
  );
  return {
    base: { ref: subject.ref, commit: subject.commit },
    head: { config: subject.config },
    changed: environments.some((e) => e.status !== 'unchanged'),
    warnings,
    environments,
  };
}

/**
 * Everything of a stack but the images, their grants, data sources (reads) and outputs (the GOLD
 * ids, which follow the images): other resources by address, `provider`, and each `terraform`
 * setting (`terraform.backend` …).
 */
function compareRest(base: JsonObject | undefined, head: JsonObject): TerraformChange[] {
  const entries = (stack: JsonObject | undefined): Map<string, unknown> => {
    const out = new Map<string, unknown>();
    for (const type of Object.keys(objectOf(stack?.resource))) {
      if (type === IMAGE_TYPE || type === ACCESS_TYPE) continue;
      for (const [id, body] of Object.entries(resourcesOf(stack, type))) out.set(`${type}.${id}`, withoutMetadata(body));
    }
    if (stack?.provider !== undefined) out.set('provider', stack.provider);
    for (const [key, value] of Object.entries(objectOf(stack?.terraform))) out.set(`terraform.${key}`, value);
    return out;
  };
  const before = entries(base);
  const after = entries(head);
  const out: TerraformChange[] = [];
  for (const address of [...new Set([...before.keys(), ...after.keys()])].sort(cmp)) {
    const x = before.get(address);
    const y = after.get(address);
    if (isDeepStrictEqual(x, y)) continue;
    out.push({ address, change: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed' });
  }
  return out;
}

function resourcesOf(stack: JsonObject | undefined, type: string): Record<string, unknown> {
  return objectOf(objectOf(stack?.resource)[type]) as Record<string, unknown>;
}
