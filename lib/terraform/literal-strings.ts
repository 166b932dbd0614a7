// Terraform evaluates `${…}` and `%{…}` in every string of resource, data, provider and output
// blocks of a .tf.json file. Catalog strings are data, never expressions: every string a stack
// writes there is escaped here, in one place, so no present or future field can forget it.
import { IAspect, TerraformBackend, TerraformElement } from 'cdktf';
import type { IConstruct } from 'constructs';

/** cdktf's marker of an unresolved string token: `${TfToken[TOKEN.n]}` (kept, resolved later). */
const INTERPOLATION = /\$\{(?!TfToken\[)/g;
const DIRECTIVE = /%\{/g;

/**
 * `s` as a Terraform template that evaluates to `s` itself: `${` → `$${`, `%{` → `%%{`.
 * cdktf token markers are left alone (the catalog loader rejects them in catalog text).
 */
export function terraformLiteral(s: string): string {
  if (!s.includes('{')) return s;
  return s.replace(INTERPOLATION, '$$${').replace(DIRECTIVE, '%%{');
}

/** Escapes every string (keys and values) of a JSON-like value. */
export function escapeStrings(value: unknown): unknown {
  if (typeof value === 'string') return terraformLiteral(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[terraformLiteral(k)] = escapeStrings(v);
    return out;
  }
  return value; // numbers, booleans, null, and tokens that cdktf resolves (their strings are ours)
}

const escaped = new WeakSet<TerraformElement>();

/**
 * Aspect: every Terraform element of the scope writes its strings as literals. Backends are left
 * alone: Terraform reads a `backend` block without evaluating it, so an escape would stay in the value.
 */
export class TerraformLiteralStrings implements IAspect {
  visit(node: IConstruct): void {
    if (!TerraformElement.isTerraformElement(node) || node instanceof TerraformBackend || escaped.has(node)) return;
    escaped.add(node);
    const toTerraform = node.toTerraform.bind(node);
    node.toTerraform = () => escapeStrings(toTerraform());
  }
}
