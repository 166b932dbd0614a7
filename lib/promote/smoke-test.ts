// The smoke-test hook: a program the operator names, run on a verified candidate before it becomes
// GOLD. It gets the candidate through its environment only (no shell, no arguments from the
// catalog); exit 0 passes, anything else fails with the last line it printed.
import execa from 'execa';
import { oneLine } from '../common';

/** What the hook is told about the candidate. */
export interface SmokeCandidate {
  readonly environment: string;
  readonly image: string;
  readonly buildId: string;
  /** The candidate's Glance id: boot it by id (it is hidden). */
  readonly imageId: string;
  /** The clouds.yaml entry to use (OS_CLOUD), never credentials. */
  readonly cloud: string;
}

/** Seconds between SIGTERM and SIGKILL of a smoke test past its time. */
const KILL_GRACE_MS = 5000;

/**
 * Runs `program` with GOLDSMITH_ENVIRONMENT, GOLDSMITH_IMAGE, GOLDSMITH_BUILD_ID,
 * GOLDSMITH_IMAGE_ID and OS_CLOUD set, in its own process group, which gets SIGTERM after
 * `timeoutMs` (and SIGKILL 5 s later): a server it started in the background cannot keep promote
 * waiting. Resolves undefined when it exited 0, else one line saying why it failed.
 */
export async function runSmokeTest(program: string, candidate: SmokeCandidate, timeoutMs: number): Promise<string | undefined> {
  const child = execa(program, [], {
    env: {
      GOLDSMITH_ENVIRONMENT: candidate.environment,
      GOLDSMITH_IMAGE: candidate.image,
      GOLDSMITH_BUILD_ID: candidate.buildId,
      GOLDSMITH_IMAGE_ID: candidate.imageId,
      OS_CLOUD: candidate.cloud,
    },
    all: true,
    reject: false,
    detached: true,
    stdin: 'ignore',
  });
  let timedOut = false;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  }, timeoutMs);
  const result = await child;
  clearTimeout(timer);
  clearTimeout(killTimer);
  if (result.exitCode === 0 && !timedOut) return undefined;
  const last = (result.all ?? '').trim().split('\n').pop() ?? '';
  const how = timedOut
    ? `did not finish within ${Math.round(timeoutMs / 1000)} s`
    : result.exitCode === undefined
      ? `could not run (${oneLine((result as { originalMessage?: string }).originalMessage ?? result.signal ?? 'unknown error')})`
      : `exited ${result.exitCode}`;
  return `${program} ${how}${last ? `: ${oneLine(last, 300)}` : ''}`;
}
