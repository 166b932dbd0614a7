// Writing an imported catalog: rendered as YAML with the catalog's modelines and provenance
// comments, into a staging directory beside --out that replaces it only when the whole catalog
// validates (the loader and the construct checks, as `goldsmith validate`): all or nothing.
import * as fs from 'fs';
import * as path from 'path';
import { Document, isMap, isScalar, isSeq, Scalar, visit } from 'yaml';
import { CatalogError, formatProblems, loadCatalog, type Catalog } from '../../catalog';
import { plural } from '../../common';
import type { ImportedCatalog } from './map';
import { ImportError } from './read-source';

const GENERATED = [
  ' Written by `goldsmith import nrec` from NREC\'s himlarcli (config/images/*.yaml) and himlar',
  ' (hieradata/common/roles/builder.yaml, hieradata/nodes/*) files. Review the `assumed:` lines',
  ' the import printed (placeholders among them) before the first deploy; docs/migration.md.',
];

/** Keys whose mappings or lists read best on one line. */
const FLOW_KEYS = new Set(['properties', 'schedule', 'ssh_source_cidrs', 'exclude_images', 'custom_scripts', 'external_command']);
/** Strings YAML 1.1 readers (PyYAML, Puppet, editors) take for booleans or null: quoted. */
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

/** The files of the catalog: relative path -> content. */
export function renderCatalog(imported: ImportedCatalog, scripts: ReadonlyMap<string, Buffer>): Map<string, string | Buffer> {
  const files = new Map<string, string | Buffer>();
  files.set('defaults.yaml', yaml('../schema/catalog/defaults.schema.json', GENERATED, imported.defaults));
  files.set('environments.yaml', yaml('../schema/catalog/environments.schema.json', GENERATED, { environments: imported.environments }));
  files.set('templates.yaml', yaml('../schema/catalog/templates.schema.json', GENERATED, { templates: imported.templates }));
  for (const f of imported.imageFiles) {
    const comments = new Map(f.images.map((i) => [i.key, ` ${i.source}`]));
    const images = Object.fromEntries(f.images.map((i) => [i.key, i.entry]));
    files.set(`images/${f.file}`, yaml('../../schema/catalog/images.schema.json', GENERATED, { type: f.type, images }, comments));
  }
  for (const [name, content] of scripts) files.set(`provision/${name}`, content);
  return files;
}

/**
 * Writes `files` as the catalog directory `out` (which must not exist, or be empty) once they
 * validate; returns the loaded catalog. Throws ImportError (nothing written) otherwise.
 */
export function writeCatalog(out: string, files: ReadonlyMap<string, string | Buffer>): Catalog {
  const target = path.resolve(out);
  let existing: string[] | undefined;
  try {
    existing = fs.readdirSync(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ImportError(`${out} is not a directory: nothing written`);
    if (code !== 'ENOENT') throw new ImportError(`${out}: cannot read it (${code ?? 'error'}): nothing written`);
  }
  if (existing !== undefined && existing.length > 0) throw new ImportError(`${out} is not empty: give a new directory (nothing written)`);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.import-`));
  try {
    fs.chmodSync(staging, 0o755);
    for (const [rel, content] of files) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
    }
    let catalog: Catalog;
    try {
      catalog = loadCatalog(staging);
      const { checkConstructs } = require('../../constructs/construct-checks') as typeof import('../../constructs/construct-checks');
      const problems = checkConstructs(catalog);
      if (problems.length > 0) throw new CatalogError(problems);
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      const lines = formatProblems(e.problems, staging);
      throw new ImportError(`the imported catalog does not validate (${plural(lines.length, 'problem')}), nothing written: ${lines[0]}`);
    }
    if (existing !== undefined) fs.rmdirSync(target);
    fs.renameSync(staging, target);
    return { ...catalog, configDir: target };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A YAML file of the catalog: its modeline, the header, the value; `comments` go above the image keys. */
function yaml(schema: string, header: readonly string[], value: unknown, comments?: ReadonlyMap<string, string>): string {
  const doc = new Document(value);
  doc.commentBefore = [` yaml-language-server: $schema=${schema}`, ...header].join('\n');
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (FLOW_KEYS.has(key) && (isMap(pair.value) || isSeq(pair.value))) pair.value.flow = true;
      // Template variables: one `- {name: …, secret: false}` line each.
      if (key === 'variables' && isSeq(pair.value)) for (const item of pair.value.items) if (isMap(item)) item.flow = true;
    },
    Scalar(key, node) {
      if (key === 'value' && typeof node.value === 'string' && YAML11_WORDS.test(node.value)) node.type = Scalar.QUOTE_SINGLE;
    },
  });
  const images = doc.get('images');
  if (comments && isMap(images)) {
    for (const item of images.items) {
      const comment = isScalar(item.key) ? comments.get(String(item.key.value)) : undefined;
      if (comment !== undefined && isScalar(item.key)) item.key.commentBefore = comment;
    }
  }
  return doc.toString({ lineWidth: 0, indentSeq: true });
}
