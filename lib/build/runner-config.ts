// The per-image runner config: images/<image>.json in the builder bundle (docs/builder-bundle.md).
// The type mirrors the JSON keys exactly (snake_case); it is the one definition of the shape, shared
// by the bundle writer (lib/bundle/runner-config.ts produces it) and the runner (parses it here).

import * as fs from 'fs';
import * as path from 'path';
import { readManifest, verifyBakeInputs, verifyBytes, type VerifiedManifest } from './bundle-verify';

export type RunnerChecksumAlgorithm = 'sha256' | 'sha512' | 'md5';
export type RunnerDiskFormat = 'qcow2' | 'raw';
export type RunnerCompression = 'zlib' | 'zstd' | 'none';

export interface RunnerUpstream {
  /** Base URL, http(s), ending in '/'. */
  readonly url: string;
  /** File name under url (no '/'). */
  readonly file: string;
  /** Checksum file name under url; absent only for images with a no_checksum_waiver. */
  readonly checksum_file?: string;
  /** Present exactly when checksum_file is. */
  readonly algorithm?: RunnerChecksumAlgorithm;
  /** Optional: smallest acceptable upstream file (default 1 MiB). Not in the bundle contract yet. */
  readonly min_size_bytes?: number;
  /**
   * Optional: the catalog's reason for plain http. Only with it does the runner follow an https → http
   * redirect. Not written by the bundle writer yet (the catalog allows the waiver only on http URLs).
   */
  readonly insecure_http_waiver?: string;
}

export interface RunnerSourceImage {
  readonly min_ram_mb: number;
  readonly min_disk_gb: number;
  readonly efi: boolean;
  readonly properties: Readonly<Record<string, string>>;
}

export interface RunnerOutput {
  readonly disk_format: RunnerDiskFormat;
  /** qcow2 only; ignored for raw. */
  readonly compression: RunnerCompression;
  /** Dated builds kept in the store (>= 1), newest first. */
  readonly keep_builds: number;
}

/** Directories on the builder. */
export interface RunnerPaths {
  /** Stored builds (served over HTTP). */
  readonly store: string;
  /** Reports and build logs. */
  readonly logs: string;
  /** Locks and last-success records. */
  readonly state: string;
  /** Scratch space of running builds. */
  readonly work: string;
}

/** Step timeouts in seconds. */
export interface RunnerTimeouts {
  readonly download: number;
  readonly packer: number;
  readonly convert: number;
}

/** images/<image>.json of the builder bundle. */
export interface RunnerConfig {
  readonly image: string;
  readonly environment: string;
  readonly cloud: string;
  readonly region: string;
  readonly upstream: RunnerUpstream;
  readonly template: string;
  /**
   * The packer template, relative to the bundle directory (PackerBaker). Exactly one of
   * template_file and external_command is present.
   */
  readonly template_file?: string;
  /**
   * Argv of a command that builds the image outside packer's openstack builder (ExternalBaker):
   * absolute path first, no item empty or with control characters. Run without a shell.
   */
  readonly external_command?: readonly string[];
  readonly fingerprint: string;
  readonly packer_vars: Readonly<Record<string, string | number | boolean>>;
  readonly source_image: RunnerSourceImage;
  readonly output: RunnerOutput;
  readonly paths: RunnerPaths;
  /** Seconds. */
  readonly timeouts_s: RunnerTimeouts;
}

/** A runner config that cannot be read or is invalid; the message is one line naming file and key. */
export class RunnerConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | undefined,
    detail: string,
  ) {
    super(`${file}${key ? `: ${key}` : ''}: ${detail}`);
    this.name = 'RunnerConfigError';
  }
}

/** Image names are file name prefixes: no path separators, no leading dot. */
export const IMAGE_NAME_RE = /^[a-z0-9][a-z0-9_.-]*$/i;

type Obj = Record<string, unknown>;

class Checker {
  constructor(private readonly file: string) {}

  fail(key: string, detail: string): never {
    throw new RunnerConfigError(this.file, key, detail);
  }

  obj(v: unknown, key: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, `must be an object, got ${kind(v)}`);
    return v as Obj;
  }

  str(o: Obj, key: string, prefix: string, re?: RegExp, what?: string): string {
    const v = o[key];
    const k = prefix + key;
    if (v === undefined) this.fail(k, 'is missing');
    if (typeof v !== 'string' || v.length === 0) this.fail(k, `must be a non-empty string, got ${kind(v)}`);
    if (re && !re.test(v)) this.fail(k, `${JSON.stringify(v)} is not ${what ?? `matching ${re}`}`);
    return v;
  }

  optStr(o: Obj, key: string, prefix: string): string | undefined {
    return o[key] === undefined ? undefined : this.str(o, key, prefix);
  }

  num(o: Obj, key: string, prefix: string, opts: { int?: boolean; min?: number; positive?: boolean } = {}): number {
    const v = o[key];
    const k = prefix + key;
    if (v === undefined) this.fail(k, 'is missing');
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(k, `must be a number, got ${kind(v)}`);
    if (opts.int && !Number.isInteger(v)) this.fail(k, `must be an integer, got ${v}`);
    if (opts.min !== undefined && v < opts.min) this.fail(k, `must be >= ${opts.min}, got ${v}`);
    if (opts.positive && v <= 0) this.fail(k, `must be > 0, got ${v}`);
    return v;
  }

  bool(o: Obj, key: string, prefix: string): boolean {
    const v = o[key];
    if (typeof v !== 'boolean') this.fail(prefix + key, v === undefined ? 'is missing' : `must be true or false, got ${kind(v)}`);
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, prefix: string, allowed: readonly T[]): T {
    const v = this.str(o, key, prefix);
    if (!(allowed as readonly string[]).includes(v)) this.fail(prefix + key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  absPath(o: Obj, key: string, prefix: string): string {
    const v = this.str(o, key, prefix);
    if (!path.isAbsolute(v)) this.fail(prefix + key, `must be an absolute path, got ${JSON.stringify(v)}`);
    return path.normalize(v);
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

const FILE_NAME_RE = /^[^/\\\s][^/\\]*$/;

/** Validates parsed JSON as a RunnerConfig. `file` names the source in error messages. */
export function parseRunnerConfig(json: unknown, file: string): RunnerConfig {
  const c: Checker = new Checker(file);
  const root = c.obj(json, '(root)');

  const image = c.str(root, 'image', '', IMAGE_NAME_RE, 'a valid image name ([a-z0-9][a-z0-9_.-]*)');

  const up = c.obj(root.upstream, 'upstream');
  const url = c.str(up, 'url', 'upstream.');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    c.fail('upstream.url', `${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') c.fail('upstream.url', `must be http(s), got ${JSON.stringify(url)}`);
  if (!url.endsWith('/')) c.fail('upstream.url', `must end in '/', got ${JSON.stringify(url)}`);
  const upFile = c.str(up, 'file', 'upstream.', FILE_NAME_RE, 'a plain file name');
  const checksumFile = up.checksum_file === undefined ? undefined : c.str(up, 'checksum_file', 'upstream.', FILE_NAME_RE, 'a plain file name');
  const algorithm = up.algorithm === undefined ? undefined : c.oneOf(up, 'algorithm', 'upstream.', ['sha256', 'sha512', 'md5'] as const);
  if ((checksumFile === undefined) !== (algorithm === undefined)) {
    c.fail(algorithm === undefined ? 'upstream.algorithm' : 'upstream.checksum_file', 'is missing (checksum_file and algorithm must be given together)');
  }
  const minSize = up.min_size_bytes === undefined ? undefined : c.num(up, 'min_size_bytes', 'upstream.', { int: true, min: 0 });
  const httpWaiver = c.optStr(up, 'insecure_http_waiver', 'upstream.');

  const pv = c.obj(root.packer_vars, 'packer_vars');
  const packerVars: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(pv)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') c.fail(`packer_vars.${k}`, `must be a string, number or boolean, got ${kind(v)}`);
    packerVars[k] = v;
  }

  const si = c.obj(root.source_image, 'source_image');
  const props = c.obj(si.properties ?? {}, 'source_image.properties');
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v !== 'string') c.fail(`source_image.properties.${k}`, `must be a string, got ${kind(v)}`);
    properties[k] = v;
  }

  const out = c.obj(root.output, 'output');
  const pa = c.obj(root.paths, 'paths');
  const to = c.obj(root.timeouts_s, 'timeouts_s');

  const config: RunnerConfig = {
    image,
    environment: c.str(root, 'environment', ''),
    cloud: c.str(root, 'cloud', ''),
    region: c.str(root, 'region', ''),
    upstream: {
      url,
      file: upFile,
      ...(checksumFile !== undefined ? { checksum_file: checksumFile, algorithm } : {}),
      ...(minSize !== undefined ? { min_size_bytes: minSize } : {}),
      ...(httpWaiver !== undefined ? { insecure_http_waiver: httpWaiver } : {}),
    },
    template: c.str(root, 'template', ''),
    ...bakerOf(c, root),
    fingerprint: c.str(root, 'fingerprint', '', /^[0-9a-f]{64}$/, 'a sha256 hex digest'),
    packer_vars: packerVars,
    source_image: {
      min_ram_mb: c.num(si, 'min_ram_mb', 'source_image.', { int: true, min: 0 }),
      min_disk_gb: c.num(si, 'min_disk_gb', 'source_image.', { int: true, min: 0 }),
      efi: c.bool(si, 'efi', 'source_image.'),
      properties,
    },
    output: {
      disk_format: c.oneOf(out, 'disk_format', 'output.', ['qcow2', 'raw'] as const),
      compression: c.oneOf(out, 'compression', 'output.', ['zlib', 'zstd', 'none'] as const),
      keep_builds: c.num(out, 'keep_builds', 'output.', { int: true, min: 1 }),
    },
    paths: {
      store: c.absPath(pa, 'store', 'paths.'),
      logs: c.absPath(pa, 'logs', 'paths.'),
      state: c.absPath(pa, 'state', 'paths.'),
      work: c.absPath(pa, 'work', 'paths.'),
    },
    timeouts_s: {
      download: c.num(to, 'download', 'timeouts_s.', { positive: true }),
      packer: c.num(to, 'packer', 'timeouts_s.', { positive: true }),
      convert: c.num(to, 'convert', 'timeouts_s.', { positive: true }),
    },
  };
  return deepFreeze(config);
}

const ARGV_ITEM_RE = /^[^\x00-\x1f\x7f]+$/;

/** Exactly one of template_file (packer) and external_command (argv), validated. */
function bakerOf(c: Checker, root: Obj): { template_file: string } | { external_command: string[] } {
  const hasTemplate = root.template_file !== undefined;
  const hasExternal = root.external_command !== undefined;
  if (hasTemplate && hasExternal) c.fail('external_command', 'must not be given together with template_file (exactly one of them)');
  if (!hasTemplate && !hasExternal) c.fail('template_file', 'is missing (exactly one of template_file and external_command is required)');
  if (hasTemplate) {
    const file = c.str(root, 'template_file', '');
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
      c.fail('template_file', `must be a path inside the bundle, got ${JSON.stringify(file)}`);
    }
    if (file.endsWith('.pkr.json')) {
      c.fail('template_file', 'must not end in .pkr.json (packer parses such files as HCL2, not as a legacy JSON template)');
    }
    return { template_file: file };
  }
  const argv = root.external_command;
  if (!Array.isArray(argv)) c.fail('external_command', `must be an array of strings, got ${kind(argv)}`);
  if (argv.length === 0) c.fail('external_command', 'must not be empty (it names the command to run)');
  const out: string[] = [];
  argv.forEach((v: unknown, i: number) => {
    const k = `external_command[${i}]`;
    if (typeof v !== 'string') c.fail(k, `must be a string, got ${kind(v)}`);
    if (!ARGV_ITEM_RE.test(v)) c.fail(k, 'must be non-empty, without control characters');
    out.push(v);
  });
  if (!path.isAbsolute(out[0])) c.fail('external_command[0]', `the command must be an absolute path, got ${JSON.stringify(out[0])}`);
  return { external_command: out };
}

/**
 * Reads and validates `<bundleDir>/images/<image>.json`; the image key must equal `image`. The file,
 * the template file and the scripts must have the sha256 that the bundle's manifest.json records
 * (bundle-verify.ts): a bundle edited after synth is refused.
 */
export function loadRunnerConfig(bundleDir: string, image: string): RunnerConfig {
  const rel = `images/${image}.json`;
  const file = path.join(bundleDir, 'images', `${image}.json`);
  if (!IMAGE_NAME_RE.test(image)) throw new RunnerConfigError(rel, undefined, `invalid image name ${JSON.stringify(image)}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunnerConfigError(file, undefined, code === 'ENOENT' ? `no such file (is ${image} in the bundle at ${bundleDir}?)` : `cannot read: ${oneLine(e)}`);
  }
  let manifest: VerifiedManifest;
  try {
    manifest = readManifest(bundleDir, image);
    verifyBytes(rel, bytes, manifest.runnerConfigSha256);
  } catch (e) {
    throw new RunnerConfigError(file, undefined, oneLine(e));
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new RunnerConfigError(file, undefined, `invalid JSON: ${oneLine(e)}`);
  }
  const config = parseRunnerConfig(json, file);
  if (config.image !== image) throw new RunnerConfigError(file, 'image', `is ${JSON.stringify(config.image)}, expected ${JSON.stringify(image)}`);
  try {
    verifyBakeInputs(bundleDir, manifest, config.template, config.template_file);
  } catch (e) {
    throw new RunnerConfigError(file, undefined, oneLine(e));
  }
  return config;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
