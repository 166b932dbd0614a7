// The build record the runner publishes in the store next to every stored build
// (`<image>-<build id>.json`, and `<image>-latest.json` through the -latest pointer): what was
// built, from what, why, and what the runner verified. The builder's web server serves it; promote
// reads it (lib/promote/builder-records.ts).
import { z } from 'zod';
import { ENVIRONMENT_NAME, IMAGE_NAME, SHA256_HEX } from './names';
import type { DeepReadonly } from './parse';
import { BuildReportSchema } from './report';

/** Format version of the record; a reader refuses any other. */
export const BUILD_RECORD_FORMAT = 1;

/** Release id of a stored build: `YYYYMMDD`, or `YYYYMMDD-<n>` (n >= 2) for a same-day rebuild. */
export const BUILD_RELEASE_ID = /^\d{8}(?:-(?:[2-9]|[1-9]\d+))?$/;

/** One check of a build's files and its outcome. */
export const BuildRecordCheckSchema = z.strictObject({
  /** e.g. `upstream-checksum`, `qemu-img-compare`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  result: z.enum(['passed', 'failed']),
  /** One line for people: what was compared with what. */
  detail: z.string().optional(),
});

export const BuildRecordSchema = z
  .strictObject({
    record_format: z.literal(BUILD_RECORD_FORMAT),
    image: z.string().regex(IMAGE_NAME),
    environment: z.string().regex(ENVIRONMENT_NAME),
    /** The release id (the stored name without `<image>-`): `YYYYMMDD` or `YYYYMMDD-n`. */
    build_id: z.string().regex(BUILD_RELEASE_ID),
    /** The run that built it: the report's and the log's build id, `YYYYMMDDTHHMMSSZ`. */
    run_id: z.string().regex(/^\d{8}T\d{6}Z$/),
    /** `YYYY-MM-DD` (UTC) of the build, the date in build_id. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** When the build's file was complete and hashed (ISO 8601, UTC). */
    finished_at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/),
    /** `<image>-<build_id>.<disk_format>`, a file in the same directory. */
    file: z.string(),
    disk_format: z.enum(['qcow2', 'raw']),
    md5: z.string().regex(/^[0-9a-f]{32}$/),
    sha256: z.string().regex(SHA256_HEX),
    size_bytes: z.number().int().positive(),
    upstream: z.strictObject({
      url: z.string(),
      /** Where the download came from after redirects (when it differs from url). */
      final_url: z.string().optional(),
      /** `<algorithm>:<hex>` of the downloaded upstream file. */
      checksum: z.string().regex(/^(?:md5:[0-9a-f]{32}|sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/),
    }),
    /** The runner config's fingerprint (template, scripts, build-relevant settings). */
    fingerprint: z.string().regex(SHA256_HEX),
    /** Versions of the tools that built it (`qemu-img`, `packer`, ...). */
    tools: z.record(z.string(), z.string()),
    /** Why it was built: the report's reason. */
    reason: BuildReportSchema.shape.reason.unwrap(),
    verification: z.strictObject({
      /** `passed` exactly when there are checks and every one passed. */
      result: z.enum(['passed', 'failed']),
      /** The checks the runner did, in order. */
      checks: z.array(BuildRecordCheckSchema),
    }),
  })
  .superRefine((r, ctx) => {
    const file = `${r.image}-${r.build_id}.${r.disk_format}`;
    if (r.file !== file) ctx.addIssue({ code: 'custom', path: ['file'], input: r.file, message: `must be ${file} (image, build_id, disk_format), got ${JSON.stringify(r.file)}` });
    const day = r.build_id.slice(0, 8);
    const date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
    if (r.date !== date) ctx.addIssue({ code: 'custom', path: ['date'], input: r.date, message: `must be ${date} (the date of build_id), got ${JSON.stringify(r.date)}` });
    const allPassed = r.verification.checks.length > 0 && r.verification.checks.every((c) => c.result === 'passed');
    if ((r.verification.result === 'passed') !== allPassed) {
      ctx.addIssue({
        code: 'custom',
        path: ['verification', 'result'],
        input: r.verification.result,
        message: `must be ${allPassed ? 'passed' : 'failed'}: passed means at least one check and every check passed`,
      });
    }
  });

export type BuildRecordCheck = DeepReadonly<z.output<typeof BuildRecordCheckSchema>>;
export type BuildRecord = DeepReadonly<z.output<typeof BuildRecordSchema>>;
