// The build's Nova keypair: a fresh ed25519 key (ssh-key.ts) imported into Nova as
// `goldsmith-<image>-<run id>`, its private key written 0600 into the build's work directory for
// packer (`ssh_private_key_file`), and both removed in the baker's finally, as the temporary
// Glance images are: this run's keypair, and any an earlier, killed run of the same image left
// (matched by the full name pattern; relies on the per-image build lock, as the image sweep does).
// The private key is never logged, never in an argv, an error or the report: only its path is.
import * as fs from 'fs';
import * as path from 'path';
import { oneLine, reEscape } from '../../common';
import type { NovaClient } from '../../openstack/nova';
import { raceAbort } from './abort';
import { generateSshKeyPair } from './ssh-key';

/** The Nova calls of a bake (NovaClient has them; tests may pass any implementation). */
export type BakerNova = Pick<NovaClient, 'createKeypair' | 'deleteKeypair' | 'listKeypairs'>;

/** File name of the private key in the work directory. */
export const BUILD_KEY_FILE = 'build-key';

const RUN_ID_PATTERN = '\\d{8}T\\d{6}Z-[0-9a-f]{8}';

/** The keypair name of one run of `image`. */
export function buildKeypairName(image: string, runId: string): string {
  return `goldsmith-${image}-${runId}`;
}

/** Matches the keypair names of any run of `image` (and of no other image). */
export function buildKeypairNameRe(image: string): RegExp {
  return new RegExp(`^goldsmith-${reEscape(image)}-${RUN_ID_PATTERN}$`);
}

/** The keypair packer gets: its Nova name and the private key file. */
export interface BuildKeypair {
  readonly name: string;
  readonly keyFile: string;
}

/**
 * Generates the key, writes the private key to `<workDir>/build-key` (mode 0600, a new file) and
 * imports the public key into Nova. `created` gets the name before the request (a request that
 * times out may still have created it). On failure the key file is removed.
 */
export async function createBuildKeypair(
  nova: BakerNova,
  image: string,
  runId: string,
  workDir: string,
  created: Set<string>,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<BuildKeypair> {
  const name = buildKeypairName(image, runId);
  const keyFile = path.join(workDir, BUILD_KEY_FILE);
  const key = generateSshKeyPair(name);
  fs.rmSync(keyFile, { force: true });
  const fd = fs.openSync(keyFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, key.privateKey);
  } finally {
    fs.closeSync(fd);
  }
  created.add(name);
  try {
    await raceAbort(nova.createKeypair(name, key.publicKey, { signal }), signal, 'bake');
  } catch (e) {
    fs.rmSync(keyFile, { force: true });
    throw new Error(`creating the build keypair ${name}: ${oneLine(e)}`);
  }
  log(`created keypair ${name} (ed25519) for the build VM`);
  return { name, keyFile };
}

/**
 * Deletes `known` keypairs and every keypair of an earlier run of `image` still in Nova. Failures
 * are logged, never thrown: a leftover is found again by the next build's sweep.
 */
export async function sweepBuildKeypairs(
  nova: BakerNova,
  image: string,
  runId: string,
  known: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<void> {
  const doomed = new Set(known);
  const re = buildKeypairNameRe(image);
  try {
    for (const name of await nova.listKeypairs()) if (re.test(name)) doomed.add(name);
  } catch (e) {
    log(`warning: cannot list keypairs of ${image} in Nova: ${oneLine(e)}`);
  }
  for (const name of doomed) {
    const earlier = !name.endsWith(`-${runId}`);
    try {
      const deleted = await nova.deleteKeypair(name);
      if (deleted) log(`deleted keypair ${name}${earlier ? ' left by an earlier run' : ''}`);
    } catch (e) {
      log(`warning: cannot delete keypair ${name}: ${oneLine(e)} (the next build of ${image} retries)`);
    }
  }
}
