// Minimal require hook for child processes in tests: transpiles .ts with the project's TypeScript
// (no type check). Used by the *-child.js scripts; jest itself uses ts-jest. Transpiled output is
// cached by content hash under node_modules/.cache, so a child that finds everything cached never
// loads the TypeScript compiler (the SIGKILL and lock tests start many children).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const cacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'goldsmith-register-ts');
let ts;

function transpile(source, filename) {
  ts = ts || require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  }).outputText;
}

require.extensions['.ts'] = function registerTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    } catch {
      // a cache that cannot be written only costs time
    }
  }
  module._compile(output, filename);
};
