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
