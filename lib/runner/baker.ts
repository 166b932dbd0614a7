// The packer/Nova/Glance boundary of the build runner: one interface.
// The real implementation (lib/runner/packer-baker.ts) uploads the verified source as a temporary
// private Glance image, runs packer with a timeout and log, downloads the artifact and always deletes
// the temporary images. Tests use a fake that produces an artifact with qemu-img.

import type { RunnerConfig } from '../contract';
import type { SiteValues } from './site-values';

export interface BakeRequest {
  readonly config: RunnerConfig;
  /** The downloaded, checksum-verified upstream file. */
  readonly sourceFile: string;
  /** A directory private to this build; removed by the runner after the build. */
  readonly workDir: string;
  /** Progress and tool output, one line per call. */
  readonly log: (line: string) => void;
  /** Aborted when the build is cancelled; the baker must stop and clean up. */
  readonly signal: AbortSignal;
  /**
   * The template's site settings and secrets (runner config `site_env`), read in prepare. The
   * baker hands them to its child through the environment only, and redacts the secret ones from
   * the output it logs. Absent: the template declares none.
   */
  readonly siteValues?: SiteValues;
}

export interface BakeResult {
  /** The image file the build produced (qcow2 or raw); inside workDir. */
  readonly artifactFile: string;
  /**
   * The format the artifact must have (e.g. Glance's disk_format of the snapshot). When absent the
   * runner takes qcow2 if the file has the qcow2 magic, else raw. Either way qemu-img gets `-f`.
   */
  readonly format?: string;
  /** Versions of the tools used, e.g. { packer: '1.6.6' }; merged into the report. */
  readonly toolVersions: Record<string, string>;
}

export interface ImageBaker {
  bake(req: BakeRequest): Promise<BakeResult>;
}
