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

import { PROVISION_LIB, SCRIPT_NAME, STANDARD_SCRIPTS, TEMPLATE_NAME } from '../contract';

export { PROVISION_LIB, STANDARD_SCRIPTS };

/** Where the library is uploaded on the build VM (the scripts read GOLDSMITH_LIB). */
export const REMOTE_LIB_PATH = '/tmp/goldsmith-lib.sh';

/** Script that the `ipv6: false` option leaves out. */
export const IPV6_SCRIPT = 'enable_ipv6.sh';

/** File name of a template in templates/ (legacy JSON: never `.pkr.json`). */
export function templateFileName(name: string): string {
  validateTemplateName(name);
  return `${name}.json`;
}

/** An environment variable a script reads, fed from a packer user variable. */
export interface ScriptEnv {
  /** Environment variable name on the build VM. */
  readonly env: string;
  /** packer user variable; defaults to the same-named environment variable of the packer process. */
  readonly variable: string;
  /** Redacted from packer's output (`sensitive-variables`). */
  readonly sensitive: boolean;
}

/** Environment the scripts read besides the common variables; scripts not listed read none. */
export const SCRIPT_ENV: Readonly<Record<string, readonly ScriptEnv[]>> = Object.freeze({
  'uio-rhel.sh': [
    { env: 'RHSM_ORG', variable: 'rhsm_org', sensitive: false },
    { env: 'RHSM_ACTIVATION_KEY', variable: 'rhsm_activation_key', sensitive: true },
  ],
  'nvidia-grid-driver.sh': [
    { env: 'NVIDIA_GRID_DRIVER_URL', variable: 'nvidia_grid_driver_url', sensitive: false },
    { env: 'NVIDIA_GRID_DRIVER_SHA256', variable: 'nvidia_grid_driver_sha256', sensitive: false },
  ],
  'uib-puppet.sh': [
    { env: 'PUPPET_SERVER', variable: 'puppet_server', sensitive: false },
    { env: 'PUPPET_RELEASE_PACKAGE_URL', variable: 'puppet_release_package_url', sensitive: false },
    { env: 'PUPPET_AGENT_PACKAGE', variable: 'puppet_agent_package', sensitive: false },
  ],
});

/**
 * User variables every template declares; the runner passes them with `-var` (runner config
 * `packer_vars`, plus `source_image` and `manifest_path`). `null` = required.
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
  ssh_username: null,
});

/** Runs every script as root; variables go through `env` so sudo's env_reset cannot drop them. */
export const EXECUTE_COMMAND = "sudo -n env {{ .Vars }} bash '{{ .Path }}'";

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

  const variables: Record<string, string | null> = { ...BASE_VARIABLES };
  const sensitive: string[] = [];
  for (const script of sequence) {
    for (const e of SCRIPT_ENV[script] ?? []) {
      variables[e.variable] = `{{env \`${e.env}\`}}`;
      if (e.sensitive && !sensitive.includes(e.variable)) sensitive.push(e.variable);
    }
  }

  const commonEnv = [
    `GOLDSMITH_LIB=${REMOTE_LIB_PATH}`,
    `GOLDSMITH_TEMPLATE=${opts.name}`,
    'DEBIAN_FRONTEND=noninteractive',
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
    ssh_pty: true,
    ssh_timeout: sshTimeout,
    image_name: userVar('image_name'),
    image_visibility: 'private',
    metadata: { goldsmith_template: opts.name },
  };

  const provisioners: Record<string, unknown>[] = [
    { type: 'file', source: scriptPath(PROVISION_LIB), destination: REMOTE_LIB_PATH },
    ...sequence.map((script) => ({
      type: 'shell',
      script: scriptPath(script),
      execute_command: EXECUTE_COMMAND,
      environment_vars: [
        ...commonEnv,
        ...(SCRIPT_ENV[script] ?? []).map((e) => `${e.env}=${userVar(e.variable)}`),
      ],
    })),
    { type: 'shell', inline: [`rm -f ${REMOTE_LIB_PATH}`] },
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
