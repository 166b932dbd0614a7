// Running packer: `packer version`, and `packer build` in its own process group with a timeout,
// every output line to the build log and <workDir>/packer.log. On timeout or cancellation packer
// gets SIGINT first (it then deletes its build instance and keypair itself), SIGKILL after a grace.
import * as path from 'path';
import { oneLine } from '../../common';
import type { BakeRequest } from '../baker';
import { CommandFailed, runCaptured, runInProcessGroup } from '../child-process';
import { packerErrorLine } from './packer-output';

/** First line of `packer version`, as a bare version ("1.6.6") when it has one. */
export async function packerVersion(packer: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<string> {
  let out: string;
  try {
    out = await runCaptured(packer, ['version'], { env, cwd, timeoutMs });
  } catch (e) {
    throw new Error(`cannot run ${packer} version: ${e instanceof CommandFailed ? e.why : oneLine(e)}`);
  }
  const first = out.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  if (!first) throw new Error(`${packer} version printed nothing`);
  const m = /v?(\d+\.\d+\.\d+\S*)/.exec(first);
  return m ? m[1] : first;
}

/** `packer build <args>` in `cwd` until it ends; a one-line error unless it exits 0. */
export async function runPackerBuild(
  packer: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  req: BakeRequest,
  limits: { readonly timeoutMs: number; readonly killGraceMs: number },
): Promise<void> {
  await runInProcessGroup({
    cmd: packer,
    args,
    cwd,
    env,
    label: 'packer',
    what: 'packer build',
    log: req.log,
    logFile: path.join(req.workDir, 'packer.log'),
    timeoutMs: limits.timeoutMs,
    signal: req.signal,
    stopSignal: 'SIGINT',
    stopNote: ' (it cleans up its instance)',
    killGraceMs: limits.killGraceMs,
    keepLines: 200,
    failureDetail: packerErrorLine,
    ...(req.siteValues ? { redact: (line: string) => req.siteValues!.redact(line) } : {}),
  });
  req.log('packer build finished');
}
