// Hostile artifacts and upstream files (real qemu-img): images that name host files (qcow2 external
// data file, qcow2 backing file, VMDK descriptor with a FLAT extent) and text served as an image.
// Each would make `qemu-img convert` copy a builder file into the GOLD image if qemu-img guessed.

import * as fs from 'fs';
import * as path from 'path';
import { runBuild } from '../../lib/runner';
import { describeWithTools } from '../support/tools';
import { FakeBaker } from './fake-baker';
import { createFixture, runOptions, type Fixture } from './fixture';

import { qcow2WithBacking, qcow2WithDataFile, SECRET_SIZE, vmdkFlatDescriptor, writeSecret } from './hostile';

/** No image in the store, and (belt and braces) no stored byte of the secret. */
function expectNothingStored(fx: Fixture): void {
  const store = fx.config.paths.store;
  const names = fs.existsSync(store) ? fs.readdirSync(store) : [];
  expect(names.filter((n) => n.endsWith('.qcow2') || n.endsWith('.raw'))).toEqual([]);
  for (const n of names) expect(fs.readFileSync(path.join(store, n)).includes('TOP-SECRET')).toBe(false);
}

describeWithTools(['qemu-img'], 'hostile disk images', () => {
  let fx: Fixture;
  let secret: string;
  beforeEach(async () => {
    fx = await createFixture();
    secret = writeSecret(fx.root);
  });
  afterEach(async () => {
    await fx.close();
  });

  const attacks: [string, (dir: string, secret: string) => Promise<string> | string, RegExp][] = [
    ['qcow2 with an external data file', qcow2WithDataFile, /^inspect: artifact evil-data\.qcow2 has an external data file \(qcow2 header\); refusing it$/],
    ['qcow2 with a backing file', qcow2WithBacking, /^inspect: artifact evil-backing\.qcow2 has a backing file/],
    ['VMDK descriptor with a FLAT extent', vmdkFlatDescriptor, /^inspect: artifact evil\.vmdk is a vmdk image, expected raw; refusing it$/],
  ];

  test.each(attacks)('artifact: %s is refused, nothing of the host file is stored', async (_name, make, error) => {
    const baker = new FakeBaker({ artifact: async (workDir) => ({ file: await make(workDir, secret) }) });
    const report = await runBuild(runOptions(fx, { baker }));
    expect(report.error).toMatch(error);
    expect(report.result).toBe('failed');
    expectNothingStored(fx);
  });

  test('artifact: a declared format that the file does not have is refused (no guessing)', async () => {
    const baker = new FakeBaker({ artifact: async (workDir) => ({ file: await qcow2WithDataFile(workDir, secret), format: 'raw' }) });
    const report = await runBuild(runOptions(fx, { baker }));
    expect(report.error).toBe('inspect: artifact evil-data.qcow2 is a qcow2 image, expected raw; refusing it');
    expectNothingStored(fx);
  });

  test('upstream: a qcow2 with an external data file is refused before the bake', async () => {
    const evil = await qcow2WithDataFile(fx.root, secret, 'upstream-evil.qcow2');
    fx.setUpstream(Buffer.concat([fs.readFileSync(evil), Buffer.alloc(SECRET_SIZE)])); // above the 1 MiB minimum
    const baker = new FakeBaker();
    const report = await runBuild(runOptions(fx, { baker }));
    expect(report.error).toBe('download: upstream file cloud-generic.qcow2 has an external data file (qcow2 header); refusing it');
    expect(baker.calls).toBe(0);
    expectNothingStored(fx);
    expect(fs.readdirSync(fx.config.paths.work)).toEqual([]);
  });

  test('no-checksum waiver: an HTML page of 2 MiB is not an image and never becomes a build', async () => {
    fx.writeConfig((c) => {
      delete c.upstream.checksum_file;
      delete c.upstream.algorithm;
    });
    fx.setUpstream(Buffer.from(`<!DOCTYPE html><html><body>${'Please log in. '.repeat(150_000)}</body></html>\n`));
    const baker = new FakeBaker();
    const report = await runBuild(runOptions(fx, { baker }));
    expect(report.error).toBe('download: upstream file cloud-generic.qcow2 is not a disk image (it looks like text, e.g. an HTML page)');
    expect(baker.calls).toBe(0);
    expectNothingStored(fx);
  });
});
