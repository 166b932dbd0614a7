// The values of a template's site variables, once read from its env file (site-env.ts). They
// leave this object only as a child's environment (env) and are kept out of everything printed:
// JSON.stringify, String() and util.inspect show the names, never a value; redact() replaces the
// secret ones in a line of tool output.
import { inspect } from 'util';

/** Replaces a secret value in output (packer prints the same for `sensitive-variables`). */
export const REDACTED = '<sensitive>';

export class SiteValues {
  readonly #values: ReadonlyMap<string, string>;
  readonly #secrets: readonly string[];

  /** `values`: name → non-empty value; `secretNames`: the names whose values are redacted. */
  constructor(values: ReadonlyMap<string, string>, secretNames: readonly string[] = []) {
    this.#values = new Map(values);
    // Longest first: a secret that contains another is replaced whole.
    this.#secrets = [...new Set(secretNames.map((n) => values.get(n)).filter((v): v is string => v !== undefined && v !== ''))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** The names that have a value. */
  get names(): readonly string[] {
    return [...this.#values.keys()];
  }

  /** True when `name` has a value. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The variables for a child's environment: `<prefix><name>` → value. */
  env(prefix = ''): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#values) out[`${prefix}${k}`] = v;
    return out;
  }

  /** `line` with every secret value replaced by `<sensitive>`. */
  redact(line: string): string {
    let out = line;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  toJSON(): { names: readonly string[] } {
    return { names: this.names };
  }

  toString(): string {
    return `SiteValues(${this.names.join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
