// Zod issues in the words of the catalog: one lower-case line per problem, saying what is expected
// and what was found, with a "did you mean" hint for unknown keys (the keys allowed there are found
// by walking the schema along the issue's path).
import { z } from 'zod';
import { asRecord, closest } from '../common';
import { show } from './schema';

/** One problem at a key path of the file. */
export interface KeyedProblem {
  readonly keys: readonly (string | number)[];
  readonly message: string;
}

/** The problems of one zod issue (an unknown-keys issue is one line per key). */
export function issueProblems(schema: z.ZodType, raw: unknown, issue: z.core.$ZodIssue): KeyedProblem[] {
  const keys = issue.path as (string | number)[];
  const value = valueAt(raw, keys);
  const at = (message: string): KeyedProblem[] => [{ keys, message }];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, keys, raw);
      return issue.keys.map((key) => ({ keys: [...keys, key], message: unknownKeyMessage(key, allowed, keys) }));
    }
    case 'invalid_type':
      return at(typeMessage(issue.expected, value));
    case 'invalid_value': {
      const values = issue.values.map(String).join(', ');
      return at(value === undefined ? `missing required key (one of ${values})` : `must be one of ${values}; got ${show(value)}`);
    }
    case 'invalid_union': {
      const disc = issue as { discriminator?: string; options?: unknown[] };
      if (disc.discriminator !== undefined) {
        const options = (disc.options ?? []).map(String).join(', ');
        return at(value === undefined ? `missing required key (one of ${options})` : `must be one of ${options}; got ${show(value)}`);
      }
      return at(issue.message.startsWith('Invalid input') ? `unexpected ${show(value)}` : issue.message);
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      return at(inner && !inner.message.startsWith('Invalid') ? inner.message : `invalid key \`${String(value)}\``);
    }
    default:
      return at(issue.message);
  }
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function typeMessage(expected: string, value: unknown): string {
  if (value === undefined) return 'missing required key';
  const got = show(value);
  switch (expected) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean'
        ? `must be a string, got ${got} (quote it)`
        : `must be a string, got ${got}`;
    case 'number':
    case 'int':
      if (typeof value === 'number') return `must be a whole number, got ${value}`;
      if (typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value))) {
        return `must be a number, got ${got} (remove the quotes)`;
      }
      return `must be a ${expected === 'int' ? 'whole number' : 'number'}, got ${got}`;
    case 'boolean':
      return `must be true or false, got ${got}`;
    case 'object':
    case 'record':
      return `must be a mapping, got ${got}`;
    case 'array':
      return `must be a list, got ${got}`;
    case 'date':
      return `must be a date YYYY-MM-DD, got ${got}`;
    default:
      return `must be ${expected}, got ${got}`;
  }
}

const CREDENTIAL_KEY = /(^|_)(access|secret|password|passwd|token|credentials?|auth)(_|$)/i;

function unknownKeyMessage(key: string, allowed: readonly string[] | undefined, at: readonly PropertyKey[]): string {
  if (CREDENTIAL_KEY.test(key)) {
    const where = at.includes('backend')
      ? 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment'
      : 'use clouds.yaml/secure.yaml';
    return `unknown key \`${key}\` (credentials are never read from the catalog: ${where})`;
  }
  if (!allowed) return `unknown key \`${key}\``;
  const suggestion = closest(key, allowed);
  if (suggestion) return `unknown key \`${key}\` (did you mean \`${suggestion}\`?)`;
  return `unknown key \`${key}\` (allowed: ${allowed.join(', ')})`;
}

// ---- the keys an object allows: walk a zod schema along an issue path --------------------------

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  getter?: () => z.ZodType;
}

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Through optional/default/pipe/lazy wrappers, and into the union member `raw` matches. */
function unwrap(s: z.ZodType, raw: unknown): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else if (d.type === 'union' && d.options) {
      const r = asRecord(raw);
      const pick = d.options.find((o) => {
        const od = defOf(unwrapPlain(o));
        if (d.discriminator && r && od.shape) {
          const lit = od.shape[d.discriminator];
          return lit !== undefined && (defOf(lit).values ?? []).includes(r[d.discriminator]);
        }
        return Array.isArray(raw) ? od.type === 'array' : od.type === 'object' || od.type === 'record';
      });
      if (!pick) return s;
      s = pick;
    } else return s;
  }
  return s;
}

function unwrapPlain(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
  return s;
}

/** The keys the object schema at `keys` allows (undefined when there is no object schema there). */
export function allowedKeysAt(schema: z.ZodType, keys: readonly PropertyKey[], raw: unknown): string[] | undefined {
  let s: z.ZodType | undefined = schema;
  let v: unknown = raw;
  for (const k of keys) {
    s = unwrap(s, v);
    const d = defOf(s);
    if (d.type === 'object' && d.shape) s = d.shape[String(k)];
    else if (d.type === 'record') s = d.valueType;
    else if (d.type === 'array') s = d.element;
    else return undefined;
    if (!s) return undefined;
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  }
  const d = defOf(unwrap(s, v));
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
}
