// The JSON Schemas editors use (schema/catalog/) are the zod schemas' export, and every bundled
// catalog file names its schema in a yaml-language-server modeline the loader ignores.
import * as fs from 'fs';
import * as path from 'path';
import { catalogJsonSchemaFiles } from '../../lib/catalog/json-schema';
import { loadCatalog } from '../../lib/catalog';

const REPO = path.join(__dirname, '../..');
const SCHEMA_DIR = path.join(REPO, 'schema/catalog');
const CONFIG = path.join(REPO, 'config');

describe('schema/catalog/*.schema.json', () => {
  test('the committed files equal fresh ones (run `npm run gen:schemas` after a schema change)', () => {
    const fresh = catalogJsonSchemaFiles();
    const committed = Object.fromEntries(
      fs
        .readdirSync(SCHEMA_DIR)
        .sort()
        .map((name) => [name, fs.readFileSync(path.join(SCHEMA_DIR, name), 'utf8')]),
    );
    expect(Object.keys(committed)).toEqual([
      'builds.schema.json',
      'defaults.schema.json',
      'environments.schema.json',
      'images.schema.json',
      'templates.schema.json',
    ]);
    expect(committed).toEqual(fresh);
  });

  test('strict objects stay strict and names keep their patterns', () => {
    const images = JSON.parse(catalogJsonSchemaFiles()['images.schema.json']);
    expect(images.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(images.additionalProperties).toBe(false);
    expect(images.required).toEqual(['type', 'images']);
    expect(images.properties.images.propertyNames).toEqual({ type: 'string', pattern: '^[a-z0-9_]+$' });
    const image = images.properties.images.additionalProperties;
    expect(image.additionalProperties).toBe(false);
    expect(image.properties.min_ram_mb).toEqual({ type: 'integer', minimum: 64, maximum: 1048576 });
    expect(image.properties.visibility).toEqual({ type: 'string', enum: ['public', 'private', 'shared', 'community'] });
  });
});

describe('bundled config: yaml-language-server modelines', () => {
  const files = [
    ...['defaults', 'environments', 'templates'].map((k) => ({ rel: `${k}.yaml`, schema: `../schema/catalog/${k}.schema.json` })),
    ...fs.readdirSync(path.join(CONFIG, 'images')).sort().map((n) => ({ rel: `images/${n}`, schema: '../../schema/catalog/images.schema.json' })),
    ...fs.readdirSync(path.join(CONFIG, 'builds')).sort().map((n) => ({ rel: `builds/${n}`, schema: '../../schema/catalog/builds.schema.json' })),
  ];

  test.each(files)('$rel names $schema on its first line, and the file exists', ({ rel, schema }) => {
    const first = fs.readFileSync(path.join(CONFIG, rel), 'utf8').split('\n')[0];
    expect(first).toBe(`# yaml-language-server: $schema=${schema}`);
    expect(fs.existsSync(path.resolve(path.dirname(path.join(CONFIG, rel)), schema))).toBe(true);
  });

  test('the loader reads the modeline as the comment it is', () => {
    expect(loadCatalog(CONFIG).images.length).toBeGreaterThan(0);
  });
});
