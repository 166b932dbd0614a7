// Positions for problems found on the model (checkConstructs): each named file is read and parsed
// again, once, and the key path resolved as for the loader's own problems.
import type { CatalogProblem } from './errors';
import { parsePath } from './errors';
import { parseYaml, positionOf, type ParsedYaml } from './parse-yaml';
import { MAX_YAML_BYTES, readCatalogFile } from './read';

/** `problems` with line and column set where the file parses and the key path resolves. */
export function locateProblems(problems: readonly CatalogProblem[]): CatalogProblem[] {
  const documents = new Map<string, ParsedYaml | undefined>();
  const documentOf = (file: string): ParsedYaml | undefined => {
    if (!documents.has(file)) {
      const read = readCatalogFile(file, MAX_YAML_BYTES);
      const parsed = read.ok ? parseYaml(read.text) : undefined;
      documents.set(file, parsed?.ok ? parsed.parsed : undefined);
    }
    return documents.get(file);
  };
  const at = (file: string, keyPath: string) => {
    const doc = keyPath === '' ? undefined : documentOf(file);
    return (doc && positionOf(doc, parsePath(keyPath))) ?? {};
  };
  return problems.map((p) => {
    const own = p.line === undefined ? at(p.file, p.path) : {};
    const related = p.related && p.related.line === undefined ? { related: { ...p.related, ...at(p.related.file, p.related.path) } } : {};
    return { ...p, ...own, ...related };
  });
}
