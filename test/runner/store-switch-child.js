// Switches the -latest links of a store many times (for the concurrent-reader test). argv[2]: JSON
// { store, image, count, done }. Each round stores a new small build with storeBuild; at every store
// point the child waits a few milliseconds, which widens any window between two link switches (it
// asserts nothing about time). Writes `done` at the end. Exit 0 on success, 2 on an error.
'use strict';
require('./register-ts');
const fs = require('fs');
const crypto = require('crypto');
const { storeBuild, storeTempFile } = require('../../lib/runner/store.ts');

const args = JSON.parse(process.argv[2]);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);

(async () => {
  const date = new Date('2026-11-25T09:30:00Z');
  for (let i = 0; i < args.count; i++) {
    const tmp = storeTempFile(args.store, args.image, `switch-${i}.qcow2`);
    fs.writeFileSync(tmp, crypto.randomBytes(64 * 1024));
    await storeBuild(args.store, args.image, date, 'qcow2', tmp, pause);
  }
  fs.writeFileSync(args.done, 'done');
})().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`ERROR ${e.stack || e.message}\n`);
    process.exit(2);
  },
);
