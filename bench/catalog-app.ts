// The real app path: load a catalog directory and synthesize every environment's stack.
// Reports the time spent importing, loading and synthesizing (ms since process start).
//
//   node dist/bench/catalog-app.js <configDir> <outdir>
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { report } from './child-report';

const tStart = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadCatalog } = require('../lib/catalog') as typeof import('../lib/catalog');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthCatalog } = require('../synth/synth') as typeof import('../synth/synth');
const tImported = performance.now();

const configDir = path.resolve(process.argv[2] ?? 'config');
const outdir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-catalog-'));
const catalog = loadCatalog(configDir);
const tLoaded = performance.now();
synthCatalog(catalog, outdir);
const tSynth = performance.now();

report({
  phases: {
    startupMs: Math.round(tStart),
    importMs: Math.round(tImported - tStart),
    loadMs: Math.round(tLoaded - tImported),
    synthMs: Math.round(tSynth - tLoaded),
  },
});
