// Upstream checksum files: GNU (`<hex>  <file>`, `<hex> *<file>`) and BSD (`SHA256 (<file>) = <hex>`)
// lines. Other lines (PGP armour, comments, sizes) are ignored. Matching is by EXACT file name.

import type { RunnerChecksumAlgorithm } from '../contract';

export interface ChecksumEntry {
  readonly file: string;
  readonly digest: string;
  /** Set for BSD lines (lower case, e.g. 'sha256'). */
  readonly algorithm?: string;
}

export const DIGEST_HEX_LENGTH: Readonly<Record<RunnerChecksumAlgorithm, number>> = { md5: 32, sha256: 64, sha512: 128 };

const GNU_RE = /^\\?([0-9a-fA-F]{32,128}) [ *](.+)$/;
const BSD_RE = /^\\?([A-Za-z0-9-]+) ?\((.+)\) ?= ?([0-9a-fA-F]{32,128})$/;

function normalizeName(name: string): string {
  return name.startsWith('./') ? name.slice(2) : name;
}

/** All entries of a checksum file, in order. */
export function parseChecksumFile(text: string): ChecksumEntry[] {
  const entries: ChecksumEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const bsd = BSD_RE.exec(line);
    if (bsd) {
      entries.push({ file: normalizeName(bsd[2]), digest: bsd[3].toLowerCase(), algorithm: bsd[1].toLowerCase().replace(/-/g, '') });
      continue;
    }
    const gnu = GNU_RE.exec(line);
    if (gnu) entries.push({ file: normalizeName(gnu[2]), digest: gnu[1].toLowerCase() });
  }
  return entries;
}

/**
 * The digest listed for exactly `file` with `algorithm`. Throws a one-line error when the file is not
 * listed, listed with a digest of the wrong length or algorithm, or listed twice with different digests.
 */
export function findChecksum(text: string, file: string, algorithm: RunnerChecksumAlgorithm, source = 'checksum file'): string {
  const wantLen = DIGEST_HEX_LENGTH[algorithm];
  const matches = parseChecksumFile(text).filter(
    (e) => e.file === file && e.digest.length === wantLen && (e.algorithm === undefined || e.algorithm === algorithm || e.algorithm === algorithm.replace('sha', 'sha2')),
  );
  if (matches.length === 0) throw new Error(`${source} has no ${algorithm} entry for exactly ${JSON.stringify(file)}`);
  const digests = new Set(matches.map((m) => m.digest));
  if (digests.size > 1) throw new Error(`${source} lists ${JSON.stringify(file)} with ${digests.size} different ${algorithm} digests`);
  return matches[0].digest;
}
