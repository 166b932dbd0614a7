// loadCatalog: read a catalog directory, validate every file (collecting all problems, each with
// the line and column of the key it names), apply the defaults and return the frozen model. The
// steps live in their own files: read.ts (safe reads), parse-yaml.ts (text -> document + positions),
// text.ts (the catalog text rule), schema.ts + zod-messages.ts (one file's shape), cross-checks.ts
// (rules across files), build-model.ts (defaults and the model). See docs/catalog.md.
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { deepFreeze } from '../common';
import { buildModel } from './build-model';
import { crossCheck, type Report } from './cross-checks';
import { CatalogError, CatalogProblem, formatPath } from './errors';
import type { Catalog } from './model';
import { parseYaml, positionOf, type ParsedYaml, type Position } from './parse-yaml';
import { fsMessage, LoadedFile, MAX_SCRIPT_BYTES, MAX_YAML_BYTES, readCatalogFile, specialFileKind } from './read';
import {
  BuildsFileSchema,
  DefaultsFileSchema,
  EnvironmentsFileSchema,
  ImagesFileSchema,
  TemplatesFileSchema,
} from './schema';
import { checkText } from './text';
import { issueProblems } from './zod-messages';

export { DEFAULTS } from './build-model';
export { formatPath } from './errors';

type Keys = readonly (string | number)[];

/** A problem before its key path is located in the file. */
interface Found {
  readonly file: string;
  readonly keys: Keys;
  readonly message: string;
  /** Known already (syntax errors, invalid UTF-8). */
  readonly position?: Partial<Position>;
  readonly related?: { readonly file: string; readonly keys: Keys };
}

/** Reads and validates the catalog in `configDir`; throws CatalogError listing every problem found. */
export function loadCatalog(configDir: string): Catalog {
  const dir = path.resolve(configDir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    const missing = ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');
    throw new CatalogError([{ file: dir, path: '', message: missing ? 'config directory does not exist' : fsMessage(e) }]);
  }
  if (!stat.isDirectory()) {
    throw new CatalogError([{ file: dir, path: '', message: 'config path is not a directory' }]);
  }
  return new Loader(dir).load();
}

class Loader {
  private readonly found: Found[] = [];
  /** Sub directories holding files that were not read (.yml): their names are unknown. */
  private readonly incompleteDirs = new Set<string>();
  /** The parsed documents, by absolute file path (to locate problems). */
  private readonly documents = new Map<string, ParsedYaml>();

  constructor(private readonly dir: string) {}

  load(): Catalog {
    const defaults = this.readFile('defaults.yaml', DefaultsFileSchema, false);
    const environments = this.readFile('environments.yaml', EnvironmentsFileSchema, true);
    const imageFiles = this.readDir('images', ImagesFileSchema, true);
    const templates = this.readFile('templates.yaml', TemplatesFileSchema, true);
    const builds = this.readDir('builds', BuildsFileSchema, false);
    const provision = this.readScripts();

    const report: Report = (file, keys, message, related) => this.problem(file, keys, message, { related });
    crossCheck({ dir: this.dir, incompleteDirs: this.incompleteDirs, report }, defaults, environments, imageFiles, templates, builds, provision);

    if (this.found.length > 0) throw new CatalogError(this.problems());
    return deepFreeze(buildModel(this.dir, defaults.data ?? {}, environments.data!, imageFiles, templates.data!, builds));
  }

  /**
   * The problems with their positions, grouped by file (catalog order of first appearance),
   * discovery order within a file.
   */
  private problems(): CatalogProblem[] {
    const order = new Map<string, number>();
    this.found.forEach((p) => order.has(p.file) || order.set(p.file, order.size));
    return this.found
      .map((p, i) => ({ p, i }))
      .sort((a, b) => order.get(a.p.file)! - order.get(b.p.file)! || a.i - b.i)
      .map(({ p }): CatalogProblem => {
        const position = p.position ?? this.locate(p.file, p.keys);
        const related = p.related && { file: p.related.file, path: formatPath(p.related.keys), ...this.locate(p.related.file, p.related.keys) };
        return { file: p.file, path: formatPath(p.keys), message: p.message, ...position, ...(related ? { related } : {}) };
      });
  }

  private locate(file: string, keys: Keys): Partial<Position> {
    const doc = this.documents.get(file);
    return (doc && positionOf(doc, keys)) ?? {};
  }

  private problem(file: string, keys: Keys, message: string, extra: Pick<Found, 'position' | 'related'> = {}): void {
    this.found.push({ file, keys, message, ...(extra.position ? { position: extra.position } : {}), ...(extra.related ? { related: extra.related } : {}) });
  }

  // ---- reading ------------------------------------------------------------------------------

  /**
   * Names of the entries of a sub directory (empty when it does not exist). A sub directory that is
   * a symbolic link, not a directory or unreadable is a problem line, never an exception.
   */
  private listDir(sub: string): string[] {
    const dirPath = path.join(this.dir, sub);
    try {
      const kind = specialFileKind(fs.lstatSync(dirPath));
      if (kind === 'a symbolic link') {
        this.problem(dirPath, [], 'is a symbolic link: only regular directories are read');
        this.incompleteDirs.add(sub);
        return [];
      }
      if (kind !== 'a directory') {
        this.problem(dirPath, [], `is ${kind ?? 'a file'}, expected a directory`);
        this.incompleteDirs.add(sub);
        return [];
      }
      return fs.readdirSync(dirPath).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem(dirPath, [], fsMessage(e));
        this.incompleteDirs.add(sub);
      }
      return [];
    }
  }

  /**
   * The provisioning scripts (`*.sh` in provision/): each must be a regular file within the size
   * cap, in UTF-8. Returns the names of the scripts present (also those with a problem, which is
   * reported here once).
   */
  private readScripts(): Set<string> {
    const names = this.listDir('provision').filter((n) => n.endsWith('.sh'));
    for (const n of names) {
      const file = path.join(this.dir, 'provision', n);
      const result = readCatalogFile(file, MAX_SCRIPT_BYTES);
      if (!result.ok) this.problem(file, [], result.message, result.line !== undefined ? { position: { line: result.line } } : {});
    }
    return new Set(names);
  }

  private readDir<T>(sub: string, schema: z.ZodType<T>, required: boolean): LoadedFile<T>[] {
    const dirPath = path.join(this.dir, sub);
    const names = this.listDir(sub);
    for (const n of names) {
      if (n.endsWith('.yml')) {
        this.problem(path.join(dirPath, n), [], 'use the .yaml extension (.yml files are not read)');
        this.incompleteDirs.add(sub);
      }
    }
    const yamlNames = names.filter((n) => n.endsWith('.yaml') && !n.startsWith('.'));
    if (required && yamlNames.length === 0 && !this.incompleteDirs.has(sub)) {
      this.problem(dirPath, [], `missing: at least one ${sub}/*.yaml file is required`);
    }
    return yamlNames.map((n) => this.readFile(`${sub}/${n}`, schema, true, !required));
  }

  /** `required`: the file must exist; `emptyOk`: an empty file reads as `{}` (default: when not required). */
  private readFile<T>(rel: string, schema: z.ZodType<T>, required: boolean, emptyOk = !required): LoadedFile<T> {
    const file = path.join(this.dir, ...rel.split('/'));
    const failed: LoadedFile<T> = { file, rel, parsed: false, raw: undefined };
    const read = readCatalogFile(file, MAX_YAML_BYTES);
    if (!read.ok) {
      if (read.code === 'ENOENT') {
        if (required) this.problem(file, [], 'missing required file');
      } else {
        this.problem(file, [], read.message, read.line !== undefined ? { position: { line: read.line } } : {});
      }
      return failed;
    }
    const result = parseYaml(read.text);
    if (!result.ok) {
      for (const p of result.problems) this.problem(file, [], p.message, p.position ? { position: p.position } : {});
      return failed;
    }
    const yaml = result.parsed;
    this.documents.set(file, yaml);
    let raw = yaml.value;
    if (raw === undefined || raw === null) {
      if (!emptyOk) {
        this.problem(file, [], 'file is empty');
        return { file, rel, parsed: true, raw: {}, yaml };
      }
      raw = {};
    }
    // The catalog text rule first: a file breaking it is neither schema- nor cross-checked (one line
    // per problem, no follow-up noise from the offending strings).
    const textProblems = checkText(raw);
    for (const p of textProblems) this.problem(file, p.keys, p.message);
    if (textProblems.length > 0) return failed;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return { file, rel, parsed: true, raw, yaml, data: parsed.data };
    for (const issue of parsed.error.issues) {
      for (const p of issueProblems(schema, raw, issue)) this.problem(file, p.keys, p.message);
    }
    return { file, rel, parsed: true, raw, yaml };
  }
}
