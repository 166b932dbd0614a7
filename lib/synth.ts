// Synthesizes a catalog into an output directory, all or nothing.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import type { Catalog } from './catalog/model';
import type { CatalogProblem } from './catalog/errors';
import { validateScriptNames } from './build/packer-template';
import { parseCidr } from './constructs/builder-security-group';
import { terraformId } from './constructs/image-release';
import { EnvironmentStack } from '../stacks/environment-stack';
import { writeBundle } from './bundle/write-bundle';

export interface SynthResult {
  /** Absolute path of the output directory. */
  readonly outdir: string;
  /** Stack names (= environment names), in catalog order. */
  readonly stacks: readonly string[];
}

export interface SynthOptions {
  /**
   * Directory relative local backend paths are resolved against.
   * @default process.cwd()
   */
  readonly stateBaseDir?: string;
}

/**
 * Synthesizes one EnvironmentStack per environment into `outdir` (cdktf.out layout:
 * manifest.json, stacks/<env>/cdk.tf.json). The app is synthesized into a temporary sibling
 * directory which replaces `outdir` only once everything succeeded, so a failure never leaves a
 * partial or mixed output behind (the previous output stays as it was).
 */
export function synthCatalog(catalog: Catalog, outdir: string, options: SynthOptions = {}): SynthResult {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.staging-`));
  fs.chmodSync(staging, 0o755); // mkdtemp creates 0700; the output is not secret
  try {
    // Our constructs validate in their constructors; cdktf's own validation pass adds nothing.
    const app = new App({ outdir: staging, stackTraces: false, skipValidation: true });
    const stacks = catalog.environments.map(
      (environment) =>
        new EnvironmentStack(app, environment.name, {
          catalog,
          environment,
          stateBaseDir: options.stateBaseDir,
        }),
    );
    app.synth();
    for (const stack of stacks) {
      const bundle = stack.builderBundle();
      if (bundle) writeBundle(path.join(staging, 'stacks', stack.environment.name, 'builder'), bundle);
    }
    carryOverTerraformCaches(target, staging);
    replaceDirectory(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { outdir: target, stacks: catalog.environments.map((environment) => environment.name) };
}

/**
 * The checks the constructs make beyond the loader, done on the catalog model: no cdktf App and no
 * stack is built, so nothing is written anywhere and the time is linear in the catalog. (Build
 * times per builder are checked by the loader, with the rule BuildSchedule applies.) One problem
 * per finding, naming the file and key, however many environments share it.
 */
export function checkStacks(catalog: Catalog): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const found = new Set<string>();
  const add = (rel: string, keyPath: string, message: string) => {
    const key = `${rel}\0${keyPath}\0${message}`;
    if (found.has(key)) return;
    found.add(key);
    problems.push({ file: path.join(catalog.configDir, ...rel.split('/')), path: keyPath, message });
  };

  // Templates: the script rules of the packer template renderer.
  for (const template of catalog.templates) {
    try {
      validateScriptNames(template.name, template.customScripts);
    } catch (error) {
      add('templates.yaml', `templates.${template.name}.custom_scripts`, oneLine(error).replace(`template ${template.name}: `, ''));
    }
  }

  const images = new Map(catalog.images.map((image) => [image.name, image]));
  for (const environment of catalog.environments) {
    const carried = new Set(environment.images);
    // The builder's SSH source CIDRs, as BuilderSecurityGroup needs them (network address, canonical, once).
    const seen = new Set<string>();
    environment.builder.sshSourceCidrs.forEach((cidr, i) => {
      const at = `environments.${environment.name}.builder.ssh_source_cidrs[${i}]`;
      try {
        parseCidr(cidr);
      } catch (error) {
        add('environments.yaml', at, oneLine(error));
      }
      if (seen.has(cidr.toLowerCase())) add('environments.yaml', at, `'${cidr}' is listed twice`);
      seen.add(cidr.toLowerCase());
    });

    // Terraform addresses of the stack: release ids and member ids sanitize to identifiers, two
    // different names must not meet in one (image a + build b_c and image a_b + build c).
    const addresses = new Map<string, string>();
    const claim = (address: string, owner: string, rel: string, keyPath: string) => {
      const holder = addresses.get(address);
      if (holder !== undefined && holder !== owner) {
        add(rel, keyPath, `terraform address ${address} of ${owner} is already used by ${holder}`);
      } else {
        addresses.set(address, owner);
      }
    };
    const buildsFile = `builds/${environment.name}.yaml`;
    for (const entry of catalog.builds[environment.name] ?? []) {
      const image = images.get(entry.image);
      const members = image && image.visibility === 'shared' && carried.has(entry.image) ? image.members : [];
      for (const release of entry.releases) {
        const owner = `release ${entry.image}/${release.buildId}`;
        const at = `images.${entry.image}.releases`;
        claim(`openstack_images_image_v2.${terraformId(entry.image, release.buildId)}`, owner, buildsFile, at);
        for (const member of members) {
          claim(`openstack_images_image_access_v2.${terraformId(entry.image, release.buildId, member)}`, `${owner} member ${member}`, buildsFile, at);
          claim(`data.openstack_identity_project_v3.${terraformId(member)}`, `project ${member}`, image!.sourceFile, `images.${entry.image}.members`);
        }
      }
    }
  }
  return problems;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** What `terraform init` leaves in a stack's working directory (provider plugins, lock file). */
const TERRAFORM_CACHES = ['.terraform', '.terraform.lock.hcl'];

/**
 * Moves the init caches of stacks that still exist from the previous output into the new one,
 * so replacing the output does not force a fresh `terraform init` (they are caches: best effort).
 */
function carryOverTerraformCaches(previous: string, next: string): void {
  const stacks = path.join(next, 'stacks');
  if (!fs.existsSync(path.join(previous, 'stacks')) || !fs.existsSync(stacks)) return;
  for (const stack of fs.readdirSync(stacks)) {
    for (const cache of TERRAFORM_CACHES) {
      const from = path.join(previous, 'stacks', stack, cache);
      const to = path.join(stacks, stack, cache);
      if (fs.existsSync(from) && !fs.existsSync(to)) {
        try {
          fs.renameSync(from, to);
        } catch {
          // a cache that cannot be moved is simply rebuilt by the next terraform init
        }
      }
    }
  }
}

/** Moves `source` to `target`, replacing what was there (two renames on one file system). */
function replaceDirectory(source: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(source, target);
    return;
  }
  const previous = `${source}.previous`;
  fs.renameSync(target, previous);
  try {
    fs.renameSync(source, target);
  } catch (error) {
    fs.renameSync(previous, target);
    throw error;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}
