#!/usr/bin/env node
// The cdktf app: catalog → one Terraform stack per environment in cdktf.out (or $CDKTF_OUTDIR).
// Works standalone (`node dist/bin/app.js`) and under `cdktf synth`, which sets CDKTF_OUTDIR.
import './compile-cache';
import { CatalogError, formatProblems, loadCatalog } from '../lib/catalog';
import { synthCatalog } from '../synth/synth';

/**
 * Loads the catalog (GOLDSMITH_CONFIG, default `config`) and synthesizes it into CDKTF_OUTDIR
 * (default `cdktf.out`). Returns the exit code: 1 on catalog problems, printed to `stderr`
 * before any output is written.
 */
export function main(env: NodeJS.ProcessEnv = process.env, stderr: NodeJS.WritableStream = process.stderr): number {
  const configDir = env.GOLDSMITH_CONFIG || 'config';
  const outdir = env.CDKTF_OUTDIR || 'cdktf.out';
  try {
    synthCatalog(loadCatalog(configDir), outdir);
  } catch (error) {
    if (error instanceof CatalogError) {
      for (const line of formatProblems(error.problems)) stderr.write(`${line}\n`);
      return 1;
    }
    // A construct rejected the catalog, or the file system failed (nothing was written): one
    // line, no stack trace.
    if (env.GOLDSMITH_DEBUG === '1') throw error;
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`goldsmith: ${message.split('\n')[0]}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main();
}
