// Test fixtures for the build runner: a bundle with one runner config in a temp dir, real small disk
// images made with qemu-img, and an upstream HTTP server on 127.0.0.1 (loopback only).

import execa from 'execa';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import type { RunBuildOptions } from '../../lib/runner';
import type { BuildReport } from '../../lib/contract';
import type { RunnerConfig } from '../../lib/contract';
import { FakeBaker } from './fake-baker';

export const IMAGE = 'testimg';
export const UPSTREAM_FILE = 'cloud-generic.qcow2';
export const DAY1 = new Date('2026-11-20T09:30:00Z');
export const DAY2 = new Date('2026-11-25T09:30:00Z');

type Route = { body: Buffer; truncateAt?: number; status?: number; headers?: Record<string, string> };

/** A tiny static HTTP server with request log and fault injection. */
export class UpstreamServer {
  readonly requests: string[] = [];
  private readonly routes = new Map<string, Route>();
  private server!: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const route = this.routes.get(req.url ?? '');
      if (!route) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
      res.writeHead(route.status ?? 200, { 'Content-Length': String(route.body.length), 'Content-Type': 'application/octet-stream', ...route.headers });
      if (route.truncateAt !== undefined) {
        res.write(route.body.subarray(0, route.truncateAt), () => {
          setTimeout(() => res.destroy(), 20);
        });
        return;
      }
      res.end(route.body);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  set(urlPath: string, route: Route): void {
    this.routes.set(urlPath, route);
  }

  count(urlPath: string): number {
    return this.requests.filter((r) => r === urlPath).length;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/images/`;
  }
}

/** manifest.json (lib/contract/manifest.ts format) recording every file of a test bundle. */
export function writeTestManifest(bundleDir: string): void {
  const hashes = (sub: string, strip: RegExp): Record<string, string> => {
    const dir = path.join(bundleDir, sub);
    if (!fs.existsSync(dir)) return {};
    return Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n.replace(strip, ''), sha256(fs.readFileSync(path.join(dir, n)))]));
  };
  const images = Object.entries(hashes('images', /\.json$/)).map(([name, sha]) => {
    let template = 'default';
    try {
      template = JSON.parse(fs.readFileSync(path.join(bundleDir, 'images', `${name}.json`), 'utf8')).template ?? template;
    } catch {
      // tests of invalid JSON: the manifest still records the file's hash
    }
    return { name, template, enabled: false, runner_config_sha256: sha };
  });
  const manifest = {
    bundle_format: 1,
    environment: 'test01',
    images,
    templates: hashes('templates', /\.json$/),
    scripts: hashes('scripts', /$^/),
    paths: { store: '/s', logs: '/l', state: '/st' },
  };
  fs.writeFileSync(path.join(bundleDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

export function sha256(b: Buffer | string): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

export function md5(b: Buffer | string): string {
  return crypto.createHash('md5').update(b).digest('hex');
}

/** A qcow2 "cloud image": 8 MiB virtual, its first 4 MiB random (incompressible) data. */
export async function makeUpstreamImage(dir: string, name = 'upstream'): Promise<Buffer> {
  fs.mkdirSync(dir, { recursive: true });
  const raw = path.join(dir, `${name}.raw`);
  const qcow = path.join(dir, `${name}.qcow2`);
  await execa('qemu-img', ['create', '-f', 'raw', raw, '8M']);
  const fd = fs.openSync(raw, 'r+');
  try {
    fs.writeSync(fd, crypto.randomBytes(4 * 1024 * 1024), 0, undefined, 0);
    // some compressible data too
    fs.writeSync(fd, Buffer.alloc(1024 * 1024, 'goldsmith '), 0, undefined, 4 * 1024 * 1024);
  } finally {
    fs.closeSync(fd);
  }
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow]);
  const buf = fs.readFileSync(qcow);
  fs.rmSync(raw);
  fs.rmSync(qcow);
  return buf;
}

export interface Fixture {
  readonly root: string;
  readonly bundleDir: string;
  readonly server: UpstreamServer;
  config: RunnerConfig;
  upstream: Buffer;
  readonly imagePath: string;
  readonly checksumPath: string;
  /** Writes images/<IMAGE>.json and a manifest.json recording it (as synth would). */
  writeConfig(patch?: (c: Record<string, any>) => void): void;
  /** Rewrites manifest.json from the bundle's current images, templates and scripts. */
  writeManifest(): void;
  /** Serve a new upstream image with a matching SHA256SUMS. */
  setUpstream(buf: Buffer, opts?: { checksumText?: string; truncateAt?: number }): void;
  close(): Promise<void>;
}

export async function createFixture(): Promise<Fixture> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-build-'));
  const bundleDir = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundleDir, 'images'), { recursive: true });
  fs.mkdirSync(path.join(bundleDir, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(bundleDir, 'templates', 'default.json'), '{}\n');
  const server = new UpstreamServer();
  await server.start();
  const imagePath = `/images/${UPSTREAM_FILE}`;
  const checksumPath = '/images/SHA256SUMS';
  const base = (): Record<string, any> => ({
    image: IMAGE,
    environment: 'test01',
    cloud: 'test01-imagebuilder',
    region: 'test01',
    upstream: { url: server.baseUrl, file: UPSTREAM_FILE, checksum_file: 'SHA256SUMS', algorithm: 'sha256' },
    template: 'default',
    template_file: 'templates/default.json',
    fingerprint: sha256('template v1'),
    packer_vars: { image_name: `goldsmith-build-${IMAGE}`, ssh_username: 'ubuntu', flavor: 'img.zerodisk' },
    source_image: { min_ram_mb: 768, min_disk_gb: 8, efi: false, properties: { hw_disk_bus: 'scsi' } },
    output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2 },
    // Monthly from the first Monday (2026-11-02 to 2026-12-07): DAY1 and DAY2 share one period.
    rebuild: { policy: 'periodic', slot: { weekday: 1, hour: 0, minute: 0, week_of_month: 1 } },
    paths: {
      store: path.join(root, 'store'),
      logs: path.join(root, 'logs'),
      state: path.join(root, 'state'),
      work: path.join(root, 'state', 'work'),
    },
    timeouts_s: { download: 60, packer: 60, convert: 60 },
  });
  const fx: Fixture = {
    root,
    bundleDir,
    server,
    config: base() as RunnerConfig,
    upstream: Buffer.alloc(0),
    imagePath,
    checksumPath,
    writeConfig(patch) {
      const c = base();
      patch?.(c);
      fs.writeFileSync(path.join(bundleDir, 'images', `${IMAGE}.json`), JSON.stringify(c, null, 2));
      fx.config = c as RunnerConfig;
      fx.writeManifest();
    },
    writeManifest() {
      writeTestManifest(bundleDir);
    },
    setUpstream(buf, opts = {}) {
      fx.upstream = buf;
      server.set(imagePath, { body: buf, truncateAt: opts.truncateAt });
      const text =
        opts.checksumText ??
        [
          `${sha256('something else')}  other-image.qcow2`,
          `${sha256(buf)} *${UPSTREAM_FILE}`,
          `${sha256('older')}  ${UPSTREAM_FILE}.old`,
          '',
        ].join('\n');
      server.set(checksumPath, { body: Buffer.from(text) });
    },
    async close() {
      await server.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  fx.writeConfig();
  fx.setUpstream(await makeUpstreamImage(path.join(root, 'src')));
  return fx;
}

/** runBuild options for the fixture's image on DAY2 with a FakeBaker; `lines` collects the log. */
export function runOptions(fx: Fixture, extra: Partial<RunBuildOptions> = {}): RunBuildOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    bundleDir: fx.bundleDir,
    image: IMAGE,
    baker: new FakeBaker(),
    now: () => DAY2,
    retry: { attempts: 3, backoffMs: 5 },
    log: (l) => lines.push(l),
    ...extra,
    lines,
  };
}

/** The image's report file in the fixture's log directory. */
export function readReport(fx: Fixture): BuildReport {
  return JSON.parse(fs.readFileSync(path.join(fx.config.paths.logs, `${IMAGE}-report.json`), 'utf8'));
}

/** The message `p` rejects with; throws when it resolves. */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the bake to fail');
}

/** Whether no process `pid` exists (signal 0 fails). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The exact store listing (sorted) after qcow2 builds of IMAGE on `days` (YYYYMMDD, or YYYYMMDD-n):
 * each day's image, .md5, .sha256, .json (build record) and `.<image>-<day>.latest/`, plus the four
 * -latest links and the pointer `.<image>-latest`.
 */
export function storeFiles(...days: string[]): string[] {
  return [
    ...[...days, 'latest'].flatMap((d) => ['json', 'md5', 'qcow2', 'sha256'].map((ext) => `${IMAGE}-${d}.${ext}`)),
    ...days.map((d) => `.${IMAGE}-${d}.latest`),
    `.${IMAGE}-latest`,
  ].sort();
}

/** The build (base name) a store name resolves to, following every symlink; undefined when it does not resolve. */
export function resolvedBase(store: string, name: string): string | undefined {
  try {
    return path.basename(fs.realpathSync(path.join(store, name))).replace(/\.(qcow2|raw|md5|sha256|json)$/, '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The build the -latest trio resolves to. Throws when the three names resolve to different builds
 * (or some of them to nothing): a mixed trio. undefined when none resolves. `-latest.json` must
 * resolve to the record of that build (its `file`, `md5` and `sha256` those of the build), or to
 * nothing when that build has no record.
 */
export function latestTrio(store: string, ext = 'qcow2', image = IMAGE): string | undefined {
  const got = [ext, 'md5', 'sha256'].map((e) => resolvedBase(store, `${image}-latest.${e}`));
  if (got.every((b) => b === undefined)) return undefined;
  if (got.some((b) => b !== got[0])) throw new Error(`mixed -latest trio: ${ext} ${got[0]}, md5 ${got[1]}, sha256 ${got[2]}`);
  // the files resolved are the build's own: the checksum files name the image file
  for (const e of ['md5', 'sha256']) {
    const text = fs.readFileSync(path.join(store, `${got[0]}.${e}`), 'utf8');
    if (!text.endsWith(`  ${got[0]}.${ext}\n`)) throw new Error(`${got[0]}.${e} does not name ${got[0]}.${ext}: ${text}`);
  }
  const record = resolvedBase(store, `${image}-latest.json`);
  const hasRecord = fs.existsSync(path.join(store, `${got[0]}.json`));
  if (record !== (hasRecord ? got[0] : undefined)) throw new Error(`-latest.json resolves to ${record ?? 'nothing'}, the trio to ${got[0]}`);
  if (hasRecord) {
    const r = JSON.parse(fs.readFileSync(path.join(store, `${image}-latest.json`), 'utf8'));
    const sum = (e: string): string => fs.readFileSync(path.join(store, `${image}-latest.${e}`), 'utf8').split(' ')[0];
    if (r.file !== `${got[0]}.${ext}` || r.md5 !== sum('md5') || r.sha256 !== sum('sha256')) throw new Error(`-latest.json does not describe ${got[0]}.${ext}`);
  }
  return got[0];
}

/** The layout of the -latest names: static top-level links through the pointer, which names `.<base>.latest/`. */
export function expectLatestLayout(store: string, base: string, ext = 'qcow2', image = IMAGE): void {
  for (const e of [ext, 'md5', 'sha256', 'json']) {
    if (fs.readlinkSync(path.join(store, `${image}-latest.${e}`)) !== `.${image}-latest/image.${e}`) throw new Error(`${image}-latest.${e} is not the static link`);
    if (fs.readlinkSync(path.join(store, `.${base}.latest`, `image.${e}`)) !== `../${base}.${e}`) throw new Error(`.${base}.latest/image.${e} is wrong`);
  }
  if (fs.readlinkSync(path.join(store, `.${image}-latest`)) !== `.${base}.latest`) throw new Error(`.${image}-latest does not name .${base}.latest`);
  if (latestTrio(store, ext, image) !== base) throw new Error(`the trio does not resolve to ${base}`);
}

/** Names and sha256 of every entry in a directory (symlinks as `-> target`). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) out[name] = `-> ${fs.readlinkSync(p)}`;
    else if (st.isFile()) out[name] = sha256(fs.readFileSync(p));
    else out[name] = 'dir';
  }
  return out;
}

/** Every file under `dir` with size and mtime, for "touched nothing" assertions. */
export function deepListing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** A qemu-img wrapper script: `convert` (or `compare`) fails, or convert sleeps after writing. */
export function writeQemuImgShim(dir: string, mode: 'fail-convert' | 'fail-compare' | 'slow-convert' | 'hang-convert', startedFile?: string): string {
  const real = execa.sync('sh', ['-c', 'command -v qemu-img']).stdout.trim();
  const shim = path.join(dir, `qemu-img-${mode}`);
  const body: Record<typeof mode, string> = {
    'fail-convert': `if [ "$1" = convert ]; then echo "qemu-img: Could not open: fake failure" >&2; exit 1; fi`,
    'fail-compare': `if [ "$1" = compare ]; then echo "Content mismatch at offset 0!"; exit 1; fi`,
    'hang-convert': `if [ "$1" = convert ]; then exec sleep 60; fi`,
    'slow-convert': `if [ "$1" = convert ]; then "${real}" "$@" || exit $?; touch "${startedFile}"; exec sleep 60; fi`,
  };
  fs.writeFileSync(shim, `#!/bin/sh\n${body[mode]}\nexec "${real}" "$@"\n`, { mode: 0o755 });
  return shim;
}
