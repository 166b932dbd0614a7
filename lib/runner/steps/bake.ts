// bake: the baker (packer, or the image's external command) turns the source into an artifact,
// within timeouts_s.packer; on timeout or cancellation it gets time to clean up.
import * as fs from 'fs';
import * as path from 'path';
import { deadline } from '../../common';
import type { BakeRequest, BakeResult, ImageBaker } from '../baker';
import { amendReport, type BuildStep } from '../build-step';

/** How long a cancelled or timed-out bake may take to clean up before the runner goes on. */
const BAKE_CLEANUP_GRACE_MS = 180_000;

export const bakeStep: BuildStep = {
  name: 'bake',
  describe: ({ config }) => {
    const how = config.template_file !== undefined ? `packer template ${config.template_file}` : `external command ${config.external_command?.join(' ')}`;
    return [`would bake with template ${config.template} (${how}), timeout ${config.timeouts_s.packer} s`];
  },
  run: async (run) => {
    const { config } = run;
    const bakeDeadline = deadline(config.timeouts_s.packer * 1000, run.signal);
    let baked: BakeResult;
    try {
      const req = { config, sourceFile: run.sourceFile!, workDir: run.workDir, log: run.log, signal: bakeDeadline.signal, siteValues: run.siteValues };
      baked = await bakeWithin(run.options.baker, req, () =>
        bakeDeadline.timedOut ? `timed out after ${config.timeouts_s.packer} s` : 'cancelled',
      );
    } finally {
      bakeDeadline.clear();
    }
    const st = fs.statSync(baked.artifactFile, { throwIfNoEntry: false });
    if (!st || !st.isFile() || st.size === 0) throw new Error(`artifact ${baked.artifactFile} is missing or empty`);
    run.baked = baked;
    amendReport(run, { tools: { ...baked.toolVersions, ...run.report.tools } });
    return { detail: path.basename(baked.artifactFile) };
  },
};

/**
 * The baker's result, or once `req.signal` aborts an error saying why (`reason()`), raised only
 * after the baker settled (it removes temporary Glance images and its child processes) or the
 * cleanup grace ran out (a baker that hangs).
 */
async function bakeWithin(baker: ImageBaker, req: BakeRequest, reason: () => string): Promise<BakeResult> {
  const bake = baker.bake(req);
  const settled = bake.then(
    () => undefined,
    () => undefined,
  );
  return Promise.race([
    // Once aborted, the abort branch below reports (after the baker settled).
    bake.catch((error: unknown) => (req.signal.aborted ? new Promise<never>(() => undefined) : Promise.reject(error))),
    new Promise<never>((_, reject) => {
      const onAbort = (): void => {
        const error = new Error(reason());
        const grace = new Promise<void>((resolve) => setTimeout(resolve, BAKE_CLEANUP_GRACE_MS).unref());
        void Promise.race([settled, grace]).then(() => reject(error));
      };
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
}
