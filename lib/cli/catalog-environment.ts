// The catalog and one of its environments, as the commands that edit a builds file need them.
import { loadCatalog, type Catalog, type Environment } from '../catalog';
import { UsageError } from './command';

/**
 * Loads the catalog in `dir` (a CatalogError reaches `main`, which prints every problem, exit 1) and
 * finds environment `name`; an unknown name is a usage error of `command` listing the known ones.
 */
export function catalogEnvironment(dir: string, name: string, command: string): { catalog: Catalog; environment: Environment } {
  const catalog = loadCatalog(dir);
  const environment = catalog.environments.find((env) => env.name === name);
  if (!environment) {
    throw new UsageError(`no environment \`${name}\` in environments.yaml (${catalog.environments.map((e) => e.name).join(', ')})`, command);
  }
  return { catalog, environment };
}
