// Reading what `goldsmith check` judges, through the contract's schemas: the installed bundle's
// manifest and checks/<image>.json (against the sha256 the manifest records), the runner's report
// and last-success record, and NREC's imagebuilder report. Reads only; never writes anything.
import * as fs from 'fs';
import * as path from 'path';
import type { z } from 'zod';
import { oneLine, sha256Hex } from '../common';
import {
  BuildReportSchema,
  BundleFileError,
  BundleManifestSchema,
  CheckConfigSchema,
  LastSuccessSchema,
  parseContractJson,
  type BuildReport,
  type BundleManifest,
  type CheckConfig,
  type LastSuccess,
} from '../contract';
import { lastSuccessFile, reportFile } from '../runner/report';
import type { FileRead } from './file-read';
import { parseImagebuilderJsonl, type ImagebuilderReport } from './imagebuilder-jsonl';

/** A bundle file `goldsmith check` cannot use: one line, the whole check is UNKNOWN. */
export class CheckSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSetupError';
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' ? 'permission denied' : code ?? oneLine(e);
}

/** `<bundleDir>/manifest.json` through its schema. */
export function readBundleManifest(bundleDir: string): BundleManifest {
  const file = path.join(bundleDir, 'manifest.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckSetupError(missing ? `no bundle at ${bundleDir} (no manifest.json): install the builder bundle there or give --bundle` : `cannot read ${file}: ${errnoText(e)}`);
  }
  try {
    return parseContractJson(BundleManifestSchema, text, file);
  } catch (e) {
    throw new CheckSetupError(oneLine(e));
  }
}

/** `<bundleDir>/checks/<image>.json` through its schema, after comparing it with the sha256 the manifest records. */
export function readCheckConfig(bundleDir: string, manifest: BundleManifest, image: string): CheckConfig {
  const rel = `checks/${image}.json`;
  const expected = Object.prototype.hasOwnProperty.call(manifest.checks, image) ? manifest.checks[image] : undefined;
  if (expected === undefined) {
    throw new CheckSetupError(`the bundle at ${bundleDir} has no check for image ${image} (not built on this builder, or retired)`);
  }
  const file = path.join(bundleDir, rel);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new CheckSetupError(`cannot read ${file}: ${errnoText(e)}`);
  }
  if (sha256Hex(bytes) !== expected) throw new CheckSetupError(`${file} does not match manifest.json (changed after synth)`);
  try {
    const config = parseContractJson(CheckConfigSchema, bytes.toString('utf8'), file);
    if (config.image !== image) throw new CheckSetupError(`${file} is the check of image ${config.image}`);
    return config;
  } catch (e) {
    throw e instanceof CheckSetupError ? e : new CheckSetupError(oneLine(e));
  }
}

/** Reads `file` and parses its text with `parse`; a missing file and every failure become a FileRead. */
function readFile<T>(file: string, parse: (text: string) => T): FileRead<T> {
  let text: string;
  let mtime: Date;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtime = fs.statSync(file).mtime;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', file };
    return { status: 'unreadable', file, reason: errnoText(e) };
  }
  try {
    return { status: 'ok', file, value: parse(text), mtime };
  } catch (e) {
    // A BundleFileError names the file first; the finding names it already.
    const reason = e instanceof BundleFileError ? oneLine(e).slice(file.length + 2) : oneLine(e);
    return { status: 'unreadable', file, reason };
  }
}

function throughSchema<S extends z.ZodType>(schema: S, file: string) {
  return (text: string) => parseContractJson(schema, text, file);
}

/** The runner's report of the image: `<paths.logs>/<image>-report.json`. */
export function readReport(config: CheckConfig): FileRead<BuildReport> {
  const file = reportFile(config.paths.logs, config.image);
  return readFile(file, throughSchema(BuildReportSchema, file));
}

/** The runner's last-success record of the image: `<paths.state>/<image>.last-success.json`. */
export function readLastSuccess(config: CheckConfig): FileRead<LastSuccess> {
  const file = lastSuccessFile(config.paths.state, config.image);
  return readFile(file, throughSchema(LastSuccessSchema, file));
}

/** NREC's imagebuilder report (`/var/log/imagebuilder/<image>-report.jsonl`). */
export function readImagebuilderReport(file: string): FileRead<ImagebuilderReport> {
  return readFile(file, parseImagebuilderJsonl);
}
