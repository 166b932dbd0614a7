// The Glance images of one goldsmith image (its releases), as `goldsmith promote` reads them.
//
// goldsmith tags every image it publishes with [<type>, <image name>] and sets the properties
// goldsmith_image, goldsmith_build_id, goldsmith_build_date and goldsmith_state. Outdated releases
// are hidden (os_hidden=true), and Glance's image list has an os_hidden filter that defaults to
// false (glance/api/v2/images.py, ImagesController.index: `filters.get('os_hidden', 'false')`),
// so one list never holds both: this asks for each. Facts of Glance's list worth knowing:
// - any status is listed (queued, saving, importing, active, deactivated …) except `killed`,
//   which Glance's database layer leaves out of every list when `deleted` is false, and the API
//   always sets that (glance/db/sqlalchemy/api.py, _make_conditions_from_filters); a killed
//   image can only be read by id;
// - `visibility=all` is needed for community images of another project (without it Glance lists
//   community images only to their owner);
// - the tag filter is exact in Glance but a MySQL collation may compare case-insensitively, so
//   the tag is checked again here.
import { cmp } from '../common';
import type { GlanceClient, GlanceImage } from './glance';

/** One Glance image of a goldsmith image, with the fields promote decides on. */
export interface ReleaseImage {
  id: string;
  name: string | null;
  /** Glance status: queued, saving, importing, active, deactivated, … (never killed: see above). */
  status: string;
  /** Glance's os_hidden (Outdated releases are hidden). */
  hidden: boolean;
  visibility: string;
  owner: string | null;
  /** md5 of the data; null while the image has none. */
  checksum: string | null;
  size: number | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  tags: string[];
  created_at: string;
  /** Property goldsmith_image (the catalog's image name), when set. */
  goldsmith_image?: string;
  goldsmith_build_id?: string;
  goldsmith_build_date?: string;
  /** Property goldsmith_state: candidate, gold, outdated or withdrawn (as stored; not checked here). */
  goldsmith_state?: string;
  /** Set by Glance when an import failed in some stores (comma-separated store ids). */
  os_glance_failed_import?: string;
}

/**
 * Every Glance image tagged `imageName`, hidden or not, in any listable status (see the header
 * for `killed`), of any visibility the caller may see; newest first (created_at, then id).
 * Two listings (os_hidden=false and os_hidden=true), each followed through all its pages.
 */
export async function listReleaseImages(
  glance: Pick<GlanceClient, 'listImages'>,
  imageName: string,
  opts: { pageSize?: number } = {},
): Promise<ReleaseImage[]> {
  if (imageName === '') throw new Error('listReleaseImages: the image name is empty');
  const byId = new Map<string, ReleaseImage>();
  for (const hidden of [false, true]) {
    const images = await glance.listImages({ tag: imageName, visibility: 'all', hidden, pageSize: opts.pageSize });
    for (const img of images) {
      // An image hidden or shown between the two listings is in both: keep one.
      if (Array.isArray(img.tags) && img.tags.includes(imageName)) byId.set(img.id, toRelease(img));
    }
  }
  return [...byId.values()].sort((a, b) => (a.created_at === b.created_at ? cmp(a.id, b.id) : cmp(b.created_at, a.created_at)));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function toRelease(img: GlanceImage): ReleaseImage {
  const out: ReleaseImage = {
    id: img.id,
    name: img.name ?? null,
    status: img.status,
    hidden: img.os_hidden === true,
    visibility: img.visibility,
    owner: img.owner ?? null,
    checksum: img.checksum ?? null,
    size: img.size ?? null,
    os_hash_algo: img.os_hash_algo ?? null,
    os_hash_value: img.os_hash_value ?? null,
    tags: [...img.tags].sort(),
    created_at: img.created_at,
  };
  for (const key of ['goldsmith_image', 'goldsmith_build_id', 'goldsmith_build_date', 'goldsmith_state', 'os_glance_failed_import'] as const) {
    const v = str(img[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
