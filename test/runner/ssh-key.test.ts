// The build's SSH key (lib/runner/packer/ssh-key.ts): the encodings, checked against OpenSSH's own
// ssh-keygen where it is installed (packer's Go SSH library reads the same file: see
// test/constructs/build-template.test.ts, full `packer validate`, and test/runner/packer-ssh.test.ts).
import { execFileSync } from 'child_process';
import { createPublicKey } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateSshKeyPair, openSshPublicKey } from '../../lib/runner/packer/ssh-key';
import { hasTool } from '../support/tools';

test('the public key line: ssh-ed25519, the RFC 8709 blob, the comment', () => {
  const k = generateSshKeyPair('goldsmith-ubuntu-20261125T093000Z-0123abcd');
  const [type, b64, comment] = k.publicKey.split(' ');
  expect(type).toBe('ssh-ed25519');
  expect(comment).toBe('goldsmith-ubuntu-20261125T093000Z-0123abcd');
  const blob = Buffer.from(b64, 'base64');
  expect(blob.readUInt32BE(0)).toBe(11);
  expect(blob.subarray(4, 15).toString()).toBe('ssh-ed25519');
  expect(blob.readUInt32BE(15)).toBe(32);
  expect(blob.length).toBe(51);
  // the raw key is the one Node made: round trip through JWK
  const raw = blob.subarray(19);
  expect(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }).asymmetricKeyType).toBe('ed25519');
  expect(openSshPublicKey(raw)).toBe(`ssh-ed25519 ${b64}`);
  expect(() => openSshPublicKey(Buffer.alloc(31))).toThrow('an ed25519 public key has 32 bytes, got 31');
});

test('the private key: OpenSSH format, unencrypted, 70-column base64; every key new', () => {
  const a = generateSshKeyPair('c');
  const b = generateSshKeyPair('c');
  const lines = a.privateKey.trimEnd().split('\n');
  expect(lines[0]).toBe('-----BEGIN OPENSSH PRIVATE KEY-----');
  expect(lines.at(-1)).toBe('-----END OPENSSH PRIVATE KEY-----');
  for (const l of lines.slice(1, -2)) expect(l).toHaveLength(70);
  const body = Buffer.from(lines.slice(1, -1).join(''), 'base64');
  expect(body.subarray(0, 15).toString('latin1')).toBe('openssh-key-v1\0');
  expect(body.includes(Buffer.from('none'))).toBe(true);
  expect(a.publicKey).not.toBe(b.publicKey);
  expect(a.privateKey).not.toBe(b.privateKey);
  expect(() => generateSshKeyPair('a b')).toThrow(/white space/);
});

const keygen = hasTool('ssh-keygen') ? test : test.skip;
if (!hasTool('ssh-keygen')) process.stderr.write('SKIPPED the ssh-keygen check: ssh-keygen not found on PATH\n');
keygen('OpenSSH reads the private key and derives exactly the public key Nova gets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-ssh-key-'));
  try {
    const k = generateSshKeyPair('goldsmith-x-1');
    const file = path.join(dir, 'build-key');
    fs.writeFileSync(file, k.privateKey, { mode: 0o600 });
    expect(execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim()).toBe(k.publicKey);
    expect(execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' })).toMatch(/^256 SHA256:\S+ goldsmith-x-1 \(ED25519\)$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
