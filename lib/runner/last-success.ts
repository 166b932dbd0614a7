// Whether a build runs once the upstream checksum is known, and why: the rebuild decision. A build
// runs when forced, when there is no intact last success, when upstream or template changed, and
// (policy `periodic`, the default) once per schedule period, so each period's build carries that
// period's patches. Otherwise it stops as unchanged, having downloaded nothing.

import * as fs from 'fs';
import * as path from 'path';
import { nextPeriodStart, periodName, periodStart, type BuildReason, type BuildReport, type LastSuccess, type RunnerConfig } from '../contract';
import { readLastSuccess } from './report';

/** The last success still describes what the store serves: its file exists and -latest resolves to it. */
function lastSuccessIntact(config: RunnerConfig, last: LastSuccess): boolean {
  const store = config.paths.store;
  try {
    const resolved = fs.realpathSync(path.join(store, `${config.image}-latest.${config.output.disk_format}`));
    return resolved === path.join(fs.realpathSync(store), last.file) && fs.statSync(path.join(store, last.file)).isFile();
  } catch {
    return false;
  }
}

/** What the runner decided: build (with why), or stop as unchanged at `last` (with why). */
export type RebuildDecision =
  | { readonly build: true; readonly reason: BuildReason }
  | { readonly build: false; readonly reason: BuildReason; readonly last: LastSuccess };

function local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Decides whether to build, given the upstream checksum (`<algorithm>:<hex>`) of this run. */
export function decideRebuild(config: RunnerConfig, upstreamChecksum: string, force: boolean, now: Date): RebuildDecision {
  const build = (code: BuildReason['code'], detail: string): RebuildDecision => ({ build: true, reason: { code, detail } });
  const last = readLastSuccess(config.paths.state, config.image);
  if (force) return build('forced', last ? `--force (last build ${last.build_id})` : '--force');
  if (!last) return build('first_build', 'no successful build recorded');
  if (last.upstream_checksum !== upstreamChecksum) {
    return build('upstream_changed', `upstream changed since build ${last.build_id} (${last.upstream_checksum} → ${upstreamChecksum})`);
  }
  if (last.fingerprint !== config.fingerprint) {
    return build('template_changed', `template, scripts or build settings changed since build ${last.build_id}`);
  }
  if (!lastSuccessIntact(config, last)) {
    return build('last_build_missing', `${last.file} or its -latest link is missing from the store`);
  }
  const { policy, slot } = config.rebuild;
  if (policy === 'periodic') {
    const start = periodStart(slot, now);
    const lastAt = new Date(last.finished_at);
    if (!(lastAt.getTime() >= start.getTime())) {
      return build('periodic', `${periodName(slot)} rebuild for patches: the period began ${local(start)}, build ${last.build_id} is older`);
    }
    return {
      build: false,
      last,
      reason: {
        code: 'same_period',
        detail: `build ${last.build_id} already ran in this period (since ${local(start)}) with the same upstream and template; next period ${local(nextPeriodStart(slot, now))}`,
      },
    };
  }
  return { build: false, last, reason: { code: 'no_change', detail: `upstream and template unchanged since build ${last.build_id} (policy on_change)` } };
}

/** The report's artifact for a build that stopped as unchanged: the last success's file. */
export function artifactOf(config: RunnerConfig, last: LastSuccess): NonNullable<BuildReport['artifact']> {
  const st = fs.statSync(path.join(config.paths.store, last.file), { throwIfNoEntry: false });
  return { file: last.file, size_bytes: st?.size ?? 0, md5: last.md5, sha256: last.sha256 };
}
