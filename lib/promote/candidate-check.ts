// Is a candidate release what Glance holds? The check between a candidate and GOLD.
import type { Release } from '../catalog/model';
import type { ReleaseImage } from '../openstack/glance-releases';
import { importTimeoutMinutes } from '../catalog/import-timeout';

/** What Glance shows of a candidate: verified (with its Glance id), still on its way, or wrong. */
export type CandidateVerdict =
  | { readonly kind: 'verified'; readonly imageId: string; readonly detail: string }
  | { readonly kind: 'waiting'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

const PENDING = new Set(['queued', 'saving', 'importing', 'uploading']);
/** Minutes past the import timeout after which a candidate still queued without data has failed. */
const STALE_MARGIN_MINUTES = 10;

/**
 * The verdict on `release` from the Glance images of its image line: exactly one image carries
 * its build id, and it is `active` with the md5 and size the builds file recorded (what the
 * Terraform postcondition checks as well), and no store failed its import.
 */
export function checkCandidate(release: Release, images: readonly ReleaseImage[], now: Date): CandidateVerdict {
  const matches = images.filter((image) => image.goldsmith_build_id === release.buildId);
  if (matches.length === 0) return { kind: 'waiting', detail: 'not in Glance yet (deploy the environment first)' };
  if (matches.length > 1) {
    return { kind: 'failed', detail: `${matches.length} Glance images carry build id ${release.buildId} (${matches.map((m) => m.id).join(', ')})` };
  }
  const image = matches[0];
  if (image.os_glance_failed_import) return { kind: 'failed', detail: `Glance image ${image.id}: the import failed (store ${image.os_glance_failed_import})` };
  if (PENDING.has(image.status)) {
    // A single-store Glance says nothing of a failed web-download: the image just stays queued.
    const limit = importTimeoutMinutes(release.sizeBytes) + STALE_MARGIN_MINUTES;
    const age = (now.getTime() - Date.parse(image.created_at)) / 60_000;
    if (image.status === 'queued' && image.checksum === null && age > limit) {
      return {
        kind: 'failed',
        detail: `Glance image ${image.id} is still queued ${Math.floor(age)} minutes after it was created (the import timeout is ${importTimeoutMinutes(release.sizeBytes)}): its web-download failed`,
      };
    }
    return { kind: 'waiting', detail: `Glance image ${image.id} is ${image.status}` };
  }
  if (image.status !== 'active') return { kind: 'failed', detail: `Glance image ${image.id} is ${image.status}, not active` };
  if (image.checksum !== release.md5 || image.size !== release.sizeBytes) {
    return {
      kind: 'failed',
      detail: `Glance image ${image.id} holds other bytes: md5 ${image.checksum ?? 'none'} and ${image.size ?? 'no'} bytes, the builds file says md5 ${release.md5} and ${release.sizeBytes} bytes`,
    };
  }
  return { kind: 'verified', imageId: image.id, detail: `Glance image ${image.id} is active with md5 ${release.md5} and ${release.sizeBytes} bytes` };
}
