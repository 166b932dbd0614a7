// The checks the constructs make beyond the catalog loader, run on the catalog model by
// `goldsmith validate`: no cdktf App, no stack, nothing written, linear in the catalog.
import * as path from 'path';
import type { Catalog } from '../catalog/model';
import type { CatalogProblem } from '../catalog/errors';
import { cidrListProblems } from '../catalog/cidr';
import { oneLine } from '../common';
import { terraformId } from './image-release';
import { releaseRoles } from './gold-image';
import { sortedNewestFirst } from '../catalog/release-order';
import { validateScriptNames } from './packer-template';

/**
 * The checks the constructs make beyond the loader, done on the catalog model: no cdktf App and no
 * stack is built, so nothing is written anywhere and the time is linear in the catalog. (Build
 * times per builder are checked by the loader, with the rule BuildSchedule applies.) One problem
 * per finding, naming the file and key, however many environments share it.
 */
export function checkConstructs(catalog: Catalog): CatalogProblem[] {
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
    // The builder's SSH source CIDRs, as BuilderSecurityGroup needs them: the catalog's rule (the
    // loader applies it too; this covers catalogs built in code).
    for (const { index, message } of cidrListProblems(environment.builder.sshSourceCidrs)) {
      add('environments.yaml', `environments.${environment.name}.builder.ssh_source_cidrs[${index}]`, message);
    }

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
      try {
        releaseRoles(sortedNewestFirst(entry.releases), !carried.has(entry.image) || !image, (message) => {
          throw new Error(message);
        });
      } catch (error) {
        add(buildsFile, `images.${entry.image}.releases`, oneLine(error));
      }
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
