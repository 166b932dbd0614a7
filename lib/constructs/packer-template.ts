// The packer template of one template variant (legacy JSON format, read by packer 1.6.6 and by
// current packer with packer-plugin-openstack). Pure functions: the BuildTemplate construct and
// anything on the builder side can render the same bytes.
//
// Layout assumed (docs/builder-bundle.md): templates/<name>.json beside scripts/<script>.sh,
// so scripts are referenced as `{{template_dir}}/../scripts/<script>`. The file name must end in
// `.json` but NOT `.pkr.json`: packer (1.6.6 and current) parses `*.pkr.json` as HCL2 JSON and
// rejects a legacy template there ("No argument or block type is named builders").
//
// Only options that both packer 1.6.6's built-in openstack builder and current
// packer-plugin-openstack accept are used. No credentials: the builder authenticates through the
// clouds.yaml entry named by the `cloud` variable (empty: the OS_CLOUD environment variable).
//
// SSH: the runner creates an ed25519 Nova keypair per build and passes its name and the private
// key file (`ssh_keypair_name`, `ssh_private_key_file`), so packer never lets Nova make the RSA
// key it would sign with ssh-rsa (SHA-1), which OpenSSH >= 8.8 and the EL9 crypto policies refuse.
//
// Site settings and secrets (templates.yaml `variables`): each is a user variable whose default is
// `{{env `GOLDSMITH_SITE_<NAME>`}}`, which the runner sets in packer's environment (never `-var`:
// no value on any command line); secret ones are `sensitive-variables` (packer prints
// `<sensitive>`). The shell provisioners write the environment into packer's env var file
// (`use_env_var_file`), which execute_command sources, so no value is on the build VM's command
// lines either. Every upload goes to REMOTE_DIR: RAM (tmpfs), never the image's disk, a 0700
// directory of the SSH user made by the first provisioner and removed by the last; packer deletes
// each env var file after its script.

import { PROVISION_LIB, SCRIPT_NAME, siteEnvVariable, siteVariableNameProblem, STANDARD_SCRIPTS, TEMPLATE_NAME, type SiteVariable } from '../contract';

export { PROVISION_LIB, STANDARD_SCRIPTS };

/** Directory on the build VM for every upload (scripts, env var files, lib.sh): tmpfs, 0700. */
export const REMOTE_DIR = '/dev/shm/goldsmith';

/** Where the library is uploaded on the build VM (the scripts read GOLDSMITH_LIB). */
export const REMOTE_LIB_PATH = `${REMOTE_DIR}/${PROVISION_LIB}`;

/** Script that the `ipv6: false` option leaves out. */
export const IPV6_SCRIPT = 'enable_ipv6.sh';

/** File name of a template in templates/ (legacy JSON: never `.pkr.json`). */
export function templateFileName(name: string): string {
  validateTemplateName(name);
  return `${name}.json`;
}

/**
 * User variables every template declares; the runner passes them with `-var` (runner config
 * `packer_vars`, plus `source_image`, `manifest_path` and the build's keypair). `null` = required.
 */
export const BASE_VARIABLES: Readonly<Record<string, string | null>> = Object.freeze({
  availability_zone: '',
  cloud: '',
  flavor: null,
  image_name: null,
  manifest_path: null,
  network: null,
  region: '',
  security_group: null,
  source_image: null,
  ssh_keypair_name: null,
  ssh_private_key_file: null,
  ssh_username: null,
});

/**
 * Runs every script as root: the root shell sources packer's env var file (`export K='v'` lines,
 * values single-quoted by packer), so sudo's env_reset cannot drop the variables and no value is
 * on a command line of the build VM (ps shows `bash -c . <file> && exec bash <script>`).
 */
export const EXECUTE_COMMAND = "sudo -n bash -c '. {{.EnvVarFile}} && exec bash {{.Path}}'";

/** The first provisioner: REMOTE_DIR, private to the SSH user (fails if it exists). */
export const MAKE_REMOTE_DIR = `mkdir -m 0700 ${REMOTE_DIR}`;

/** The last provisioner: REMOTE_DIR and whatever is left in it. */
export const REMOVE_REMOTE_DIR = `sudo -n rm -rf ${REMOTE_DIR}`;

/** Options of the template. */
export interface PackerTemplateOptions {
  /** Template name: [a-z0-9_]+. */
  readonly name: string;
  /** Custom scripts, run first, in order. */
  readonly customScripts: readonly string[];
  /** Include enable_ipv6.sh. @default true */
  readonly ipv6?: boolean;
  /** How long packer waits for SSH (Go duration). @default '30m' */
  readonly sshTimeout?: string;
  /** Site settings and secrets every script gets (templates.yaml `variables`). @default none */
  readonly variables?: readonly SiteVariable[];
}

/** A packer JSON template (the parts goldsmith writes). */
export interface PackerTemplate {
  readonly description: string;
  readonly min_packer_version: string;
  readonly variables: Readonly<Record<string, string | null>>;
  readonly 'sensitive-variables'?: readonly string[];
  readonly builders: readonly Readonly<Record<string, unknown>>[];
  readonly provisioners: readonly Readonly<Record<string, unknown>>[];
  readonly 'post-processors': readonly Readonly<Record<string, unknown>>[];
}

function userVar(name: string): string {
  return `{{user \`${name}\`}}`;
}

function scriptPath(script: string): string {
  return `{{template_dir}}/../scripts/${script}`;
}

/** Throws unless `name` is a valid template name. */
export function validateTemplateName(name: string): void {
  if (!TEMPLATE_NAME.test(name)) {
    throw new Error(`template name '${name}' is invalid: use [a-z0-9_]+`);
  }
}

/** Throws unless every script name is safe and the sequence has no duplicates. */
export function validateScriptNames(template: string, customScripts: readonly string[]): void {
  const seen = new Set<string>();
  for (const script of customScripts) {
    if (!SCRIPT_NAME.test(script)) {
      throw new Error(`template ${template}: script name '${script}' is invalid: use [A-Za-z0-9._-]+.sh (a file name, no path)`);
    }
    if (script === PROVISION_LIB) {
      throw new Error(`template ${template}: ${PROVISION_LIB} is the provisioning library, not a script`);
    }
    if (STANDARD_SCRIPTS.includes(script)) {
      throw new Error(`template ${template}: ${script} is part of the standard sequence; list only custom scripts`);
    }
    if (seen.has(script)) throw new Error(`template ${template}: script ${script} is listed twice`);
    seen.add(script);
  }
}

/** Throws unless every site variable name is valid, not reserved and declared once. */
export function validateSiteVariables(template: string, variables: readonly SiteVariable[]): void {
  const seen = new Set<string>();
  for (const v of variables) {
    const problem = siteVariableNameProblem(v.name);
    if (problem) throw new Error(`template ${template}: variable name '${v.name}' is invalid: ${problem}`);
    if (seen.has(v.name)) throw new Error(`template ${template}: variable ${v.name} is declared twice`);
    seen.add(v.name);
  }
}

/** The shell scripts a template runs, in order: custom scripts, then the standard sequence. */
export function provisioningSequence(customScripts: readonly string[], ipv6 = true): string[] {
  return [...customScripts, ...STANDARD_SCRIPTS.filter((s) => ipv6 || s !== IPV6_SCRIPT)];
}

/** Every file of scripts/ a template needs: the library first, then the sequence. */
export function requiredScriptFiles(customScripts: readonly string[], ipv6 = true): string[] {
  return [PROVISION_LIB, ...provisioningSequence(customScripts, ipv6)];
}

/** The template as a plain object (serialize with canonicalJson). */
export function renderPackerTemplate(opts: PackerTemplateOptions): PackerTemplate {
  validateTemplateName(opts.name);
  validateScriptNames(opts.name, opts.customScripts);
  const ipv6 = opts.ipv6 ?? true;
  const sshTimeout = opts.sshTimeout ?? '30m';
  if (!/^([0-9]+(\.[0-9]+)?(h|m|s))+$/.test(sshTimeout)) {
    throw new Error(`template ${opts.name}: sshTimeout '${sshTimeout}' is not a duration like 30m or 1h30m`);
  }
  const sequence = provisioningSequence(opts.customScripts, ipv6);
  const site = opts.variables ?? [];
  validateSiteVariables(opts.name, site);

  const variables: Record<string, string | null> = { ...BASE_VARIABLES };
  for (const v of site) variables[v.name] = `{{env \`${siteEnvVariable(v.name)}\`}}`;
  const sensitive = site.filter((v) => v.secret).map((v) => v.name);

  const scriptEnv = [
    `GOLDSMITH_LIB=${REMOTE_LIB_PATH}`,
    `GOLDSMITH_TEMPLATE=${opts.name}`,
    'DEBIAN_FRONTEND=noninteractive',
    ...site.map((v) => `${v.name}=${userVar(v.name)}`),
  ];

  const builder = {
    type: 'openstack',
    cloud: userVar('cloud'),
    region: userVar('region'),
    availability_zone: userVar('availability_zone'),
    source_image: userVar('source_image'),
    flavor: userVar('flavor'),
    networks: [userVar('network')],
    security_groups: [userVar('security_group')],
    ssh_username: userVar('ssh_username'),
    ssh_keypair_name: userVar('ssh_keypair_name'),
    ssh_private_key_file: userVar('ssh_private_key_file'),
    ssh_pty: true,
    ssh_timeout: sshTimeout,
    image_name: userVar('image_name'),
    image_visibility: 'private',
    metadata: { goldsmith_template: opts.name },
  };

  const provisioners: Record<string, unknown>[] = [
    { type: 'shell', inline: [MAKE_REMOTE_DIR] },
    { type: 'file', source: scriptPath(PROVISION_LIB), destination: REMOTE_LIB_PATH },
    ...sequence.map((script) => ({
      type: 'shell',
      script: scriptPath(script),
      remote_folder: REMOTE_DIR,
      use_env_var_file: true,
      execute_command: EXECUTE_COMMAND,
      environment_vars: scriptEnv,
    })),
    { type: 'shell', inline: [REMOVE_REMOTE_DIR] },
  ];

  const template: PackerTemplate = {
    description: `goldsmith build template ${opts.name}: ${sequence.join(', ')}`,
    min_packer_version: '1.6.6',
    variables,
    ...(sensitive.length > 0 ? { 'sensitive-variables': sensitive } : {}),
    builders: [builder],
    provisioners,
    'post-processors': [{ type: 'manifest', output: userVar('manifest_path'), strip_path: true }],
  };
  return template;
}
