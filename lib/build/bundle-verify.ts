// The runner trusts only what synth wrote: the bundle's manifest.json records the sha256 of every
// runner config, template and script (lib/bundle/write-bundle.ts); a file edited after synth is
// refused before it is used.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Layout version of the bundle the runner understands (lib/bundle/write-bundle.ts BUNDLE_FORMAT). */
export const SUPPORTED_BUNDLE_FORMAT = 1;

export interface VerifiedManifest {
  readonly templates: Readonly<Record<string, string>>;
  readonly scripts: Readonly<Record<string, string>>;
  readonly runnerConfigSha256: string;
}

export function sha256Hex(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Reads `<bundleDir>/manifest.json` and returns what it records for `image`. Throws a one-line
 * `Error` (the caller wraps it) when the manifest is missing, unreadable or does not list the image.
 */
export function readManifest(bundleDir: string, image: string): VerifiedManifest {
  const file = path.join(bundleDir, 'manifest.json');
  let j: { bundle_format?: unknown; images?: unknown; templates?: unknown; scripts?: unknown };
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'no manifest.json in the bundle (not a bundle written by synth?)' : 'manifest.json is unreadable or not JSON');
  }
  if (j?.bundle_format !== SUPPORTED_BUNDLE_FORMAT) throw new Error(`manifest.json: bundle_format ${JSON.stringify(j?.bundle_format)} is not ${SUPPORTED_BUNDLE_FORMAT}`);
  const images = Array.isArray(j.images) ? (j.images as { name?: unknown; runner_config_sha256?: unknown }[]) : [];
  const entry = images.find((i) => i?.name === image);
  if (!entry || typeof entry.runner_config_sha256 !== 'string' || !HEX64.test(entry.runner_config_sha256)) {
    throw new Error(`manifest.json does not list image ${image} with a runner_config_sha256`);
  }
  return {
    templates: hashMap(j.templates, 'templates'),
    scripts: hashMap(j.scripts, 'scripts'),
    runnerConfigSha256: entry.runner_config_sha256,
  };
}

function hashMap(v: unknown, key: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`manifest.json: ${key} is not an object`);
  const out: Record<string, string> = {};
  for (const [k, h] of Object.entries(v)) {
    if (typeof h !== 'string' || !HEX64.test(h)) throw new Error(`manifest.json: ${key}.${k} is not a sha256 hex digest`);
    out[k] = h;
  }
  return out;
}

/** Throws when `bytes` (the content of `rel`) do not have the sha256 the manifest records. */
export function verifyBytes(rel: string, bytes: Buffer, expected: string | undefined): void {
  if (expected === undefined) throw new Error(`${rel} is not recorded in manifest.json`);
  const got = sha256Hex(bytes);
  if (got !== expected) throw new Error(`${rel} does not match manifest.json (sha256 ${got.slice(0, 12)}…, recorded ${expected.slice(0, 12)}…): changed after synth; refusing it`);
}

/** Throws when the file `rel` (inside the bundle) does not have the sha256 the manifest records. */
export function verifyFile(bundleDir: string, rel: string, expected: string | undefined): void {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(bundleDir, rel));
  } catch (e) {
    throw new Error(`${rel} is listed in manifest.json but cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  verifyBytes(rel, bytes, expected);
}

/** The template file of `template` and every script of the manifest, against their recorded sha256. */
export function verifyBakeInputs(bundleDir: string, manifest: VerifiedManifest, template: string, templateFile: string | undefined): void {
  if (templateFile !== undefined) {
    if (templateFile !== `templates/${template}.json`) throw new Error(`template_file ${templateFile} is not templates/${template}.json`);
    verifyFile(bundleDir, templateFile, manifest.templates[template]);
  }
  for (const [name, sha] of Object.entries(manifest.scripts)) {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) throw new Error(`manifest.json: script name ${JSON.stringify(name)} is not a plain file name`);
    verifyFile(bundleDir, `scripts/${name}`, sha);
  }
}
