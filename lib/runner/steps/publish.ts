// store and prune: the converted file published as a dated build with its checksum files and its
// build record, the -latest names switched to it, and builds beyond keep_builds removed.
import * as path from 'path';
import { BUILD_RECORD_FORMAT, type BuildRecord, type RunnerConfig } from '../../contract';
import { amendReport, type BuildRun, type BuildStep } from '../build-step';
import { latestDirName, latestPointerName, newBuildBase, parseBuildName, planPrune, pruneBuilds, storeBuild, type StoredFile } from '../store';

export const storeStep: BuildStep = {
  name: 'store',
  describe: ({ config, started }) => {
    const ext = config.output.disk_format;
    const base = newBuildBase(config.paths.store, config.image, started);
    return [
      `would store ${path.join(config.paths.store, `${base}.${ext}`)} with ${base}.md5, ${base}.sha256 and its build record ${base}.json, make ${latestDirName(base)}/ and switch ${latestPointerName(config.image)} to it (${config.image}-latest.{${ext},md5,sha256,json} resolve through it)`,
    ];
  },
  run: async (run) => {
    const { config } = run;
    const stored = await storeBuild(config.paths.store, config.image, run.started, config.output.disk_format, run.convertedFile, run.options.storeHook, (f) =>
      buildRecord(run, f),
    );
    run.stored = stored;
    amendReport(run, { artifact: { file: stored.file, size_bytes: stored.size, md5: stored.md5, sha256: stored.sha256 } });
    run.log(`stored ${stored.file} (${stored.size} bytes, md5 ${stored.md5}) and its record ${stored.recordFile}`);
    return { detail: stored.file };
  },
};

/**
 * The record of the build being stored: its file and hashes, the report's upstream, reason and
 * tools, and the checks earlier steps passed (a failed check fails the build before the store step,
 * so a stored build's verification is always `passed`).
 */
function buildRecord(run: BuildRun, f: StoredFile): BuildRecord {
  const { config, report } = run;
  const day = f.buildId.slice(0, 8);
  const checks = run.checks ?? [];
  return {
    record_format: BUILD_RECORD_FORMAT,
    image: config.image,
    environment: config.environment,
    build_id: f.buildId,
    run_id: run.id,
    date: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`,
    finished_at: (run.options.now?.() ?? new Date()).toISOString(),
    file: f.file,
    disk_format: config.output.disk_format,
    md5: f.md5,
    sha256: f.sha256,
    size_bytes: f.size,
    upstream: {
      url: report.upstream.url,
      ...(report.upstream.final_url !== undefined ? { final_url: report.upstream.final_url } : {}),
      checksum: report.upstream.checksum!,
    },
    fingerprint: config.fingerprint,
    tools: { ...report.tools },
    reason: report.reason!,
    verification: { result: checks.length > 0 && checks.every((c) => c.result === 'passed') ? 'passed' : 'failed', checks },
  };
}

export const pruneStep: BuildStep = {
  name: 'prune',
  describe: ({ config, started }) => {
    const base = newBuildBase(config.paths.store, config.image, started);
    const promoted = config.output.keep_files.length ? ` and the ${config.output.keep_files.length} files releases name` : '';
    return [`would keep the ${config.output.keep_builds} newest builds${promoted}${describePrune(config, base)}`];
  },
  run: async (run) => {
    const { config } = run;
    const base = parseBuildName(config.image, run.stored!.file)!.base;
    const removed = pruneBuilds(config.paths.store, config.image, config.output.keep_builds, base, config.output.keep_files);
    return { detail: removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove' };
  },
};

/** What the real prune step will delete once this build is stored (and -latest names it). */
function describePrune(config: RunnerConfig, newBase: string): string {
  let drop: string[];
  try {
    drop = planPrune(config.paths.store, config.image, config.output.keep_builds, newBase, config.output.keep_files, newBase).map((b) => b.base);
  } catch {
    return '';
  }
  return drop.length ? `: would delete the builds ${drop.join(', ')}` : ': nothing to delete';
}
