// Checks a synthesized Terraform JSON document (cdk.tf.json) against a provider schema snapshot in the
// shape `terraform providers schema -json` prints. This stands in for `terraform validate`, which cannot
// run here (no OpenStack provider binary can be fetched).
//
// What it checks, per `resource`, `data` and `provider` block:
//   - unknown resource / data source types, unknown provider names;
//   - unknown attributes and nested blocks (Terraform meta-arguments are allowed);
//   - missing required attributes, computed-only attributes that are set;
//   - value types against the cty type (string, number, bool, list, set, map, object, tuple, dynamic);
//     a Terraform expression string (`${...}`) is accepted for any type;
//   - nested block shape: nesting mode, min_items, max_items;
//   - attribute conflicts from a table (the schema JSON carries no ConflictsWith);
//   - meta-arguments: depends_on, count/for_each, provider references to declared aliases,
//     lifecycle.ignore_changes naming real attributes;
//   - references `${<type>.<name>.<attr>}` to resources / data sources of known types (in resources, data
//     sources, providers, outputs and locals): declared, and the attribute exists;
//   - outputs: known arguments and a value;
//   - `terraform.required_providers.<name>.source` (openstack must be terraform-provider-openstack/openstack).
//
// Not checked (no information in the schema JSON): ExactlyOneOf/AtLeastOneOf/RequiredWith, value validators
// (enums, ranges), ForceNew. Problems are sorted by path, then message.

/** One thing Terraform (or the provider) would reject. */
export interface ConformanceProblem {
  /** Dotted path into the document, e.g. `resource.openstack_images_image_v2.ubuntu_2404_20261104.web_download`. */
  readonly path: string;
  readonly message: string;
}

/** Pairs of attributes that may not both be set, per resource / data source type. */
export type ConflictTable = Readonly<Record<string, readonly (readonly [string, string])[]>>;

/**
 * ConflictsWith of the OpenStack provider 3.4 for the types goldsmith uses (from the provider source;
 * `terraform providers schema -json` does not export it).
 */
export const OPENSTACK_CONFLICTS: ConflictTable = {
  openstack_images_image_v2: [
    ['web_download', 'local_file_path'],
    ['web_download', 'verify_checksum'],
    ['web_download', 'decompress'],
    ['image_source_url', 'local_file_path'],
  ],
};

/** Provider local names and the source each must have in `terraform.required_providers`. */
export const DEFAULT_REQUIRED_SOURCES: Readonly<Record<string, string>> = {
  openstack: 'terraform-provider-openstack/openstack',
};

export interface ConformanceOptions {
  /** Conflicting attribute pairs; default OPENSTACK_CONFLICTS. */
  readonly conflicts?: ConflictTable;
  /**
   * Provider local name -> required source. When the document uses that provider (a provider block,
   * or a resource / data source whose type starts with `<name>_`), `terraform.required_providers.<name>.source`
   * must equal it. Default DEFAULT_REQUIRED_SOURCES.
   */
  readonly requiredSources?: Readonly<Record<string, string>>;
  /** Check `${type.name.attr}` references (default true). */
  readonly checkReferences?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema shapes (the subset of `terraform providers schema -json` this reads)

/** cty type JSON: "string" | "number" | "bool" | "dynamic" | ["list"|"set"|"map", T] | ["object", {...}, opt?] | ["tuple", [...]] */
export type CtyType = string | readonly unknown[];

interface SchemaAttribute {
  type?: CtyType;
  nested_type?: NestedType;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  deprecated?: boolean;
}

interface NestedType {
  attributes: Record<string, SchemaAttribute>;
  nesting_mode: 'single' | 'list' | 'set' | 'map';
  min_items?: number;
  max_items?: number;
}

interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, SchemaBlockType>;
}

interface SchemaBlockType {
  nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  min_items?: number;
  max_items?: number;
  block: SchemaBlock;
}

interface ProviderSchema {
  provider?: { block: SchemaBlock };
  resource_schemas?: Record<string, { block: SchemaBlock }>;
  data_source_schemas?: Record<string, { block: SchemaBlock }>;
}

/** Built-in types of terraform.io/builtin/terraform (not in any provider schema). */
const BUILTIN_RESOURCES: Record<string, SchemaBlock> = {
  terraform_data: {
    attributes: {
      id: { type: 'string', computed: true },
      input: { type: 'dynamic', optional: true },
      output: { type: 'dynamic', computed: true },
      triggers_replace: { type: 'dynamic', optional: true },
    },
  },
};
const BUILTIN_DATA_SOURCES: Record<string, SchemaBlock> = {
  terraform_remote_state: {
    attributes: {
      backend: { type: 'string', required: true },
      config: { type: 'dynamic', optional: true },
      defaults: { type: 'dynamic', optional: true },
      outputs: { type: 'dynamic', computed: true },
      workspace: { type: 'string', optional: true },
    },
  },
};

const RESOURCE_META = new Set(['//', 'count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'connection', 'provisioner']);
const DATA_META = new Set(['//', 'count', 'for_each', 'depends_on', 'provider', 'lifecycle']);
const PROVIDER_META = new Set(['//', 'alias', 'version']);
const LIFECYCLE_KEYS = new Set([
  'create_before_destroy',
  'prevent_destroy',
  'ignore_changes',
  'replace_triggered_by',
  'precondition',
  'postcondition',
]);
const DATA_LIFECYCLE_KEYS = new Set(['precondition', 'postcondition']);
const OUTPUT_KEYS = new Set(['//', 'value', 'description', 'sensitive', 'depends_on', 'precondition', 'ephemeral']);
const TOP_LEVEL = new Set([
  '//',
  'terraform',
  'provider',
  'resource',
  'data',
  'locals',
  'output',
  'variable',
  'module',
  'moved',
  'import',
  'removed',
  'check',
]);

// ---------------------------------------------------------------------------------------------------------------
// Helpers

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a string holding a Terraform template interpolation (`${...}`, not the escaped `$${`). */
export function isExpression(v: unknown): boolean {
  return typeof v === 'string' && /(^|[^$])\$\{/.test(v);
}

function seg(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function join(path: string, key: string): string {
  return path === '' ? key : path + seg(key);
}

function describeType(t: CtyType): string {
  return typeof t === 'string' ? t : JSON.stringify(t);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return `${typeof v} ${JSON.stringify(v).slice(0, 60)}`;
}

function closest(name: string, candidates: Iterable<string>): string | undefined {
  // A candidate is plausible when it is a small edit away, extends the name, or has all its words.
  const words = name.split('_');
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    const cWords = new Set(c.split('_'));
    const plausible =
      (name.length >= 3 && d <= Math.max(1, Math.floor(name.length / 4))) ||
      (name.length >= 3 && c.startsWith(name)) ||
      (words.length >= 2 && words.every((w) => cWords.has(w)));
    if (plausible && d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

function hint(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c ? ` (did you mean "${c}"?)` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// The checker

class Checker {
  readonly problems: ConformanceProblem[] = [];
  readonly resources = new Map<string, SchemaBlock>();
  readonly dataSources = new Map<string, SchemaBlock>();
  readonly providers = new Map<string, SchemaBlock>(); // keyed by fqpn
  readonly conflicts: ConflictTable;
  readonly requiredSources: Readonly<Record<string, string>>;

  constructor(schema: unknown, opts: ConformanceOptions) {
    this.conflicts = opts.conflicts ?? OPENSTACK_CONFLICTS;
    this.requiredSources = opts.requiredSources ?? DEFAULT_REQUIRED_SOURCES;
    const ps = isObject(schema) && isObject(schema.provider_schemas) ? schema.provider_schemas : undefined;
    if (!ps) throw new Error('schema: not a `terraform providers schema -json` document (no provider_schemas)');
    for (const [fqpn, p] of Object.entries(ps as Record<string, ProviderSchema>)) {
      if (p.provider) this.providers.set(fqpn, p.provider.block);
      for (const [t, s] of Object.entries(p.resource_schemas ?? {})) this.resources.set(t, s.block);
      for (const [t, s] of Object.entries(p.data_source_schemas ?? {})) this.dataSources.set(t, s.block);
    }
    for (const [t, b] of Object.entries(BUILTIN_RESOURCES)) if (!this.resources.has(t)) this.resources.set(t, b);
    for (const [t, b] of Object.entries(BUILTIN_DATA_SOURCES)) if (!this.dataSources.has(t)) this.dataSources.set(t, b);
  }

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  // --- document -------------------------------------------------------------------------------------------------

  document(doc: unknown): void {
    if (!isObject(doc)) {
      this.add('', 'document must be a JSON object');
      return;
    }
    for (const key of Object.keys(doc)) {
      if (!TOP_LEVEL.has(key)) this.add(key, `unknown top-level key "${key}"${hint(key, TOP_LEVEL)}`);
    }
    this.collectDeclared(doc);
    const declaredAliases = this.providerBlocks(doc.provider);
    this.kind(doc.resource, 'resource', this.resources, RESOURCE_META, declaredAliases);
    this.kind(doc.data, 'data', this.dataSources, DATA_META, declaredAliases);
    this.outputs(doc.output);
    if (isObject(doc.locals)) this.walkReferences(doc.locals, 'locals');
    this.terraformBlock(doc);
  }

  /** `output.<name>`: known arguments, a value, and references in it. */
  outputs(block: unknown): void {
    if (block === undefined) return;
    if (!isObject(block)) {
      this.add('output', 'must be an object of name -> output');
      return;
    }
    for (const [name, out] of Object.entries(block)) {
      const path = join('output', name);
      if (!isObject(out)) {
        this.add(path, `output must be an object, got ${describeValue(out)}`);
        continue;
      }
      for (const k of Object.keys(out)) {
        if (!OUTPUT_KEYS.has(k)) this.add(join(path, k), `unknown output argument "${k}"${hint(k, OUTPUT_KEYS)}`);
      }
      if (!('value' in out)) this.add(join(path, 'value'), 'missing required argument "value"');
      if (out.sensitive !== undefined && typeof out.sensitive !== 'boolean') {
        this.add(join(path, 'sensitive'), `must be a bool, got ${describeValue(out.sensitive)}`);
      }
      this.walkReferences(out.value, join(path, 'value'));
    }
  }

  /** Checks references in every expression string inside `v`. */
  walkReferences(v: unknown, path: string): void {
    if (!this.checkReferences) return;
    if (typeof v === 'string') {
      if (isExpression(v)) this.references(v, path);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => this.walkReferences(x, `${path}[${i}]`));
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) this.walkReferences(x, join(path, k));
    }
  }

  /** Checks `terraform.required_providers` for every provider the document uses. */
  terraformBlock(doc: Record<string, unknown>): void {
    const used = new Set<string>();
    if (isObject(doc.provider)) for (const name of Object.keys(doc.provider)) used.add(name);
    for (const kind of ['resource', 'data'] as const) {
      const block = doc[kind];
      if (!isObject(block)) continue;
      for (const type of Object.keys(block)) used.add(type.split('_')[0]);
    }
    const tf = doc.terraform;
    if (tf !== undefined && !isObject(tf)) {
      this.add('terraform', 'must be an object');
      return;
    }
    const rp = isObject(tf) ? tf.required_providers : undefined;
    if (rp !== undefined && !isObject(rp)) {
      this.add('terraform.required_providers', 'must be an object');
      return;
    }
    for (const [name, source] of Object.entries(this.requiredSources)) {
      if (!used.has(name)) continue;
      const entry = isObject(rp) ? rp[name] : undefined;
      const path = `terraform.required_providers.${name}`;
      if (entry === undefined) {
        this.add(path, `missing: the document uses provider "${name}" (source must be "${source}")`);
      } else if (!isObject(entry)) {
        this.add(path, 'must be an object with "source" and "version"');
      } else if (entry.source !== source) {
        this.add(`${path}.source`, `must be "${source}", got ${describeValue(entry.source)}`);
      } else if (entry.version !== undefined && typeof entry.version !== 'string') {
        this.add(`${path}.version`, `must be a version constraint string, got ${describeValue(entry.version)}`);
      }
    }
  }

  /** `provider.<name>`: array (or single object) of configurations. Returns declared `<name>.<alias>` references. */
  providerBlocks(block: unknown): Set<string> {
    const declared = new Set<string>();
    if (block === undefined) return declared;
    if (!isObject(block)) {
      this.add('provider', 'must be an object of provider name -> configurations');
      return declared;
    }
    const byName = new Map<string, SchemaBlock>();
    for (const [fqpn, b] of this.providers) byName.set(fqpn.split('/').pop()!, b);
    for (const [name, value] of Object.entries(block)) {
      const path = join('provider', name);
      const schema = byName.get(name);
      if (!schema) {
        this.add(path, `unknown provider "${name}"${hint(name, byName.keys())}`);
        continue;
      }
      const configs = Array.isArray(value) ? value : [value];
      let defaults = 0;
      configs.forEach((cfg, i) => {
        const p = Array.isArray(value) ? `${path}[${i}]` : path;
        if (!isObject(cfg)) {
          this.add(p, `provider configuration must be an object, got ${describeValue(cfg)}`);
          return;
        }
        if (cfg.alias === undefined) {
          defaults++;
          if (defaults === 2) this.add(p, `duplicate default (un-aliased) configuration of provider "${name}"`);
          declared.add(name);
        } else if (typeof cfg.alias !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(cfg.alias)) {
          this.add(`${p}.alias`, `alias must be an identifier string, got ${describeValue(cfg.alias)}`);
        } else if (declared.has(`${name}.${cfg.alias}`)) {
          this.add(`${p}.alias`, `duplicate provider configuration "${name}.${cfg.alias}"`);
        } else {
          declared.add(`${name}.${cfg.alias}`);
        }
        this.block(cfg, schema, p, PROVIDER_META, undefined);
      });
    }
    return declared;
  }

  /** Resource / data addresses declared in the document (for reference checks). */
  declared = new Set<string>();

  collectDeclared(doc: Record<string, unknown>): void {
    for (const kind of ['resource', 'data'] as const) {
      const block = doc[kind];
      if (!isObject(block)) continue;
      for (const [type, instances] of Object.entries(block)) {
        if (!isObject(instances)) continue;
        for (const name of Object.keys(instances)) this.declared.add(`${kind === 'data' ? 'data.' : ''}${type}.${name}`);
      }
    }
  }

  kind(
    block: unknown,
    kind: 'resource' | 'data',
    schemas: Map<string, SchemaBlock>,
    meta: ReadonlySet<string>,
    aliases: ReadonlySet<string>,
  ): void {
    if (block === undefined) return;
    if (!isObject(block)) {
      this.add(kind, `must be an object of type -> name -> configuration`);
      return;
    }
    const what = kind === 'resource' ? 'resource type' : 'data source type';
    for (const [type, instances] of Object.entries(block)) {
      const typePath = join(kind, type);
      const schema = schemas.get(type);
      if (!schema) {
        this.add(typePath, `unknown ${what} "${type}"${hint(type, schemas.keys())}`);
        continue;
      }
      if (!isObject(instances)) {
        this.add(typePath, `must be an object of name -> configuration`);
        continue;
      }
      for (const [name, cfg] of Object.entries(instances)) {
        const path = join(typePath, name);
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) this.add(path, `invalid ${kind} name "${name}"`);
        const cfgs = Array.isArray(cfg) ? cfg : [cfg];
        cfgs.forEach((c, i) => {
          const p = Array.isArray(cfg) ? `${path}[${i}]` : path;
          if (!isObject(c)) {
            this.add(p, `configuration must be an object, got ${describeValue(c)}`);
            return;
          }
          this.block(c, schema, p, meta, this.conflicts[type]);
          this.metaArguments(c, schema, p, kind, type, aliases);
        });
      }
    }
  }

  metaArguments(
    cfg: Record<string, unknown>,
    schema: SchemaBlock,
    path: string,
    kind: 'resource' | 'data',
    type: string,
    aliases: ReadonlySet<string>,
  ): void {
    if (cfg.count !== undefined && cfg.for_each !== undefined) {
      this.add(join(path, 'for_each'), '"count" and "for_each" may not both be set');
    }
    if (cfg.count !== undefined && !isExpression(cfg.count) && !(Number.isInteger(cfg.count) && (cfg.count as number) >= 0)) {
      this.add(join(path, 'count'), `must be a whole number or an expression, got ${describeValue(cfg.count)}`);
    }
    if (
      cfg.for_each !== undefined &&
      !isExpression(cfg.for_each) &&
      !isObject(cfg.for_each) &&
      !(Array.isArray(cfg.for_each) && cfg.for_each.every((x) => typeof x === 'string'))
    ) {
      this.add(join(path, 'for_each'), `must be a map, a set of strings or an expression, got ${describeValue(cfg.for_each)}`);
    }
    if (cfg.depends_on !== undefined) {
      if (!Array.isArray(cfg.depends_on)) {
        this.add(join(path, 'depends_on'), 'must be a list of resource addresses');
      } else {
        cfg.depends_on.forEach((d, i) => {
          if (typeof d !== 'string') this.add(`${join(path, 'depends_on')}[${i}]`, `must be a string, got ${describeValue(d)}`);
          else {
            const addr = d.replace(/^\$\{(.*)\}$/, '$1');
            if (this.isTypedAddress(addr) && !this.declared.has(addr)) {
              this.add(`${join(path, 'depends_on')}[${i}]`, `refers to "${addr}", which is not declared`);
            }
          }
        });
      }
    }
    if (cfg.provider !== undefined) {
      const p = join(path, 'provider');
      if (typeof cfg.provider !== 'string') this.add(p, `must be a provider reference string, got ${describeValue(cfg.provider)}`);
      else {
        const ref = cfg.provider.replace(/^\$\{(.*)\}$/, '$1');
        const local = ref.split('.')[0];
        // Only providers configured in this document can be checked; others use an empty default config.
        if (ref.includes('.') && !aliases.has(ref)) this.add(p, `provider configuration "${ref}" is not declared`);
        else if (!ref.includes('.') && ref !== local) this.add(p, `invalid provider reference "${cfg.provider}"`);
      }
    }
    if (cfg.lifecycle !== undefined) {
      const p = join(path, 'lifecycle');
      const lcs = Array.isArray(cfg.lifecycle) ? cfg.lifecycle : [cfg.lifecycle];
      for (const lc of lcs) {
        if (!isObject(lc)) {
          this.add(p, `must be an object, got ${describeValue(lc)}`);
          continue;
        }
        const allowed = kind === 'data' ? DATA_LIFECYCLE_KEYS : LIFECYCLE_KEYS;
        for (const k of Object.keys(lc)) if (!allowed.has(k)) this.add(join(p, k), `unknown lifecycle argument "${k}"${hint(k, allowed)}`);
        for (const k of ['create_before_destroy', 'prevent_destroy']) {
          if (lc[k] !== undefined && typeof lc[k] !== 'boolean') this.add(join(p, k), `must be a bool, got ${describeValue(lc[k])}`);
        }
        const ic = lc.ignore_changes;
        if (ic !== undefined && ic !== 'all' && ic !== '${all}') {
          if (!Array.isArray(ic)) this.add(join(p, 'ignore_changes'), `must be a list of attribute names or "all"`);
          else
            ic.forEach((a, i) => {
              const ip = `${join(p, 'ignore_changes')}[${i}]`;
              if (typeof a !== 'string') return this.add(ip, `must be a string, got ${describeValue(a)}`);
              const first = a.replace(/^\$\{(.*)\}$/, '$1').split(/[.[]/)[0];
              if (!schema.attributes?.[first] && !schema.block_types?.[first]) {
                this.add(ip, `"${first}" is not an attribute of ${type}${hint(first, Object.keys(schema.attributes ?? {}))}`);
              }
            });
        }
      }
    }
  }

  /** True when `addr` looks like `<known type>.<name>` or `data.<known type>.<name>`. */
  isTypedAddress(addr: string): boolean {
    const m = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(addr);
    if (!m) return false;
    return (m[1] ? this.dataSources : this.resources).has(m[2]);
  }

  // --- blocks and attributes -------------------------------------------------------------------------------------

  block(
    cfg: Record<string, unknown>,
    schema: SchemaBlock,
    path: string,
    meta: ReadonlySet<string> | undefined,
    conflicts: readonly (readonly [string, string])[] | undefined,
  ): void {
    const attrs = schema.attributes ?? {};
    const blocks = schema.block_types ?? {};
    const known = [...Object.keys(attrs), ...Object.keys(blocks)];
    const dynamicBlocks = new Set<string>();
    for (const [key, value] of Object.entries(cfg)) {
      const p = join(path, key);
      if (meta?.has(key)) continue;
      if (key === '//') continue;
      if (key === 'dynamic' && !attrs.dynamic && !blocks.dynamic) {
        this.dynamic(value, blocks, p, dynamicBlocks);
        continue;
      }
      const a = attrs[key];
      if (a) {
        if (value === null) continue; // null = unset
        if (a.computed && !a.optional && !a.required) {
          this.add(p, `"${key}" is computed-only (read-only) and cannot be set`);
          continue;
        }
        if (a.nested_type) this.nestedAttribute(value, a.nested_type, p);
        else if (a.type !== undefined) this.value(value, a.type, p);
        continue;
      }
      const b = blocks[key];
      if (b) {
        this.nestedBlock(value, b, p);
        continue;
      }
      this.add(p, `unknown attribute or block "${key}"${hint(key, known)}`);
    }
    for (const [name, a] of Object.entries(attrs)) {
      if (a.required && (cfg[name] === undefined || cfg[name] === null)) {
        this.add(join(path, name), `missing required attribute "${name}"`);
      }
    }
    for (const [name, b] of Object.entries(blocks)) {
      if ((b.min_items ?? 0) > 0 && cfg[name] === undefined && !dynamicBlocks.has(name)) {
        this.add(join(path, name), `missing required block "${name}" (at least ${b.min_items})`);
      }
    }
    for (const [a, b] of conflicts ?? []) {
      const va = cfg[a];
      const vb = cfg[b];
      // Like the SDK: a value that is still unknown (an expression) may become null, so it cannot conflict yet.
      if (va === undefined || va === null || vb === undefined || vb === null) continue;
      if (isExpression(va) || isExpression(vb)) continue;
      this.add(join(path, a), `"${a}" conflicts with "${b}": only one of them may be set`);
    }
  }

  dynamic(value: unknown, blocks: Record<string, SchemaBlockType>, path: string, seen: Set<string>): void {
    if (!isObject(value)) {
      this.add(path, `must be an object of block name -> {for_each, content}`);
      return;
    }
    for (const [name, d] of Object.entries(value)) {
      const p = join(path, name);
      const b = blocks[name];
      if (!b) {
        this.add(p, `unknown block "${name}" in dynamic${hint(name, Object.keys(blocks))}`);
        continue;
      }
      seen.add(name);
      if (!isObject(d)) {
        this.add(p, 'must be an object with for_each and content');
        continue;
      }
      for (const k of Object.keys(d)) {
        if (!['for_each', 'iterator', 'labels', 'content'].includes(k)) this.add(join(p, k), `unknown dynamic block argument "${k}"`);
      }
      if (d.for_each === undefined) this.add(join(p, 'for_each'), 'missing for_each');
      if (!isObject(d.content)) this.add(join(p, 'content'), 'missing content object');
      else this.block(d.content, b.block, join(p, 'content'), undefined, undefined);
    }
  }

  nestedBlock(value: unknown, b: SchemaBlockType, path: string): void {
    if (isExpression(value)) {
      this.add(path, 'a nested block cannot be an expression (use a dynamic block)');
      return;
    }
    if (b.nesting_mode === 'map') {
      if (!isObject(value)) {
        this.add(path, `block with nesting mode map must be an object of label -> block, got ${describeValue(value)}`);
        return;
      }
      for (const [label, item] of Object.entries(value)) {
        const p = join(path, label);
        if (!isObject(item)) this.add(p, `block must be an object, got ${describeValue(item)}`);
        else this.block(item, b.block, p, undefined, undefined);
      }
      this.count(Object.keys(value).length, b, path);
      return;
    }
    const items = Array.isArray(value) ? value : [value];
    if ((b.nesting_mode === 'single' || b.nesting_mode === 'group') && items.length > 1) {
      this.add(path, `block with nesting mode ${b.nesting_mode} takes one object, got ${items.length}`);
    }
    items.forEach((item, i) => {
      const p = Array.isArray(value) ? `${path}[${i}]` : path;
      if (!isObject(item)) this.add(p, `block must be an object, got ${describeValue(item)}`);
      else this.block(item, b.block, p, undefined, undefined);
    });
    if (b.nesting_mode === 'list' || b.nesting_mode === 'set') this.count(items.length, b, path);
  }

  count(n: number, b: { min_items?: number; max_items?: number }, path: string): void {
    if (b.min_items !== undefined && b.min_items > 0 && n < b.min_items) {
      this.add(path, `at least ${b.min_items} block(s) required, got ${n}`);
    }
    if (b.max_items !== undefined && b.max_items > 0 && n > b.max_items) {
      this.add(path, `at most ${b.max_items} block(s) allowed, got ${n}`);
    }
  }

  nestedAttribute(value: unknown, nt: NestedType, path: string): void {
    if (isExpression(value)) return;
    const one = (v: unknown, p: string) => {
      if (!isObject(v)) this.add(p, `must be an object, got ${describeValue(v)}`);
      else this.block(v, { attributes: nt.attributes }, p, undefined, undefined);
    };
    if (nt.nesting_mode === 'single') return one(value, path);
    if (nt.nesting_mode === 'map') {
      if (!isObject(value)) return this.add(path, `must be a map of objects, got ${describeValue(value)}`);
      for (const [k, v] of Object.entries(value)) one(v, join(path, k));
      return;
    }
    if (!Array.isArray(value)) return this.add(path, `must be a ${nt.nesting_mode} of objects, got ${describeValue(value)}`);
    value.forEach((v, i) => (isExpression(v) ? undefined : one(v, `${path}[${i}]`)));
    this.count(value.length, nt, path);
  }

  /** Checks `value` against the cty type `t`. */
  value(value: unknown, t: CtyType, path: string): void {
    if (isExpression(value)) {
      if (this.checkReferences) this.references(value as string, path);
      return;
    }
    if (value === null) return; // null is a valid value of every type (for an optional attribute: unset)
    const mismatch = () => this.add(path, `expected ${describeType(t)}, got ${describeValue(value)}`);
    if (typeof t === 'string') {
      switch (t) {
        case 'dynamic':
          return;
        case 'string':
          if (typeof value !== 'string') mismatch();
          return;
        case 'number':
          if (typeof value !== 'number' || !Number.isFinite(value)) mismatch();
          return;
        case 'bool':
          if (typeof value !== 'boolean') mismatch();
          return;
        default:
          this.add(path, `schema: unsupported type ${JSON.stringify(t)}`);
          return;
      }
    }
    const [kind, elem, optional] = t as [string, unknown, unknown];
    switch (kind) {
      case 'list':
      case 'set':
        if (!Array.isArray(value)) return mismatch();
        value.forEach((v, i) => this.value(v, elem as CtyType, `${path}[${i}]`));
        return;
      case 'map':
        if (!isObject(value)) return mismatch();
        for (const [k, v] of Object.entries(value)) this.value(v, elem as CtyType, join(path, k));
        return;
      case 'object': {
        if (!isObject(value)) return mismatch();
        const attrTypes = (elem ?? {}) as Record<string, CtyType>;
        const opt = new Set(Array.isArray(optional) ? (optional as string[]) : []);
        for (const [k, v] of Object.entries(value)) {
          if (!(k in attrTypes)) this.add(join(path, k), `unknown object attribute "${k}"${hint(k, Object.keys(attrTypes))}`);
          else this.value(v, attrTypes[k], join(path, k));
        }
        for (const k of Object.keys(attrTypes)) {
          if (!(k in value) && !opt.has(k)) this.add(join(path, k), `missing object attribute "${k}"`);
        }
        return;
      }
      case 'tuple': {
        const elems = (elem ?? []) as CtyType[];
        if (!Array.isArray(value)) return mismatch();
        if (value.length !== elems.length) return this.add(path, `expected a tuple of ${elems.length} elements, got ${value.length}`);
        value.forEach((v, i) => this.value(v, elems[i], `${path}[${i}]`));
        return;
      }
      default:
        this.add(path, `schema: unsupported type ${JSON.stringify(t)}`);
    }
  }

  checkReferences = true;

  /** `${type.name.attr}` references to known resource / data source types: declared, and the attribute exists. */
  references(expr: string, path: string): void {
    const re = /(?<![\w.])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\[[^\]]*\])?)(?:\.([A-Za-z_][A-Za-z0-9_]*))?/g;
    for (const inner of interpolations(expr)) {
      for (const m of inner.matchAll(re)) {
        const isData = Boolean(m[1]);
        const type = m[2];
        const schemas = isData ? this.dataSources : this.resources;
        const schema = schemas.get(type);
        if (!schema) continue; // not a reference to a known type (function name, local, …)
        const addr = `${isData ? 'data.' : ''}${type}.${m[3]}`;
        if (!this.declared.has(addr)) {
          this.add(path, `reference to undeclared ${isData ? 'data source' : 'resource'} "${addr}"`);
          continue;
        }
        const attr = m[5];
        if (attr && !schema.attributes?.[attr] && !schema.block_types?.[attr]) {
          this.add(path, `"${addr}" has no attribute "${attr}"${hint(attr, Object.keys(schema.attributes ?? {}))}`);
        }
      }
    }
  }
}

/** The contents of each `${...}` interpolation in a template string (brace-balanced, quotes respected). */
function interpolations(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
      continue;
    }
    if (s[i] !== '$' || s[i + 1] !== '{') continue;
    let depth = 0;
    let inString = false;
    let j = i + 1;
    for (; j < s.length; j++) {
      const c = s[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    out.push(s.slice(i + 2, j));
    i = j;
  }
  return out;
}

/**
 * Checks a Terraform JSON document (a cdktf `cdk.tf.json`) against a provider schema snapshot
 * (`terraform providers schema -json` output, e.g. schema/openstack-3.4.0.schema.json).
 * Returns the problems found, sorted by path then message; [] when the document conforms.
 */
export function checkConformance(tfJson: object, schema: object, opts: ConformanceOptions = {}): ConformanceProblem[] {
  const c = new Checker(schema, opts);
  c.checkReferences = opts.checkReferences ?? true;
  c.document(tfJson as Json);
  return c.problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}

/** One line per problem, `path: message`. */
export function formatProblems(problems: readonly ConformanceProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
