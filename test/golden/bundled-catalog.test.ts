// Golden files: the synthesized cdk.tf.json of every environment of the bundled catalog (config/)
// must equal test/golden/<env>.cdk.tf.json exactly. Any intended change to the constructs or the
// catalog shows up as a reviewable diff of these files.
//
// Regenerate after an intended change:   UPDATE_GOLDEN=1 npx jest test/golden
//
// Paths that depend on the checkout location (absolute local-backend paths) are normalized to
// `<state>` before comparing, so the goldens hold no machine-specific paths.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const GOLDEN_DIR = __dirname;
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function goldenFile(env: string): string {
  return path.join(GOLDEN_DIR, `${env}.cdk.tf.json`);
}

/** Parsed JSON with every occurrence of `from` inside strings replaced by `to`. */
function normalize(text: string, from: string, to: string): unknown {
  return JSON.parse(text, (_key, value) => (typeof value === 'string' ? value.split(from).join(to) : value));
}

describe('golden files of the bundled catalog', () => {
  let tmp: string;
  let stateDir: string;
  let actual: Record<string, unknown> = {};

  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadCatalog } = require('../../lib/catalog') as typeof import('../../lib/catalog');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthCatalog } = require('../../synth/synth') as typeof import('../../synth/synth');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-golden-'));
    stateDir = path.join(tmp, 'state');
    const outdir = path.join(tmp, 'cdktf.out');
    synthCatalog(loadCatalog(path.join(ROOT, 'config')), outdir, { stateBaseDir: stateDir });
    for (const env of fs.readdirSync(path.join(outdir, 'stacks')).sort()) {
      const text = fs.readFileSync(path.join(outdir, 'stacks', env, 'cdk.tf.json'), 'utf8');
      actual[env] = normalize(text, stateDir, '<state>');
    }
    if (UPDATE) {
      for (const f of fs.readdirSync(GOLDEN_DIR)) if (f.endsWith('.cdk.tf.json')) fs.unlinkSync(path.join(GOLDEN_DIR, f));
      for (const [env, doc] of Object.entries(actual)) fs.writeFileSync(goldenFile(env), JSON.stringify(doc, null, 2) + '\n');
      process.stderr.write(`UPDATE_GOLDEN=1: wrote ${Object.keys(actual).length} golden files to ${GOLDEN_DIR}\n`);
    }
  });

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('one golden file per environment, and no stale ones', () => {
    const golden = fs
      .readdirSync(GOLDEN_DIR)
      .filter((f) => f.endsWith('.cdk.tf.json'))
      .map((f) => f.slice(0, -'.cdk.tf.json'.length))
      .sort();
    if (golden.length === 0) {
      throw new Error('no golden files in test/golden: generate them with `UPDATE_GOLDEN=1 npx jest test/golden`');
    }
    expect(Object.keys(actual)).toEqual(golden);
  });

  test('each environment matches its golden file', () => {
    const envs = Object.keys(actual);
    expect(envs.length).toBeGreaterThanOrEqual(4);
    for (const env of envs) {
      const file = goldenFile(env);
      if (!fs.existsSync(file)) throw new Error(`missing ${path.relative(ROOT, file)}: run UPDATE_GOLDEN=1 npx jest test/golden`);
      const expected = JSON.parse(fs.readFileSync(file, 'utf8'));
      // toEqual prints a readable per-key diff; the message names the file and how to regenerate it.
      try {
        expect(actual[env]).toEqual(expected);
      } catch (e) {
        (e as Error).message =
          `${path.relative(ROOT, file)} differs from the synthesized stack "${env}".\n` +
          `If the change is intended, regenerate: UPDATE_GOLDEN=1 npx jest test/golden\n\n${(e as Error).message}`;
        throw e;
      }
    }
  });
});
