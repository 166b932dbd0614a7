// fetch-checksum and download: the upstream file, verified against the upstream checksum file or
// the checksum pinned in the catalog (images with a no-checksum waiver skip fetch-checksum and are
// not verified). Once the checksum is known, the rebuild decision says whether the build goes on.
import * as fs from 'fs';
import * as path from 'path';
import { periodName, type RunnerChecksumAlgorithm, type RunnerConfig } from '../../contract';
import { amendReport, checkPassed, type BuildRun, type BuildStep, type StepOutcome } from '../build-step';
import { findChecksum } from '../checksum';
import { inspectImage } from '../convert';
import { sniffFormat } from '../disk-format';
import { downloadFile, fetchText } from '../download';
import { rmQuiet } from '../files';
import { artifactOf, decideRebuild } from '../last-success';
import { lastSuccessFile, readLastSuccess } from '../report';

const CHECKSUM_FETCH_TIMEOUT_MS = 60_000;
const SOURCE_CHECK_TIMEOUT_MS = 120_000;
const DEFAULT_MIN_DOWNLOAD_BYTES = 1024 * 1024;

function hasChecksumFile(config: RunnerConfig): boolean {
  return config.upstream.checksum_file !== undefined && config.upstream.algorithm !== undefined;
}

/** The checksum is known before the download: from the checksum file or pinned in the catalog. */
function hasChecksum(config: RunnerConfig): boolean {
  return hasChecksumFile(config) || config.upstream.checksum !== undefined;
}

/** Records why the build goes on, or ends it as unchanged (the reason in the report and the log). */
function decide(run: BuildRun, checksum: string): StepOutcome | undefined {
  const decision = decideRebuild(run.config, checksum, run.options.force ?? false, run.started);
  amendReport(run, { reason: decision.reason });
  if (decision.build) {
    run.log(`building: ${decision.reason.detail}`);
    return undefined;
  }
  run.log(`unchanged: ${decision.reason.detail}; nothing to do`);
  amendReport(run, { artifact: artifactOf(run.config, decision.last) });
  return { unchanged: true };
}

function describeDecision({ config, options }: { config: RunnerConfig; options: { force?: boolean } }): string {
  const last = readLastSuccess(config.paths.state, config.image);
  if (options.force) return 'would build (--force)';
  if (!last) return `no successful build recorded in ${lastSuccessFile(config.paths.state, config.image)}: would build`;
  const policy =
    config.rebuild.policy === 'periodic'
      ? `and build ${last.build_id} ran in the current ${periodName(config.rebuild.slot)} period (else a periodic rebuild for patches)`
      : '(policy on_change)';
  return `would stop as unchanged if it equals ${last.upstream_checksum}, fingerprint ${config.fingerprint.slice(0, 12)}… equals build ${last.build_id} ${policy}`;
}

export const fetchChecksumStep: BuildStep = {
  name: 'fetch-checksum',
  appliesTo: hasChecksum,
  describe: (plan) => {
    const up = plan.config.upstream;
    return [
      up.checksum !== undefined
        ? `the checksum is pinned in the catalog: ${up.checksum} (nothing to fetch)`
        : `would fetch ${up.url + up.checksum_file} and take the ${up.algorithm} entry for exactly ${up.file}`,
      describeDecision(plan),
    ];
  },
  run: async (run) => {
    const up = run.config.upstream;
    if (up.checksum !== undefined) {
      run.expectedChecksum = up.checksum.slice(up.checksum.indexOf(':') + 1);
      amendReport(run, { upstream: { ...run.report.upstream, checksum: up.checksum } });
      run.log(`upstream ${up.file} ${up.checksum} (pinned)`);
      return { detail: `${up.checksum} (pinned)`, ...decide(run, up.checksum) };
    }
    const algorithm = up.algorithm!;
    const url = up.url + up.checksum_file!;
    const text = await fetchText(url, {
      fetch: run.options.fetch,
      timeoutMs: CHECKSUM_FETCH_TIMEOUT_MS,
      signal: run.signal,
      log: run.log,
      allowHttpDowngrade: up.insecure_http_waiver !== undefined,
      ...run.options.retry,
    });
    run.expectedChecksum = findChecksum(text, up.file, algorithm, url);
    const checksum = `${algorithm}:${run.expectedChecksum}`;
    amendReport(run, { upstream: { ...run.report.upstream, checksum } });
    run.log(`upstream ${up.file} ${checksum}`);
    return { detail: checksum, ...decide(run, checksum) };
  },
};

export const downloadStep: BuildStep = {
  name: 'download',
  describe: ({ config, workDir }) => [
    ...(hasChecksum(config) ? [] : ['no checksum (waiver): the download would not be verified']),
    `would download ${config.upstream.url + config.upstream.file} into ${workDir} (timeout ${config.timeouts_s.download} s, 3 attempts)`,
  ],
  run: async (run) => {
    const { config, options } = run;
    const up = config.upstream;
    const expected = run.expectedChecksum;
    if (expected === undefined) run.log('no upstream checksum (no_checksum_waiver): the download is not verified');
    const algorithm = up.algorithm ?? pinnedAlgorithm(up.checksum) ?? 'sha256';
    const partial = path.join(run.workDir, '.download.tmp');
    const r = await downloadFile(up.url + up.file, partial, {
      fetch: options.fetch,
      timeoutMs: config.timeouts_s.download * 1000,
      algorithms: [algorithm],
      minBytes: options.minDownloadBytes ?? up.min_size_bytes ?? DEFAULT_MIN_DOWNLOAD_BYTES,
      signal: run.signal,
      log: run.log,
      progressIntervalMs: options.progressIntervalMs,
      allowHttpDowngrade: up.insecure_http_waiver !== undefined,
      ...options.retry,
    });
    const digest = r.digests[algorithm];
    if (expected !== undefined && digest !== expected) {
      rmQuiet(partial);
      throw new Error(`checksum mismatch for ${up.file}: expected ${algorithm}:${expected}, got ${algorithm}:${digest}`);
    }
    if (expected !== undefined) {
      const from = up.checksum !== undefined ? 'the checksum pinned in the catalog' : `the ${up.file} entry of ${up.checksum_file}`;
      checkPassed(run, 'upstream-checksum', `${algorithm} of the download equals ${from}`);
    }
    const format = await checkSource(partial, up.file, { qemuImg: options.qemuImg, timeoutMs: SOURCE_CHECK_TIMEOUT_MS, signal: run.signal });
    checkPassed(run, 'upstream-image', `a self-contained ${format} image (magic bytes, header, qemu-img info -f ${format})`);
    run.sourceFile = path.join(run.workDir, up.file);
    fs.renameSync(partial, run.sourceFile);
    const finalUrl = r.finalUrl !== up.url + up.file ? { final_url: r.finalUrl } : {};
    amendReport(run, { upstream: { ...run.report.upstream, ...finalUrl, checksum: `${algorithm}:${digest}`, size_bytes: r.bytes } });
    const detail = `${r.bytes} bytes, ${algorithm}:${digest}${expected !== undefined ? ' verified' : ' (unverified)'}`;
    const unchanged = expected === undefined ? decide(run, `${algorithm}:${digest}`) : undefined;
    return { detail, ...unchanged };
  },
};

function pinnedAlgorithm(checksum: string | undefined): RunnerChecksumAlgorithm | undefined {
  return checksum === undefined ? undefined : (checksum.slice(0, checksum.indexOf(':')) as RunnerChecksumAlgorithm);
}

/**
 * The upstream file must be a self-contained qcow2 or raw image (ISOs are raw): never text (an
 * HTML page a mirror or captive portal served), never another format, never a qcow2 naming other
 * files. Packer uploads it to Glance, which would not check. Returns its format.
 */
async function checkSource(file: string, name: string, opts: { qemuImg?: string; timeoutMs: number; signal: AbortSignal }): Promise<string> {
  try {
    return (await inspectImage(file, sniffFormat(file) === 'qcow2' ? 'qcow2' : 'raw', `upstream file ${name}`, opts)).format;
  } catch (e) {
    rmQuiet(file);
    throw e;
  }
}
