// Member grants of a review: the `openstack_images_image_access_v2` resources of two synthesized
// stacks, by address, told by project name, for releases that stay (new and deleted releases
// bring or take theirs).
import { isDeepStrictEqual } from 'util';
import { cmp } from '../lib/common';
import { objectOf, stringOr, terraformText, withoutMetadata, type JsonObject } from './json';
import type { MemberChange } from './report-schema';

/** Terraform type of a member grant. */
export const ACCESS_TYPE = 'openstack_images_image_access_v2';

/** A member grant as synthesized. */
export interface Access {
  /** Terraform address of the release (image) it grants. */
  readonly release: string;
  /** Project name (from the stack's project lookup), else the member id as written. */
  readonly member: string;
  readonly body: JsonObject;
}

/** What a grant needs to know of its release. */
export interface GrantedRelease {
  readonly image: string;
  readonly buildId: string;
}

/** The member grants of a stack, by Terraform address. */
export function accessesOf(stack: JsonObject | undefined): Map<string, Access> {
  const out = new Map<string, Access>();
  const projects = objectOf(objectOf(stack?.data).openstack_identity_project_v3);
  for (const [id, value] of Object.entries(objectOf(objectOf(stack?.resource)[ACCESS_TYPE]))) {
    const body = objectOf(value);
    const image = /^\$\{(openstack_images_image_v2\.[A-Za-z0-9_-]+)\.id\}$/.exec(stringOr(body.image_id, ''))?.[1] ?? stringOr(body.image_id, '');
    const memberId = stringOr(body.member_id, id);
    const project = /^\$\{data\.openstack_identity_project_v3\.([A-Za-z0-9_-]+)\.id\}$/.exec(memberId)?.[1];
    const member = project !== undefined ? stringOr(objectOf(projects[project]).name, project) : memberId;
    out.set(`${ACCESS_TYPE}.${id}`, { release: image, member: terraformText(member), body: objectOf(withoutMetadata(body)) });
  }
  return out;
}

/** Grants added, removed or changed on releases present on both sides, by release address. */
export function memberChanges(
  before: ReadonlyMap<string, Access>,
  after: ReadonlyMap<string, Access>,
  releasesBefore: ReadonlyMap<string, GrantedRelease>,
  releasesAfter: ReadonlyMap<string, GrantedRelease>,
): (MemberChange & { image: string })[] {
  const out: (MemberChange & { image: string })[] = [];
  for (const address of [...new Set([...before.keys(), ...after.keys()])].sort(cmp)) {
    const x = before.get(address);
    const y = after.get(address);
    const releaseAddress = (y ?? x)!.release;
    const release = releasesAfter.get(releaseAddress);
    if (!release || !releasesBefore.has(releaseAddress)) continue;
    const change = !x ? 'granted' : !y ? 'revoked' : isDeepStrictEqual(x.body, y.body) ? undefined : 'changed';
    if (change) out.push({ image: release.image, build_id: release.buildId, member: (y ?? x)!.member, change });
  }
  return out.sort((a, b) => cmp(a.member, b.member) || cmp(a.change, b.change) || cmp(b.build_id, a.build_id));
}
