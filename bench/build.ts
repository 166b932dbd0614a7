// Build-runner benchmarks on their own: `node dist/bench/build.js` (after `tsc -p tsconfig.json`).
// Runs bench/build-unchanged.ts and bench/build-convert.ts in this process, one after the other, and
// prints their lines. Each case's `run()` resolves with SKIPPED lines when qemu-img (or disk space) is
// missing and rejects when the case failed; a failed case is printed as FAILED and sets exit code 1.
// Both together take about 1.5-2 minutes on 2 cores.

import * as convert from './build-convert';
import * as unchanged from './build-unchanged';
import type { BenchResult } from './build-convert';

export type { BenchResult } from './build-convert';

export const BUILD_CASES: ReadonlyArray<{ readonly name: string; readonly run: () => Promise<BenchResult> }> = [
  { name: 'build-unchanged', run: unchanged.run },
  { name: 'build-convert', run: convert.run },
];

async function main(): Promise<void> {
  for (const c of BUILD_CASES) {
    const t0 = Date.now();
    try {
      const r = await c.run();
      console.log(`${r.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      for (const l of r.lines) console.log(`  ${l}`);
    } catch (e) {
      console.log(`${c.name}: FAILED: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    }
  }
}

if (require.main === module) {
  void main();
}
