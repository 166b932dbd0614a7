// Moving image files through Glance: the verified upstream file up as the temporary private
// source image, packer's artifact image down into the work directory.
import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../../common';
import type { RunnerConfig } from '../../contract';
import type { CreateImageInput } from '../../openstack/glance';
import { sniffFormat } from '../disk-format';
import { raceAbort } from './abort';
import type { BakerGlance } from './baker-glance';
import { TEMPORARY_TAG } from './temporary-images';

/** Timeouts of one transfer. */
export interface TransferLimits {
  /** Upload or download. */
  readonly transferMs: number;
  /** Waiting for the image to turn active. */
  readonly activeMs: number;
}

/** qcow2 when the file starts with the qcow2 magic, else raw (Glance's disk_format of the source). */
export function detectDiskFormat(file: string): 'qcow2' | 'raw' {
  return sniffFormat(file) === 'qcow2' ? 'qcow2' : 'raw';
}

/** Runs a Glance call; its error as `<what>: <one line>`. */
async function glanceStep<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new Error(`${what}: ${oneLine(e)}`);
  }
}

/**
 * Creates the temporary private source image `name` from `sourceFile` and waits until it is
 * active. `created` gets its id as soon as it exists (the caller deletes it in finally).
 */
export async function uploadSource(
  glance: BakerGlance,
  config: RunnerConfig,
  sourceFile: string,
  name: string,
  created: Map<string, string>,
  limits: TransferLimits,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<string> {
  const diskFormat = detectDiskFormat(sourceFile);
  const input: CreateImageInput = {
    name,
    diskFormat,
    containerFormat: 'bare',
    visibility: 'private',
    minRamMb: config.source_image.min_ram_mb,
    minDiskGb: config.source_image.min_disk_gb,
    properties: { ...config.source_image.properties },
    tags: [TEMPORARY_TAG],
  };
  const source = await raceAbort(glanceStep('creating the temporary source image', () => glance.createImage(input)), signal, 'bake');
  created.set(source.id, name);
  const size = fs.statSync(sourceFile).size;
  log(`uploading ${path.basename(sourceFile)} (${diskFormat}, ${size} bytes) as temporary image ${name} (${source.id})`);
  await raceAbort(
    glanceStep('uploading the source image', async () => {
      await glance.uploadFile(source.id, sourceFile, { timeoutMs: limits.transferMs });
      await glance.waitForStatus(source.id, 'active', { timeoutMs: limits.activeMs });
    }),
    signal,
    'bake',
  );
  log(`temporary source image ${source.id} is active`);
  return source.id;
}

function artifactExt(diskFormat: string | null | undefined): string {
  if (diskFormat && /^[a-z0-9]+$/.test(diskFormat)) return diskFormat;
  return 'img';
}

/**
 * Downloads artifact image `artifactId` into `workDir/artifact.<disk format>` once it is active.
 * It must be named `expectedName` (the name this run asked packer for): another image is never
 * deleted or shipped. `created` gets its id once it is known to be ours.
 */
export async function downloadArtifact(
  glance: BakerGlance,
  artifactId: string,
  expectedName: string,
  workDir: string,
  created: Map<string, string>,
  limits: TransferLimits,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<{ artifactFile: string; format?: string }> {
  const artifact = await raceAbort(glanceStep(`looking up artifact image ${artifactId}`, () => glance.getImage(artifactId)), signal, 'bake');
  if (artifact.name !== expectedName) {
    throw new Error(`packer manifest artifact ${artifactId} is image ${JSON.stringify(artifact.name)}, expected ${expectedName}`);
  }
  created.set(artifactId, expectedName);
  const active = await raceAbort(
    glanceStep(`waiting for artifact image ${artifactId}`, () => glance.waitForStatus(artifactId, 'active', { timeoutMs: limits.activeMs })),
    signal,
    'bake',
  );
  const artifactFile = path.join(workDir, `artifact.${artifactExt(active.disk_format)}`);
  log(`downloading artifact image ${expectedName} (${artifactId}, ${active.disk_format}, ${active.size ?? '?'} bytes)`);
  const dl = await raceAbort(
    glanceStep(`downloading artifact image ${artifactId}`, () => glance.downloadToFile(artifactId, artifactFile, { timeoutMs: limits.transferMs })),
    signal,
    'bake',
  );
  log(`downloaded ${path.basename(artifactFile)}: ${dl.bytes} bytes, md5 ${dl.md5}`);
  return { artifactFile, ...(active.disk_format ? { format: active.disk_format } : {}) };
}
