// clouds.yaml: find the file the way openstacksdk does and return one named entry.
//
// Search order (the first existing file wins, as in openstacksdk):
//   $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml
// secure.yaml (same places, $OS_CLIENT_SECURE_FILE first) is deep-merged over the entry when present,
// so secrets can live in a separate, more tightly permissioned file.
//
// Credentials never appear in errors: messages name the file, the entry and the key, never a value,
// and YAML parse errors report line/column and the parser's reason only (never the source text).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';

/** The `auth:` block of a clouds.yaml entry (keys as keystoneauth spells them). */
export interface CloudAuth {
  auth_url: string;
  username?: string;
  user_id?: string;
  password?: string;
  project_name?: string;
  project_id?: string;
  user_domain_name?: string;
  user_domain_id?: string;
  project_domain_name?: string;
  project_domain_id?: string;
  /** Fallback for user_domain_* and project_domain_* (keystoneauth semantics). */
  domain_name?: string;
  domain_id?: string;
  application_credential_id?: string;
  application_credential_name?: string;
  application_credential_secret?: string;
}

export type CloudAuthType = 'password' | 'v3applicationcredential';

export interface CloudConfig {
  /** The entry's name under `clouds:`. */
  name: string;
  /** The clouds.yaml file it came from (and secure.yaml, when one was merged). */
  source: string;
  secureSource?: string;
  authType: CloudAuthType;
  auth: CloudAuth;
  /** `region_name` (a single region); `regions` lists more when the entry has them. */
  regionName?: string;
  regions: string[];
  /** Endpoint interface: public (default), internal or admin. */
  interface: string;
  /** `verify: false` in the file; callers refuse it rather than silently skipping TLS checks. */
  verify: boolean;
  cacert?: string;
  /** `image_endpoint_override`, when set: use it instead of the catalog's image endpoint. */
  imageEndpointOverride?: string;
}

export interface CloudsLookupOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
  /** Use exactly these clouds.yaml candidates (and no secure.yaml unless `securePaths` is given). */
  paths?: string[];
  securePaths?: string[];
}

/** Candidate clouds.yaml paths, in search order. */
export function cloudsYamlPaths(opts: CloudsLookupOptions = {}): string[] {
  if (opts.paths) return [...opts.paths];
  return candidates('clouds.yaml', 'OS_CLIENT_CONFIG_FILE', opts);
}

/** Candidate secure.yaml paths, in search order. */
export function secureYamlPaths(opts: CloudsLookupOptions = {}): string[] {
  if (opts.securePaths) return [...opts.securePaths];
  if (opts.paths) return [];
  return candidates('secure.yaml', 'OS_CLIENT_SECURE_FILE', opts);
}

function candidates(file: string, envVar: string, opts: CloudsLookupOptions): string[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const home = opts.home ?? os.homedir();
  const out: string[] = [];
  const fromEnv = env[envVar];
  if (fromEnv) out.push(path.resolve(cwd, fromEnv));
  out.push(path.join(cwd, file), path.join(home, '.config', 'openstack', file), path.join('/etc/openstack', file));
  return out;
}

/** Raised for every clouds.yaml problem; the message is one line and holds no credential. */
export class CloudsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudsConfigError';
  }
}

/** Load the entry `name` from the first clouds.yaml found (secure.yaml merged over it). */
export function loadCloud(name: string, opts: CloudsLookupOptions = {}): CloudConfig {
  const paths = cloudsYamlPaths(opts);
  const file = paths.find(isFile);
  if (!file) throw new CloudsConfigError(`no clouds.yaml found (looked in ${paths.join(', ')})`);
  const clouds = readClouds(file);
  let entry = clouds[name];
  if (entry === undefined) {
    throw new CloudsConfigError(`clouds.yaml entry "${name}" not found in ${file}`);
  }
  if (!isRecord(entry)) throw new CloudsConfigError(`${file}: clouds.${name} is not a mapping`);

  const secureFile = secureYamlPaths(opts).find(isFile);
  if (secureFile) {
    const secure = readClouds(secureFile);
    const extra = secure[name];
    if (extra !== undefined) {
      if (!isRecord(extra)) throw new CloudsConfigError(`${secureFile}: clouds.${name} is not a mapping`);
      entry = deepMerge(entry, extra);
    }
  }
  return toCloudConfig(name, entry as Record<string, unknown>, file, secureFile);
}

function toCloudConfig(
  name: string,
  entry: Record<string, unknown>,
  file: string,
  secureFile: string | undefined,
): CloudConfig {
  const where = `${file}: clouds.${name}`;
  const rawAuth = entry.auth;
  if (!isRecord(rawAuth)) throw new CloudsConfigError(`${where}.auth is missing or not a mapping`);
  const auth: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAuth)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new CloudsConfigError(`${where}.auth.${k} must be a string`);
    }
    auth[k] = String(v);
  }
  if (!auth.auth_url) throw new CloudsConfigError(`${where}.auth.auth_url is missing`);

  const authType = String(entry.auth_type ?? 'password').toLowerCase();
  let normalized: CloudAuthType;
  if (authType === 'password' || authType === 'v3password') normalized = 'password';
  else if (authType === 'v3applicationcredential' || authType === 'applicationcredential') {
    normalized = 'v3applicationcredential';
  } else {
    throw new CloudsConfigError(
      `${where}.auth_type "${authType}" is not supported (use password or v3applicationcredential)`,
    );
  }
  if (normalized === 'password') {
    if (!auth.username && !auth.user_id) throw new CloudsConfigError(`${where}.auth needs username or user_id`);
    if (!auth.password) throw new CloudsConfigError(`${where}.auth.password is missing`);
  } else {
    if (!auth.application_credential_id && !auth.application_credential_name) {
      throw new CloudsConfigError(`${where}.auth needs application_credential_id or application_credential_name`);
    }
    if (!auth.application_credential_secret) {
      throw new CloudsConfigError(`${where}.auth.application_credential_secret is missing`);
    }
  }

  const identityApi = entry.identity_api_version;
  if (identityApi !== undefined && String(identityApi) !== '3') {
    throw new CloudsConfigError(`${where}.identity_api_version must be 3`);
  }

  const regions: string[] = [];
  if (Array.isArray(entry.regions)) {
    for (const r of entry.regions) {
      if (typeof r === 'string') regions.push(r);
      else if (isRecord(r) && typeof r.name === 'string') regions.push(r.name);
    }
  }
  const regionName = typeof entry.region_name === 'string' ? entry.region_name : undefined;
  const iface = String(entry.interface ?? entry.endpoint_type ?? 'public').replace(/URL$/, '');
  const verify = entry.verify === undefined ? true : entry.verify !== false && entry.verify !== 'false';

  return {
    name,
    source: file,
    ...(secureFile ? { secureSource: secureFile } : {}),
    authType: normalized,
    auth: auth as unknown as CloudAuth,
    ...(regionName ? { regionName } : {}),
    regions: regionName && !regions.includes(regionName) ? [regionName, ...regions] : regions,
    interface: iface,
    verify,
    ...(typeof entry.cacert === 'string' ? { cacert: entry.cacert } : {}),
    ...(typeof entry.image_endpoint_override === 'string'
      ? { imageEndpointOverride: entry.image_endpoint_override }
      : {}),
  };
}

function readClouds(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CloudsConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  // YAML 1.2 core schema, as the catalog; prettyErrors off: the message never quotes the source
  // (which may hold a password), the position comes from the line counter.
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true, prettyErrors: false, lineCounter });
  const yamlError = parsed.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    throw new CloudsConfigError(`${file}: invalid YAML at line ${line}, column ${col} (${yamlError.message.split('\n')[0]})`);
  }
  let doc: unknown;
  try {
    doc = parsed.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new CloudsConfigError(`${file}: invalid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isRecord(doc) || !isRecord(doc.clouds)) {
    throw new CloudsConfigError(`${file}: no "clouds:" mapping`);
  }
  return doc.clouds;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? deepMerge(b, v) : v;
  }
  return out;
}
