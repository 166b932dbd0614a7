// Reading a bundle file through its schema: the first problem as one line naming file and key.
import { z } from 'zod';
import { deepFreeze } from '../common';

/** Deeply readonly view of a parsed contract value. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A bundle or runner file that cannot be read or does not satisfy its schema. */
export class BundleFileError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | undefined,
    detail: string,
  ) {
    super(`${file}${key ? `: ${key}` : ''}: ${detail}`);
    this.name = 'BundleFileError';
  }
}

/** How a value is named in messages: `null`, `an array`, a quoted string, else its type. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a non-empty string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

/** Messages of the issues a schema does not word itself. */
function contractMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const got = kindOf(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is missing';
      if (iss.expected === 'int') return `must be an integer, got ${String(iss.input)}`;
      return `must be ${EXPECTED[iss.expected] ?? iss.expected}, got ${got}`;
    case 'too_small':
      if (iss.origin === 'string') return `must be a non-empty string, got ${got}`;
      if (iss.origin === 'array') return 'must not be empty';
      return `must be ${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}, got ${String(iss.input)}`;
    case 'too_big':
      if (iss.origin === 'string' || iss.origin === 'array') return undefined;
      return `must be ${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}, got ${String(iss.input)}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => String(v)).join(', ')}, got ${got}`;
    case 'unrecognized_keys':
      return `has unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}`;
    case 'invalid_format':
      return `${got} is not matching ${String(iss.pattern ?? iss.format)}`;
    default:
      return undefined;
  }
}

/** `upstream.url`, `external_command[1]`; undefined for the root. */
function keyOf(path: readonly PropertyKey[]): string | undefined {
  let key = '';
  for (const p of path) key += typeof p === 'number' ? `[${p}]` : `${key ? '.' : ''}${String(p)}`;
  return key || undefined;
}

/** `value` checked by `schema`; throws a BundleFileError for the first problem. Frozen. */
export function parseContract<S extends z.ZodType>(schema: S, value: unknown, file: string): DeepReadonly<z.output<S>> {
  const r = schema.safeParse(value, { reportInput: true, error: contractMessage });
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new BundleFileError(file, keyOf(iss.path) ?? (iss.path.length === 0 ? '(root)' : undefined), iss.message.replace(/\s+/g, ' '));
  }
  return deepFreeze(r.data) as DeepReadonly<z.output<S>>;
}

/** Parses JSON text (bytes of `file`) and checks it with `schema`. */
export function parseContractJson<S extends z.ZodType>(schema: S, text: string, file: string): DeepReadonly<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BundleFileError(file, undefined, `invalid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
  return parseContract(schema, json, file);
}
