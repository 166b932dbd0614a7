// The catalog: YAML files in, a validated, frozen model out.
export * from './model';
export { loadCatalog, DEFAULTS } from './loader';
export { CatalogError, formatProblems, formatProblem, displayPath } from './errors';
export { locateProblems } from './locate';
export type { CatalogProblem } from './errors';
