import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';

process.env.CHECKPOINT_DISABLE = '1';
Testing.setupJest();

// Testing.app() makes a `cdktf.outdir.*` directory in the temp dir for every app and never
// removes it: put them under one directory per test file, removed when the file is done.
const appOutdirs = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-test-apps-'));
const testingApp = Testing.app.bind(Testing);
Testing.app = (options = {}) => testingApp({ outdir: fs.mkdtempSync(path.join(appOutdirs, 'app-')), ...options });
afterAll(() => fs.rmSync(appOutdirs, { recursive: true, force: true }));
