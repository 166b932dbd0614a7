// Tests clean up what they create: cdktf's Testing.app() outdirs live under one directory per
// test file (test/setup.ts) instead of a new `cdktf.outdir.*` in the temp dir for every app.
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';

test('Testing.app() writes below the per-file directory that test/setup.ts removes', () => {
  const outdir = Testing.app().outdir;
  expect(path.dirname(path.dirname(outdir))).toBe(os.tmpdir());
  expect(path.basename(path.dirname(outdir))).toMatch(/^goldsmith-test-apps-/);
  expect(path.basename(outdir)).toMatch(/^app-/);
});
