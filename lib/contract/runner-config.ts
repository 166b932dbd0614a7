// images/<image>.json of the builder bundle: what `goldsmith build <image>` needs to build one
// image (docs/builder-bundle.md). Written by the bundle writer, read by the runner.
import * as path from 'path';
import { z } from 'zod';
import { BuildSlotSchema, RebuildPolicySchema } from './build-period';
import { ENVIRONMENT_NAME, IMAGE_NAME, SHA256_HEX, TEMPLATE_NAME } from './names';
import { kindOf, parseContract, type DeepReadonly } from './parse';
import { absolutePath, count, matching, text } from './schema-helpers';
import { SiteEnvSchema } from './site-env';

const PLAIN_FILE_NAME = /^[^/\\\s][^/\\]*$/;
const ARGV_ITEM = /^[^\x00-\x1f\x7f]+$/;
const PINNED_CHECKSUM = /^(md5:[0-9a-f]{32}|sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

const UpstreamSchema = z
  .strictObject({
    /** Base URL, http(s), ending in '/'. */
    url: z
      .string()
      .refine((v) => URL.canParse(v), { error: (iss) => `${kindOf(iss.input)} is not a URL`, abort: true })
      .refine((v) => /^https?:$/.test(new URL(v).protocol), { error: (iss) => `must be http(s), got ${kindOf(iss.input)}`, abort: true })
      .refine((v) => v.endsWith('/'), { error: (iss) => `must end in '/', got ${kindOf(iss.input)}` }),
    file: matching(PLAIN_FILE_NAME, 'a plain file name'),
    /** The checksum file under url; absent with a pinned `checksum` or a no_checksum_waiver. */
    checksum_file: matching(PLAIN_FILE_NAME, 'a plain file name').optional(),
    /** Present exactly when checksum_file is. */
    algorithm: z.enum(['sha256', 'sha512', 'md5']).optional(),
    /** The file's checksum pinned in the catalog (`<algorithm>:<hex>`, lower-case); excludes checksum_file. */
    checksum: matching(PINNED_CHECKSUM, 'a checksum <md5|sha256|sha512>:<lower-case hex>').optional(),
    /** Smallest acceptable upstream file (default 1 MiB). */
    min_size_bytes: count(0).optional(),
    /** The catalog's reason for plain http: only with it does the runner follow an https → http redirect. */
    insecure_http_waiver: text.optional(),
  })
  .superRefine((u, ctx) => {
    if (u.checksum !== undefined && u.checksum_file !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['checksum'], message: 'must not be given together with checksum_file' });
    }
    if ((u.checksum_file === undefined) !== (u.algorithm === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [u.algorithm === undefined ? 'algorithm' : 'checksum_file'],
        message: 'is missing (checksum_file and algorithm must be given together)',
      });
    }
  });

const TemplateFileSchema = z
  .string()
  .min(1)
  .refine((f) => !path.isAbsolute(f) && !f.split(/[\\/]/).includes('..'), {
    error: (iss) => `must be a path inside the bundle, got ${kindOf(iss.input)}`,
    abort: true,
  })
  .refine((f) => !f.endsWith('.pkr.json'), 'must not end in .pkr.json (packer parses such files as HCL2, not as a legacy JSON template)');

const ExternalCommandSchema = z
  .array(z.string({ error: (iss) => `must be a string, got ${kindOf(iss.input)}` }).regex(ARGV_ITEM, 'must be non-empty, without control characters'), {
    error: (iss) => `must be an array of strings, got ${kindOf(iss.input)}`,
  })
  .min(1, 'must not be empty (it names the command to run)')
  .superRefine((argv, ctx) => {
    if (argv.length > 0 && !path.isAbsolute(argv[0])) {
      ctx.addIssue({ code: 'custom', path: [0], message: `the command must be an absolute path, got ${JSON.stringify(argv[0])}` });
    }
  });

export const RunnerConfigSchema = z
  .strictObject({
    image: matching(IMAGE_NAME, 'a valid image name ([a-z0-9_]+)'),
    environment: matching(ENVIRONMENT_NAME, 'a valid environment name ([a-z0-9][a-z0-9_-]*)'),
    /** clouds.yaml entry of the builder. */
    cloud: text,
    region: text,
    upstream: UpstreamSchema,
    template: matching(TEMPLATE_NAME, 'a valid template name ([a-z0-9_]+)'),
    /** The packer template relative to the bundle (PackerBaker); exactly one of this and external_command. */
    template_file: TemplateFileSchema.optional(),
    /** Argv of a command that builds the image itself (ExternalBaker): absolute path first, run without a shell. */
    external_command: ExternalCommandSchema.optional(),
    /** sha256 hex over the template, its scripts and the build-relevant image settings. */
    fingerprint: matching(SHA256_HEX, 'a sha256 hex digest'),
    /**
     * Site settings and secrets the template needs: their names and the env file on the builder
     * that holds the values (never the values). Absent when the template declares none.
     */
    site_env: SiteEnvSchema.optional(),
    packer_vars: z.record(
      z.string(),
      z.union([z.string(), z.number(), z.boolean()], { error: (iss) => `must be a string, number or boolean, got ${kindOf(iss.input)}` }),
    ),
    /** The temporary private Glance image the build boots from. */
    source_image: z.strictObject({
      min_ram_mb: count(0),
      min_disk_gb: count(0),
      efi: z.boolean(),
      properties: z.record(z.string(), z.string()).default({}),
    }),
    output: z.strictObject({
      disk_format: z.enum(['qcow2', 'raw']),
      /** qcow2 only; ignored for raw. */
      compression: z.enum(['zlib', 'zstd', 'none']),
      /** Dated builds kept in the store, newest first. */
      keep_builds: count(1),
      /** Stored files a release in the environment's builds file names: never pruned (Glance may import them again). */
      keep_files: z.array(matching(PLAIN_FILE_NAME, 'a plain file name')).default([]),
    }),
    /** When a build with unchanged upstream and template still runs: once per schedule period (patches), or never. */
    rebuild: z.strictObject({
      policy: RebuildPolicySchema,
      /** The cron slot of the image (the builder's local time); a period runs from one slot to the next. */
      slot: BuildSlotSchema,
    }),
    /** Directories on the builder. */
    paths: z.strictObject({
      /** Stored builds (served over HTTP). */
      store: absolutePath,
      /** Reports and build logs. */
      logs: absolutePath,
      /** Locks and last-success records. */
      state: absolutePath,
      /** Scratch space of running builds. */
      work: absolutePath,
    }),
    /** Step timeouts in seconds. */
    timeouts_s: z.strictObject({
      download: z.number().positive(),
      packer: z.number().positive(),
      convert: z.number().positive(),
    }),
  })
  .superRefine((c, ctx) => {
    if (c.template_file !== undefined && c.external_command !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['external_command'], message: 'must not be given together with template_file (exactly one of them)' });
    } else if (c.template_file === undefined && c.external_command === undefined) {
      ctx.addIssue({ code: 'custom', path: ['template_file'], message: 'is missing (exactly one of template_file and external_command is required)' });
    }
  });

/** images/<image>.json as JSON (before normalization). */
export type RunnerConfigInput = z.input<typeof RunnerConfigSchema>;
/** images/<image>.json as the runner uses it. */
export type RunnerConfig = DeepReadonly<z.output<typeof RunnerConfigSchema>>;
export type RunnerUpstream = RunnerConfig['upstream'];
export type RunnerSourceImage = RunnerConfig['source_image'];
export type RunnerOutput = RunnerConfig['output'];
export type RunnerPaths = RunnerConfig['paths'];
export type RunnerTimeouts = RunnerConfig['timeouts_s'];
export type RunnerChecksumAlgorithm = NonNullable<RunnerUpstream['algorithm']>;
export type RunnerDiskFormat = RunnerOutput['disk_format'];
export type RunnerCompression = RunnerOutput['compression'];

/** Checks parsed JSON as a runner config; `file` names it in the one-line BundleFileError. */
export function parseRunnerConfig(json: unknown, file: string): RunnerConfig {
  return parseContract(RunnerConfigSchema, json, file);
}
