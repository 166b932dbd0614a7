// The command line and environment of `packer build`: runner-config packer_vars as `-var`
// arguments (never a shell string), checked so that packer cannot expand them. Site settings and
// secrets never go on the command line (which every user of the builder sees in ps): they are in
// packer's environment as GOLDSMITH_SITE_<NAME>, which the template's `{{env}}` defaults read.
import { SITE_ENV_PREFIX, type RunnerConfig } from '../../contract';
import type { SiteValues } from '../site-values';

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

/** The variables the baker owns: names and paths only, never key material or site values. */
export interface BakerOwnedVars {
  readonly sourceImage: string;
  readonly imageName: string;
  readonly manifestPath: string;
  /** The resolved network id (replaces packer_vars.network in place). */
  readonly network?: string;
  /** The build's Nova keypair (`ssh_keypair_name`). */
  readonly sshKeypairName?: string;
  /** Its private key file in the work directory (`ssh_private_key_file`). */
  readonly sshPrivateKeyFile?: string;
}

/**
 * The `packer build` argument list (without the binary): runner-config packer_vars, then the
 * variables the baker owns (source_image, image_name, manifest_path, ssh_keypair_name,
 * ssh_private_key_file), which replace packer_vars entries of the same name (those are never
 * passed); each variable once, in that order; the template last. `own.network` (the resolved
 * network id) replaces packer_vars.network in place.
 */
export function packerBuildArgs(config: RunnerConfig, own: BakerOwnedVars, templateFile: string): string[] {
  const vars = new Map<string, string>();
  for (const [k, v] of Object.entries(config.packer_vars)) vars.set(k, String(v));
  if (own.network !== undefined) vars.set('network', own.network);
  const owned: [string, string][] = [
    ['source_image', own.sourceImage],
    ['image_name', own.imageName],
    ['manifest_path', own.manifestPath],
    ...(own.sshKeypairName !== undefined ? [['ssh_keypair_name', own.sshKeypairName] as [string, string]] : []),
    ...(own.sshPrivateKeyFile !== undefined ? [['ssh_private_key_file', own.sshPrivateKeyFile] as [string, string]] : []),
  ];
  for (const [k] of owned) vars.delete(k);
  for (const [k, v] of owned) vars.set(k, v);
  const args = ['build', '-color=false'];
  checkPackerVars(Object.fromEntries(vars));
  for (const [k, v] of vars) args.push('-var', `${k}=${v}`);
  args.push(templateFile);
  return args;
}

/**
 * Environment of packer: the base (without any GOLDSMITH_SITE_* of its own: only the env file
 * counts) plus the cloud selection, no colour, no checkpoint calls, the site values as
 * GOLDSMITH_SITE_<NAME>, and `tmpDir` as TMPDIR (packer writes each env var file there before
 * uploading it: the build's private work directory, not the builder's /tmp).
 */
export function packerEnv(config: RunnerConfig, base: NodeJS.ProcessEnv, site: { values?: SiteValues; tmpDir?: string } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith(SITE_ENV_PREFIX)) env[k] = v;
  return {
    ...env,
    OS_CLOUD: config.cloud,
    OS_REGION_NAME: config.region,
    PACKER_NO_COLOR: '1',
    CHECKPOINT_DISABLE: '1',
    ...(site.tmpDir !== undefined ? { TMPDIR: site.tmpDir } : {}),
    ...(site.values?.env(SITE_ENV_PREFIX) ?? {}),
  };
}
