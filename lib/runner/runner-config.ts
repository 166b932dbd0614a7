// Loads images/<image>.json of the installed bundle through the contract's schema, after checking
// it (and the template and scripts it uses) against manifest.json.

import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../common';
import { BundleFileError, IMAGE_NAME, parseRunnerConfig, type RunnerConfig } from '../contract';
import { readManifest, verifyBakeInputs, verifyBytes, type VerifiedManifest } from './bundle-verify';

/**
 * Reads and validates `<bundleDir>/images/<image>.json`; the image key must equal `image`. The file,
 * the template file and the scripts must have the sha256 that the bundle's manifest.json records
 * (bundle-verify.ts): a bundle edited after synth is refused. Every error is a BundleFileError.
 */
export function loadRunnerConfig(bundleDir: string, image: string): RunnerConfig {
  const rel = `images/${image}.json`;
  const file = path.join(bundleDir, 'images', `${image}.json`);
  if (!IMAGE_NAME.test(image)) throw new BundleFileError(rel, undefined, `invalid image name ${JSON.stringify(image)}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BundleFileError(file, undefined, code === 'ENOENT' ? `no such file (is ${image} in the bundle at ${bundleDir}?)` : `cannot read: ${oneLine(e)}`);
  }
  let manifest: VerifiedManifest;
  try {
    manifest = readManifest(bundleDir, image);
    verifyBytes(rel, bytes, manifest.runnerConfigSha256);
  } catch (e) {
    throw new BundleFileError(file, undefined, oneLine(e));
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new BundleFileError(file, undefined, `invalid JSON: ${oneLine(e)}`);
  }
  const config = parseRunnerConfig(json, file);
  if (config.image !== image) throw new BundleFileError(file, 'image', `is ${JSON.stringify(config.image)}, expected ${JSON.stringify(image)}`);
  try {
    verifyBakeInputs(bundleDir, manifest, config.template, config.template_file);
  } catch (e) {
    throw new BundleFileError(file, undefined, oneLine(e));
  }
  return config;
}
