// convertImage (also the benchmark's entry point) and the argument lists it runs.

import execa from 'execa';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareImages, convertArgs, convertImage, imageInfo, inspectImage, qemuImgVersion } from '../../lib/runner/convert';
import { describeWithTools } from '../support/tools';

describe('convertArgs', () => {
  test.each([
    [{ format: 'qcow2', compression: 'zlib' }, ['convert', '-f', 'raw', '-O', 'qcow2', '-c', '-m', '4', '-W', 'in', 'out']],
    [{ format: 'qcow2', compression: 'zstd' }, ['convert', '-f', 'raw', '-O', 'qcow2', '-c', '-o', 'compression_type=zstd', '-m', '4', '-W', 'in', 'out']],
    [{ format: 'qcow2', compression: 'none' }, ['convert', '-f', 'raw', '-O', 'qcow2', '-m', '4', '-W', 'in', 'out']],
    [{ format: 'raw', compression: 'zlib' }, ['convert', '-f', 'raw', '-O', 'raw', '-m', '4', '-W', 'in', 'out']],
    [{ format: 'qcow2', coroutines: 1, outOfOrder: false }, ['convert', '-f', 'raw', '-O', 'qcow2', '-c', 'in', 'out']],
  ] as const)('%j', (o, args) => {
    expect(convertArgs('in', 'out', { inputFormat: 'raw', ...o })).toEqual(args);
  });
});

describeWithTools(['qemu-img'], 'convertImage', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-convert-'));
    input = path.join(dir, 'in.raw');
    await execa('qemu-img', ['create', '-f', 'raw', input, '16M']);
    const fd = fs.openSync(input, 'r+');
    fs.writeSync(fd, crypto.randomBytes(2 * 1024 * 1024), 0, undefined, 0);
    fs.writeSync(fd, Buffer.alloc(4 * 1024 * 1024, 'compressible '), 0, undefined, 4 * 1024 * 1024);
    fs.closeSync(fd);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(['zlib', 'zstd', 'none'] as const)('qcow2 with %s: same content, compressed when asked', async (compression) => {
    const out = path.join(dir, `out-${compression}.qcow2`);
    const r = await convertImage(input, out, { compression, inputFormat: 'raw' });
    expect(r.sizeBytes).toBe(fs.statSync(out).size);
    expect(r.durationS).toBeGreaterThan(0);
    expect(r.args).toContain('-W');
    await compareImages(input, 'raw', out, 'qcow2');
    const info = await imageInfo(out, 'qcow2');
    expect(info).toMatchObject({ format: 'qcow2', virtualSize: 16 * 1024 * 1024 });
    if (compression === 'none') expect(r.sizeBytes).toBeGreaterThan(6 * 1024 * 1024);
    else expect(r.sizeBytes).toBeLessThan(3 * 1024 * 1024);
  });

  test('raw output, and the uncompressed-sequential flags of today', async () => {
    const out = path.join(dir, 'out.raw');
    await convertImage(input, out, { format: 'raw', inputFormat: 'raw' });
    expect(fs.statSync(out).size).toBe(16 * 1024 * 1024);
    const today = await convertImage(input, path.join(dir, 'today.qcow2'), { coroutines: 1, outOfOrder: false, inputFormat: 'raw' });
    expect(today.args).toEqual(['convert', '-f', 'raw', '-O', 'qcow2', '-c', input, path.join(dir, 'today.qcow2')]);
  });

  test('inspectImage refuses an input with a backing file; convert removes the output on failure', async () => {
    const overlay = path.join(dir, 'overlay.qcow2');
    await execa('qemu-img', ['create', '-f', 'qcow2', '-b', input, '-F', 'raw', overlay]);
    await expect(inspectImage(overlay, 'qcow2', 'overlay')).rejects.toThrow('overlay has a backing file (qcow2 header); refusing it');
    const out = path.join(dir, 'never.qcow2');
    await expect(convertImage(path.join(dir, 'missing.raw'), out, { inputFormat: 'raw' })).rejects.toThrow(/qemu-img convert failed \(exit code 1\)/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('qemuImgVersion', async () => {
    expect(await qemuImgVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
