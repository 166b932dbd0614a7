// manifest.json of the builder bundle: what the bundle holds and the sha256 of every file the
// runner uses (it refuses a file changed after synth).
import { z } from 'zod';
import { BUNDLE_FORMAT } from './builder';
import { ENVIRONMENT_NAME, IMAGE_NAME, SCRIPT_NAME, SHA256_HEX, TEMPLATE_NAME } from './names';
import type { DeepReadonly } from './parse';
import { absolutePath, matching, text } from './schema-helpers';

const sha256 = matching(SHA256_HEX, 'a sha256 hex digest');
const imageName = matching(IMAGE_NAME, 'a valid image name ([a-z0-9_]+)');
const SENSU_FILE = /^[a-z0-9_-]+\.yaml$/;
const STORE_FILE = /^[^/\\\s.][^/\\]*$/;

export const ManifestImageSchema = z.strictObject({
  /** images/<name>.json */
  name: matching(IMAGE_NAME, 'a valid image name ([a-z0-9_]+)'),
  template: matching(TEMPLATE_NAME, 'a valid template name ([a-z0-9_]+)'),
  /** False when the image's schedule is disabled (no cron line). */
  enabled: z.boolean(),
  /** The five cron fields, e.g. `40 9 * * 3`. */
  cron_schedule: text.optional(),
  /** The image's line of cron.d/goldsmith. */
  cron_line: text.optional(),
  /** sha256 hex of images/<name>.json. */
  runner_config_sha256: sha256,
});

export const BundleManifestSchema = z.strictObject({
  bundle_format: z.literal(BUNDLE_FORMAT, { error: (iss) => `must be ${BUNDLE_FORMAT}, got ${JSON.stringify(iss.input)}` }),
  environment: matching(ENVIRONMENT_NAME, 'a valid environment name ([a-z0-9][a-z0-9_-]*)'),
  /** Sorted by name. */
  images: z.array(ManifestImageSchema),
  /** Template name → sha256 hex of templates/<name>.json. */
  templates: z.record(matching(TEMPLATE_NAME, 'a valid template name ([a-z0-9_]+)'), sha256),
  /** Script file name → sha256 hex of scripts/<name>. */
  scripts: z.record(matching(SCRIPT_NAME, 'a valid script file name'), sha256),
  /** Builder directories. */
  paths: z.strictObject({ store: absolutePath, logs: absolutePath, state: absolutePath }),
  /** Image name → sha256 hex of checks/<name>.json (one per live image; `goldsmith check --all` checks these). */
  checks: z.record(imageName, sha256).default({}),
  /** File name → sha256 hex of sensu/<name> (the Sensu Go check definitions). */
  sensu: z.record(matching(SENSU_FILE, 'a file name of sensu/ ([a-z0-9_-]+.yaml)'), sha256).default({}),
  /**
   * Retired image (in the environment's builds file, no longer carried or defined) → the store
   * files its releases name, sorted: each release's file and its .md5, .sha256 and .json siblings.
   * Glance may import them again, so whoever prunes the retired image's builds keeps these.
   */
  retired_files: z.record(imageName, z.array(matching(STORE_FILE, 'a plain file name'))).default({}),
});

export type ManifestImage = DeepReadonly<z.output<typeof ManifestImageSchema>>;
/** manifest.json as JSON (before defaults: `checks`, `sensu` and `retired_files` may be absent). */
export type BundleManifestInput = z.input<typeof BundleManifestSchema>;
export type BundleManifest = DeepReadonly<z.output<typeof BundleManifestSchema>>;
export type BundlePaths = BundleManifest['paths'];
