// What the runner writes under paths.logs and paths.state: the build report
// (<image>-report.json) and the record of the last success (<image>.last-success.json).
import { z } from 'zod';
import { IMAGE_NAME } from './names';
import type { DeepReadonly } from './parse';

export const StepReportSchema = z.strictObject({
  name: z.string(),
  result: z.enum(['success', 'failed']),
  duration_s: z.number().nonnegative(),
  detail: z.string().optional(),
});

export const BuildReportSchema = z.strictObject({
  image: z.string().regex(IMAGE_NAME),
  environment: z.string(),
  /** `YYYYMMDDTHHMMSSZ`. */
  build_id: z.string(),
  result: z.enum(['running', 'success', 'failed', 'unchanged']),
  started_at: z.string(),
  finished_at: z.string().optional(),
  steps: z.array(StepReportSchema),
  upstream: z.strictObject({
    url: z.string(),
    /** Where the download came from after redirects (when it differs from url). */
    final_url: z.string().optional(),
    /** `<algorithm>:<hex>`. */
    checksum: z.string().optional(),
    size_bytes: z.number().int().nonnegative().optional(),
  }),
  fingerprint: z.string(),
  /** Why the build ran, or why it stopped as unchanged (set once the upstream checksum is known). */
  reason: z
    .strictObject({
      code: z.enum(['first_build', 'periodic', 'upstream_changed', 'template_changed', 'forced', 'last_build_missing', 'same_period', 'no_change']),
      /** One line for people. */
      detail: z.string(),
    })
    .optional(),
  artifact: z
    .strictObject({ file: z.string(), size_bytes: z.number().int().nonnegative(), md5: z.string(), sha256: z.string() })
    .optional(),
  tools: z.record(z.string(), z.string()),
  /** The log file of this build (a name in paths.logs). */
  log_file: z.string().optional(),
  /** One line, when failed. */
  error: z.string().optional(),
});

export const LastSuccessSchema = z.strictObject({
  image: z.string().regex(IMAGE_NAME),
  build_id: z.string(),
  finished_at: z.string(),
  /** `<algorithm>:<hex>` of the upstream file. */
  upstream_checksum: z.string(),
  fingerprint: z.string(),
  file: z.string(),
  md5: z.string(),
  sha256: z.string(),
});

export type StepReport = DeepReadonly<z.output<typeof StepReportSchema>>;
export type BuildReport = DeepReadonly<z.output<typeof BuildReportSchema>>;
export type BuildResultKind = BuildReport['result'];
export type BuildReason = NonNullable<BuildReport['reason']>;
export type LastSuccess = DeepReadonly<z.output<typeof LastSuccessSchema>>;
