// The runner trusts only what synth wrote: the bundle's manifest.json records the sha256 of every
// runner config, template and script (lib/constructs/builder-bundle.ts); a file edited after synth is
// refused before it is used.

import * as fs from 'fs';
import * as path from 'path';
import { sha256Hex } from '../common';
import { BundleManifestSchema, parseContractJson, type BundleManifest } from '../contract';

/** What manifest.json records for one image. */
export interface VerifiedManifest {
  readonly templates: BundleManifest['templates'];
  readonly scripts: BundleManifest['scripts'];
  readonly runnerConfigSha256: string;
}

/**
 * Reads `<bundleDir>/manifest.json` through its schema and returns what it records for `image`.
 * Throws a one-line `Error` (the caller wraps it) when the manifest is missing, invalid or does
 * not list the image.
 */
export function readManifest(bundleDir: string, image: string): VerifiedManifest {
  let text: string;
  try {
    text = fs.readFileSync(path.join(bundleDir, 'manifest.json'), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'no manifest.json in the bundle (not a bundle written by synth?)' : 'manifest.json is unreadable');
  }
  const manifest = parseContractJson(BundleManifestSchema, text, 'manifest.json');
  const entry = manifest.images.find((i) => i.name === image);
  if (!entry) throw new Error(`manifest.json does not list image ${image} with a runner_config_sha256`);
  return { templates: manifest.templates, scripts: manifest.scripts, runnerConfigSha256: entry.runner_config_sha256 };
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
  // Script names are plain file names (the manifest schema's SCRIPT_NAME).
  for (const [name, sha] of Object.entries(manifest.scripts)) verifyFile(bundleDir, `scripts/${name}`, sha);
}
