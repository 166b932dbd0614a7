// Hostile disk images for tests: files that name a host file qemu-img would read.

import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';

export const SECRET_SIZE = 1024 * 1024;

/** A host file the attack wants to leak (stands in for /etc/shadow). */
export function writeSecret(dir: string): string {
  const file = path.join(dir, 'builder-secret');
  fs.writeFileSync(file, Buffer.alloc(SECRET_SIZE, 'TOP-SECRET-OF-THE-BUILDER '));
  return file;
}

export async function qcow2WithDataFile(dir: string, secret: string, name = 'evil-data.qcow2'): Promise<string> {
  const f = path.join(dir, name);
  await execa('qemu-img', ['create', '-f', 'qcow2', '-o', `data_file=${secret},data_file_raw=on`, f, '1M']);
  writeSecret(path.dirname(secret)); // create truncated the data file: put the secret back
  return f;
}

export async function qcow2WithBacking(dir: string, secret: string): Promise<string> {
  const f = path.join(dir, 'evil-backing.qcow2');
  await execa('qemu-img', ['create', '-f', 'qcow2', '-b', secret, '-F', 'raw', f, '1M']);
  return f;
}

export function vmdkFlatDescriptor(dir: string, secret: string): string {
  const f = path.join(dir, 'evil.vmdk');
  fs.writeFileSync(
    f,
    [
      '# Disk DescriptorFile',
      'version=1',
      'CID=fffffffe',
      'parentCID=ffffffff',
      'createType="monolithicFlat"',
      '',
      `RW ${SECRET_SIZE / 512} FLAT "${secret}" 0`,
      '',
      'ddb.virtualHWVersion = "4"',
      'ddb.adapterType = "ide"',
      '',
    ].join('\n'),
  );
  return f;
}

