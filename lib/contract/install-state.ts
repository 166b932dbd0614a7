// The install state of a builder node (`goldsmith install`): what the installed bundle put where,
// so the next install can update and prune exactly that and nothing else. Written by root in a
// root-owned directory (never the runner's state directory, which the build user can write:
// whoever can change this file chooses what root deletes).
import * as path from 'path';
import { z } from 'zod';
import { ENVIRONMENT_NAME, IMAGE_NAME, SHA256_HEX, TEMPLATE_NAME } from './names';
import { kindOf, type DeepReadonly } from './parse';
import { absolutePath, matching } from './schema-helpers';
import { SITE_VARIABLE_NAME } from './site-env';

/** Version of the install state layout (`state_format`); another one is refused. */
export const INSTALL_STATE_FORMAT = 1;

/** Where `goldsmith install` keeps its state (under `--root`): root:root, 0644 in a 0755 directory. */
export const DEFAULT_INSTALL_STATE_FILE = '/var/lib/goldsmith-install/state.json';

/** The cron.d file of the builds on a builder node. */
export const INSTALLED_CRON_FILE = '/etc/cron.d/goldsmith';

const sha256 = matching(SHA256_HEX, 'a sha256 hex digest');

/** An absolute, normalized path on the builder (as the builder sees it: without `--root`). */
const builderPath = z
  .string()
  .min(1)
  .refine((v) => path.posix.isAbsolute(v) && path.posix.normalize(v) === v && !v.endsWith('/'), {
    error: (iss) => `must be an absolute, normalized path, got ${kindOf(iss.input)}`,
  });

const PLAIN_FILE_NAME = /^[^/\\\s][^/\\]*$/;

/** One file the install wrote from the bundle. */
export const InstalledFileSchema = z.strictObject({
  /** `bundle`: under the bundle directory; `cron`: the cron.d file. */
  kind: z.enum(['bundle', 'cron']),
  /** sha256 hex of the content as installed. */
  sha256,
  /** Permission bits as installed (0644, 0755 for scripts). */
  mode: z.number().int().min(0).max(0o7777),
});

/** A site env file the install created as a stub (never one it found). */
export const InstalledEnvStubSchema = z.strictObject({
  template: matching(TEMPLATE_NAME, 'a valid template name ([a-z0-9_]+)'),
  /** sha256 hex of the stub as written: while the file still has it, nobody has entered a value. */
  sha256,
  /** The variable names the stub lists. */
  variables: z.array(matching(SITE_VARIABLE_NAME, 'a site variable name ([A-Z][A-Z0-9_]*)')),
});

/** An image of the installed bundle (or a retired one whose stored files are still being pruned). */
export const InstalledImageSchema = z.strictObject({
  template: matching(TEMPLATE_NAME, 'a valid template name ([a-z0-9_]+)'),
  /** The runner config's directories: where its stored builds, logs and state are. */
  paths: z.strictObject({ store: absolutePath, logs: absolutePath, state: absolutePath, work: absolutePath }),
  /** Stored files a release in Glance names (runner config `output.keep_files`; for a retired image what was kept). */
  keep_files: z.array(matching(PLAIN_FILE_NAME, 'a plain file name')),
  /** The image left the bundle; what a release still names stays in its store. */
  retired: z.literal(true).optional(),
});

export const InstallStateSchema = z.strictObject({
  state_format: z.literal(INSTALL_STATE_FORMAT, {
    error: (iss) => `must be ${INSTALL_STATE_FORMAT}, got ${JSON.stringify(iss.input)}`,
  }),
  environment: matching(ENVIRONMENT_NAME, 'a valid environment name ([a-z0-9][a-z0-9_-]*)'),
  /** sha256 hex of the installed manifest.json. */
  manifest_sha256: sha256,
  /** Builder path → the file installed there. */
  files: z.record(builderPath, InstalledFileSchema),
  /** Builder path → the site env stub created there. */
  env_stubs: z.record(builderPath, InstalledEnvStubSchema),
  /** Image name → where its builds live. */
  images: z.record(matching(IMAGE_NAME, 'a valid image name ([a-z0-9_]+)'), InstalledImageSchema),
});

export type InstalledFile = DeepReadonly<z.output<typeof InstalledFileSchema>>;
export type InstalledEnvStub = DeepReadonly<z.output<typeof InstalledEnvStubSchema>>;
export type InstalledImage = DeepReadonly<z.output<typeof InstalledImageSchema>>;
export type InstallState = DeepReadonly<z.output<typeof InstallStateSchema>>;
