// goldsmith benchmarks: `npm run bench` (= tsc && node dist/bench/run.js).
//
// Every case runs in a fresh node process (process.execPath + the compiled child script, env
// CHECKPOINT_DISABLE=1), BENCH_RUNS times (default 5) after one unmeasured warm-up run, round-robin over
// the cases (so load from other processes affects all cases alike); the wall time
// of each child process is measured, and the median and minimum are printed with the peak RSS
// (from `/usr/bin/time -v` when present, otherwise the child's own process.resourceUsage report).
// Targets are checked and printed as PASS/MISS; the exit code is 0 regardless (targets live here,
// not in the tests). A case whose child fails is reported as FAILED, also with exit code 0.
//
// Environment:
//   BENCH_RUNS=n          measured runs per case (default 5)
//   BENCH_WARMUP=n        unmeasured runs per case (default 1)
//   BENCH_ONLY=a,b        run only these cases (targets needing other cases are skipped)
//   BENCH_CPU_PROF=dir    also run each case once more with `node --cpu-prof`, profiles into dir
//   BENCH_JSON=file       also write the results as JSON
//
// Adding a benchmark: write its child script as bench/<name>.ts (it must exit 0 when it worked and may
// call report() from ./child-report), then add a BenchCase to CASES below (and a Target if it has one).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateCatalog } from './generate-catalog';
import { ChildReport, REPORT_PREFIX } from './child-report';

const ROOT = path.resolve(__dirname, '..', '..');

/** Per-bench scratch state (temp dirs), shared by the cases of one `run`. */
export interface BenchContext {
  /** Root of this run's temp dirs (removed at the end). */
  readonly tmp: string;
  /** A new empty directory under tmp. */
  mkdir(prefix: string): string;
}

export interface BenchCase {
  /** Short id (used by BENCH_ONLY and targets). */
  readonly name: string;
  /** One line for the table. */
  readonly title: string;
  /** Compiled child script, relative to dist/bench (e.g. 'floor-app.js'). */
  readonly script: string;
  /** Once per case, before its runs: e.g. write input files. Returns a note for the output. */
  readonly prepare?: (ctx: BenchContext) => string | void;
  /** Arguments of one run (called per run, so each run can get a fresh output dir). */
  readonly args: (ctx: BenchContext) => string[];
  /** Optional: facts about the last run's output, for the output (e.g. stack and resource counts). */
  readonly describeOutput?: (args: string[]) => string;
}

export interface CaseResult {
  readonly name: string;
  readonly title: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly note?: string;
  readonly output?: string;
  /** Wall time per measured run, ms. */
  readonly times: number[];
  readonly medianMs: number;
  readonly minMs: number;
  /** Peak RSS per measured run, KiB. */
  readonly maxRssKb: number[];
  readonly rssSource: 'time -v' | 'resourceUsage' | 'none';
  /** The last run's child report (phases etc.). */
  readonly report?: ChildReport;
}

export interface Target {
  readonly name: string;
  /** Human form, e.g. 'full ≤ 1.5× floor'. */
  readonly description: string;
  readonly needs: readonly string[];
  /** The measured value and whether it meets the target. */
  readonly evaluate: (r: Readonly<Record<string, CaseResult>>) => { value: string; pass: boolean };
}

let generatedDir: string | undefined;
/** Generated catalogs of the validate cases, by image count. */
const validateDirs = new Map<number, string>();

/** `goldsmith validate` of a generated catalog of `images` images x 10 environments. */
function validateCase(images: number): BenchCase {
  return {
    name: `validate${images / 1000}k`,
    title: `goldsmith validate, generated catalog of ${images.toLocaleString('en')} images x 10 environments`,
    script: '../bin/goldsmith.js',
    prepare: (ctx) => {
      const dir = ctx.mkdir(`validate-${images}-`);
      validateDirs.set(images, dir);
      const g = generateCatalog(dir, { images, environments: 10 });
      return `${g.images} images, ${g.environments} environments, ${g.releases} releases in builds files`;
    },
    args: () => ['validate', '--config', validateDirs.get(images)!],
  };
}

/** synthesized stacks / resources in an outdir written by a catalog app. */
function describeSynthOutput(outdir: string): string {
  const stacksDir = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDir)) return 'no stacks/ written';
  let resources = 0;
  let bytes = 0;
  const stacks = fs.readdirSync(stacksDir);
  for (const s of stacks) {
    const file = path.join(stacksDir, s, 'cdk.tf.json');
    const text = fs.readFileSync(file, 'utf8');
    bytes += text.length;
    const doc = JSON.parse(text);
    for (const byName of Object.values<Record<string, unknown>>(doc.resource ?? {})) resources += Object.keys(byName).length;
    for (const byName of Object.values<Record<string, unknown>>(doc.data ?? {})) resources += Object.keys(byName).length;
  }
  return `${stacks.length} stacks, ${resources} resources+data sources, ${(bytes / 1048576).toFixed(1)} MiB JSON`;
}

export const CASES: BenchCase[] = [
  {
    name: 'floor',
    title: 'start-up floor: 1 stack, 1 openstack_images_image_v2',
    script: 'floor-app.js',
    args: (ctx) => [ctx.mkdir('floor-out-')],
    describeOutput: ([outdir]) => describeSynthOutput(outdir),
  },
  {
    name: 'full',
    title: 'bundled catalog (config/): load + synthCatalog',
    script: 'catalog-app.js',
    args: (ctx) => [path.join(ROOT, 'config'), ctx.mkdir('full-out-')],
    describeOutput: ([, outdir]) => describeSynthOutput(outdir),
  },
  {
    name: 'gen1000x10',
    title: 'generated catalog, 1000 images x 10 environments: load + synthCatalog',
    script: 'catalog-app.js',
    prepare: (ctx) => {
      generatedDir = ctx.mkdir('gen-catalog-');
      const g = generateCatalog(generatedDir, { images: 1000, environments: 10 });
      return `${g.images} images, ${g.environments} environments, ${g.releases} releases in builds files`;
    },
    args: (ctx) => [generatedDir!, ctx.mkdir('gen-out-')],
    describeOutput: ([, outdir]) => describeSynthOutput(outdir),
  },
  validateCase(10_000),
  validateCase(20_000),
];

export const TARGETS: Target[] = [
  {
    name: 'full-vs-floor',
    description: 'bundled catalog synth ≤ 1.5× start-up floor (median)',
    needs: ['full', 'floor'],
    evaluate: (r) => {
      const ratio = r.full.medianMs / r.floor.medianMs;
      return { value: `${ratio.toFixed(2)}×`, pass: ratio <= 1.5 };
    },
  },
  {
    name: 'gen1000x10',
    description: '1000 images × 10 environments synth < 10 s (median)',
    needs: ['gen1000x10'],
    evaluate: (r) => ({ value: `${(r.gen1000x10.medianMs / 1000).toFixed(2)} s`, pass: r.gen1000x10.medianMs < 10000 }),
  },
  {
    name: 'validate-doubling',
    description: 'validate: time(20,000 images) / time(10,000 images) ≤ 2.5 (median; linear ≈ 2)',
    needs: ['validate10k', 'validate20k'],
    evaluate: (r) => {
      const ratio = r.validate20k.medianMs / r.validate10k.medianMs;
      return { value: `${ratio.toFixed(2)}× (${(r.validate10k.medianMs / 1000).toFixed(2)} s, ${(r.validate20k.medianMs / 1000).toFixed(2)} s)`, pass: ratio <= 2.5 };
    },
  },
];

const TIME_BIN = '/usr/bin/time';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface OneRun {
  ok: boolean;
  ms: number;
  rssKb?: number;
  rssSource: CaseResult['rssSource'];
  report?: ChildReport;
  error?: string;
}

function runChild(script: string, args: string[], nodeFlags: string[] = []): OneRun {
  const useTime = fs.existsSync(TIME_BIN);
  const node = [...nodeFlags, path.join(__dirname, script), ...args];
  const [cmd, argv] = useTime ? [TIME_BIN, ['-v', process.execPath, ...node]] : [process.execPath, node];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, {
    cwd: ROOT,
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
  const report = line ? (JSON.parse(line.slice(REPORT_PREFIX.length)) as ChildReport) : undefined;
  const timeRss = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr) : null;
  const rssKb = timeRss ? Number(timeRss[1]) : report?.maxRssKb;
  const rssSource: OneRun['rssSource'] = timeRss ? 'time -v' : report ? 'resourceUsage' : 'none';
  if (r.error || r.status !== 0) {
    const childErr = stderr
      .split('\n')
      .filter((l) => !/^\t/.test(l) && !/^\s*Command (being timed|exited)/.test(l))
      .join('\n')
      .trim();
    return { ok: false, ms, rssKb, rssSource, report, error: (r.error?.message ?? `exit ${r.status}`) + '\n' + childErr.slice(-2000) };
  }
  return { ok: true, ms, rssKb, rssSource, report };
}

interface CaseState {
  readonly c: BenchCase;
  note?: string;
  failed?: string;
  times: number[];
  rss: number[];
  last?: OneRun;
  lastArgs: string[];
}

/**
 * Runs the cases round-robin (warm-up rounds, then measured rounds: each round runs every case once),
 * so that load from other processes on the machine hits all cases alike and ratios stay meaningful.
 */
function runCases(cases: readonly BenchCase[], ctx: BenchContext, runs: number, warmup: number, progress: (msg: string) => void): CaseResult[] {
  const states: CaseState[] = cases.map((c) => ({ c, times: [], rss: [], lastArgs: [] }));
  for (const st of states) {
    try {
      st.note = st.c.prepare?.(ctx) ?? undefined;
    } catch (e) {
      st.failed = `prepare failed: ${(e as Error).message}`;
    }
  }
  for (let round = 0; round < warmup + runs; round++) {
    progress(round < warmup ? `warm-up ${round + 1}/${warmup}` : `round ${round - warmup + 1}/${runs}`);
    for (const st of states) {
      if (st.failed) continue;
      st.lastArgs = st.c.args(ctx);
      const r = runChild(st.c.script, st.lastArgs);
      if (!r.ok) {
        st.failed = r.error ?? 'failed';
        continue;
      }
      if (round >= warmup) {
        st.times.push(r.ms);
        if (r.rssKb !== undefined) st.rss.push(r.rssKb);
      }
      st.last = r;
    }
  }
  return states.map((st) => {
    if (st.failed) return fail(st.c, st.failed, st.note);
    let output: string | undefined;
    try {
      output = st.c.describeOutput?.(st.lastArgs);
    } catch (e) {
      output = `(could not describe output: ${(e as Error).message})`;
    }
    return {
      name: st.c.name,
      title: st.c.title,
      ok: true,
      note: st.note,
      output,
      times: st.times,
      medianMs: median(st.times),
      minMs: Math.min(...st.times),
      maxRssKb: st.rss,
      rssSource: st.last!.rssSource,
      report: st.last!.report,
    };
  });
}

function fail(c: BenchCase, error: string, note?: string): CaseResult {
  return { name: c.name, title: c.title, ok: false, error, note, times: [], medianMs: NaN, minMs: NaN, maxRssKb: [], rssSource: 'none' };
}

function mib(kb: number): string {
  return `${(kb / 1024).toFixed(0)} MiB`;
}

export function main(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const warmup = Number(process.env.BENCH_WARMUP ?? 1);
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-bench-'));
  let n = 0;
  const ctx: BenchContext = {
    tmp,
    mkdir: (prefix) => {
      const d = path.join(tmp, `${prefix}${n++}`);
      fs.mkdirSync(d, { recursive: true });
      return d;
    },
  };
  const cpus = os.cpus();
  console.log(`goldsmith bench: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? '?'}, ${os.platform()}`);
  const load = os.loadavg()[0];
  console.log(`${runs} measured runs per case (+${warmup} warm-up), each a fresh node process; wall time of the child process`);
  console.log(`load average (1 min) at start: ${load.toFixed(2)}${load > cpus.length * 0.5 ? '  WARNING: the machine is busy, times are inflated' : ''}\n`);

  const results: Record<string, CaseResult> = {};
  try {
    const selected = CASES.filter((c) => !only || only.has(c.name));
    console.log(`cases: ${selected.map((c) => c.name).join(', ')}`);
    const list = runCases(selected, ctx, runs, warmup, (msg) => process.stdout.write(`  ${msg} …\n`));
    console.log('');
    for (const r of list) {
      results[r.name] = r;
      process.stdout.write(`- ${r.name}: ${r.title}: `);
      if (!r.ok) {
        console.log(`FAILED\n    ${r.error!.split('\n').join('\n    ')}`);
        continue;
      }
      console.log(`median ${r.medianMs.toFixed(0)} ms, min ${r.minMs.toFixed(0)} ms`);
      console.log(`    runs: ${r.times.map((t) => t.toFixed(0)).join(', ')} ms`);
      if (r.maxRssKb.length) console.log(`    peak RSS: median ${mib(median(r.maxRssKb))}, max ${mib(Math.max(...r.maxRssKb))} (${r.rssSource})`);
      if (r.report?.phases) console.log(`    in-process phases (last run): ${JSON.stringify(r.report.phases)}`);
      if (r.note) console.log(`    input: ${r.note}`);
      if (r.output) console.log(`    output: ${r.output}`);
    }

    if (process.env.BENCH_CPU_PROF) {
      const dir = path.resolve(process.env.BENCH_CPU_PROF);
      fs.mkdirSync(dir, { recursive: true });
      for (const c of CASES) {
        if (!results[c.name]?.ok) continue;
        const r = runChild(c.script, c.args(ctx), ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${c.name}.cpuprofile`]);
        console.log(`cpu profile of ${c.name}: ${r.ok ? path.join(dir, `${c.name}.cpuprofile`) : 'FAILED ' + r.error}`);
      }
    }

    console.log('\nSummary');
    console.log('  case          median ms    min ms   peak RSS');
    for (const r of Object.values(results)) {
      const rssTxt = r.maxRssKb.length ? mib(Math.max(...r.maxRssKb)) : '-';
      console.log(
        `  ${r.name.padEnd(12)} ${r.ok ? r.medianMs.toFixed(0).padStart(9) : '   FAILED'} ${r.ok ? r.minMs.toFixed(0).padStart(9) : ''}   ${rssTxt}`,
      );
    }
    if (results.full?.ok && results.floor?.ok) {
      console.log(`  ratio full/floor: ${(results.full.medianMs / results.floor.medianMs).toFixed(2)} (median), ${(results.full.minMs / results.floor.minMs).toFixed(2)} (min)`);
    }
    console.log('\nTargets');
    for (const t of TARGETS) {
      const missing = t.needs.filter((nm) => !results[nm]?.ok);
      if (missing.length) {
        console.log(`  SKIP  ${t.description}: no result for ${missing.join(', ')}`);
        continue;
      }
      const { value, pass } = t.evaluate(results);
      console.log(`  ${pass ? 'PASS' : 'MISS'}  ${t.description}: ${value}`);
    }
    if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify({ results, node: process.version }, null, 2));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main();
  process.exitCode = 0;
}
