// An ImageBaker for images built outside packer's openstack builder: the runner config's
// `external_command` (an argv, absolute path first) builds the disk image itself. Today that is
// Windows: an ISO build by packer-windows on a controller, driven over ssh by the command.
//
// Contract with the command (all paths absolute):
//   GOLDSMITH_IMAGE          the image name (e.g. winsrv_2022)
//   GOLDSMITH_ENVIRONMENT    the environment (e.g. bgo)
//   GOLDSMITH_SOURCE_FILE    the downloaded, checksum-verified upstream file (e.g. the ISO)
//   GOLDSMITH_ARTIFACT_FILE  where the command must write the built disk image (any format qemu-img
//                            reads; the runner probes it); inside GOLDSMITH_WORK_DIR
//   GOLDSMITH_WORK_DIR       a directory private to this build, removed by the runner afterwards;
//                            also the command's working directory
//   CHECKPOINT_DISABLE=1     (no HashiCorp checkpoint calls from a packer the command may run)
//   <NAME>                   each site variable the template declares (templates.yaml
//                            `variables`) with its value from the env file; a declared one
//                            without a value is removed from the inherited environment
// on top of the runner's own environment. Exit 0 and a non-empty artifact file mean success.
// Secret values are redacted from the output lines the runner logs.
//
// The argv is run via execa without a shell, stdin closed, in its own process group
// (runInProcessGroup). Every line of stdout/stderr goes to the build log. On timeout
// (timeouts_s.packer) or cancellation the group gets SIGTERM, then SIGKILL after a grace period
// (the command should clean up remote state on SIGTERM).

import * as fs from 'fs';
import * as path from 'path';
import type { BakeRequest, BakeResult, ImageBaker } from './baker';
import { runInProcessGroup } from './child-process';

export interface ExternalBakerOptions {
  /** Base environment of the command (default process.env); the GOLDSMITH_* variables are set on top. */
  readonly env?: NodeJS.ProcessEnv;
  /** After SIGTERM on timeout/cancel, SIGKILL the command's process group after this long (default 60 s). */
  readonly killGraceMs?: number;
  /** Overrides config.timeouts_s.packer (tests). */
  readonly timeoutMs?: number;
}

/** File name of the artifact inside the work directory. */
export const EXTERNAL_ARTIFACT = 'artifact.img';

/** The environment of the external command: the base plus the contract variables. */
export function externalEnv(req: Pick<BakeRequest, 'config' | 'sourceFile' | 'workDir' | 'siteValues'>, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = { ...base };
  for (const v of req.config.site_env?.variables ?? []) delete inherited[v.name];
  return {
    ...inherited,
    ...(req.siteValues?.env() ?? {}),
    GOLDSMITH_IMAGE: req.config.image,
    GOLDSMITH_ENVIRONMENT: req.config.environment,
    GOLDSMITH_SOURCE_FILE: path.resolve(req.sourceFile),
    GOLDSMITH_ARTIFACT_FILE: path.resolve(req.workDir, EXTERNAL_ARTIFACT),
    GOLDSMITH_WORK_DIR: path.resolve(req.workDir),
    CHECKPOINT_DISABLE: '1',
  };
}

export class ExternalBaker implements ImageBaker {
  constructor(private readonly opts: ExternalBakerOptions = {}) {}

  async bake(req: BakeRequest): Promise<BakeResult> {
    const { config, log, signal } = req;
    const argv = config.external_command;
    if (!argv || argv.length === 0) throw new Error(`${config.image} has no external_command (a packer image needs the PackerBaker)`);
    if (signal.aborted) throw new Error('bake cancelled');
    const [cmd, ...args] = argv;
    const name = path.basename(cmd);
    const artifactFile = path.resolve(req.workDir, EXTERNAL_ARTIFACT);
    fs.rmSync(artifactFile, { force: true });
    await runInProcessGroup({
      cmd,
      args,
      cwd: req.workDir,
      env: externalEnv(req, this.opts.env ?? process.env),
      label: name,
      what: cmd,
      log,
      timeoutMs: this.opts.timeoutMs ?? config.timeouts_s.packer * 1000,
      signal,
      stopSignal: 'SIGTERM',
      killGraceMs: this.opts.killGraceMs ?? 60_000,
      keepLines: 50,
      failureDetail: (lines) => [...lines].reverse().find((l) => l.trim() !== ''),
      ...(req.siteValues ? { redact: (line: string) => req.siteValues!.redact(line) } : {}),
    });
    const st = fs.statSync(artifactFile, { throwIfNoEntry: false });
    if (!st || !st.isFile()) throw new Error(`${cmd} exited 0 but wrote no artifact (${artifactFile})`);
    if (st.size === 0) throw new Error(`${cmd} exited 0 but the artifact ${artifactFile} is empty`);
    log(`${name}: finished, artifact ${EXTERNAL_ARTIFACT} (${st.size} bytes)`);
    return { artifactFile, toolVersions: {} };
  }
}
