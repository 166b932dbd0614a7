// Benchmark: an unchanged weekly build run (`goldsmith build <image>` when neither the upstream
// checksum nor the template fingerprint changed since the last success).
//
// Sets up, in os.tmpdir(), a builder bundle with one image whose upstream (a SHA256SUMS file and a
// 64 MiB qcow2) is served by an HTTP server on 127.0.0.1, and a baker that "bakes" by converting the
// source with qemu-img (no packer, no cloud). runBuild runs once for real (download, bake, compressed
// convert, verify, store), then 5 more times one week apart: each must return `unchanged`, bake
// nothing and never request the image file. Prints the full run's time, median/min of the unchanged
// runs, their step times, and the HTTP bytes each unchanged run fetched (body and on the wire).
// Skipped (with a SKIPPED line) without qemu-img.

import execa from 'execa';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Socket } from 'net';
import * as os from 'os';
import * as path from 'path';
import { qemuImgVersion, runBuild, type BakeRequest, type BakeResult, type ImageBaker, type RunReport as BuildReport } from '../lib/runner';
import { sha256Hex } from '../lib/common';
import type { BundleManifestInput, RunnerConfigInput } from '../lib/contract';
import type { BenchResult } from './build-convert';

export type { BenchResult } from './build-convert';

const NAME = 'build-unchanged';
const MiB = 1024 * 1024;
const IMAGE = 'benchimg';
const UPSTREAM_FILE = 'cloud-generic.qcow2';
const CHECKSUM_FILE = 'SHA256SUMS';
const UNCHANGED_RUNS = 5;
const FIRST_RUN = new Date('2026-11-02T03:00:00Z');
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** The packer stand-in: converts the verified source to a qcow2 artifact in the work directory. */
class QemuImgBaker implements ImageBaker {
  calls = 0;

  async bake(req: BakeRequest): Promise<BakeResult> {
    this.calls++;
    const artifact = path.join(req.workDir, 'artifact.qcow2');
    await execa('qemu-img', ['convert', '-O', 'qcow2', req.sourceFile, artifact], { signal: req.signal } as execa.Options);
    req.log('bench baker: artifact written');
    return { artifactFile: artifact, toolVersions: { packer: '0.0.0-bench' } };
  }
}

/** Static files on 127.0.0.1 with a request log and body/wire byte counters. */
class Upstream {
  readonly requests: string[] = [];
  bodyBytes = 0;
  private readonly files = new Map<string, Buffer>();
  private readonly sockets = new Set<Socket>();
  private server!: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const url = req.url ?? '';
      this.requests.push(url);
      const body = this.files.get(url);
      if (!body) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' });
      this.bodyBytes += body.length;
      res.end(body);
    });
    this.server.on('connection', (s: Socket) => this.sockets.add(s));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Bytes written to all connections so far (headers included); closed sockets keep their count. */
  get wireBytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.bytesWritten;
    return n;
  }

  set(urlPath: string, body: Buffer): void {
    this.files.set(urlPath, body);
  }

  count(urlPath: string): number {
    return this.requests.filter((r) => r === urlPath).length;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/images/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function sha256(b: Buffer | string): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** A 64 MiB uncompressed qcow2 "cloud image": 128 MiB virtual, 32 MiB random + 32 MiB text data. */
async function makeUpstreamImage(dir: string): Promise<Buffer> {
  const raw = path.join(dir, 'upstream.raw');
  const qcow = path.join(dir, 'upstream.qcow2');
  const fd = fs.openSync(raw, 'w');
  try {
    fs.ftruncateSync(fd, 128 * MiB);
    for (let i = 0; i < 32; i++) fs.writeSync(fd, crypto.randomBytes(MiB), 0, MiB, i * 2 * MiB);
    const text = Buffer.alloc(MiB, 'goldsmith weekly build: upstream unchanged, nothing to do\n');
    for (let i = 0; i < 32; i++) fs.writeSync(fd, text, 0, MiB, (i * 2 + 1) * MiB);
  } finally {
    fs.closeSync(fd);
  }
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow]);
  const buf = fs.readFileSync(qcow);
  fs.rmSync(raw);
  fs.rmSync(qcow);
  return buf;
}

function slotAnHourAgo(): { weekday: number; hour: number; minute: number } {
  const t = new Date(Date.now() - 3600_000);
  return { weekday: t.getDay(), hour: t.getHours(), minute: t.getMinutes() };
}

function writeBundle(root: string, baseUrl: string): string {
  const bundleDir = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundleDir, 'images'), { recursive: true });
  fs.mkdirSync(path.join(bundleDir, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(bundleDir, 'templates', 'default.json'), '{}\n');
  const config: RunnerConfigInput = {
    image: IMAGE,
    environment: 'bench01',
    cloud: 'bench01-imagebuilder',
    region: 'bench01',
    upstream: { url: baseUrl, file: UPSTREAM_FILE, checksum_file: CHECKSUM_FILE, algorithm: 'sha256' },
    template: 'default',
    template_file: 'templates/default.json',
    fingerprint: sha256('bench template v1'),
    packer_vars: { image_name: `goldsmith-build-${IMAGE}`, ssh_username: 'ubuntu', flavor: 'img.zerodisk' },
    source_image: { min_ram_mb: 768, min_disk_gb: 8, efi: false, properties: { hw_disk_bus: 'scsi' } },
    output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2 },
    // The weekly slot began an hour ago: the full run is this period's build, the reruns are unchanged.
    rebuild: { policy: 'periodic', slot: slotAnHourAgo() },
    paths: {
      store: path.join(root, 'store'),
      logs: path.join(root, 'logs'),
      state: path.join(root, 'state'),
      work: path.join(root, 'state', 'work'),
    },
    timeouts_s: { download: 120, packer: 120, convert: 120 },
  };
  const configText = JSON.stringify(config, null, 2);
  fs.writeFileSync(path.join(bundleDir, 'images', `${IMAGE}.json`), configText);
  // The runner refuses files that manifest.json does not record (lib/runner/bundle-verify.ts).
  const sha = sha256Hex;
  const manifest: BundleManifestInput = {
    bundle_format: 1,
    environment: 'bench',
    images: [{ name: IMAGE, template: 'default', enabled: false, runner_config_sha256: sha(configText) }],
    templates: { default: sha(fs.readFileSync(path.join(bundleDir, 'templates', 'default.json'))) },
    scripts: {},
    paths: { store: config.paths.store, logs: config.paths.logs, state: config.paths.state },
  };
  fs.writeFileSync(path.join(bundleDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return bundleDir;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function steps(r: BuildReport): string {
  return r.steps.map((s) => `${s.name} ${(s.duration_s * 1000).toFixed(0)}`).join(', ');
}

export async function run(): Promise<BenchResult> {
  let version: string;
  try {
    version = await qemuImgVersion();
  } catch (e) {
    return { name: NAME, lines: [`SKIPPED: qemu-img not available (${(e as Error).message})`] };
  }
  const lines: string[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-bench-unchanged-'));
  const server = new Upstream();
  try {
    await server.start();
    const imagePath = `/images/${UPSTREAM_FILE}`;
    const checksumPath = `/images/${CHECKSUM_FILE}`;
    const image = await makeUpstreamImage(root);
    server.set(imagePath, image);
    server.set(checksumPath, Buffer.from(`${sha256('something else')}  other-image.qcow2\n${sha256(image)} *${UPSTREAM_FILE}\n`));
    const bundleDir = writeBundle(root, server.baseUrl);
    const baker = new QemuImgBaker();
    let log: string[] = [];
    const build = async (now: Date): Promise<{ report: BuildReport; ms: number }> => {
      log = [];
      const t0 = process.hrtime.bigint();
      const report = await runBuild({ bundleDir, image: IMAGE, baker, now: () => now, log: (l) => log.push(l) });
      return { report, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    const fail = (what: string, r: BuildReport): never => {
      throw new Error(`${what}: result ${r.result}${r.error ? ` (${r.error})` : ''}; log tail: ${log.slice(-5).join(' | ')}`);
    };

    const first = await build(FIRST_RUN);
    if (first.report.result !== 'success') fail('first (full) run', first.report);
    if (server.count(imagePath) !== 1 || baker.calls !== 1) {
      throw new Error(`first run: ${server.count(imagePath)} image requests and ${baker.calls} bakes, expected 1 each`);
    }
    lines.push(
      `qemu-img ${version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}; upstream ${(image.length / MiB).toFixed(1)} MiB qcow2 on 127.0.0.1; ` +
        `full run (download, bake, zlib convert, verify, store): ${(first.ms / 1000).toFixed(2)} s [ms: ${steps(first.report)}]`,
    );

    const times: number[] = [];
    const bodyPerRun: number[] = [];
    const wirePerRun: number[] = [];
    const requestsPerRun: number[] = [];
    let last: BuildReport | undefined;
    for (let i = 1; i <= UNCHANGED_RUNS; i++) {
      const reqs = server.requests.length;
      const body = server.bodyBytes;
      const wire = server.wireBytes;
      const r = await build(new Date(FIRST_RUN.getTime() + i * WEEK_MS));
      if (r.report.result !== 'unchanged') fail(`unchanged run ${i}`, r.report);
      const seen = server.requests.slice(reqs);
      if (seen.includes(imagePath)) throw new Error(`unchanged run ${i} requested the image file ${imagePath}`);
      if (baker.calls !== 1) throw new Error(`unchanged run ${i} baked (${baker.calls} bakes in total)`);
      times.push(r.ms);
      requestsPerRun.push(seen.length);
      bodyPerRun.push(server.bodyBytes - body);
      // the server may still be flushing the response when runBuild returns; let it settle
      await new Promise((resolve) => setImmediate(resolve));
      wirePerRun.push(server.wireBytes - wire);
      last = r.report;
    }
    if (server.count(imagePath) !== 1) throw new Error(`the image file was requested ${server.count(imagePath)} times, expected once`);

    const med = median(times);
    lines.push(
      `unchanged runs (${UNCHANGED_RUNS}, all 'unchanged', image file never requested, nothing baked): median ${med.toFixed(1)} ms, ` +
        `min ${Math.min(...times).toFixed(1)} ms (runs ${times.map((t) => t.toFixed(1)).join(', ')}) [ms: ${steps(last!)}]`,
    );
    lines.push(
      `fetched per unchanged run: ${median(requestsPerRun)} request(s) (${[...new Set(server.requests.slice(-median(requestsPerRun)))].join(', ')}), ` +
        `${median(bodyPerRun)} body bytes, ${median(wirePerRun)} bytes on the wire (vs ${image.length} bytes image download)`,
    );
    lines.push(`full run / unchanged run: ${(first.ms / med).toFixed(0)}× (unchanged = ${((med / first.ms) * 100).toFixed(2)}% of the full run)`);
    return { name: NAME, lines };
  } finally {
    await server.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
