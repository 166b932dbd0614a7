// Test double of the packer/Glance boundary: "bakes" by really converting the source with qemu-img,
// writing a marker into the disk (so tests can tell a baked image from the upstream one), and handing
// back a qcow2 artifact like a Glance download. Can be told to fail, corrupt, or wait on a gate.

import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import type { BakeRequest, BakeResult, ImageBaker } from '../../lib/runner/baker';

/** Offset of the marker inside the baked disk (guest view). */
export const MARKER_OFFSET = 6 * 1024 * 1024;

export function markerFor(image: string): string {
  return `GOLDSMITH-BAKED ${image}`;
}

export type FakeBakerMode = 'ok' | 'fail' | 'corrupt';

export interface FakeBakerOptions {
  readonly mode?: FakeBakerMode;
  /** Awaited before baking (tests hold a build inside the bake step). */
  readonly gate?: Promise<void>;
  /** Called when bake starts. */
  readonly onStart?: () => void;
  /** Hands back this file (written by the callback into the work dir) instead of baking. */
  readonly artifact?: (workDir: string) => Promise<{ file: string; format?: string }>;
}

export class FakeBaker implements ImageBaker {
  calls = 0;
  readonly requests: BakeRequest[] = [];

  constructor(private readonly opts: FakeBakerOptions = {}) {}

  async bake(req: BakeRequest): Promise<BakeResult> {
    this.calls++;
    this.requests.push(req);
    this.opts.onStart?.();
    if (this.opts.gate) await this.opts.gate;
    req.log('fake packer: build started');
    if (this.opts.artifact) {
      const a = await this.opts.artifact(req.workDir);
      return { artifactFile: a.file, toolVersions: { packer: '0.0.0-fake' }, ...(a.format ? { format: a.format } : {}) };
    }
    if (this.opts.mode === 'fail') {
      throw new Error('packer build failed: exit status 1 (Build \'openstack\' errored: fake)');
    }
    const raw = path.join(req.workDir, 'baked.raw');
    await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', req.sourceFile, raw]);
    const fd = fs.openSync(raw, 'r+');
    try {
      fs.writeSync(fd, Buffer.from(markerFor(req.config.image)), 0, undefined, MARKER_OFFSET);
    } finally {
      fs.closeSync(fd);
    }
    const artifact = path.join(req.workDir, 'artifact.qcow2');
    await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, artifact]);
    fs.rmSync(raw);
    if (this.opts.mode === 'corrupt') {
      // qcow2 header: bytes 4..7 are the version; 99 makes every qemu-img command refuse the file.
      const f = fs.openSync(artifact, 'r+');
      try {
        fs.writeSync(f, Buffer.from([0, 0, 0, 99]), 0, 4, 4);
      } finally {
        fs.closeSync(f);
      }
    }
    req.log('fake packer: artifact downloaded');
    return { artifactFile: artifact, toolVersions: { packer: '0.0.0-fake' } };
  }
}
