// Switches the -latest links of a store many times (for the concurrent-reader test). argv[2]: JSON
// { store, image, count, done }. Each round stores a new small build (with its build record) with storeBuild; at every store
// point the child waits a few milliseconds, which widens any window between two link switches (it
// asserts nothing about time). Writes `done` at the end. Exit 0 on success, 2 on an error.
'use strict';
require('./register-ts');
const fs = require('fs');
const crypto = require('crypto');
const { storeBuild, storeTempFile } = require('../../lib/runner/store.ts');

const args = JSON.parse(process.argv[2]);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);
const zeros = (n) => '0'.repeat(n);
/** A valid record of the stored file (lib/contract/build-record.ts). */
const record = (f) => ({
  record_format: 1,
  image: args.image,
  environment: 'test01',
  build_id: f.buildId,
  run_id: '20261125T093000Z',
  date: '2026-11-25',
  finished_at: new Date().toISOString(),
  file: f.file,
  disk_format: 'qcow2',
  md5: f.md5,
  sha256: f.sha256,
  size_bytes: f.size,
  upstream: { url: 'https://example.org/x.qcow2', checksum: `sha256:${zeros(64)}` },
  fingerprint: zeros(64),
  tools: {},
  reason: { code: 'forced', detail: 'switch test' },
  verification: { result: 'passed', checks: [{ name: 'test', result: 'passed' }] },
});

(async () => {
  const date = new Date('2026-11-25T09:30:00Z');
  for (let i = 0; i < args.count; i++) {
    const tmp = storeTempFile(args.store, args.image, `switch-${i}.qcow2`);
    fs.writeFileSync(tmp, crypto.randomBytes(64 * 1024));
    await storeBuild(args.store, args.image, date, 'qcow2', tmp, pause, record);
  }
  fs.writeFileSync(args.done, 'done');
})().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`ERROR ${e.stack || e.message}\n`);
    process.exit(2);
  },
);
