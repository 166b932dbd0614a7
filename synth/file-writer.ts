// Writes many small files, in this thread or in a worker thread. A large catalog's builder bundles
// are thousands of files, and creating a file costs a system call or three whose time the kernel
// spends, not JavaScript: a worker creates them while this thread synthesizes the Terraform stacks.

import { receiveMessageOnPort, MessageChannel, Worker } from 'worker_threads';

/** One file: absolute path, text and mode (applied exactly, whatever the umask). */
export interface FileJob {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/**
 * Writes the files in order, creating parent directories (0755). Self-contained (it is also the
 * worker's code, as its source text): only `require`d built-ins, no closure.
 */
export function writeFilesSync(jobs: readonly FileJob[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fsm = require('fs') as typeof import('fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pathm = require('path') as typeof import('path');
  const umask = process.umask();
  const made = new Set<string>();
  for (const job of jobs) {
    const dir = pathm.dirname(job.path);
    if (!made.has(dir)) {
      fsm.mkdirSync(dir, { recursive: true });
      if (umask & 0o755) fsm.chmodSync(dir, 0o755);
      made.add(dir);
    }
    fsm.writeFileSync(job.path, job.content, { mode: job.mode });
    if (umask & job.mode) fsm.chmodSync(job.path, job.mode);
  }
}

/** Files written in the background; `wait` blocks until they are, and throws what the writer threw. */
export interface BackgroundWrite {
  wait(): void;
}

/** The worker: runs writeFilesSync on its data, then reports through shared memory (0 running, 1 done, 2 failed). */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const write = (${writeFilesSync.toString()});
const status = new Int32Array(workerData.status);
try {
  write(workerData.jobs);
  Atomics.store(status, 0, 1);
} catch (e) {
  workerData.port.postMessage(e instanceof Error ? e.message : String(e));
  Atomics.store(status, 0, 2);
}
Atomics.notify(status, 0);
`;

/** Starts writing `jobs` in a worker thread. */
export function writeFilesInBackground(jobs: readonly FileJob[]): BackgroundWrite {
  const status = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { jobs, status, port: port2 }, transferList: [port2] });
  worker.unref();
  return {
    wait(): void {
      const flag = new Int32Array(status);
      // A worker that died without reporting (out of memory) would leave 0: wait in slices and
      // give up after a generous bound rather than for ever.
      for (let waited = 0; Atomics.load(flag, 0) === 0; waited += 1) {
        if (waited > 600) throw new Error('writing the builder bundles did not finish within 10 minutes');
        Atomics.wait(flag, 0, 0, 1000);
      }
      const message = receiveMessageOnPort(port1)?.message as string | undefined;
      port1.close();
      void worker.terminate();
      if (Atomics.load(flag, 0) === 2) throw new Error(message ?? 'writing the builder bundles failed');
    },
  };
}
