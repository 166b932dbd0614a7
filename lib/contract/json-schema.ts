// The contract's bundle files as JSON Schema (draft 2020-12), for readers outside this code base.
// schema/bundle/*.schema.json are these texts (npm run gen:schemas); a test keeps them equal.
// Rules that JSON Schema cannot say (exactly one of template_file and external_command, checksum
// file and algorithm together, absolute paths, a build record's file named after its image, build
// id and disk format) are checked by the zod schemas only.
import { z } from 'zod';
import { BuildRecordSchema } from './build-record';
import { CheckConfigSchema } from './check-config';
import { InstallStateSchema } from './install-state';
import { BundleManifestSchema } from './manifest';
import { BuildReportSchema, LastSuccessSchema } from './report';
import { RunnerConfigSchema } from './runner-config';

const SCHEMAS: Readonly<Record<string, { readonly title: string; readonly schema: z.ZodType }>> = {
  'runner-config.schema.json': { title: 'goldsmith runner config (bundle images/<image>.json)', schema: RunnerConfigSchema },
  'manifest.schema.json': { title: 'goldsmith bundle manifest (manifest.json)', schema: BundleManifestSchema },
  'report.schema.json': { title: 'goldsmith build report (<logs>/<image>-report.json)', schema: BuildReportSchema },
  'last-success.schema.json': { title: 'goldsmith last success (<state>/<image>.last-success.json)', schema: LastSuccessSchema },
  'check-config.schema.json': { title: 'goldsmith check config (bundle checks/<image>.json)', schema: CheckConfigSchema },
  'install-state.schema.json': { title: 'goldsmith install state (/var/lib/goldsmith-install/state.json on a builder)', schema: InstallStateSchema },
  'build-record.schema.json': { title: 'goldsmith build record (<store>/<image>-<build id>.json, <image>-latest.json)', schema: BuildRecordSchema },
};

/** File name in schema/bundle/ → JSON Schema text (2-space JSON, trailing newline). */
export function bundleJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, { title, schema }] of Object.entries(SCHEMAS)) {
    const json = { title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) };
    out.set(file, `${JSON.stringify(json, null, 2)}\n`);
  }
  return out;
}
