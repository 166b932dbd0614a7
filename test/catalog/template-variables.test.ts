// templates.yaml `variables`: the names of a template's site settings and secrets (docs/catalog.md).
// Defaults (required and secret: true), and one exact line per problem.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CatalogError, formatProblems, loadCatalog } from '../../lib/catalog';

const FIXTURE = path.join(__dirname, '../fixtures/catalogs/valid');
const ORIGINAL_CWD = process.cwd();

let root: string;
let cfg: string;
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-vars-')));
  cfg = path.join(root, 'config');
  fs.cpSync(FIXTURE, cfg, { recursive: true });
  process.chdir(root);
});
afterEach(() => {
  process.chdir(ORIGINAL_CWD);
  fs.rmSync(root, { recursive: true, force: true });
});

function templates(nvVgpuVariables: string): void {
  fs.writeFileSync(
    path.join(cfg, 'templates.yaml'),
    ['templates:', '  default:', '    custom_scripts: [resolver.sh]', '  nv_vgpu:', '    custom_scripts: [resolver.sh, nvidia-grid-driver.sh]', nvVgpuVariables, '  plain: {}', ''].join('\n'),
  );
}

function problems(): string[] {
  try {
    loadCatalog(cfg);
  } catch (e) {
    if (e instanceof CatalogError) return formatProblems(e.problems, root);
    throw e;
  }
  throw new Error('the catalog loaded without problems');
}

test('one line per variable; required and secret default to true; the model keeps the order', () => {
  templates(
    [
      '    variables:',
      '      - {name: NVIDIA_GRID_DRIVER_URL}',
      '      - {name: NVIDIA_GRID_DRIVER_SHA256, secret: false}',
      '      - {name: EXTRA, required: false, secret: false}',
    ].join('\n'),
  );
  const catalog = loadCatalog(cfg);
  const byName = new Map(catalog.templates.map((t) => [t.name, t]));
  expect(byName.get('nv_vgpu')!.variables).toEqual([
    { name: 'NVIDIA_GRID_DRIVER_URL', required: true, secret: true },
    { name: 'NVIDIA_GRID_DRIVER_SHA256', required: true, secret: false },
    { name: 'EXTRA', required: false, secret: false },
  ]);
  expect(byName.get('default')!.variables).toBeUndefined();
});

test('an empty list is the same as none', () => {
  templates('    variables: []');
  expect(loadCatalog(cfg).templates.find((t) => t.name === 'nv_vgpu')!.variables).toBeUndefined();
});

test.each([
  ['      - {name: nvidia_url}', 'templates.nv_vgpu.variables[0].name: invalid variable name `nvidia_url`: use A-Z, 0-9 and _ (starting with A-Z)'],
  ['      - {name: PATH}', 'templates.nv_vgpu.variables[0].name: invalid variable name `PATH`: PATH is read by the shell or by goldsmith itself'],
  ['      - {name: GOLDSMITH_LIB}', 'templates.nv_vgpu.variables[0].name: invalid variable name `GOLDSMITH_LIB`: names starting with GOLDSMITH_ are reserved'],
  ['      - {name: LD_PRELOAD}', 'templates.nv_vgpu.variables[0].name: invalid variable name `LD_PRELOAD`: names starting with LD_ are reserved'],
  ['      - {name: A, value: x}', 'templates.nv_vgpu.variables[0].value: unknown key `value`'],
  ['      - {name: A, secret: yes}', 'templates.nv_vgpu.variables[0].secret:'],
  ['      - {required: false}', 'templates.nv_vgpu.variables[0].name:'],
  ['      - {name: A}\n      - {name: A}', 'templates.nv_vgpu.variables[1].name: variable `A` is declared twice'],
])('%s: one line', (entry, message) => {
  templates(`    variables:\n${entry}`);
  const p = problems();
  expect(p).toHaveLength(1);
  expect(p[0]).toMatch(/^config\/templates\.yaml:\d+:\d+: /);
  expect(p[0]).toContain(message);
});

test('a value in the catalog is refused: there is no key for one', () => {
  templates('    variables:\n      - {name: RHSM_ACTIVATION_KEY, default: s3cret}');
  expect(problems()[0]).toContain('templates.nv_vgpu.variables[0].default: unknown key `default`');
});
