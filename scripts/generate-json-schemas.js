#!/usr/bin/env node
// Writes the JSON Schemas editors and other readers use, from the zod schemas that are the contract:
//   schema/catalog/<file>.schema.json  the catalog files (lib/catalog/json-schema.ts)
//   schema/bundle/<file>.schema.json   the files between synth and builder (lib/contract/json-schema.ts)
// Run through `npm run gen:schemas` (compiles first). Stale files are removed; tests fail when the
// committed files differ from fresh ones.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const { catalogJsonSchemaFiles } = require(path.join(root, 'dist/lib/catalog/json-schema.js'));
const { bundleJsonSchemas } = require(path.join(root, 'dist/lib/contract/json-schema.js'));

function write(dir, files) {
  const outDir = path.join(root, 'schema', dir);
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of fs.readdirSync(outDir)) {
    if (name.endsWith('.schema.json') && !files.has(name)) fs.rmSync(path.join(outDir, name));
  }
  for (const [name, text] of files) fs.writeFileSync(path.join(outDir, name), text);
  console.log(`wrote ${files.size} schemas to schema/${dir}/`);
}

write('catalog', new Map(Object.entries(catalogJsonSchemaFiles())));
write('bundle', bundleJsonSchemas());

const { diffReportJsonSchema } = require(path.join(root, 'dist/review/index.js'));
fs.writeFileSync(path.join(root, 'docs', 'ci', 'diff-report.schema.json'), diffReportJsonSchema());
console.log('wrote docs/ci/diff-report.schema.json');
