// The build's SSH key: ed25519, made with Node's crypto, in the two OpenSSH encodings packer and
// Nova take. Nova imports the public key line (`ssh-ed25519 <base64> <comment>`); packer reads the
// private key file in OpenSSH's own format (`-----BEGIN OPENSSH PRIVATE KEY-----`, unencrypted),
// which Go's x/crypto/ssh (packer 1.6.6 and current) and OpenSSH's `ssh -i` both read. PKCS#8 PEM
// would do for packer, but OpenSSH's tools do not read PKCS#8 ed25519 keys.
//
// ed25519 signs with itself: no ssh-rsa (SHA-1) signature, which OpenSSH >= 8.8 and the EL9
// crypto policies refuse, is ever offered.
import { generateKeyPairSync, randomBytes } from 'crypto';

/** An SSH key pair; `privateKey` is secret (written 0600, never logged). */
export interface SshKeyPair {
  /** `ssh-ed25519 <base64> <comment>` (one line, no newline). */
  readonly publicKey: string;
  /** The private key in OpenSSH format, PEM-armoured, ending in a newline. */
  readonly privateKey: string;
}

const KEY_TYPE = 'ssh-ed25519';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** An SSH wire-format string: uint32 length, then the bytes. */
function sshString(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([u32(bytes.length), bytes]);
}

/** The public key blob (RFC 8709): string "ssh-ed25519", string key (32 bytes). */
function publicBlob(raw: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(raw)]);
}

/** `ssh-ed25519 <base64>[ <comment>]` of a raw 32-byte ed25519 public key. */
export function openSshPublicKey(raw: Buffer, comment = ''): string {
  if (raw.length !== 32) throw new Error(`an ed25519 public key has 32 bytes, got ${raw.length}`);
  return `${KEY_TYPE} ${publicBlob(raw).toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/**
 * OpenSSH's private key format (PROTOCOL.key), unencrypted: magic, cipher and kdf "none", one
 * public key, then the private section (two equal check words, type, public key, seed||public,
 * comment) padded with 1, 2, 3 … to a multiple of 8.
 */
export function openSshPrivateKey(seed: Buffer, raw: Buffer, comment = ''): string {
  if (seed.length !== 32 || raw.length !== 32) throw new Error('an ed25519 key has a 32-byte seed and a 32-byte public key');
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString(KEY_TYPE), sshString(raw), sshString(Buffer.concat([seed, raw])), sshString(comment)]);
  const pad: number[] = [];
  for (let i = 1; (section.length + pad.length) % 8 !== 0; i++) pad.push(i);
  section = Buffer.concat([section, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(publicBlob(raw)),
    sshString(section),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A fresh ed25519 key pair; `comment` (e.g. the Nova keypair name) goes into both encodings. */
export function generateSshKeyPair(comment: string): SshKeyPair {
  if (/[\s\x00-\x1f\x7f]/.test(comment)) throw new Error('the key comment must not contain white space or control characters');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  try {
    return { publicKey: openSshPublicKey(raw, comment), privateKey: openSshPrivateKey(seed, raw, comment) };
  } finally {
    seed.fill(0);
  }
}
