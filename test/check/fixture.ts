// A builder bundle with check configs (manifest.json + checks/<image>.json, as the bundle writer
// lays them out) and the runner's directories, in a temporary directory.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { canonicalJson, sha256Hex } from '../../lib/common';
import { BundleManifestSchema, parseCheckConfig, parseContract, type CheckConfigInput } from '../../lib/contract';

export interface CheckFixture {
  readonly root: string;
  readonly bundle: string;
  readonly logs: string;
  readonly state: string;
  /** Writes `<logs>/<image>-report.json`. */
  report(image: string, report: Record<string, unknown> | string): void;
  /** Writes `<state>/<image>.last-success.json`. */
  lastSuccess(image: string, finishedAt: Date): void;
  cleanup(): void;
}

/** `checks` by image: the check config without `image`, `environment` and `paths` (filled in). */
export function checkFixture(checks: Record<string, Partial<CheckConfigInput>>, environment = 'bgo'): CheckFixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-check-'));
  const bundle = path.join(root, 'bundle');
  const logs = path.join(root, 'logs');
  const state = path.join(root, 'state');
  for (const dir of [path.join(bundle, 'checks'), logs, state]) fs.mkdirSync(dir, { recursive: true });
  const shas: Record<string, string> = {};
  for (const [image, over] of Object.entries(checks)) {
    const config = parseCheckConfig(
      {
        image,
        environment,
        schedule: { enabled: true, slot: { weekday: 3, hour: 9, minute: 40 } },
        grace_s: 86400,
        running_limit_s: 18000,
        eol_warning_days: 90,
        paths: { logs, state },
        ...over,
      },
      image,
    );
    const text = canonicalJson(config);
    fs.writeFileSync(path.join(bundle, 'checks', `${image}.json`), text);
    shas[image] = sha256Hex(text);
  }
  const manifest = parseContract(
    BundleManifestSchema,
    {
      bundle_format: 1,
      environment,
      images: [],
      templates: {},
      scripts: {},
      paths: { store: path.join(root, 'store'), logs, state },
      checks: shas,
    },
    'manifest.json',
  );
  fs.writeFileSync(path.join(bundle, 'manifest.json'), canonicalJson(manifest));
  return {
    root,
    bundle,
    logs,
    state,
    report(image, report) {
      fs.writeFileSync(path.join(logs, `${image}-report.json`), typeof report === 'string' ? report : JSON.stringify(report, null, 2));
    },
    lastSuccess(image, finishedAt) {
      const last = {
        image,
        build_id: '20261104',
        finished_at: finishedAt.toISOString(),
        upstream_checksum: `sha256:${'a'.repeat(64)}`,
        fingerprint: 'f'.repeat(64),
        file: `${image}-20261104.qcow2`,
        md5: '0'.repeat(32),
        sha256: '0'.repeat(64),
      };
      fs.writeFileSync(path.join(state, `${image}.last-success.json`), JSON.stringify(last, null, 2));
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A runner report of `image`. */
export function runnerReport(image: string, result: string, started: Date, finished?: Date, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image,
    environment: 'bgo',
    build_id: '20261111T084000Z',
    result,
    started_at: started.toISOString(),
    ...(finished ? { finished_at: finished.toISOString() } : {}),
    steps: [],
    upstream: { url: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img' },
    fingerprint: 'f'.repeat(64),
    tools: {},
    ...over,
  };
}
