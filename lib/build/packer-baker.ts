// The real ImageBaker: the packer/Nova/Glance boundary of the build runner.
//
//   1. upload the verified upstream file as a temporary private Glance image
//      `goldsmith-source-<image>-<run id>` (tag goldsmith-temporary) and wait until it is active;
//   2. `packer build` the bundle's template for the image (argv via execa, never a shell string),
//      with a timeout, every output line to the build log and <workDir>/packer.log, cancellable;
//   3. read packer's manifest (`builds[last].artifact_id`, the Glance id of the snapshot packer
//      made, possibly prefixed `<region>:`) and download that image into <workDir>/artifact.<ext>;
//   4. always (finally) delete the temporary source image, the artifact image, and any temporary
//      images an earlier, killed run of the same image left behind (also swept before step 1).
//
// Run id: `<build id>-<8 hex>`, the build id taken from the work directory the runner hands us
// (`<image>-<YYYYMMDDTHHMMSSZ>`), so Glance names can be matched to build logs. The sweep only
// touches images whose full name matches `goldsmith-(source|artifact)-<image>-<run id>` exactly
// (and, for sources, carry the goldsmith-temporary tag). It relies on the per-image build lock:
// two builders building the same image into the same Glance project at once would sweep each
// other's temporaries (the environments of the catalog each use their own project).
//
// Network: packer's openstack builder takes network UUIDs, the bundle names the network
// (packer_vars.network, e.g. `imagebuilder`). A name is resolved to its id through Neutron (the
// `network` endpoint of the same Keystone catalog as Glance) before anything is created; exactly
// one network of that name must be visible. A UUID is passed through.
//
// On timeout or cancellation packer gets SIGINT first (it then deletes its build instance and
// keypair itself), and SIGKILL after a grace period. Packer runs in its own process group so the
// kill reaches its plugin processes too (runInProcessGroup, shared with the ExternalBaker).

import { randomBytes } from 'crypto';
import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import type { CreateImageInput, GlanceClient, GlanceImage } from '../openstack/glance';
import { isUuid } from '../openstack/neutron';
import type { BakeRequest, BakeResult, ImageBaker } from './baker';
import { runInProcessGroup } from './child-process';
import type { RunnerConfig } from './runner-config';
import { oneLine, reEscape } from './util';

/** The Glance calls the baker makes (GlanceClient has them; tests may pass any implementation). */
export type BakerGlance = Pick<
  GlanceClient,
  'createImage' | 'uploadFile' | 'waitForStatus' | 'downloadToFile' | 'deleteImage' | 'listImages' | 'getImage'
>;

/** Network name -> Neutron id for the image's cloud (throws a one-line error for none/many). */
export type NetworkIdResolver = (config: RunnerConfig, name: string, signal: AbortSignal) => Promise<string>;

/** A Glance client, or a factory called once per bake with the image's runner config. */
export type BakerGlanceSource = BakerGlance | ((config: RunnerConfig) => BakerGlance | Promise<BakerGlance>);

export interface PackerBakerOptions {
  /** The installed builder bundle: `config.template_file` is relative to it; packer runs in it. */
  readonly bundleDir: string;
  /**
   * Glance of the image's cloud. Default: `glanceForCloud(config.cloud, config.region)` from
   * lib/openstack (clouds.yaml + Keystone).
   */
  readonly glance?: BakerGlanceSource;
  /**
   * Resolves a packer_vars.network that is not a UUID to the network's id. Default: Neutron of the
   * image's cloud, from the same Keystone session as the default Glance. When `glance` is given
   * but this is not (test doubles of Glance have no Neutron), names are passed to packer as they
   * are, with a log line saying so.
   */
  readonly networkId?: NetworkIdResolver;
  /** packer binary (default 'packer' from PATH). */
  readonly packer?: string;
  /** Base environment of packer (default process.env); OS_CLOUD etc. are set on top. */
  readonly env?: NodeJS.ProcessEnv;
  /** After SIGINT on timeout/cancel, SIGKILL packer after this long (default 120 s). */
  readonly killGraceMs?: number;
  /** Source upload and artifact download, each (default: config.timeouts_s.download). */
  readonly transferTimeoutMs?: number;
  /** Waiting for an image to turn active (default 10 min). */
  readonly activeTimeoutMs?: number;
  /** `packer version` (default 60 s). */
  readonly versionTimeoutMs?: number;
  /** Clock for the run id when the work directory does not carry a build id (tests). */
  readonly now?: () => Date;
}

/** Tag of every temporary image goldsmith creates itself. */
export const TEMPORARY_TAG = 'goldsmith-temporary';
export const SOURCE_PREFIX = 'goldsmith-source-';
export const ARTIFACT_PREFIX = 'goldsmith-artifact-';

const BUILD_ID_RE = /^\d{8}T\d{6}Z$/;
const RUN_ID_PATTERN = '\\d{8}T\\d{6}Z-[0-9a-f]{8}';

/** Names of the temporary Glance images of one run. */
export function temporaryImageNames(image: string, runId: string): { source: string; artifact: string } {
  return { source: `${SOURCE_PREFIX}${image}-${runId}`, artifact: `${ARTIFACT_PREFIX}${image}-${runId}` };
}

/** Matches the temporary image names of any run of `image` (and of no other image). */
export function temporaryNameRe(image: string): RegExp {
  return new RegExp(`^goldsmith-(source|artifact)-${reEscape(image)}-${RUN_ID_PATTERN}$`);
}

/** `<build id>-<8 hex>`; the build id from `<image>-<build id>` work directories, else from `now`. */
export function runIdFor(image: string, workDir: string, now: Date): string {
  const base = path.basename(workDir);
  const prefix = `${image}-`;
  const fromDir = base.startsWith(prefix) ? base.slice(prefix.length) : '';
  const buildId = BUILD_ID_RE.test(fromDir) ? fromDir : now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${buildId}-${randomBytes(4).toString('hex')}`;
}

/** qcow2 when the file starts with the qcow2 magic `QFI\xfb`, else raw. */
export function detectDiskFormat(file: string): 'qcow2' | 'raw' {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const n = fs.readSync(fd, buf, 0, 4, 0);
    return n === 4 && buf.equals(Buffer.from([0x51, 0x46, 0x49, 0xfb])) ? 'qcow2' : 'raw';
  } finally {
    fs.closeSync(fd);
  }
}

const PACKER_VAR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Throws unless every packer variable is safe to pass as `-var name=value`: packer expands `{{ }}`
 * in variable values (`{{env \`OS_PASSWORD\`}}` would hand builder secrets to the build VM), so no
 * value may contain `{{` or `}}`, and none may contain control characters.
 */
export function checkPackerVars(vars: Readonly<Record<string, string | number | boolean>>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!PACKER_VAR_NAME_RE.test(k)) throw new Error(`packer variable name ${JSON.stringify(k)} is not [A-Za-z_][A-Za-z0-9_-]*; refusing it`);
    const value = String(v);
    if (value.includes('{{') || value.includes('}}')) throw new Error(`packer variable ${k} contains a template expression ({{ or }}); refusing it`);
    if (/[\x00-\x1f\x7f]/.test(value)) throw new Error(`packer variable ${k} contains a control character; refusing it`);
  }
}

/**
 * The `packer build` argument list (without the binary): runner-config packer_vars, then the three
 * variables the baker owns (source_image, image_name, manifest_path), which replace packer_vars
 * entries of the same name (those are never passed); each variable once, in that order; the
 * template last. `own.network` (the resolved network id) replaces packer_vars.network in place.
 */
export function packerBuildArgs(
  config: RunnerConfig,
  own: { sourceImage: string; imageName: string; manifestPath: string; network?: string },
  templateFile: string,
): string[] {
  const vars = new Map<string, string>();
  for (const [k, v] of Object.entries(config.packer_vars)) vars.set(k, String(v));
  if (own.network !== undefined) vars.set('network', own.network);
  const owned: [string, string][] = [
    ['source_image', own.sourceImage],
    ['image_name', own.imageName],
    ['manifest_path', own.manifestPath],
  ];
  for (const [k] of owned) vars.delete(k);
  for (const [k, v] of owned) vars.set(k, v);
  const args = ['build', '-color=false'];
  checkPackerVars(Object.fromEntries(vars));
  for (const [k, v] of vars) args.push('-var', `${k}=${v}`);
  args.push(templateFile);
  return args;
}

/** Environment of packer: the base plus the cloud selection and no colour, no checkpoint calls. */
export function packerEnv(config: RunnerConfig, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    OS_CLOUD: config.cloud,
    OS_REGION_NAME: config.region,
    PACKER_NO_COLOR: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

/**
 * The line that best says why a packer build failed: the `--> <build>: <error>` summary (as
 * `<build>: <error>`), else a
 * `Build '<name>' errored: ...` line, else packer's own `Error: ...` block (with its `* ...` items,
 * wrapped lines joined), else the last line mentioning an error, else the last line.
 */
export function packerErrorLine(lines: readonly string[]): string {
  const ls = lines.map((l) => l.trim()).filter(Boolean);
  const pick = (re: RegExp): string | undefined => [...ls].reverse().find((l) => re.test(l));
  const summary = pick(/^--> \S+: /);
  if (summary) return summary.slice(4);
  const errored = pick(/^Build '.*' errored/);
  if (errored) return errored;
  // packer's own `Error: <head>` block: `* <item>` lines, wrapped items continued on the next
  // line; a blank line or a `==>` line ends an item.
  const raw = lines.map((l) => l.trim());
  const start = raw.map((l) => /^Error:/.test(l)).lastIndexOf(true);
  if (start >= 0) {
    const head = raw[start].replace(/^Error:\s*/, '');
    const items: string[] = [];
    let open = false;
    for (const l of raw.slice(start + 1)) {
      if (l === '' || /^\d+ error(s|\(s\))? occurred:?$/.test(l)) {
        open = false;
        continue;
      }
      if (l.startsWith('* ')) {
        items.push(l.slice(2));
        open = true;
      } else if (open && !/^(==>|-->)/.test(l)) {
        items[items.length - 1] += ` ${l}`;
      } else {
        break;
      }
    }
    const text = [head, items.join('; ')].filter(Boolean).join(': ');
    if (text) return text;
  }
  return pick(/\berror/i) ?? ls[ls.length - 1] ?? '(no output)';
}

/** The Glance image id of the last build in a packer manifest; `<region>:` prefixes are dropped. */
export function manifestArtifactId(manifestFile: string): string {
  let text: string;
  try {
    text = fs.readFileSync(manifestFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `packer wrote no manifest (${manifestFile})` : `cannot read packer manifest ${manifestFile}: ${oneLine(e)}`);
  }
  let j: { builds?: { artifact_id?: unknown }[] };
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`packer manifest ${manifestFile} is not JSON: ${oneLine(e)}`);
  }
  const builds = Array.isArray(j?.builds) ? j.builds : [];
  const raw = builds.length > 0 ? builds[builds.length - 1]?.artifact_id : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error('packer manifest has no artifact id');
  const id = raw.trim().slice(raw.trim().lastIndexOf(':') + 1);
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`packer manifest artifact id ${JSON.stringify(raw)} is not a Glance image id`);
  return id;
}

class Cancelled extends Error {}

/** Rejects when `signal` aborts; the losing promise's rejection is swallowed. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  p.catch(() => undefined);
  if (signal.aborted) return Promise.reject(new Cancelled(`${what} cancelled`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Cancelled(`${what} cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function artifactExt(diskFormat: string | null | undefined): string {
  if (diskFormat && /^[a-z0-9]+$/.test(diskFormat)) return diskFormat;
  return 'img';
}

export class PackerBaker implements ImageBaker {
  readonly packer: string;

  constructor(private readonly opts: PackerBakerOptions) {
    this.packer = opts.packer ?? 'packer';
  }

  async bake(req: BakeRequest): Promise<BakeResult> {
    const { config, log, signal } = req;
    const image = config.image;
    if (signal.aborted) throw new Error('bake cancelled');

    if (config.template_file === undefined) throw new Error(`${image} has no packer template_file (an external_command image needs the ExternalBaker)`);
    const templateFile = path.resolve(this.opts.bundleDir, config.template_file);
    if (!fs.existsSync(templateFile)) throw new Error(`packer template ${templateFile} not found`);
    const baseEnv = this.opts.env ?? process.env;
    const env = packerEnv(config, baseEnv);

    const packerVersion = await this.version(env);
    log(`packer ${packerVersion} (${this.packer})`);

    const { glance, networkId } = await this.openstackFor(config);
    const network = await this.resolveNetwork(config, networkId, log, signal);
    const runId = runIdFor(image, req.workDir, (this.opts.now ?? (() => new Date()))());
    const names = temporaryImageNames(image, runId);
    const transferMs = this.opts.transferTimeoutMs ?? config.timeouts_s.download * 1000;
    const activeMs = this.opts.activeTimeoutMs ?? 600_000;
    /** Images this run knows it created (id -> name); deleted in finally. */
    const created = new Map<string, string>();

    await this.sweep(glance, image, runId, new Map(), log);
    try {
      // 1. the source as a temporary private image
      const diskFormat = detectDiskFormat(req.sourceFile);
      const input: CreateImageInput = {
        name: names.source,
        diskFormat,
        containerFormat: 'bare',
        visibility: 'private',
        minRamMb: config.source_image.min_ram_mb,
        minDiskGb: config.source_image.min_disk_gb,
        properties: { ...config.source_image.properties },
        tags: [TEMPORARY_TAG],
      };
      const source = await raceAbort(this.glanceStep('creating the temporary source image', () => glance.createImage(input)), signal, 'bake');
      created.set(source.id, names.source);
      const size = fs.statSync(req.sourceFile).size;
      log(`uploading ${path.basename(req.sourceFile)} (${diskFormat}, ${size} bytes) as temporary image ${names.source} (${source.id})`);
      await raceAbort(
        this.glanceStep('uploading the source image', async () => {
          await glance.uploadFile(source.id, req.sourceFile, { timeoutMs: transferMs });
          await glance.waitForStatus(source.id, 'active', { timeoutMs: activeMs });
        }),
        signal,
        'bake',
      );
      log(`temporary source image ${source.id} is active`);

      // 2. packer build
      const manifestPath = path.join(req.workDir, 'packer-manifest.json');
      fs.rmSync(manifestPath, { force: true });
      const args = packerBuildArgs(config, { sourceImage: source.id, imageName: names.artifact, manifestPath, network }, templateFile);
      await this.runPacker(args, env, req, config.timeouts_s.packer);

      // 3. the artifact
      const artifactId = manifestArtifactId(manifestPath);
      const artifact = await raceAbort(
        this.glanceStep(`looking up artifact image ${artifactId}`, () => glance.getImage(artifactId)),
        signal,
        'bake',
      );
      if (artifact.name !== names.artifact) {
        // Never delete (or ship) an image that is not the one this run asked packer to make.
        throw new Error(`packer manifest artifact ${artifactId} is image ${JSON.stringify(artifact.name)}, expected ${names.artifact}`);
      }
      created.set(artifactId, names.artifact);
      const active = await raceAbort(
        this.glanceStep(`waiting for artifact image ${artifactId}`, () => glance.waitForStatus(artifactId, 'active', { timeoutMs: activeMs })),
        signal,
        'bake',
      );
      const artifactFile = path.join(req.workDir, `artifact.${artifactExt(active.disk_format)}`);
      log(`downloading artifact image ${names.artifact} (${artifactId}, ${active.disk_format}, ${active.size ?? '?'} bytes)`);
      const dl = await raceAbort(
        this.glanceStep(`downloading artifact image ${artifactId}`, () => glance.downloadToFile(artifactId, artifactFile, { timeoutMs: transferMs })),
        signal,
        'bake',
      );
      log(`downloaded ${path.basename(artifactFile)}: ${dl.bytes} bytes, md5 ${dl.md5}`);
      return { artifactFile, toolVersions: { packer: packerVersion }, ...(active.disk_format ? { format: active.disk_format } : {}) };
    } catch (e) {
      if (e instanceof Cancelled) throw new Error(e.message);
      throw e;
    } finally {
      await this.sweep(glance, image, runId, created, log);
    }
  }

  /** Glance and the network resolver: given ones, or both from one session of the image's cloud. */
  private async openstackFor(config: RunnerConfig): Promise<{ glance: BakerGlance; networkId?: NetworkIdResolver }> {
    const g = this.opts.glance;
    try {
      if (g === undefined) {
        const { openStackSession } = await import('../openstack');
        const session = openStackSession(config.cloud, config.region);
        const glance = await session.glance();
        return { glance, networkId: this.opts.networkId ?? ((_c, name, signal) => session.networkId(name, { signal })) };
      }
      return { glance: typeof g === 'function' ? await g(config) : g, networkId: this.opts.networkId };
    } catch (e) {
      throw new Error(`cannot reach Glance of cloud ${config.cloud} (${config.region}): ${oneLine(e)}`);
    }
  }

  /** The network id for packer: undefined when packer_vars has no network or it is already a UUID. */
  private async resolveNetwork(
    config: RunnerConfig,
    resolver: NetworkIdResolver | undefined,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const raw = config.packer_vars.network;
    if (raw === undefined) return undefined;
    const name = String(raw);
    if (isUuid(name)) return undefined;
    if (!resolver) {
      log(`network ${JSON.stringify(name)} is not an id and no network resolver is configured: passed to packer as it is`);
      return undefined;
    }
    let id: string;
    try {
      id = await raceAbort(resolver(config, name, signal), signal, 'bake');
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      throw new Error(`cannot resolve network ${JSON.stringify(name)} of cloud ${config.cloud} (${config.region}): ${oneLine(e)}`);
    }
    log(`network ${name} is ${id}`);
    return id;
  }

  private async glanceStep<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new Error(`${what}: ${oneLine(e)}`);
    }
  }

  /** First line of `packer version`, as a bare version ("1.6.6") when it has one. */
  private async version(env: NodeJS.ProcessEnv): Promise<string> {
    let out: string;
    // Own timer rather than execa's `timeout`: execa 5 leaves that timer running when the spawn
    // itself fails (ENOENT), which would hold the process open for the whole timeout.
    const child = execa(this.packer, ['version'], { env, extendEnv: false, stdin: 'ignore', cwd: this.opts.bundleDir });
    const limitMs = this.opts.versionTimeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    try {
      out = String((await child).stdout);
    } catch (e) {
      const err = e as execa.ExecaError & { code?: string };
      const why = timedOut ? `timed out after ${limitMs / 1000} s` : err.code === 'ENOENT' ? 'not found' : oneLine(err.shortMessage ?? err.message);
      throw new Error(`cannot run ${this.packer} version: ${why}`);
    } finally {
      clearTimeout(timer);
    }
    const first = out.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
    const m = /v?(\d+\.\d+\.\d+\S*)/.exec(first);
    if (!first) throw new Error(`${this.packer} version printed nothing`);
    return m ? m[1] : first;
  }

  private async runPacker(args: string[], env: NodeJS.ProcessEnv, req: BakeRequest, timeoutS: number): Promise<void> {
    await runInProcessGroup({
      cmd: this.packer,
      args,
      cwd: this.opts.bundleDir,
      env,
      label: 'packer',
      what: 'packer build',
      log: req.log,
      logFile: path.join(req.workDir, 'packer.log'),
      timeoutMs: timeoutS * 1000,
      signal: req.signal,
      stopSignal: 'SIGINT',
      stopNote: ' (it cleans up its instance)',
      killGraceMs: this.opts.killGraceMs ?? 120_000,
      keepLines: 200,
      failureDetail: packerErrorLine,
    });
    req.log('packer build finished');
  }

  /**
   * Deletes `known` images and every temporary image of any run of `image` still in Glance (by tag
   * goldsmith-temporary and by the artifact name pattern). Failures are logged, never thrown: a
   * leftover is found again by the next build's sweep.
   */
  private async sweep(
    glance: BakerGlance,
    image: string,
    runId: string,
    known: Map<string, string>,
    log: (l: string) => void,
  ): Promise<void> {
    const doomed = new Map(known);
    const re = temporaryNameRe(image);
    try {
      const tagged = await glance.listImages({ tag: TEMPORARY_TAG });
      const priv = await glance.listImages({ visibility: 'private' });
      const add = (img: GlanceImage): void => {
        if (!img.name || !re.test(img.name) || doomed.has(img.id)) return;
        const isSource = img.name.startsWith(SOURCE_PREFIX);
        if (isSource && !(img.tags ?? []).includes(TEMPORARY_TAG)) return;
        doomed.set(img.id, img.name);
      };
      for (const img of [...tagged, ...priv]) add(img);
    } catch (e) {
      log(`warning: cannot list temporary images of ${image} in Glance: ${oneLine(e)}`);
    }
    for (const [id, name] of doomed) {
      const earlier = !name.endsWith(`-${runId}`);
      try {
        await glance.deleteImage(id);
        log(`deleted temporary image ${name} (${id})${earlier ? ' left by an earlier run' : ''}`);
      } catch (e) {
        log(`warning: cannot delete temporary image ${name} (${id}): ${oneLine(e)} (the next build of ${image} retries)`);
      }
    }
  }
}
