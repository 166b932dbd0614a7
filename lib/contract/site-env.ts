// Site settings and secrets a template needs (templates.yaml `variables`): their names and rules.
// The catalog and the bundle carry names only; the values live in one root-owned env file per
// template on the builder (DEFAULT_SITE_ENV_DIR/<template>.env), which the runner reads in its
// prepare step (lib/runner/site-env.ts) and hands to packer through its environment.
import { z } from 'zod';
import { kindOf } from './parse';
import { absolutePath, matching } from './schema-helpers';

/** A site variable name: the environment variable the provisioning scripts read. */
export const SITE_VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Prefix of the variable in packer's process environment (`GOLDSMITH_SITE_<NAME>`): the template's
 * `{{env}}` default reads it there, and no site variable can replace a variable packer, the
 * OpenStack SDK or the shell read themselves (PATH, OS_CLOUD, PACKER_*, TMPDIR …).
 */
export const SITE_ENV_PREFIX = 'GOLDSMITH_SITE_';

/** Names the shell or goldsmith's own provisioning environment read: never site variables. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'BASHOPTS', 'CDPATH', 'DEBIAN_FRONTEND', 'ENV', 'EUID', 'GLOBIGNORE', 'GROUPS', 'HOME', 'HOSTNAME', 'IFS', 'LANG',
  'LANGUAGE', 'LOGNAME', 'MAIL', 'OLDPWD', 'PATH', 'POSIXLY_CORRECT', 'PPID', 'PS1', 'PS2', 'PS4', 'PWD', 'SHELL',
  'SHELLOPTS', 'SHLVL', 'SUDO_COMMAND', 'SUDO_GID', 'SUDO_UID', 'SUDO_USER', 'TERM', 'TMPDIR', 'TZ', 'UID', 'USER',
]);
const RESERVED_PREFIXES: readonly string[] = ['GOLDSMITH_', 'GS_', 'PACKER_', 'BASH_', 'LC_', 'LD_'];

/** Why `name` cannot be a site variable (one phrase), or undefined when it can. */
export function siteVariableNameProblem(name: string): string | undefined {
  if (!SITE_VARIABLE_NAME.test(name)) return 'must match [A-Z][A-Z0-9_]*';
  if (RESERVED_NAMES.has(name)) return `${name} is read by the shell or by goldsmith itself`;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `names starting with ${prefix} are reserved`;
  return undefined;
}

/** The packer user variable of site variable `name` reads this variable of packer's environment. */
export function siteEnvVariable(name: string): string {
  return `${SITE_ENV_PREFIX}${name}`;
}

/** One declared site variable (runner config `site_env.variables[]`). */
export const SiteVariableSchema = z.strictObject({
  /** Environment variable name on the build VM, [A-Z][A-Z0-9_]*. */
  name: matching(SITE_VARIABLE_NAME, 'a site variable name ([A-Z][A-Z0-9_]*)').superRefine((name, ctx) => {
    const problem = SITE_VARIABLE_NAME.test(name) ? siteVariableNameProblem(name) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: `${kindOf(name)} is reserved: ${problem}` });
  }),
  /** A build without a value for it fails in prepare. */
  required: z.boolean(),
  /** Redacted from packer's output and the build log (packer `sensitive-variables`). */
  secret: z.boolean(),
});

/** Runner config `site_env`: where the values are and which the template needs. */
export const SiteEnvSchema = z.strictObject({
  /** The template's env file on the builder (KEY=value lines, root-owned, not world-readable). */
  file: absolutePath,
  /** The template's declared variables, each name once. */
  variables: z
    .array(SiteVariableSchema)
    .min(1)
    .superRefine((vars, ctx) => {
      const seen = new Set<string>();
      vars.forEach((v, i) => {
        if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${v.name} is declared twice` });
        seen.add(v.name);
      });
    }),
});

/** A declared site variable as the catalog model and the constructs hand it on. */
export interface SiteVariable {
  readonly name: string;
  readonly required: boolean;
  readonly secret: boolean;
}
