// The command line and environment of `packer build`: runner-config packer_vars as `-var`
// arguments (never a shell string), checked so that packer cannot expand them.
import type { RunnerConfig } from '../../contract';

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
