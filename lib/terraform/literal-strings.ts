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
const trusted = new WeakMap<TerraformElement, Set<string>>();

/**
 * Registers `expression`, built by goldsmith from validated values only (never a catalog string),
 * as a postcondition of `element`: the one kind of string written unescaped, and only at that
 * element's `lifecycle.postcondition[].condition`.
 */
export function trustCondition(element: TerraformElement, expression: string): void {
  let set = trusted.get(element);
  if (!set) trusted.set(element, (set = new Set()));
  set.add(expression);
}

/**
 * Puts the registered conditions of every `lifecycle.postcondition[]` in `raw` back, unescaped,
 * at the same place in `out` (its escaped copy; keys of resource types and ids need no escape).
 */
function restoreConditions(raw: unknown, out: unknown, allowed: ReadonlySet<string>): void {
  if (raw === null || typeof raw !== 'object' || out === null || typeof out !== 'object') return;
  const conditions = (raw as { lifecycle?: { postcondition?: unknown } }).lifecycle?.postcondition;
  if (Array.isArray(conditions)) {
    const target = (out as { lifecycle: { postcondition: { condition?: unknown }[] } }).lifecycle.postcondition;
    conditions.forEach((c: { condition?: unknown } | null, i) => {
      if (typeof c?.condition === 'string' && allowed.has(c.condition)) target[i].condition = c.condition;
    });
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key !== 'lifecycle') restoreConditions(value, (out as Record<string, unknown>)[key], allowed);
  }
}

/**
 * Aspect: every Terraform element of the scope writes its strings as literals. Backends are left
 * alone: Terraform reads a `backend` block without evaluating it, so an escape would stay in the value.
 */
export class TerraformLiteralStrings implements IAspect {
  visit(node: IConstruct): void {
    if (!TerraformElement.isTerraformElement(node) || node instanceof TerraformBackend || escaped.has(node)) return;
    escaped.add(node);
    const toTerraform = node.toTerraform.bind(node);
    node.toTerraform = () => {
      const raw = toTerraform();
      const out = escapeStrings(raw);
      const allowed = trusted.get(node);
      if (allowed) restoreConditions(raw, out, allowed);
      return out;
    };
  }
}
