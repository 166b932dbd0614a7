// manifest.json of the builder bundle: what the bundle holds and the sha256 of every file the
// runner uses (it refuses a file changed after synth).
import { z } from 'zod';
import { BUNDLE_FORMAT } from './builder';
import { ENVIRONMENT_NAME, IMAGE_NAME, SCRIPT_NAME, SHA256_HEX, TEMPLATE_NAME } from './names';
import type { DeepReadonly } from './parse';
import { absolutePath, matching, text } from './schema-helpers';

const sha256 = matching(SHA256_HEX, 'a sha256 hex digest');

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
});

export type ManifestImage = DeepReadonly<z.output<typeof ManifestImageSchema>>;
export type BundleManifest = DeepReadonly<z.output<typeof BundleManifestSchema>>;
export type BundlePaths = BundleManifest['paths'];
