// Runs one build in a child process (for the SIGKILL test). argv[2]: JSON
// { bundleDir, image, qemuImg?, now? (ISO), pauseAt?, marker? }. With pauseAt (a store point), the
// child writes `marker` there and blocks until killed. Exit 0 success/unchanged, 1 failed, 2 thrown.
'use strict';
require('./register-ts');
const { runBuild } = require('../../lib/runner/index.ts');
const { FakeBaker } = require('./fake-baker.ts');

const args = JSON.parse(process.argv[2]);
runBuild({
  bundleDir: args.bundleDir,
  image: args.image,
  force: args.force === true,
  qemuImg: args.qemuImg,
  now: args.now ? () => new Date(args.now) : undefined,
  baker: new FakeBaker(),
  storeHook: (point) => {
    if (point !== args.pauseAt) return;
    require('fs').writeFileSync(args.marker, point);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000); // the test SIGKILLs us here
  },
  retry: { attempts: 1, backoffMs: 1 },
  log: (line) => process.stdout.write(`${line}\n`),
}).then(
  (r) => {
    process.stdout.write(`RESULT ${r.result}\n`);
    process.exit(r.result === 'failed' ? 1 : 0);
  },
  (e) => {
    process.stderr.write(`ERROR ${e.message}\n`);
    process.exit(2);
  },
);
