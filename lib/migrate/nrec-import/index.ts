// goldsmith import nrec: NREC's himlarcli and himlar files -> a goldsmith catalog directory.
import type { Catalog } from '../../catalog';
import { readHimlar } from './himlar';
import { readHimlarcli } from './himlarcli';
import { mapNrec } from './map';
import { bundledScripts } from './provisioning';
import { renderCatalog, writeCatalog } from './write-catalog';

export { ImportError } from './read-source';
export { mapNrec, PLACEHOLDER_CIDR, type ImportedCatalog } from './map';
export { renderCatalog, writeCatalog } from './write-catalog';

export interface NrecImportOptions {
  /** The himlarcli checkout (its config/images/), or that directory. */
  readonly himlarcli: string;
  /** The himlar checkout (hieradata/). */
  readonly himlar: string;
  /** Environments to write (default: every location with a builder node). */
  readonly environments?: readonly string[];
}

export interface NrecImport {
  /** Relative path -> content of every file of the catalog. */
  readonly files: ReadonlyMap<string, string | Buffer>;
  readonly unmapped: readonly string[];
  readonly assumed: readonly string[];
  /** How many himlarcli files and himlar locations were read. */
  readonly read: { readonly himlarcliFiles: number; readonly locations: number };
}

/** Reads and maps NREC's files; writes nothing. Throws ImportError (one line). */
export function importNrec(options: NrecImportOptions): NrecImport {
  const cli = readHimlarcli(options.himlarcli);
  const himlar = readHimlar(options.himlar);
  const scripts = bundledScripts();
  const imported = mapNrec(cli.files, himlar, { environments: options.environments, scripts: new Set(scripts.keys()) });
  return {
    files: renderCatalog(imported, scripts),
    unmapped: imported.unmapped,
    assumed: imported.assumed,
    read: { himlarcliFiles: cli.files.length, locations: himlar.locations.length },
  };
}

/** importNrec, then the catalog written to `out` once it validates. */
export function importNrecTo(options: NrecImportOptions, out: string): NrecImport & { readonly catalog: Catalog } {
  const result = importNrec(options);
  return { ...result, catalog: writeCatalog(out, result.files) };
}
