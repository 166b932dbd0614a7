// An ImageBaker for images built outside packer's openstack builder: the runner config's
// `external_command` (an argv, absolute path first) builds the disk image itself. Today that is
// Windows: an ISO build by packer-windows on a controller, driven over ssh by the command.
//
// Contract with the command (all paths absolute):
//   GOLDSMITH_IMAGE          the image name (e.g. windows_2022)
//   GOLDSMITH_ENVIRONMENT    the environment (e.g. bgo)
//   GOLDSMITH_SOURCE_FILE    the downloaded, checksum-verified upstream file (e.g. the ISO)
//   GOLDSMITH_ARTIFACT_FILE  where the command must write the built disk image (any format qemu-img
//                            reads; the runner probes it); inside GOLDSMITH_WORK_DIR
//   GOLDSMITH_WORK_DIR       a directory private to this build, removed by the runner afterwards;
//                            also the command's working directory
//   CHECKPOINT_DISABLE=1     (no HashiCorp checkpoint calls from a packer the command may run)
// on top of the runner's own environment. Exit 0 and a non-empty artifact file mean success.
//
// The argv is run via execa without a shell, stdin closed, in its own process group. Every line of
// stdout/stderr goes to the build log. On timeout (timeouts_s.packer) or cancellation the group gets
// SIGTERM, then SIGKILL after a grace period (the command should clean up remote state on SIGTERM).

import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import type { BakeRequest, BakeResult, ImageBaker } from './baker';
import { oneLine } from './util';

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
export function externalEnv(req: Pick<BakeRequest, 'config' | 'sourceFile' | 'workDir'>, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
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
    const env = externalEnv(req, this.opts.env ?? process.env);
    const timeoutMs = this.opts.timeoutMs ?? config.timeouts_s.packer * 1000;
    const lines: string[] = [];
    log(`running ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')} (cwd ${req.workDir}, timeout ${timeoutMs / 1000} s)`);

    let child: execa.ExecaChildProcess;
    try {
      child = execa(cmd, args, {
        cwd: req.workDir,
        env,
        extendEnv: false,
        stdin: 'ignore',
        buffer: false,
        reject: false,
        detached: true, // own process group: the kill reaches ssh and whatever else it started
      });
    } catch (e) {
      throw new Error(`cannot run ${cmd}: ${oneLine(e)}`);
    }
    const closed: Promise<void>[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
      rl.on('line', (line: string) => {
        lines.push(line);
        if (lines.length > 50) lines.shift();
        log(`${name}: ${line}`);
      });
      closed.push(new Promise((r) => rl.once('close', () => r())));
    }

    let stopReason: 'timeout' | 'cancel' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'cancel'): void => {
      if (stopReason) return;
      stopReason = why;
      log(`${name}: ${why === 'timeout' ? `timed out after ${timeoutMs / 1000} s` : 'build cancelled'}, sending SIGTERM`);
      killGroup(child, 'SIGTERM');
      const grace = this.opts.killGraceMs ?? 60_000;
      killTimer = setTimeout(() => {
        log(`${name}: still running ${Math.round(grace / 1000)} s after SIGTERM, sending SIGKILL`);
        killGroup(child, 'SIGKILL');
      }, grace);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = (): void => stop('cancel');
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();

    let result: execa.ExecaReturnBase<unknown> & { code?: string };
    try {
      result = (await child) as typeof result;
      const spawned = !(result.exitCode === undefined && !result.signal && result.failed);
      // Read what is still buffered; a stray grandchild holding the pipes open does not keep us
      // waiting (and a command that never started has nothing to read).
      let bounded: NodeJS.Timeout | undefined;
      if (spawned) await Promise.race([Promise.all(closed), new Promise<void>((r) => (bounded = setTimeout(r, 5_000)))]);
      if (bounded) clearTimeout(bounded);
      child.stdout?.destroy();
      child.stderr?.destroy();
    } finally {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
    }
    if (stopReason === 'timeout') throw new Error(`${cmd} timed out after ${timeoutMs / 1000} s`);
    if (stopReason === 'cancel') throw new Error(`${cmd} cancelled`);
    if (result.exitCode === undefined && !result.signal && result.failed) {
      const err = result as unknown as execa.ExecaError & { code?: string };
      const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'permission denied' : oneLine(err.shortMessage ?? err.message);
      throw new Error(`cannot run ${cmd}: ${why}`);
    }
    if (result.exitCode !== 0 || result.signal) {
      const how = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
      const last = [...lines].reverse().find((l) => l.trim() !== '');
      throw new Error(`${cmd} failed (${how})${last ? `: ${oneLine(last)}` : ''}`);
    }
    const st = fs.statSync(artifactFile, { throwIfNoEntry: false });
    if (!st || !st.isFile()) throw new Error(`${cmd} exited 0 but wrote no artifact (${artifactFile})`);
    if (st.size === 0) throw new Error(`${cmd} exited 0 but the artifact ${artifactFile} is empty`);
    log(`${name}: finished, artifact ${EXTERNAL_ARTIFACT} (${st.size} bytes)`);
    return { artifactFile, toolVersions: {} };
  }
}

function killGroup(child: execa.ExecaChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}
