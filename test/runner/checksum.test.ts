import { findChecksum, parseChecksumFile } from '../../lib/runner/checksum';

const H = (c: string, n = 64): string => c.repeat(n);

describe('checksum files', () => {
  test('parses GNU text, GNU binary and BSD lines, ignoring the rest', () => {
    const text = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      '# Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2: 123 bytes',
      `SHA256 (Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2) = ${H('A')}`,
      `${H('b')} *noble-server-cloudimg-amd64.img`,
      `${H('c', 128)}  debian-12-generic-amd64.qcow2\r`,
      `${H('d')}  ./dotted.img`,
      '-----BEGIN PGP SIGNATURE-----',
    ].join('\n');
    expect(parseChecksumFile(text)).toEqual([
      { file: 'Fedora-Cloud-Base-Generic-43-1.6.x86_64.qcow2', digest: H('a'), algorithm: 'sha256' },
      { file: 'noble-server-cloudimg-amd64.img', digest: H('b') },
      { file: 'debian-12-generic-amd64.qcow2', digest: H('c', 128) },
      { file: 'dotted.img', digest: H('d') },
    ]);
  });

  test('finds the entry for the exact file name only', () => {
    const text = `${H('1')}  foo.img.old\n${H('2')}  foo.img\n${H('3')}  new-foo.img\n`;
    expect(findChecksum(text, 'foo.img', 'sha256')).toBe(H('2'));
  });

  test('a listing of foo.img.old does not verify foo.img (today a substring match passes)', () => {
    expect(() => findChecksum(`${H('1')}  foo.img.old\n`, 'foo.img', 'sha256', 'SHA256SUMS')).toThrow(
      'SHA256SUMS has no sha256 entry for exactly "foo.img"',
    );
  });

  test('wrong digest length or BSD algorithm does not match', () => {
    expect(() => findChecksum(`${H('1', 32)}  foo.img\n`, 'foo.img', 'sha256')).toThrow(/no sha256 entry/);
    expect(() => findChecksum(`SHA512 (foo.img) = ${H('1')}\n`, 'foo.img', 'sha256')).toThrow(/no sha256 entry/);
    expect(findChecksum(`SHA512 (foo.img) = ${H('e', 128)}\n`, 'foo.img', 'sha512')).toBe(H('e', 128));
    expect(findChecksum(`MD5 (foo.img) = ${H('f', 32)}\n`, 'foo.img', 'md5')).toBe(H('f', 32));
  });

  test('conflicting entries for one file are an error; duplicates agreeing are fine', () => {
    expect(() => findChecksum(`${H('1')}  foo.img\n${H('2')}  foo.img\n`, 'foo.img', 'sha256')).toThrow(/2 different/);
    expect(findChecksum(`${H('1')}  foo.img\nSHA256 (foo.img) = ${H('1')}\n`, 'foo.img', 'sha256')).toBe(H('1'));
  });
});
