// Deterministic JSON for the builder bundle: keys sorted recursively, arrays in their order,
// 2-space indentation and a trailing newline. Same value, same bytes.
import { createHash } from 'crypto';

/** A copy of `value` whose object keys are sorted (recursively); `undefined` members are dropped. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as unknown as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out as T;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`canonical json: ${value} is not a finite number`);
  }
  return value;
}

/** Key-sorted JSON text, 2-space indentation, ending with a newline. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

/** sha256 hex of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
