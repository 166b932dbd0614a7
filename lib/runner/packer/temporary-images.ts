// The temporary Glance images of a bake (the uploaded source and packer's artifact): their
// names, and the sweep that deletes them (this run's and any an earlier, killed run left).
//
// Run id: `<build id>-<8 hex>`, the build id taken from the work directory the runner hands us
// (`<image>-<YYYYMMDDTHHMMSSZ>`), so Glance names can be matched to build logs. The sweep only
// touches images whose full name matches `goldsmith-(source|artifact)-<image>-<run id>` exactly
// (and, for sources, carry the goldsmith-temporary tag). It relies on the per-image build lock:
// two builders building the same image into the same Glance project at once would sweep each
// other's temporaries (the environments of the catalog each use their own project).
import { randomBytes } from 'crypto';
import * as path from 'path';
import { oneLine, reEscape } from '../../common';
import type { GlanceImage } from '../../openstack/glance';
import type { BakerGlance } from './baker-glance';

/** Tag of every temporary image goldsmith creates itself. */
export const TEMPORARY_TAG = 'goldsmith-temporary';
export const SOURCE_PREFIX = 'goldsmith-source-';
export const ARTIFACT_PREFIX = 'goldsmith-artifact-';

const BUILD_ID_RE = /^\d{8}T\d{6}Z$/;
const RUN_ID_PATTERN = '\\d{8}T\\d{6}Z-[0-9a-f]{8}';

/** Names of the temporary Glance images of one run. */
export function temporaryImageNames(image: string, runId: string): { source: string; artifact: string } {
  return { source: `${SOURCE_PREFIX}${image}-${runId}`, artifact: `${ARTIFACT_PREFIX}${image}-${runId}` };
}

/** Matches the temporary image names of any run of `image` (and of no other image). */
export function temporaryNameRe(image: string): RegExp {
  return new RegExp(`^goldsmith-(source|artifact)-${reEscape(image)}-${RUN_ID_PATTERN}$`);
}

/** `<build id>-<8 hex>`; the build id from `<image>-<build id>` work directories, else from `now`. */
export function runIdFor(image: string, workDir: string, now: Date): string {
  const base = path.basename(workDir);
  const prefix = `${image}-`;
  const fromDir = base.startsWith(prefix) ? base.slice(prefix.length) : '';
  const buildId = BUILD_ID_RE.test(fromDir) ? fromDir : now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${buildId}-${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes `known` images and every temporary image of any run of `image` still in Glance (by tag
 * goldsmith-temporary and by the artifact name pattern). Failures are logged, never thrown: a
 * leftover is found again by the next build's sweep.
 */
export async function sweepTemporaryImages(
  glance: BakerGlance,
  image: string,
  runId: string,
  known: ReadonlyMap<string, string>,
  log: (l: string) => void,
): Promise<void> {
  const doomed = new Map(known);
  const re = temporaryNameRe(image);
  try {
    const tagged = await glance.listImages({ tag: TEMPORARY_TAG });
    const priv = await glance.listImages({ visibility: 'private' });
    const add = (img: GlanceImage): void => {
      if (!img.name || !re.test(img.name) || doomed.has(img.id)) return;
      const isSource = img.name.startsWith(SOURCE_PREFIX);
      if (isSource && !(img.tags ?? []).includes(TEMPORARY_TAG)) return;
      doomed.set(img.id, img.name);
    };
    for (const img of [...tagged, ...priv]) add(img);
  } catch (e) {
    log(`warning: cannot list temporary images of ${image} in Glance: ${oneLine(e)}`);
  }
  for (const [id, name] of doomed) {
    const earlier = !name.endsWith(`-${runId}`);
    try {
      await glance.deleteImage(id);
      log(`deleted temporary image ${name} (${id})${earlier ? ' left by an earlier run' : ''}`);
    } catch (e) {
      log(`warning: cannot delete temporary image ${name} (${id}): ${oneLine(e)} (the next build of ${image} retries)`);
    }
  }
}
