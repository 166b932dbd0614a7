// The one way lib/ runs a child process: argv via execa, never a shell, stdin closed, own timers.
// runCaptured: a short command whose output is read (qemu-img, `packer version`).
// runInProcessGroup: a long child of a baker (packer, an external build command) in its own
// process group; every stdout/stderr line to the build log (and optionally a log file); on timeout
// or cancellation the whole group gets a polite signal (SIGTERM, or SIGINT for packer, which then
// cleans up its instance), then SIGKILL after a grace period. Failures are one-line errors.

import execa from 'execa';
import * as fs from 'fs';
import * as readline from 'readline';
import { oneLine } from '../common';

export interface GroupChildOptions {
  /** Binary (absolute path or name on PATH). */
  readonly cmd: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment (not merged with process.env). */
  readonly env: NodeJS.ProcessEnv;
  /** Prefix of the child's lines in the build log: `<label>: <line>`. */
  readonly label: string;
  /** Subject of the thrown errors: `<what> timed out ...`, `<what> cancelled`, `<what> failed (...)`. */
  readonly what: string;
  readonly log: (line: string) => void;
  /** Also append every line to this file. */
  readonly logFile?: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** First signal on timeout/cancel. */
  readonly stopSignal: 'SIGTERM' | 'SIGINT';
  /** Appended to the log line announcing stopSignal, e.g. ` (it cleans up its instance)`. */
  readonly stopNote?: string;
  /** SIGKILL the group this long after stopSignal. */
  readonly killGraceMs: number;
  /** How many of the last lines `failureDetail` gets. */
  readonly keepLines: number;
  /** The text after `<what> failed (exit N)`: `: <detail>`, left out when undefined. */
  readonly failureDetail: (lines: readonly string[]) => string | undefined;
  /** Applied to every output line before it is kept, logged or written (secrets out). @default none */
  readonly redact?: (line: string) => string;
}

export interface CapturedOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly cwd?: string;
  /** The complete environment (not merged with process.env); default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A captured command that did not exit 0: `why` (one line) and the last lines of its output. */
export class CommandFailed extends Error {
  constructor(
    readonly why: string,
    readonly lastLines: string,
  ) {
    super(`${why}${lastLines ? `: ${lastLines}` : ''}`);
    this.name = 'CommandFailed';
  }
}

/**
 * Runs `cmd args` to its end and returns its stdout; throws CommandFailed (`timed out after N s`,
 * `cancelled`, `not found`, `exit code N`, `killed by SIG...`). The timer is our own: execa 5 leaves
 * its `timeout` timer running when the spawn itself fails, holding the process open.
 */
export async function runCaptured(cmd: string, args: readonly string[], o: CapturedOptions): Promise<string> {
  const child = execa(cmd, [...args], {
    stdin: 'ignore',
    all: true,
    reject: false,
    ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
    ...(o.env !== undefined ? { env: o.env, extendEnv: false } : {}),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, o.timeoutMs);
  const onAbort = (): void => void child.kill('SIGKILL');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  let r: execa.ExecaReturnValue & { code?: string; shortMessage?: string; message?: string };
  try {
    r = (await child) as typeof r;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (!timedOut && !o.signal?.aborted && r.exitCode === 0) return String(r.stdout);
  const lastLines = String(r.all ?? r.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  let why: string;
  if (timedOut) why = `timed out after ${Math.round(o.timeoutMs / 1000)} s`;
  else if (o.signal?.aborted) why = 'cancelled';
  else if (r.code === 'ENOENT') why = 'not found';
  else if (r.code === 'EACCES') why = 'permission denied';
  else if (r.exitCode !== undefined) why = `exit code ${r.exitCode}`;
  else if (r.signal) why = `killed by ${r.signal}`;
  else why = oneLine(r.shortMessage ?? r.message);
  throw new CommandFailed(why, lastLines);
}

const SAFE_ARG_RE = /^[\w@%+=:,./-]+$/;

/** An argv as a log line: plain items as they are, others JSON-quoted. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (SAFE_ARG_RE.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** Runs the child to its end; resolves on exit 0, throws a one-line error otherwise. */
export async function runInProcessGroup(o: GroupChildOptions): Promise<void> {
  const { cmd, label, log, signal, timeoutMs } = o;
  const out = o.logFile !== undefined ? fs.createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  const lines: string[] = [];
  log(`running ${quoteArgv([cmd, ...o.args])} (cwd ${o.cwd}, timeout ${timeoutMs / 1000} s)`);
  const onLine = (raw: string): void => {
    const line = o.redact ? o.redact(raw) : raw;
    lines.push(line);
    if (lines.length > o.keepLines) lines.shift();
    out?.write(`${line}\n`);
    log(`${label}: ${line}`);
  };

  let child: execa.ExecaChildProcess;
  try {
    child = execa(cmd, [...o.args], {
      cwd: o.cwd,
      env: o.env,
      extendEnv: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      detached: true, // own process group: the kill reaches the child's children too
    });
  } catch (e) {
    out?.end();
    throw new Error(`cannot run ${cmd}: ${oneLine(e)}`);
  }
  const closed: Promise<void>[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', onLine);
    closed.push(new Promise((r) => rl.once('close', () => r())));
  }

  let stopReason: 'timeout' | 'cancel' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'cancel'): void => {
    if (stopReason) return;
    stopReason = why;
    log(`${label}: ${why === 'timeout' ? `timed out after ${timeoutMs / 1000} s` : 'build cancelled'}, sending ${o.stopSignal}${o.stopNote ?? ''}`);
    killGroup(child, o.stopSignal);
    killTimer = setTimeout(() => {
      log(`${label}: still running ${Math.round(o.killGraceMs / 1000)} s after ${o.stopSignal}, sending SIGKILL`);
      killGroup(child, 'SIGKILL');
    }, o.killGraceMs);
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = (): void => stop('cancel');
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();

  let result: execa.ExecaReturnBase<unknown> & { code?: string };
  let spawned: boolean;
  try {
    result = (await child) as typeof result;
    spawned = !(result.exitCode === undefined && !result.signal && result.failed);
    // Read what is still buffered; a stray grandchild holding the pipes open does not keep us
    // waiting (and a child that never started has nothing to read).
    let bounded: NodeJS.Timeout | undefined;
    if (spawned) await Promise.race([Promise.all(closed), new Promise<void>((r) => (bounded = setTimeout(r, 5_000)))]);
    if (bounded) clearTimeout(bounded);
    child.stdout?.destroy();
    child.stderr?.destroy();
  } finally {
    clearTimeout(timer);
    if (killTimer) clearTimeout(killTimer);
    signal.removeEventListener('abort', onAbort);
    if (out) await new Promise<void>((r) => out.end(() => r()));
  }
  if (stopReason === 'timeout') throw new Error(`${o.what} timed out after ${timeoutMs / 1000} s`);
  if (stopReason === 'cancel') throw new Error(`${o.what} cancelled`);
  if (!spawned) {
    const err = result as unknown as execa.ExecaError & { code?: string };
    const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'permission denied' : oneLine(err.shortMessage ?? err.message);
    throw new Error(`cannot run ${cmd}: ${why}`);
  }
  if (result.exitCode !== 0 || result.signal) {
    const how = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
    const detail = o.failureDetail(lines);
    throw new Error(`${o.what} failed (${how})${detail ? `: ${oneLine(detail)}` : ''}`);
  }
}

/** Signals the child's process group (it was started detached), else the child alone. */
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
