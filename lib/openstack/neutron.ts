// Neutron (network service) lookups the build runner needs: a network's id from its name.
//
// packer's openstack builder takes network UUIDs in `networks`, while the bundle names the build
// network (packer_vars.network, e.g. `imagebuilder`). One GET on node's fetch, no dependencies.
// Errors are one line with the method, the path, the status and Neutron's message; they never
// include the request headers (the token).
import { deadline } from '../common';
import { requestFailure } from './request-failure';

export type NeutronHeaders = Record<string, string>;

/** A Neutron API failure or an ambiguous/missing network; the message is one line. */
export class NeutronError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NeutronError';
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `s` is a UUID (Neutron network ids are). */
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** `<endpoint>/v2.0` whether or not the catalog URL already ends in /v2.0 (trailing slashes ignored). */
export function networkV2Url(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return /\/v2\.0$/.test(base) ? base : `${base}/v2.0`;
}

/**
 * The id of the network called exactly `name`: GET <endpoint>/v2.0/networks?name=<name>.
 * Exactly one match is required (Neutron names are not unique: a shared or external network may
 * carry the same name as the project's own); none or several is a one-line error.
 */
export async function findNetworkId(
  endpoint: string,
  headers: NeutronHeaders,
  name: string,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string> {
  if (name === '') throw new NeutronError('network name is empty');
  const url = `${networkV2Url(endpoint)}/networks?name=${encodeURIComponent(name)}`;
  const where = `Neutron GET ${new URL(url).pathname}?name=${encodeURIComponent(name)}`;
  const d = deadline(opts.timeoutMs ?? 60_000, opts.signal);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'GET',
      headers: { Accept: 'application/json', ...headers },
      signal: d.signal,
      // Requests carry X-Auth-Token, which fetch would forward to a redirect's target.
      redirect: 'error',
    });
    text = await res.text();
  } catch (e) {
    throw new NeutronError(`${where} (${new URL(url).host}): request failed: ${d.timedOut ? 'timed out' : requestFailure(e)}`);
  } finally {
    d.clear();
  }
  if (!res.ok) throw new NeutronError(`${where}: ${res.status} ${res.statusText}: ${neutronMessage(text)}`, res.status);
  let body: { networks?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    throw new NeutronError(`${where}: ${res.status} but the body is not JSON`, res.status);
  }
  if (!Array.isArray(body?.networks)) throw new NeutronError(`${where}: ${res.status} but the body has no "networks" list`, res.status);
  // Filter again client-side: the name filter is exact in Neutron, but do not trust a proxy or an
  // old API that ignores unknown filters to have applied it.
  const matches = (body.networks as { id?: unknown; name?: unknown }[]).filter((n) => n && n.name === name);
  if (matches.length === 0) throw new NeutronError(`no network named ${JSON.stringify(name)} is visible to the project`);
  if (matches.length > 1) {
    const ids = matches.map((n) => String(n.id)).sort();
    throw new NeutronError(`${matches.length} networks are named ${JSON.stringify(name)} (${ids.join(', ')}): give packer_vars.network as an id`);
  }
  const id = matches[0].id;
  if (typeof id !== 'string' || id === '') throw new NeutronError(`${where}: network ${JSON.stringify(name)} has no id`);
  return id;
}

function neutronMessage(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as { NeutronError?: { message?: string }; message?: string; error?: { message?: string } };
    msg = j.NeutronError?.message ?? j.error?.message ?? j.message ?? text;
  } catch {
    msg = text.replace(/<[^>]*>/g, ' ');
  }
  const line = msg.replace(/\s+/g, ' ').trim();
  if (!line) return '(empty body)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
