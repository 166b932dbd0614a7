// One side of a review as it would be deployed: the catalog synthesized exactly as `npm run synth`
// does (synthCatalog), read back per environment: the stack's Terraform JSON and the builder
// bundle's files. Comparing these, not the YAML, keeps the review from drifting from what deploys.
import * as fs from 'fs';
import * as path from 'path';
import type { Catalog } from '../lib/catalog';
import { synthCatalog } from '../synth/synth';
import type { JsonObject } from './json';


/** One environment's synthesized output. */
export interface SynthesizedEnvironment {
  readonly name: string;
  /** `stacks/<env>/cdk.tf.json`, parsed. */
  readonly stack: JsonObject;
  /** The builder bundle (`stacks/<env>/builder/`): file text by path below it (`/`-separated). */
  readonly builder: ReadonlyMap<string, string>;
}

/**
 * Synthesizes `catalog` into `outdir` (which must not hold anything of value: it is replaced) and
 * reads every environment back, by name. Relative local backend paths resolve against
 * `stateBaseDir` (use the same for both sides, so that they compare equal).
 */
export function synthesizeEnvironments(catalog: Catalog, outdir: string, stateBaseDir: string): Map<string, SynthesizedEnvironment> {
  const { stacks } = synthCatalog(catalog, outdir, { stateBaseDir });
  return new Map(stacks.map((name) => [name, readEnvironment(outdir, name)]));
}

/** Reads `stacks/<name>/` of a synthesized output directory. */
export function readEnvironment(outdir: string, name: string): SynthesizedEnvironment {
  const stackDir = path.join(outdir, 'stacks', name);
  const stack = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as JsonObject;
  const builderDir = path.join(stackDir, 'builder');
  const builder = new Map<string, string>();
  if (fs.existsSync(builderDir)) {
    for (const entry of fs.readdirSync(builderDir, { recursive: true, encoding: 'utf8' }).sort()) {
      const file = path.join(builderDir, entry);
      if (fs.statSync(file).isFile()) builder.set(entry.split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
    }
  }
  return { name, stack, builder };
}
