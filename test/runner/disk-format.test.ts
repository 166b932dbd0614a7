// sniffFormat / assertNoExternalFiles on real files made by qemu-img.

import execa from 'execa';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { imageInfo } from '../../lib/runner/convert';
import { assertNoExternalFiles, sniffFormat } from '../../lib/runner/disk-format';
import { describeWithTools } from '../support/tools';
import { qcow2WithDataFile, vmdkFlatDescriptor, writeSecret } from './hostile';

describeWithTools(['qemu-img'], 'disk formats', () => {
  let dir: string;
  let secret: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-fmt-'));
    secret = writeSecret(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('sniffFormat and qemu-img info -f show the references that are refused', async () => {
    const data = await qcow2WithDataFile(dir, secret);
    const vmdk = vmdkFlatDescriptor(dir, secret);
    const plain = path.join(dir, 'plain.qcow2');
    await execa('qemu-img', ['create', '-f', 'qcow2', plain, '1M']);
    expect([sniffFormat(data), sniffFormat(vmdk), sniffFormat(plain), sniffFormat(secret)]).toEqual(['qcow2', 'vmdk', 'qcow2', 'text']);
    const rnd = path.join(dir, 'random.raw');
    fs.writeFileSync(rnd, crypto.randomBytes(4096));
    expect(sniffFormat(rnd)).toBe('raw');
    const info = await imageInfo(data, 'qcow2');
    expect(() => assertNoExternalFiles(info.json, data, 'x')).toThrow(`x has an external data file (${JSON.stringify(secret)}); refusing it`);
    const vinfo = await imageInfo(vmdk, 'vmdk');
    expect(() => assertNoExternalFiles(vinfo.json, vmdk, 'x')).toThrow(/^x has an extent in another file/);
    assertNoExternalFiles((await imageInfo(plain, 'qcow2')).json, plain, 'x');
    // -f raw never reads the descriptor as VMDK: the file is what it is
    expect((await imageInfo(vmdk, 'raw')).virtualSize).toBe(Math.ceil(fs.statSync(vmdk).size / 512) * 512);
  });
});
