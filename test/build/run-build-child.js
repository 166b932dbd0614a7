// Runs one build in a child process (for the SIGKILL test). argv[2]: JSON
// { bundleDir, image, qemuImg?, now? (ISO) }. Exit 0 success/unchanged, 1 failed, 2 thrown.
'use strict';
require('./register-ts');
const { runBuild } = require('../../lib/build/index.ts');
const { FakeBaker } = require('./fake-baker.ts');

const args = JSON.parse(process.argv[2]);
runBuild({
  bundleDir: args.bundleDir,
  image: args.image,
  qemuImg: args.qemuImg,
  now: args.now ? () => new Date(args.now) : undefined,
  baker: new FakeBaker(),
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
