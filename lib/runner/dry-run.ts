// --dry-run: the steps a real run would execute for this config, each with what it would do.
// Touches nothing: no lock, no network, no files.
import * as path from 'path';
import type { BuildPlan } from './build-step';
import { lockFile } from './lock';
import { lastSuccessFile, reportFile, type RunReport } from './report';
import { buildStepsFor } from './steps';

/** Prints `[dry-run] <step>: <what it would do>` for every step; returns the (unwritten) report. */
export function dryRun(plan: BuildPlan): RunReport {
  const { config, options, id } = plan;
  const p = config.paths;
  const log = (l: string): void => options.log(`[dry-run] ${l}`);
  log(`config ${path.join(options.bundleDir, 'images', `${config.image}.json`)} is valid (${config.image}, environment ${config.environment})`);
  log(`would take lock ${lockFile(p.state, config.image)}`);
  for (const step of buildStepsFor(config)) {
    for (const line of step.describe(plan)) log(`${step.name}: ${line}`);
  }
  log(`would write ${reportFile(p.logs, config.image)}, ${path.join(p.logs, `${config.image}-${id}.log`)} and, on success, ${lastSuccessFile(p.state, config.image)}`);
  return {
    image: config.image,
    environment: config.environment,
    build_id: id,
    result: 'dry-run',
    started_at: plan.started.toISOString(),
    finished_at: plan.started.toISOString(),
    steps: [],
    upstream: { url: config.upstream.url + config.upstream.file },
    fingerprint: config.fingerprint,
    tools: {},
  };
}
