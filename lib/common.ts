// Small functions every layer uses: ordering, canonical JSON and hashes, freezing, one-line
// error text, the "did you mean" distance and a timer for one wait. One copy each.
import { createHash } from 'crypto';

/** Code-unit order of two strings (locale-independent, as `Array.prototype.sort` without a comparator). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy of `value` whose object keys are sorted (recursively); `undefined` members are dropped. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as unknown as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort(cmp)) {
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

/** Key-sorted JSON text, 2-space indentation, ending with a newline: same value, same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

/** sha256 hex of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** `n what`, with an `s` unless n is 1: `1 change`, `2 changes`. */
export function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * The message of an error (and of its cause, when it adds something) as one line: whitespace
 * collapsed, at most `max` characters. Duck-typed: errors from other realms (undici) count too.
 */
export function oneLine(e: unknown, max = 500): string {
  const isErr = (x: unknown): x is { message: string; cause?: unknown } =>
    typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string';
  let msg = isErr(e) ? e.message : String(e);
  const cause = isErr(e) ? e.cause : undefined;
  if (isErr(cause) && cause.message && !msg.includes(cause.message)) msg += `: ${cause.message}`;
  msg = msg.replace(/\s+/g, ' ').trim();
  return msg.length > max ? `${msg.slice(0, max - 3)}...` : msg;
}

/** Edit distance (insertions, deletions, substitutions). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `word` (case-insensitive), if close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const limit = Math.max(1, Math.floor(Math.max(w.length, c.length) * 0.4));
    if (Math.abs(c.length - w.length) > limit) continue;
    const d = levenshtein(w, c.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

// A timeout for one network wait that cannot vanish. `AbortSignal.any([outer, AbortSignal.timeout(ms)])`
// holds its sources weakly: the timeout signal can be garbage-collected before it fires (a Node
// bug), and the wait then runs forever. Here a plain setTimeout (whose callback keeps the
// controller reachable until it fires or is cleared) aborts our own AbortController.

/** A signal aborted after `ms` (reason: a TimeoutError) or when `outer` aborts (its reason). */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True once the timer fired (not when `outer` aborted). */
  readonly timedOut: boolean;
  /** Stops the timer and forgets `outer`; call in finally once the wait is over. */
  clear(): void;
}

export function deadline(ms: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onOuter = (): void => controller.abort(outer?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  // Unref: a wait whose caller forgot clear() must not keep the process alive; while the wait is
  // in progress its socket keeps the event loop (and so this timer) running.
  timer.unref();
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear(): void {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** `s` as a literal inside a regular expression. */
export function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `value` as a plain mapping (not null, not a list), or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
