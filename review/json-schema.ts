// The JSON Schema of `goldsmith diff --format json`, for readers outside this code base.
// docs/ci/diff-report.schema.json is this text; a test keeps them equal.
import { z } from 'zod';
import { DiffReportSchema } from './report-schema';

/** The JSON Schema (draft 2020-12) of the diff report: 2-space JSON with a trailing newline. */
export function diffReportJsonSchema(): string {
  const json = { title: 'goldsmith diff report (goldsmith diff --format json)', ...z.toJSONSchema(DiffReportSchema, { io: 'output', unrepresentable: 'any' }) };
  return `${JSON.stringify(json, null, 2)}\n`;
}
