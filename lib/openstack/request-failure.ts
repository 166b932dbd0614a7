// Why an OpenStack API request failed before any response: one line, never the request itself
// (which carries the token).

/** `timed out`, `aborted`, or the network error's code or message (e.g. ECONNREFUSED). */
export function requestFailure(e: unknown): string {
  const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  if (err.name === 'AbortError') return 'aborted';
  if (/redirect/i.test(err.cause?.message ?? '')) return 'redirect refused (credentials and tokens are never sent on)';
  return (err.cause?.code ?? err.cause?.message ?? err.code ?? err.message ?? String(e)).replace(/\s+/g, ' ').trim();
}
