#!/usr/bin/env node
// goldsmith CLI entry point (compiled to dist/bin/goldsmith.js).
import { main } from '../lib/cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`goldsmith: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
