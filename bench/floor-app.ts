// Start-up floor: the smallest cdktf app goldsmith could be: one stack with one
// openstack_images_image_v2 (deep imports of the generated bindings; cdktf's validation requires the
// provider construct next to the resource), synthesized to a directory.
//
//   node dist/bench/floor-app.js <outdir>
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { report } from './child-report';

const tStart = performance.now();
// Required (not imported) so the import phase can be timed like in catalog-app.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ImagesImageV2 } = require('../.gen/providers/openstack/images-image-v2') as typeof import('../.gen/providers/openstack/images-image-v2');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OpenstackProvider } = require('../.gen/providers/openstack/provider') as typeof import('../.gen/providers/openstack/provider');
const tImported = performance.now();

const outdir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-floor-'));
const app = new App({ outdir });
const stack = new TerraformStack(app, 'floor');
new OpenstackProvider(stack, 'openstack', { cloud: 'floor' });
new ImagesImageV2(stack, 'image', { name: 'GOLD Floor', containerFormat: 'bare', diskFormat: 'qcow2' });
app.synth();
const tSynth = performance.now();
report({
  phases: {
    startupMs: Math.round(tStart),
    importMs: Math.round(tImported - tStart),
    synthMs: Math.round(tSynth - tImported),
  },
});
