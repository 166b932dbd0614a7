// The committed bindings in .gen/ must be exactly what the generator makes from the committed schema.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

test('committed .gen bindings equal a fresh generation from schema/', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-gen-'));
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'generate-provider.js'), '--outdir', out], {
      stdio: 'pipe',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    const committed = path.join(root, '.gen', 'providers', 'openstack');
    const fresh = path.join(out, 'providers', 'openstack');
    expect(listFiles(fresh)).toEqual(listFiles(committed));
    for (const f of listFiles(committed)) {
      expect(`${f}:\n${fs.readFileSync(path.join(fresh, f), 'utf8')}`).toBe(
        `${f}:\n${fs.readFileSync(path.join(committed, f), 'utf8')}`,
      );
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
