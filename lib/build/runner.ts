// `goldsmith build <image>` as a library: explicit, idempotent steps; cleanup in finally; the
// store only ever sees complete, verified files (temp name, fsync, rename).

import * as fs from 'fs';
import * as path from 'path';
import type { ImageBaker } from './baker';
import { findChecksum } from './checksum';
import { checkImage, compareImages, convertArgs, convertImage, imageInfo, inspectImage, qemuImgVersion } from './convert';
import { deadline } from './deadline';
import { checkPackerVars } from './packer-baker';
import { sniffFormat } from './disk-format';
import { downloadFile, fetchText, type FetchFn, type RetryOptions } from './download';
import { acquireLock, lockFile, type HeldLock } from './lock';
import { lastSuccessFile, pruneLogs, reportFile, writeReport, type BuildReport, type BuildResultKind, type LastSuccess, type StepReport } from './report';
import { loadRunnerConfig, type RunnerConfig } from './runner-config';
import { buildId, cleanOrphans, cleanStaleTemps, latestDirName, latestPointerName, newBuildBase, parseBuildName, pruneBuilds, repairLatest, storeBuild, storeTempFile, type StorePoint } from './store';
import { oneLine, reEscape, rmQuiet, writeFileAtomic } from './util';


/** How long a cancelled or timed-out bake may take to clean up before the runner goes on. */
const BAKE_CLEANUP_GRACE_MS = 180_000;
export interface RunBuildOptions {
  /** The installed builder bundle (holds images/<image>.json). */
  readonly bundleDir: string;
  readonly image: string;
  /** Rebuild even when upstream checksum and fingerprint equal the last success. */
  readonly force?: boolean;
  /** Print what each step would do; touch nothing (no lock, no network, no files). */
  readonly dryRun?: boolean;
  readonly baker: ImageBaker;
  /** Progress lines (the CLI prints them); also written to the build's log file. */
  readonly log: (line: string) => void;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** HTTP (tests); default: node's fetch. */
  readonly fetch?: FetchFn;
  /** Cancels the build (e.g. on SIGTERM); cleanup still runs. */
  readonly signal?: AbortSignal;
  /** qemu-img binary (default 'qemu-img' on PATH). */
  readonly qemuImg?: string;
  /** Download/checksum retries (default 3 attempts, 2 s backoff doubling). */
  readonly retry?: RetryOptions;
  /** Smallest acceptable upstream file (default: config upstream.min_size_bytes, else 1 MiB). */
  readonly minDownloadBytes?: number;
  /** Download progress at least this often (default 30 s; also every 10 %). */
  readonly progressIntervalMs?: number;
  /** Fault injection (tests): called at the named points of the store step. */
  readonly storeHook?: (point: StorePoint) => void;
}

const CHECKSUM_FETCH_TIMEOUT_MS = 60_000;

interface Ctx {
  readonly config: RunnerConfig;
  readonly started: Date;
  readonly id: string;
  readonly log: (line: string) => void;
  report: BuildReport;
}

/** A step of the build: timed, recorded in the report, report rewritten after it. */
async function step<T>(ctx: Ctx, name: string, fn: () => Promise<T> | T, detail?: (r: T) => string | undefined): Promise<T> {
  const t0 = process.hrtime.bigint();
  const dur = (): number => Math.round(Number(process.hrtime.bigint() - t0) / 1e6) / 1000;
  ctx.log(`== ${name}`);
  try {
    const r = await fn();
    const d = detail?.(r);
    const s: StepReport = { name, result: 'success', duration_s: dur(), ...(d ? { detail: d } : {}) };
    ctx.report = { ...ctx.report, steps: [...ctx.report.steps, s] };
    writeReport(ctx.config.paths.logs, ctx.report);
    return r;
  } catch (e) {
    const s: StepReport = { name, result: 'failed', duration_s: dur(), detail: oneLine(e) };
    ctx.report = { ...ctx.report, steps: [...ctx.report.steps, s] };
    const err = new Error(`${name}: ${oneLine(e)}`);
    throw err;
  }
}

function readLastSuccess(config: RunnerConfig): LastSuccess | undefined {
  try {
    const j = JSON.parse(fs.readFileSync(lastSuccessFile(config.paths.state, config.image), 'utf8'));
    if (typeof j?.upstream_checksum === 'string' && typeof j?.fingerprint === 'string' && typeof j?.file === 'string') return j as LastSuccess;
  } catch {
    // absent or unreadable: no recorded success
  }
  return undefined;
}

/** The last success still describes what the store serves: its file exists and -latest resolves to it. */
function lastSuccessIntact(config: RunnerConfig, last: LastSuccess): boolean {
  const ext = config.output.disk_format;
  const store = config.paths.store;
  try {
    const resolved = fs.realpathSync(path.join(store, `${config.image}-latest.${ext}`));
    return resolved === path.join(fs.realpathSync(store), last.file) && fs.statSync(path.join(store, last.file)).isFile();
  } catch {
    return false;
  }
}

function isUnchanged(ctx: Ctx, upstreamChecksum: string, force: boolean): LastSuccess | undefined {
  const last = readLastSuccess(ctx.config);
  if (!last) return undefined;
  if (last.upstream_checksum !== upstreamChecksum || last.fingerprint !== ctx.config.fingerprint) return undefined;
  if (force) {
    ctx.log(`upstream and template unchanged since build ${last.build_id}, rebuilding (--force)`);
    return undefined;
  }
  if (!lastSuccessIntact(ctx.config, last)) {
    ctx.log(`upstream and template unchanged, but ${last.file} or its -latest link is missing; rebuilding`);
    return undefined;
  }
  return last;
}

/** The runs's directories cannot be used (no report: the logs directory is one of them). */
export class BuildSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildSetupError';
  }
}

/** Creates `dir` if needed and proves it writable (a probe file); a one-line problem, or undefined. */
function dirProblem(dir: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    return `cannot be created (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`;
  }
  const probe = path.join(dir, `.goldsmith-write-test.${process.pid}.tmp`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (e) {
    return `is not writable (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`;
  }
  return undefined;
}

/**
 * Runs one build of `options.image`. Throws RunnerConfigError (invalid config), BuildSetupError (the
 * logs directory is not writable) and BuildLockedError (another run holds the lock) before anything
 * is written; every other failure is returned as a `failed` report (also written to
 * <logs>/<image>-report.json).
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildReport> {
  const config = loadRunnerConfig(options.bundleDir, options.image);
  const now = options.now ?? ((): Date => new Date());
  const started = now();
  const id = buildId(started);
  if (options.dryRun) return dryRun(options, config, started, id);

  // Without a writable logs directory there can be no report: say so (the CLI prints it on stderr).
  const logsProblem = dirProblem(config.paths.logs);
  if (logsProblem) throw new BuildSetupError(`paths.logs ${config.paths.logs} ${logsProblem}: no report can be written`);
  dirProblem(config.paths.state); // creates it for the lock information; checked again in prepare

  // Until the lock is held, lines go only to the caller (the log file name may belong to another run).
  const early: string[] = [];
  const lock: HeldLock = await acquireLock(config.paths.state, config.image, started, (l) => {
    early.push(l);
    options.log(l);
  });

  const logName = `${config.image}-${id}.log`;
  const logPath = path.join(config.paths.logs, logName);
  const log = (line: string): void => {
    for (const l of line.split('\n')) {
      try {
        fs.appendFileSync(logPath, `${new Date().toISOString()} ${l}\n`);
      } catch {
        // the log file is best effort; the report is not
      }
      options.log(l);
    }
  };
  for (const l of early) {
    try {
      fs.appendFileSync(logPath, `${started.toISOString()} ${l}\n`);
    } catch {
      // best effort, as every log line
    }
  }

  const up = config.upstream;
  const ctx: Ctx = {
    config,
    started,
    id,
    log,
    report: {
      image: config.image,
      environment: config.environment,
      build_id: id,
      result: 'running',
      started_at: started.toISOString(),
      steps: [],
      upstream: { url: up.url + up.file },
      fingerprint: config.fingerprint,
      tools: {},
      log_file: logName,
    },
  };
  const signal = options.signal ?? new AbortController().signal;
  const workDir = path.join(config.paths.work, `${config.image}-${id}`);
  const ext = config.output.disk_format;
  const tmpOut = storeTempFile(config.paths.store, config.image, `${id}.${ext}`);
  let result: BuildResultKind = 'failed';
  let error: string | undefined;

  const steps = async (): Promise<BuildResultKind> => {
    writeReport(config.paths.logs, ctx.report);
    log(`build ${id} of ${config.image} (${config.environment}), pid ${process.pid}, lock ${lock.file}`);

    await step(ctx, 'prepare', async () => {
      if (config.template_file !== undefined) checkPackerVars(config.packer_vars);
      // Every directory is checked before anything is downloaded or baked.
      for (const key of ['state', 'work', 'store'] as const) {
        const problem = dirProblem(config.paths[key]);
        if (problem) throw new Error(`paths.${key} ${config.paths[key]} ${problem}`);
      }
      for (const t of cleanStaleTemps(config.paths.store, config.image)) log(`removed stale temp file ${t} of an earlier run`);
      for (const o of cleanOrphans(config.paths.store, config.image)) log(o.endsWith('.latest') ? `removed ${o}: its build is gone` : `removed ${o}: its image was never stored (an earlier run was killed while storing)`);
      const repaired = repairLatest(config.paths.store, config.image, ext);
      if (repaired.length) log(`-latest links brought into the pointer layout: ${repaired.join(', ')}`);
      const workRe = new RegExp(`^${reEscape(config.image)}-\\d{8}T\\d{6}Z$`);
      for (const name of fs.readdirSync(config.paths.work)) {
        if (workRe.test(name)) {
          rmQuiet(path.join(config.paths.work, name));
          log(`removed stale work directory ${name} of an earlier run`);
        }
      }
      const oldLogs = pruneLogs(config.paths.logs, config.image);
      if (oldLogs.length) log(`removed ${oldLogs.length} old build log(s)`);
      const v = await qemuImgVersion({ qemuImg: options.qemuImg, signal });
      ctx.report = { ...ctx.report, tools: { ...ctx.report.tools, 'qemu-img': v } };
      fs.mkdirSync(workDir, { recursive: true });
    });

    const allowHttpDowngrade = up.insecure_http_waiver !== undefined;
    // 1. upstream checksum (skipped for images with a no-checksum waiver)
    let expected: string | undefined;
    if (up.checksum_file && up.algorithm) {
      const url = up.url + up.checksum_file;
      expected = await step(
        ctx,
        'fetch-checksum',
        async () => {
          const text = await fetchText(url, { fetch: options.fetch, timeoutMs: CHECKSUM_FETCH_TIMEOUT_MS, signal, log, allowHttpDowngrade, ...options.retry });
          return findChecksum(text, up.file, up.algorithm!, url);
        },
        (d) => `${up.algorithm}:${d}`,
      );
      const checksum = `${up.algorithm}:${expected}`;
      ctx.report = { ...ctx.report, upstream: { ...ctx.report.upstream, checksum } };
      log(`upstream ${up.file} ${checksum}`);
      const last = isUnchanged(ctx, checksum, options.force ?? false);
      if (last) {
        log(`unchanged: upstream checksum and fingerprint equal build ${last.build_id} (${last.file}); nothing to do`);
        ctx.report = { ...ctx.report, artifact: artifactOf(config, last) };
        return 'unchanged';
      }
    } else {
      log(`no upstream checksum file (no_checksum_waiver): the download is not verified`);
    }

    // 2. download + verify
    const algorithm = up.algorithm ?? 'sha256';
    const partial = path.join(workDir, '.download.tmp');
    const sourceFile = path.join(workDir, up.file);
    const dl = await step(
      ctx,
      'download',
      async () => {
        const r = await downloadFile(up.url + up.file, partial, {
          fetch: options.fetch,
          timeoutMs: config.timeouts_s.download * 1000,
          algorithms: [algorithm],
          minBytes: options.minDownloadBytes ?? up.min_size_bytes ?? 1024 * 1024,
          signal,
          log,
          progressIntervalMs: options.progressIntervalMs,
          allowHttpDowngrade,
          ...options.retry,
        });
        const got = r.digests[algorithm];
        if (expected !== undefined && got !== expected) {
          rmQuiet(partial);
          throw new Error(`checksum mismatch for ${up.file}: expected ${algorithm}:${expected}, got ${algorithm}:${got}`);
        }
        await checkSource(partial, up.file, { qemuImg: options.qemuImg, timeoutMs: 120_000, signal });
        fs.renameSync(partial, sourceFile);
        return { ...r, digest: got };
      },
      (r) => `${r.bytes} bytes, ${algorithm}:${r.digest}${expected !== undefined ? ' verified' : ' (unverified)'}`,
    );
    const finalUrl = dl.finalUrl !== up.url + up.file ? { final_url: dl.finalUrl } : {};
    ctx.report = { ...ctx.report, upstream: { ...ctx.report.upstream, ...finalUrl, checksum: `${algorithm}:${dl.digest}`, size_bytes: dl.bytes } };
    if (expected === undefined) {
      const last = isUnchanged(ctx, `${algorithm}:${dl.digest}`, options.force ?? false);
      if (last) {
        log(`unchanged: downloaded file and fingerprint equal build ${last.build_id} (${last.file}); nothing to do`);
        ctx.report = { ...ctx.report, artifact: artifactOf(config, last) };
        return 'unchanged';
      }
    }

    // 3. packer (via the baker)
    const baked = await step(
      ctx,
      'bake',
      async () => {
        const bakeDeadline = deadline(config.timeouts_s.packer * 1000, signal);
        const bakeSignal = bakeDeadline.signal;
        try {
          const bake = options.baker.bake({ config, sourceFile, workDir, log, signal: bakeSignal });
          const settled = bake.then(
            () => undefined,
            () => undefined,
          );
          const r = await Promise.race([
            // Once aborted, the abort branch below reports (after the baker settled).
            bake.catch((error: unknown) => (bakeSignal.aborted ? new Promise<never>(() => undefined) : Promise.reject(error))),
            new Promise<never>((_, reject) => {
              const onAbort = (): void => {
                const error = new Error(bakeDeadline.timedOut ? `timed out after ${config.timeouts_s.packer} s` : 'cancelled');
                // Let the baker clean up (temporary Glance images, its child processes) before the
                // runner removes the work directory and releases the lock; bounded, in case it hangs.
                const grace = new Promise<void>((resolve) => setTimeout(resolve, BAKE_CLEANUP_GRACE_MS).unref());
                void Promise.race([settled, grace]).then(() => reject(error));
              };
              if (bakeSignal.aborted) onAbort();
              else bakeSignal.addEventListener('abort', onAbort, { once: true });
            }),
          ]);
          const st = fs.statSync(r.artifactFile, { throwIfNoEntry: false });
          if (!st || !st.isFile() || st.size === 0) throw new Error(`artifact ${r.artifactFile} is missing or empty`);
          return r;
        } finally {
          bakeDeadline.clear();
        }
      },
      (r) => path.basename(r.artifactFile),
    );
    ctx.report = { ...ctx.report, tools: { ...baked.toolVersions, ...ctx.report.tools } };

    // 4. convert into a temp file in the store
    const convertTimeout = config.timeouts_s.convert * 1000;
    const qopts = { qemuImg: options.qemuImg, timeoutMs: convertTimeout, signal };
    const artInfo = await step(
      ctx,
      'inspect',
      async () => {
        const f = baked.artifactFile;
        const expected = baked.format ?? (sniffFormat(f) === 'qcow2' ? 'qcow2' : 'raw');
        return inspectImage(f, expected, `artifact ${path.basename(f)}`, qopts);
      },
      (i) => `${i.format}, virtual size ${i.virtualSize}`,
    );
    await step(
      ctx,
      'convert',
      () =>
        convertImage(baked.artifactFile, tmpOut, {
          ...qopts,
          inputFormat: artInfo.format,
          format: ext,
          compression: config.output.compression,
        }),
      (r) => `${r.args.slice(0, -2).join(' ')}: ${r.sizeBytes} bytes in ${r.durationS.toFixed(1)} s`,
    );

    // 5. verify the converted file against the artifact
    await step(ctx, 'verify', async () => {
      const info = await imageInfo(tmpOut, ext, qopts);
      if (info.format !== ext) throw new Error(`converted file is ${info.format}, expected ${ext}`);
      if (info.virtualSize !== artInfo.virtualSize) throw new Error(`virtual size ${info.virtualSize} differs from the artifact's ${artInfo.virtualSize}`);
      if (ext === 'qcow2') await checkImage(tmpOut, 'qcow2', qopts);
      await compareImages(baked.artifactFile, artInfo.format, tmpOut, ext, qopts);
    });

    // 6. store + links
    const stored = await step(ctx, 'store', () => storeBuild(config.paths.store, config.image, started, ext, tmpOut, options.storeHook), (s) => s.file);
    ctx.report = { ...ctx.report, artifact: { file: stored.file, size_bytes: stored.size, md5: stored.md5, sha256: stored.sha256 } };
    log(`stored ${stored.file} (${stored.size} bytes, md5 ${stored.md5})`);

    // 7. retention
    await step(
      ctx,
      'prune',
      () => pruneBuilds(config.paths.store, config.image, config.output.keep_builds, parseBuildName(config.image, stored.file)!.base),
      (removed) => (removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove'),
    );

    const last: LastSuccess = {
      image: config.image,
      build_id: id,
      finished_at: now().toISOString(),
      upstream_checksum: ctx.report.upstream.checksum!,
      fingerprint: config.fingerprint,
      file: stored.file,
      md5: stored.md5,
      sha256: stored.sha256,
    };
    writeFileAtomic(lastSuccessFile(config.paths.state, config.image), `${JSON.stringify(last, null, 2)}\n`);
    return 'success';
  };

  try {
    result = await steps();
  } catch (e) {
    error = oneLine(e);
    log(`FAILED: ${error}`);
    result = 'failed';
  } finally {
    rmQuiet(tmpOut);
    rmQuiet(workDir);
    ctx.report = {
      ...ctx.report,
      result,
      finished_at: now().toISOString(),
      ...(result === 'failed' ? { error: error ?? 'unknown error' } : {}),
    };
    try {
      writeReport(config.paths.logs, ctx.report);
    } catch (e) {
      options.log(`cannot write report ${reportFile(config.paths.logs, config.image)}: ${oneLine(e)}`);
    }
    log(`result: ${result}`);
    lock.release();
  }
  return ctx.report;
}

/**
 * The upstream file must be a self-contained qcow2 or raw image (ISOs are raw): never text (an
 * HTML page a mirror or captive portal served), never another format, never a qcow2 naming other
 * files. Packer uploads it to Glance, which would not check.
 */
async function checkSource(file: string, name: string, opts: { qemuImg?: string; timeoutMs: number; signal: AbortSignal }): Promise<void> {
  const what = `upstream file ${name}`;
  const sniffed = sniffFormat(file);
  try {
    await inspectImage(file, sniffed === 'qcow2' ? 'qcow2' : 'raw', what, opts);
  } catch (e) {
    rmQuiet(file);
    throw e;
  }
}

function artifactOf(config: RunnerConfig, last: LastSuccess): BuildReport['artifact'] {
  const st = fs.statSync(path.join(config.paths.store, last.file), { throwIfNoEntry: false });
  return { file: last.file, size_bytes: st?.size ?? 0, md5: last.md5, sha256: last.sha256 };
}

function dryRun(options: RunBuildOptions, config: RunnerConfig, started: Date, id: string): BuildReport {
  const log = (l: string): void => options.log(`[dry-run] ${l}`);
  const up = config.upstream;
  const p = config.paths;
  const ext = config.output.disk_format;
  log(`config ${path.join(options.bundleDir, 'images', `${config.image}.json`)} is valid (${config.image}, environment ${config.environment})`);
  log(`would take lock ${lockFile(p.state, config.image)}, remove stale .${config.image}-*.tmp in ${p.store} and work directories in ${p.work}`);
  const last = readLastSuccess(config);
  if (up.checksum_file) {
    log(`would fetch ${up.url + up.checksum_file} and take the ${up.algorithm} entry for exactly ${up.file}`);
    log(
      last
        ? `would stop as unchanged if it equals ${last.upstream_checksum} and fingerprint ${config.fingerprint.slice(0, 12)}… equals build ${last.build_id}${options.force ? ' (but --force rebuilds)' : ''}`
        : `no successful build recorded in ${lastSuccessFile(p.state, config.image)}: would build`,
    );
  } else {
    log(`no checksum file (waiver): the download would not be verified`);
  }
  log(`would download ${up.url + up.file} into ${path.join(p.work, `${config.image}-${id}`)} (timeout ${config.timeouts_s.download} s, 3 attempts)`);
  const how = config.template_file !== undefined ? `packer template ${config.template_file}` : `external command ${config.external_command?.join(' ')}`;
  log(`would bake with template ${config.template} (${how}), timeout ${config.timeouts_s.packer} s`);
  const tmp = storeTempFile(p.store, config.image, `${id}.${ext}`);
  log(`would run: qemu-img ${convertArgs('<artifact>', tmp, { inputFormat: '<probed>', format: ext, compression: config.output.compression }).join(' ')} (timeout ${config.timeouts_s.convert} s)`);
  log(`would verify: ${ext === 'qcow2' ? 'qemu-img check, ' : ''}qemu-img compare against the artifact`);
  const base = newBuildBase(p.store, config.image, started);
  log(`would store ${path.join(p.store, `${base}.${ext}`)} with ${base}.md5 and ${base}.sha256, make ${latestDirName(base)}/ and switch ${latestPointerName(config.image)} to it (${config.image}-latest.{${ext},md5,sha256} resolve through it)`);
  log(`would keep the ${config.output.keep_builds} newest builds${describePrune(config, base)}`);
  log(`would write ${reportFile(p.logs, config.image)}, ${path.join(p.logs, `${config.image}-${id}.log`)} and, on success, ${lastSuccessFile(p.state, config.image)}`);
  return {
    image: config.image,
    environment: config.environment,
    build_id: id,
    result: 'dry-run',
    started_at: started.toISOString(),
    finished_at: started.toISOString(),
    steps: [],
    upstream: { url: up.url + up.file },
    fingerprint: config.fingerprint,
    tools: {},
  };
}

function describePrune(config: RunnerConfig, currentBase: string): string {
  let names: string[];
  try {
    names = fs.readdirSync(config.paths.store);
  } catch {
    return '';
  }
  const builds = new Map<string, string>();
  for (const n of names) {
    const b = parseBuildName(config.image, n);
    if (b && b.base !== currentBase) builds.set(b.base, `${b.date}-${String(b.seq).padStart(4, '0')}`);
  }
  const drop = [...builds.entries()].sort((a, b) => (a[1] < b[1] ? 1 : -1)).slice(Math.max(0, config.output.keep_builds - 1)).map(([b]) => b);
  return drop.length ? `: would delete the builds ${drop.join(', ')}` : ': nothing to delete';
}
