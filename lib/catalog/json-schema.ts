// JSON Schema of each catalog file, from its zod schema: editors (yaml-language-server) validate and
// complete the catalog with them. Generated into schema/catalog/<file>.schema.json by
// `npm run gen:schemas`; a test keeps the committed files equal to fresh ones. The loader's
// checks beyond the shape (cross-file rules, CIDR host bits, refinements) are not in them.
import { z } from 'zod';
import {
  BuildsFileSchema,
  DefaultsFileSchema,
  EnvironmentsFileSchema,
  ImagesFileSchema,
  TemplatesFileSchema,
} from './schema';

/** Base name (schema/catalog/<name>.schema.json) -> the schema, its title, and the files it describes. */
export const CATALOG_FILE_SCHEMAS = Object.freeze({
  defaults: { schema: DefaultsFileSchema, title: 'goldsmith catalog: defaults.yaml' },
  environments: { schema: EnvironmentsFileSchema, title: 'goldsmith catalog: environments.yaml' },
  images: { schema: ImagesFileSchema, title: 'goldsmith catalog: images/*.yaml' },
  templates: { schema: TemplatesFileSchema, title: 'goldsmith catalog: templates.yaml' },
  builds: { schema: BuildsFileSchema, title: 'goldsmith catalog: builds/<environment>.yaml' },
} as const);

export type CatalogFileKind = keyof typeof CATALOG_FILE_SCHEMAS;

/** The JSON Schema (draft 2020-12) of one catalog file: what the YAML may hold (zod input side). */
export function catalogJsonSchema(kind: CatalogFileKind): Record<string, unknown> {
  const { schema, title } = CATALOG_FILE_SCHEMAS[kind];
  const json = z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = json;
  return { $schema, $id: `${kind}.schema.json`, title, ...rest };
}

/** Every catalog file schema as file text: file name -> JSON, 2-space indented, newline at the end. */
export function catalogJsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const kind of Object.keys(CATALOG_FILE_SCHEMAS) as CatalogFileKind[]) {
    files[`${kind}.schema.json`] = JSON.stringify(catalogJsonSchema(kind), null, 2) + '\n';
  }
  return files;
}
