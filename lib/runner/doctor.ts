// What a builder host needs to run `goldsmith build`, checked: `goldsmith doctor` runs every check,
// one line per problem, never a credential. A build's prepare step checks its own image's part
// itself (qemu-img, directories, env file) and warns on an old Node (nodeVersionProblem).
import * as fs from 'fs';
import * as path from 'path';
import { oneLine, plural } from '../common';
import { type RunnerConfig } from '../contract';
import { loadCloud, type CloudsLookupOptions } from '../openstack/clouds';
import { runCaptured } from './child-process';
import { loadRunnerConfig } from './runner-config';
import { readSiteEnv } from './site-env';

/** Node older than MIN_NODE_MAJOR: what to do about it (one line), or undefined. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  return Number(version.split('.')[0]) >= MIN_NODE_MAJOR
    ? undefined
    : `node ${version} is too old: goldsmith needs Node.js ${MIN_NODE_MAJOR} or newer (AlmaLinux 8/9: \`dnf module install nodejs:22\`)`;
}

/** Oldest Node.js the runner supports (Node 20 is end of life since April 2026). */
export const MIN_NODE_MAJOR = 22;
/** packer from this version on has no built-in openstack builder: it needs the plugin. */
const PLUGIN_PACKER = [1, 10, 0];
const TOOL_TIMEOUT_MS = 30_000;

/** What the checks look at; every field can be replaced (tests). */
export interface DoctorOptions {
  /** The installed bundle: every runner config in images/ is checked (or only `images`). */
  readonly bundleDir: string;
  /** Only these images (default: every images/*.json). */
  readonly images?: readonly string[];
  /** The user the cron lines run as. @default 'goldsmith' */
  readonly user?: string;
  /** Node.js version. @default process.versions.node */
  readonly nodeVersion?: string;
  /** Environment (PATH, NODE_EXTRA_CA_CERTS, OS_CLIENT_CONFIG_FILE). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** passwd file read for the user (no NSS lookup). @default '/etc/passwd' */
  readonly passwdFile?: string;
  /** Where clouds.yaml is looked up. @default its usual places */
  readonly clouds?: CloudsLookupOptions;
  /** The packer and qemu-img commands. @default 'packer', 'qemu-img' */
  readonly packer?: string;
  readonly qemuImg?: string;
  /** The uid the env files are read as. @default the process's */
  readonly uid?: number;
}

/** One finding: ok lines say what was found, problems what to do. */
export interface DoctorFinding {
  readonly ok: boolean;
  readonly line: string;
}

function versionTriple(text: string): number[] | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

interface PasswdEntry {
  readonly uid: number;
}

function passwdEntry(file: string, user: string): PasswdEntry | undefined {
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === user);
  if (line === undefined) return undefined;
  return { uid: Number(line.split(':')[2]) };
}

function imagesOf(o: DoctorOptions): string[] {
  if (o.images) return [...o.images];
  const dir = path.join(o.bundleDir, 'images');
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();
}

/** Runs every check; never throws for what it finds. */
export async function runDoctor(o: DoctorOptions): Promise<DoctorFinding[]> {
  const env = o.env ?? process.env;
  const findings: DoctorFinding[] = [];
  const ok = (line: string) => findings.push({ ok: true, line });
  const problem = (line: string) => findings.push({ ok: false, line });

  const node = o.nodeVersion ?? process.versions.node;
  const nodeProblem = nodeVersionProblem(node);
  if (nodeProblem) problem(nodeProblem);
  else ok(`node ${node}`);

  const childEnv = { ...env } as Record<string, string>;
  const tool = async (cmd: string, args: string[]): Promise<string | Error> => {
    try {
      return await runCaptured(cmd, args, { timeoutMs: TOOL_TIMEOUT_MS, env: childEnv });
    } catch (e) {
      return e as Error;
    }
  };

  const packer = o.packer ?? 'packer';
  const packerOut = await tool(packer, ['version']);
  const packerVersion = typeof packerOut === 'string' ? versionTriple(packerOut) : undefined;
  if (packerOut instanceof Error || packerVersion === undefined) {
    problem(`packer: cannot run \`${packer} version\` (${packerOut instanceof Error ? oneLine(packerOut) : 'no version in its output'}): install packer`);
  } else if (atLeast(packerVersion, PLUGIN_PACKER)) {
    const plugins = await tool(packer, ['plugins', 'installed']);
    if (typeof plugins === 'string' && /github\.com\/hashicorp\/openstack\//.test(plugins)) ok(`packer ${packerVersion.join('.')} with the openstack plugin`);
    else problem(`packer ${packerVersion.join('.')} has no openstack plugin: run \`packer plugins install github.com/hashicorp/openstack\` as the build user`);
  } else {
    ok(`packer ${packerVersion.join('.')} (built-in openstack builder)`);
  }

  const qemuImg = o.qemuImg ?? 'qemu-img';
  const qemuOut = await tool(qemuImg, ['--version']);
  if (typeof qemuOut === 'string' && versionTriple(qemuOut)) ok(`qemu-img ${versionTriple(qemuOut)!.join('.')}`);
  else problem(`qemu-img: cannot run \`${qemuImg} --version\`${qemuOut instanceof Error ? ` (${oneLine(qemuOut)})` : ''}: install qemu-img (qemu-utils / qemu-img)`);

  const user = o.user ?? 'goldsmith';
  let account: PasswdEntry | undefined;
  try {
    account = passwdEntry(o.passwdFile ?? '/etc/passwd', user);
  } catch (e) {
    problem(`user ${user}: cannot read ${o.passwdFile ?? '/etc/passwd'}: ${oneLine(e)}`);
  }
  if (account) ok(`user ${user} (uid ${account.uid})`);
  else if (!findings.some((f) => f.line.startsWith(`user ${user}:`))) problem(`user ${user} does not exist: create it (the cron lines run as ${user})`);

  const ca = env.NODE_EXTRA_CA_CERTS;
  if (ca !== undefined && ca !== '') {
    let text = '';
    try {
      text = fs.readFileSync(ca, 'utf8');
    } catch (e) {
      problem(`NODE_EXTRA_CA_CERTS=${ca}: cannot read it (${oneLine(e)})`);
    }
    if (text !== '' && !text.includes('-----BEGIN CERTIFICATE-----')) problem(`NODE_EXTRA_CA_CERTS=${ca}: no PEM certificate in it`);
    else if (text !== '') ok(`private CA ${ca}`);
  }

  let images: string[] = [];
  try {
    images = imagesOf(o);
  } catch (e) {
    problem(`bundle ${o.bundleDir}: no images/ directory (${oneLine(e)}): install the bundle`);
  }
  const configs: RunnerConfig[] = [];
  for (const image of images) {
    try {
      configs.push(loadRunnerConfig(o.bundleDir, image));
    } catch (e) {
      problem(oneLine(e));
    }
  }
  const checkedDirs = new Set<string>();
  const checkedClouds = new Set<string>();
  const checkedEnvFiles = new Set<string>();
  for (const config of configs) {
    if (config.site_env && !checkedEnvFiles.has(config.site_env.file)) {
      checkedEnvFiles.add(config.site_env.file);
      try {
        // Read as the build would (ownership, modes, format, required names); values stay inside.
        readSiteEnv(config.site_env, config.template, o.uid);
        ok(`site env file ${config.site_env.file}`);
      } catch (e) {
        problem(oneLine(e));
      }
    }
    for (const [key, dir] of Object.entries(config.paths)) {
      if (checkedDirs.has(dir)) continue;
      checkedDirs.add(dir);
      findings.push(checkDirectory(key, dir, account));
    }
    if (!checkedClouds.has(config.cloud)) {
      checkedClouds.add(config.cloud);
      try {
        loadCloud(config.cloud, { env, ...(o.clouds ?? {}) });
        ok(`clouds.yaml entry ${config.cloud}`);
      } catch (e) {
        problem(`clouds.yaml entry ${config.cloud}: ${oneLine(e)}`);
      }
    }
  }
  if (configs.length > 0) ok(`${plural(configs.length, 'runner config')} in ${o.bundleDir}`);
  return findings;
}

/** A runner directory: exists, a directory, writable by the build user, not world-writable; the store readable by the web server. */
function checkDirectory(key: string, dir: string, account: PasswdEntry | undefined): DoctorFinding {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return { ok: false, line: `paths.${key} ${dir} does not exist: create it, owned by the build user` };
  }
  if (!st.isDirectory()) return { ok: false, line: `paths.${key} ${dir} is not a directory` };
  const mode = st.mode & 0o7777;
  if (mode & 0o002 && !(mode & 0o1000)) return { ok: false, line: `paths.${key} ${dir} is world-writable (mode ${mode.toString(8)}): chmod o-w` };
  if (account && st.uid !== account.uid) return { ok: false, line: `paths.${key} ${dir} is owned by uid ${st.uid}, not the build user (uid ${account.uid}): chown it` };
  if (key === 'store' && (mode & 0o005) !== 0o005) {
    return { ok: false, line: `paths.store ${dir} is not readable by others (mode ${mode.toString(8)}): the web server serves it to Glance (chmod o+rx)` };
  }
  return { ok: true, line: `paths.${key} ${dir}` };
}
