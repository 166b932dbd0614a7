// Constants of the builder node that synth writes into the bundle and the runner relies on.
import type { RunnerPaths, RunnerTimeouts } from './runner-config';

/** Version of the bundle layout (manifest.json `bundle_format`); the runner refuses others. */
export const BUNDLE_FORMAT = 1;

/** Where the builder bundle is installed on a builder node (`goldsmith build --bundle`). */
export const DEFAULT_BUNDLE_DIR = '/etc/goldsmith/bundle';

/**
 * Absolute path of the goldsmith command on a builder node: the cron lines run
 * `<GOLDSMITH_BIN> build <image>` and the Sensu check `<GOLDSMITH_BIN> check --all` (install the
 * package's bin there, e.g. `ln -s /opt/goldsmith/dist/bin/goldsmith.js /usr/local/bin/goldsmith`).
 */
export const GOLDSMITH_BIN = '/usr/local/bin/goldsmith';

/**
 * Directory of the site env files on a builder node: `<dir>/<template>.env` holds the values of
 * the variables templates.yaml declares for that template (docs/builder-bundle.md).
 */
export const DEFAULT_SITE_ENV_DIR = '/etc/goldsmith/env';

/** The env file of `template` in `dir`. */
export function siteEnvFile(template: string, dir: string = DEFAULT_SITE_ENV_DIR): string {
  return `${dir.replace(/\/+$/, '')}/${template}.env`;
}

/** Security group of the build VM (a Terraform resource of the environment's stack). */
export const BUILDER_SECURITY_GROUP = 'goldsmith-builder-ssh';

/** Provisioning library every script sources: scripts/lib.sh. */
export const PROVISION_LIB = 'lib.sh';

/** The standard sequence run after a template's custom scripts, in order (scripts/<name>). */
export const STANDARD_SCRIPTS: readonly string[] = Object.freeze([
  'uio-rhel.sh',
  'enable_ipv6.sh',
  'fstrim.sh',
  'upgrade.sh',
  'qemu_guest_agent.sh',
  'autopatch.sh',
  'sshd_hardening.sh',
  'grub.sh',
  'cleanup.sh',
  'uio-cleanup.sh',
]);

/** Default builder directories. */
export const DEFAULT_RUNNER_PATHS: RunnerPaths = Object.freeze({
  store: '/opt/images/public_builds',
  logs: '/var/log/goldsmith',
  state: '/var/lib/goldsmith',
  work: '/var/lib/goldsmith/work',
});

/** Default step timeouts in seconds. */
export const DEFAULT_RUNNER_TIMEOUTS: RunnerTimeouts = Object.freeze({ download: 3600, packer: 7200, convert: 3600 });
