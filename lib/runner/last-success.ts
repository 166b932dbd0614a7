// Deciding `unchanged`: the upstream checksum and the fingerprint equal the last success, and the
// store still serves that build.

import * as fs from 'fs';
import * as path from 'path';
import type { BuildReport, LastSuccess, RunnerConfig } from '../contract';
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

/** The last success when nothing changed since it (and it is still served); undefined: build. */
export function unchangedSince(config: RunnerConfig, upstreamChecksum: string, force: boolean, log: (line: string) => void): LastSuccess | undefined {
  const last = readLastSuccess(config.paths.state, config.image);
  if (!last) return undefined;
  if (last.upstream_checksum !== upstreamChecksum || last.fingerprint !== config.fingerprint) return undefined;
  if (force) {
    log(`upstream and template unchanged since build ${last.build_id}, rebuilding (--force)`);
    return undefined;
  }
  if (!lastSuccessIntact(config, last)) {
    log(`upstream and template unchanged, but ${last.file} or its -latest link is missing; rebuilding`);
    return undefined;
  }
  return last;
}

/** The report's artifact for a build that stopped as unchanged: the last success's file. */
export function artifactOf(config: RunnerConfig, last: LastSuccess): NonNullable<BuildReport['artifact']> {
  const st = fs.statSync(path.join(config.paths.store, last.file), { throwIfNoEntry: false });
  return { file: last.file, size_bytes: st?.size ?? 0, md5: last.md5, sha256: last.sha256 };
}
