// Reading NREC's configuration files (himlarcli's image files, himlar's hiera) as data: regular
// files only, size-capped, strict UTF-8 (the catalog's reader), parsed as YAML 1.1 as Puppet's
// and PyYAML's parsers read them. A file that cannot be used is one ImportError line.
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { MAX_YAML_BYTES, readCatalogFile } from '../../catalog/read';
import { asRecord } from '../../common';

/** Why the import stopped: one line, naming the file. Nothing is written. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The mapping at the top of a YAML file (`{}` for an empty one). */
export function readYamlMapping(file: string): Record<string, unknown> {
  const read = readCatalogFile(file, MAX_YAML_BYTES);
  if (!read.ok) throw new ImportError(`${file}: ${read.message}`);
  const doc = parseDocument(read.text, { version: '1.1', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ImportError(`${file}${line !== undefined ? `:${line}` : ''}: yaml syntax error: ${message}`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  const mapping = asRecord(value);
  if (!mapping) throw new ImportError(`${file}: expected a mapping at the top`);
  return mapping;
}

/** The `*.yaml` files of a directory, sorted (none when it does not exist). */
export function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ImportError(`${dir}: cannot read the directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return names.filter((n) => n.endsWith('.yaml')).sort().map((n) => path.join(dir, n));
}

/** True for an existing directory. */
export function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
