// Waiting on a Glance call while the bake may be cancelled.

/** The bake was cancelled while waiting. */
export class Cancelled extends Error {}

/** Rejects when `signal` aborts; the losing promise's rejection is swallowed. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  p.catch(() => undefined);
  if (signal.aborted) return Promise.reject(new Cancelled(`${what} cancelled`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Cancelled(`${what} cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
