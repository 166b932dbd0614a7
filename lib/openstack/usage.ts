// Is a Glance image in use? The servers booted from it (Nova) and the volumes created from it
// (Cinder), in every project. On Ceph both are RBD clones of the image, and Glance refuses to
// delete an image with clones (409), so `goldsmith promote` asks before it deletes.
//
// Every project's servers and volumes are listed only for an admin token: Nova answers 403 to
// all_tenants=1 otherwise, but Cinder silently lists the caller's own project (see cinder.ts), so
// an empty Cinder answer is trusted only when the token carries the admin role (Cinder's default
// `context_is_admin` rule is `role:admin`). Either shortfall is one ImageUsageError line that says
// what the clouds.yaml entry needs, or to use --offline.
import type { CinderClient } from './cinder';
import { CinderError } from './cinder';
import { isUuid } from './neutron';
import type { NovaClient } from './nova';
import { NovaError } from './nova';

/** A server booted from the image. */
export interface ImageUser {
  id: string;
  name?: string;
  /** The owning project; null when the API did not say. */
  project_id: string | null;
}

/** What uses an image: servers booted from it and volumes created from it, of all projects. */
export interface ImageUsage {
  servers: ImageUser[];
  volumes: ImageUser[];
}

/** What imageUsage needs; an OpenStackSession is one. */
export interface ImageUsageSource {
  /** The clouds.yaml entry, named in errors. */
  readonly cloud?: { readonly name: string };
  nova(): Promise<Pick<NovaClient, 'listServersByImage'>>;
  cinder(): Promise<Pick<CinderClient, 'listVolumesFromImage'>>;
  /** Role names of the token the clients send; undefined when the token named none. */
  roles(): Promise<readonly string[] | undefined>;
}

/** The image's users could not be listed in full; one line, never a token or header. */
export class ImageUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageUsageError';
  }
}

/**
 * The servers and volumes of every project that were made from Glance image `imageId`.
 * Nova first (`GET /servers/detail?all_tenants=1&image=<id>`), then Cinder
 * (`GET /volumes/detail?all_tenants=1&glance_metadata={"image_id": "<id>"}`, microversion 3.4),
 * each followed through all its pages, each request with the clients' own deadline.
 * Throws ImageUsageError when the entry may not list every project; Nova and Cinder failures
 * come through as NovaError / CinderError.
 */
export async function imageUsage(
  src: ImageUsageSource,
  imageId: string,
  opts: { pageSize?: number; signal?: AbortSignal } = {},
): Promise<ImageUsage> {
  if (!isUuid(imageId)) throw new ImageUsageError(`image id ${JSON.stringify(imageId)} is not a uuid`);
  const list = { allTenants: true, pageSize: opts.pageSize, signal: opts.signal };
  const nova = await src.nova();
  let servers;
  try {
    servers = await nova.listServersByImage(imageId, list);
  } catch (e) {
    if (e instanceof NovaError && e.status === 403) throw adminNeeded(src, 'Nova refused all_tenants=1 with 403');
    throw e;
  }
  const roles = await src.roles();
  if (!roles?.some((r) => r.toLowerCase() === 'admin')) {
    throw adminNeeded(src, "its token has no admin role, and Cinder then lists the entry's own project only");
  }
  const cinder = await src.cinder();
  let volumes;
  try {
    volumes = await cinder.listVolumesFromImage(imageId, list);
  } catch (e) {
    if (e instanceof CinderError && e.status === 403) throw adminNeeded(src, 'Cinder refused all_tenants=1 with 403');
    throw e;
  }
  return {
    servers: servers.map((s) => ({ id: s.id, ...(s.name ? { name: s.name } : {}), project_id: s.tenant_id ?? null })),
    volumes: volumes.map((v) => ({ id: v.id, ...(v.name ? { name: v.name } : {}), project_id: v['os-vol-tenant-attr:tenant_id'] ?? null })),
  };
}

function adminNeeded(src: ImageUsageSource, why: string): ImageUsageError {
  const entry = src.cloud?.name ? `clouds.yaml entry "${src.cloud.name}"` : 'the clouds.yaml entry';
  return new ImageUsageError(
    `${entry} must be able to list all projects' servers and volumes to tell whether an image is in use (${why}): use an admin entry, or --offline`,
  );
}
