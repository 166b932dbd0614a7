// Reading parsed JSON (a synthesized stack) without trusting its shape.

/** A JSON object as parsed. */
export type JsonObject = { readonly [key: string]: unknown };

/** `x` when it is a JSON object, else an empty one. */
export function objectOf(x: unknown): JsonObject {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as JsonObject) : {};
}

/** A Terraform block without cdktf's `//` metadata (construct paths, not configuration). */
export function withoutMetadata(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { '//': _metadata, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** `x` when it is a string, else `fallback`. */
export function stringOr(x: unknown, fallback: string): string {
  return typeof x === 'string' ? x : fallback;
}

/** A string as Terraform evaluates it: the stack escapes `${` as `$${` and `%{` as `%%{`. */
export function terraformText(s: string): string {
  return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}
