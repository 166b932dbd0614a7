// schema/bundle/*.schema.json are generated from lib/contract (npm run gen:schemas): the committed
// files must equal freshly generated ones.
import * as fs from 'fs';
import * as path from 'path';
import { bundleJsonSchemas } from '../../lib/contract/json-schema';

const DIR = path.join(__dirname, '..', '..', 'schema', 'bundle');

test('schema/bundle holds exactly the generated JSON Schemas (run npm run gen:schemas after changing lib/contract)', () => {
  const generated = bundleJsonSchemas();
  expect(fs.readdirSync(DIR).sort()).toEqual([...generated.keys()].sort());
  for (const [file, text] of generated) expect(fs.readFileSync(path.join(DIR, file), 'utf8')).toBe(text);
});
