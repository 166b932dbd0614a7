// Name rules shared by the catalog, the bundle writer and the runner: a name valid in one is
// valid in all (names become file names, Glance tags and cron arguments).

/** Environment keys (environments.yaml), builds/<env>.yaml file names and bundle environments. */
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** Image keys: the second Glance tag, the builder file prefix and `goldsmith build <image>`. */
export const IMAGE_NAME = /^[a-z0-9_]+$/;
/** Template keys (templates.yaml): templates/<name>.json in the bundle. */
export const TEMPLATE_NAME = /^[a-z0-9_]+$/;
/** Provisioning script file names (provision/ and the bundle's scripts/); no leading '-' or '.'. */
export const SCRIPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.sh$/;
/** A sha256 digest as 64 lower-case hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
