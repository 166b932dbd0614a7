// Keystone v3 authentication (password and application credential) and catalog lookup.
//
// POST <auth_url>/v3/auth/tokens; the token comes back in X-Subject-Token, the catalog in the body.
// Errors are one line with the HTTP status and a fixed text: nothing the server sent (an echoing
// proxy could repeat the request), never the password, the application credential secret or a token.
// Redirects are refused (fetch would send the body on).
import { deadline } from '../common';
import { requestFailure } from './request-failure';
import type { CloudAuth, CloudAuthType } from './clouds';

export interface CatalogEndpoint {
  interface: string;
  region?: string;
  region_id?: string;
  url: string;
  id?: string;
}

export interface CatalogService {
  type: string;
  name?: string;
  id?: string;
  endpoints: CatalogEndpoint[];
}

export interface KeystoneToken {
  token: string;
  /** From the token body's `expires_at`; far future when Keystone sent none. */
  expiresAt: Date;
  catalog: CatalogService[];
  projectId?: string;
  userId?: string;
  /** Role names in the token's scope (`token.roles`); absent when Keystone sent none. */
  roles?: string[];
}

export interface KeystoneAuthInput {
  authType: CloudAuthType;
  auth: CloudAuth;
  /** Used in error messages only (e.g. the clouds.yaml entry name). */
  name?: string;
}

export class KeystoneError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KeystoneError';
  }
}

/** `<auth_url>/v3` whether or not auth_url already ends in /v3 (trailing slashes ignored). */
export function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

type Ref = { id: string } | { name: string };

function domainRef(id: string | undefined, name: string | undefined): Ref | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

/** The JSON body of POST /v3/auth/tokens for a clouds.yaml auth block. */
export function buildAuthRequest(input: KeystoneAuthInput): Record<string, unknown> {
  const a = input.auth;
  const who = input.name ? `cloud "${input.name}"` : 'keystone auth';
  const userDomain = () =>
    domainRef(a.user_domain_id, a.user_domain_name) ?? domainRef(a.domain_id, a.domain_name);

  if (input.authType === 'v3applicationcredential') {
    if (!a.application_credential_secret) {
      throw new KeystoneError(`${who}: application_credential_secret is missing`);
    }
    let cred: Record<string, unknown>;
    if (a.application_credential_id) {
      cred = { id: a.application_credential_id, secret: a.application_credential_secret };
    } else if (a.application_credential_name) {
      let user: Record<string, unknown>;
      if (a.user_id) user = { id: a.user_id };
      else if (a.username) {
        const domain = userDomain();
        if (!domain) throw new KeystoneError(`${who}: user_domain_name or user_domain_id is required with username`);
        user = { name: a.username, domain };
      } else {
        throw new KeystoneError(`${who}: application_credential_name needs user_id or username`);
      }
      cred = { name: a.application_credential_name, user, secret: a.application_credential_secret };
    } else {
      throw new KeystoneError(`${who}: application_credential_id or application_credential_name is required`);
    }
    // An application credential is already scoped to its project: no scope block.
    return { auth: { identity: { methods: ['application_credential'], application_credential: cred } } };
  }

  if (!a.password) throw new KeystoneError(`${who}: password is missing`);
  let user: Record<string, unknown>;
  if (a.user_id) user = { id: a.user_id, password: a.password };
  else if (a.username) {
    const domain = userDomain();
    if (!domain) throw new KeystoneError(`${who}: user_domain_name or user_domain_id is required with username`);
    user = { name: a.username, domain, password: a.password };
  } else {
    throw new KeystoneError(`${who}: username or user_id is required`);
  }
  let project: Record<string, unknown>;
  if (a.project_id) project = { id: a.project_id };
  else if (a.project_name) {
    const domain =
      domainRef(a.project_domain_id, a.project_domain_name) ?? domainRef(a.domain_id, a.domain_name);
    if (!domain) {
      throw new KeystoneError(`${who}: project_domain_name or project_domain_id is required with project_name`);
    }
    project = { name: a.project_name, domain };
  } else {
    throw new KeystoneError(`${who}: project_id or project_name is required (Glance needs a project-scoped token)`);
  }
  return {
    auth: {
      identity: { methods: ['password'], password: { user } },
      scope: { project },
    },
  };
}

/** Authenticate against Keystone v3 and return the token, its expiry and the service catalog. */
export async function authenticate(
  input: KeystoneAuthInput,
  opts: { timeoutMs?: number } = {},
): Promise<KeystoneToken> {
  const body = JSON.stringify(buildAuthRequest(input));
  const url = `${identityV3Url(input.auth.auth_url)}/auth/tokens`;
  const where = `Keystone POST ${new URL(url).pathname}`;
  let res: Response;
  let text: string;
  const d = deadline(opts.timeoutMs ?? 30_000);
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body,
      signal: d.signal,
      // The body holds the password or secret: never re-send it to where a redirect points.
      redirect: 'error',
    });
    text = await res.text();
  } catch (e) {
    throw new KeystoneError(`${where} (${new URL(url).host}): request failed: ${d.timedOut ? 'timed out' : requestFailure(e)}`);
  } finally {
    d.clear();
  }
  if (!res.ok) {
    // Status code and a fixed text only: nothing the server (or a proxy echoing the request, which
    // holds the password) sends back can reach the message, not even the reason phrase.
    throw new KeystoneError(`${where}: ${res.status} ${AUTH_FAILURE[res.status] ?? 'authentication request refused'}`, res.status);
  }
  const token = res.headers.get('x-subject-token');
  if (!token) throw new KeystoneError(`${where}: ${res.status} but no X-Subject-Token header`, res.status);
  let parsed: { token?: Record<string, unknown> };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeystoneError(`${where}: ${res.status} but the body is not JSON`, res.status);
  }
  const t = parsed.token ?? {};
  const expires = typeof t.expires_at === 'string' ? new Date(t.expires_at) : undefined;
  const catalog = Array.isArray(t.catalog) ? (t.catalog as CatalogService[]) : [];
  const project = t.project as { id?: string } | undefined;
  const user = t.user as { id?: string } | undefined;
  const roles = Array.isArray(t.roles)
    ? (t.roles as { name?: unknown }[]).map((r) => r?.name).filter((n): n is string => typeof n === 'string')
    : undefined;
  return {
    token,
    expiresAt: expires && !isNaN(expires.getTime()) ? expires : new Date(8.64e15),
    catalog,
    ...(project?.id ? { projectId: project.id } : {}),
    ...(user?.id ? { userId: user.id } : {}),
    ...(roles ? { roles } : {}),
  };
}

export interface EndpointQuery {
  /** Service type, e.g. `image`. */
  type: string;
  /** Region id/name; optional when the catalog has one region for this service. */
  region?: string;
  /** public (default), internal or admin; `publicURL` style is accepted. */
  interface?: string;
}

/** Pick one endpoint URL from the catalog; a one-line error lists what the catalog offers. */
export function findEndpoint(catalog: CatalogService[], q: EndpointQuery): string {
  const iface = (q.interface ?? 'public').replace(/URL$/, '');
  const services = catalog.filter((s) => s.type === q.type);
  if (services.length === 0) {
    const types = [...new Set(catalog.map((s) => s.type))].sort();
    throw new KeystoneError(`no "${q.type}" service in the catalog (has: ${types.join(', ') || 'nothing'})`);
  }
  const all = services.flatMap((s) => s.endpoints ?? []);
  const regionOf = (e: CatalogEndpoint) => e.region_id ?? e.region ?? '';
  const byIface = all.filter((e) => e.interface === iface);
  const describe = () =>
    all
      .map((e) => `${regionOf(e) || '-'}/${e.interface}`)
      .sort()
      .join(', ');
  let matches: CatalogEndpoint[];
  if (q.region) {
    matches = byIface.filter((e) => e.region_id === q.region || e.region === q.region);
  } else {
    matches = byIface;
    const regions = new Set(matches.map(regionOf));
    if (regions.size > 1) {
      throw new KeystoneError(
        `"${q.type}" has ${iface} endpoints in several regions (${[...regions].sort().join(', ')}): give a region`,
      );
    }
  }
  if (matches.length === 0) {
    throw new KeystoneError(
      `no ${iface} "${q.type}" endpoint${q.region ? ` in region "${q.region}"` : ''} (catalog has: ${describe()})`,
    );
  }
  return matches[0].url;
}

/** Fixed texts for failed token requests (never the server's own words). */
const AUTH_FAILURE: Readonly<Record<number, string>> = {
  400: 'Bad Request: Keystone refused the authentication request',
  401: 'Unauthorized: the credentials were not accepted',
  403: 'Forbidden: the user may not get a token for this scope',
  404: 'Not Found: no Keystone v3 token API at this URL',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
