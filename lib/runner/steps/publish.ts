// store and prune: the converted file published as a dated build with its checksum files, the
// -latest trio switched to it, and builds beyond keep_builds removed.
import * as path from 'path';
import type { RunnerConfig } from '../../contract';
import { amendReport, type BuildStep } from '../build-step';
import { latestDirName, latestPointerName, newBuildBase, parseBuildName, planPrune, pruneBuilds, storeBuild } from '../store';

export const storeStep: BuildStep = {
  name: 'store',
  describe: ({ config, started }) => {
    const ext = config.output.disk_format;
    const base = newBuildBase(config.paths.store, config.image, started);
    return [
      `would store ${path.join(config.paths.store, `${base}.${ext}`)} with ${base}.md5 and ${base}.sha256, make ${latestDirName(base)}/ and switch ${latestPointerName(config.image)} to it (${config.image}-latest.{${ext},md5,sha256} resolve through it)`,
    ];
  },
  run: async (run) => {
    const { config } = run;
    const stored = await storeBuild(config.paths.store, config.image, run.started, config.output.disk_format, run.convertedFile, run.options.storeHook);
    run.stored = stored;
    amendReport(run, { artifact: { file: stored.file, size_bytes: stored.size, md5: stored.md5, sha256: stored.sha256 } });
    run.log(`stored ${stored.file} (${stored.size} bytes, md5 ${stored.md5})`);
    return { detail: stored.file };
  },
};

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
