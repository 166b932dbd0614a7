// OpenStack access for the runner and promote: clouds.yaml -> Keystone v3 token -> Glance v2
// client, the Neutron endpoint (network name -> id), Nova (the build's keypair; servers by image)
// and Cinder (volumes by image), all from the same token's service catalog.
import { CinderClient } from './cinder';
import { CloudConfig, CloudsConfigError, CloudsLookupOptions, loadCloud } from './clouds';
import { GlanceClient } from './glance';
import { authenticate, findEndpoint, KeystoneError, KeystoneToken } from './keystone';
import { findNetworkId } from './neutron';
import { NovaClient } from './nova';
import { ImageUsage, imageUsage } from './usage';

export * from './cinder';
export * from './clouds';
export * from './keystone';
export * from './glance';
export * from './glance-releases';
export * from './neutron';
export * from './nova';
export * from './usage';

/** Catalog service types of Cinder's v3 API, in the order they are looked for. */
export const VOLUME_SERVICE_TYPES = ['volumev3', 'block-storage'] as const;

export interface GlanceForCloudOptions extends CloudsLookupOptions {
  /** Re-authenticate when the token expires within this margin; default 5 min. */
  refreshMarginMs?: number;
  /** Timeout for Keystone and Glance API calls; default 60 s. */
  timeoutMs?: number;
}

/**
 * Token source for one cloud: authenticates on first use and again when the token is within
 * `refreshMarginMs` of expiry. Concurrent callers share one in-flight authentication.
 */
export class TokenSource {
  private current?: KeystoneToken;
  private pending?: Promise<KeystoneToken>;

  constructor(
    readonly cloud: CloudConfig,
    private readonly opts: { refreshMarginMs?: number; timeoutMs?: number } = {},
  ) {}

  async get(): Promise<KeystoneToken> {
    const margin = this.opts.refreshMarginMs ?? 5 * 60_000;
    if (this.current && this.current.expiresAt.getTime() - Date.now() > margin) return this.current;
    if (!this.pending) {
      this.pending = authenticate(
        { authType: this.cloud.authType, auth: this.cloud.auth, name: this.cloud.name },
        { timeoutMs: this.opts.timeoutMs },
      ).then(
        (t) => {
          this.current = t;
          this.pending = undefined;
          return t;
        },
        (e) => {
          this.pending = undefined;
          throw e;
        },
      );
    }
    return this.pending;
  }
}

/**
 * One authenticated view of a clouds.yaml entry: a shared TokenSource and the catalog's endpoints
 * for `region` (default: the entry's region_name) and interface (the entry's `interface`, default
 * public). Create it with `openStackSession`.
 */
export class OpenStackSession {
  readonly tokens: TokenSource;

  constructor(
    readonly cloud: CloudConfig,
    readonly region: string | undefined,
    private readonly opts: GlanceForCloudOptions = {},
  ) {
    this.tokens = new TokenSource(cloud, opts);
  }

  /** Auth headers for one request (re-authenticates when the token is close to expiry). */
  async headers(): Promise<Record<string, string>> {
    return { 'X-Auth-Token': (await this.tokens.get()).token };
  }

  /** The catalog URL of service `type` (e.g. `image`, `network`). */
  async endpoint(type: string): Promise<string> {
    const t = await this.tokens.get();
    return findEndpoint(t.catalog, { type, region: this.region ?? this.cloud.regionName, interface: this.cloud.interface });
  }

  /** Glance: the catalog's `image` endpoint, or the entry's `image_endpoint_override`. */
  async glance(): Promise<GlanceClient> {
    const endpoint = this.cloud.imageEndpointOverride ?? (await this.endpoint('image'));
    return new GlanceClient({ endpoint, timeoutMs: this.opts.timeoutMs, headers: () => this.headers() });
  }

  /** Nova: the catalog's `compute` endpoint (the build's keypair). */
  async nova(): Promise<NovaClient> {
    return new NovaClient({ endpoint: await this.endpoint('compute'), timeoutMs: this.opts.timeoutMs, headers: () => this.headers() });
  }

  /** Cinder: the catalog's `volumev3` endpoint, else its `block-storage` one (the same v3 API). */
  async cinder(): Promise<CinderClient> {
    return new CinderClient({ endpoint: await this.volumeEndpoint(), timeoutMs: this.opts.timeoutMs, headers: () => this.headers() });
  }

  /** The catalog URL of Cinder's v3 API: the first of VOLUME_SERVICE_TYPES the catalog has. */
  async volumeEndpoint(): Promise<string> {
    const types = new Set((await this.tokens.get()).catalog.map((s) => s.type));
    const type = VOLUME_SERVICE_TYPES.find((t) => types.has(t));
    if (!type) {
      throw new KeystoneError(`no ${VOLUME_SERVICE_TYPES.map((t) => `"${t}"`).join(' or ')} service in the catalog (has: ${[...types].sort().join(', ') || 'nothing'})`);
    }
    return this.endpoint(type);
  }

  /** Role names of the current token (Keystone's `token.roles`); undefined when it named none. */
  async roles(): Promise<readonly string[] | undefined> {
    return (await this.tokens.get()).roles;
  }

  /** The servers and volumes of every project made from Glance image `imageId` (see usage.ts). */
  async imageUsage(imageId: string, opts: { pageSize?: number; signal?: AbortSignal } = {}): Promise<ImageUsage> {
    return imageUsage(this, imageId, opts);
  }

  /** The id of the network named `name` (Neutron of the catalog's `network` endpoint). */
  async networkId(name: string, opts: { signal?: AbortSignal } = {}): Promise<string> {
    return findNetworkId(await this.endpoint('network'), await this.headers(), name, { timeoutMs: this.opts.timeoutMs, ...opts });
  }
}

/**
 * An OpenStackSession for clouds.yaml entry `cloudName` (Keystone v3: password or application
 * credential). Checks the entry (no `verify: false`; `cacert` only with NODE_EXTRA_CA_CERTS) but
 * does not authenticate until the first endpoint or header is asked for.
 */
export function openStackSession(cloudName: string, region?: string, opts: GlanceForCloudOptions = {}): OpenStackSession {
  const cloud = loadCloud(cloudName, opts);
  if (!cloud.verify) {
    throw new CloudsConfigError(`${cloud.source}: clouds.${cloudName} has verify: false, which goldsmith does not support`);
  }
  const env = opts.env ?? process.env;
  if (cloud.cacert && env.NODE_EXTRA_CA_CERTS !== cloud.cacert) {
    throw new CloudsConfigError(
      `${cloud.source}: clouds.${cloudName}.cacert is set; start node with NODE_EXTRA_CA_CERTS=${cloud.cacert}`,
    );
  }
  return new OpenStackSession(cloud, region, opts);
}
