// OpenStack access for the runner: clouds.yaml -> Keystone v3 token -> Glance v2 client.
import { CloudConfig, CloudsConfigError, CloudsLookupOptions, loadCloud } from './clouds';
import { GlanceClient } from './glance';
import { authenticate, findEndpoint, KeystoneToken } from './keystone';

export * from './clouds';
export * from './keystone';
export * from './glance';

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
 * A GlanceClient for clouds.yaml entry `cloudName`: Keystone v3 auth (password or application
 * credential), the catalog's `image` endpoint for `region` (default: the entry's region_name) and
 * interface (the entry's `interface`, default public), or the entry's `image_endpoint_override`.
 * Authenticates once up front (for the catalog) and refreshes the token when close to expiry.
 */
export async function glanceForCloud(
  cloudName: string,
  region?: string,
  opts: GlanceForCloudOptions = {},
): Promise<GlanceClient> {
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
  const tokens = new TokenSource(cloud, opts);
  let endpoint = cloud.imageEndpointOverride;
  if (!endpoint) {
    const t = await tokens.get();
    endpoint = findEndpoint(t.catalog, {
      type: 'image',
      region: region ?? cloud.regionName,
      interface: cloud.interface,
    });
  }
  return new GlanceClient({
    endpoint,
    timeoutMs: opts.timeoutMs,
    headers: async () => ({ 'X-Auth-Token': (await tokens.get()).token }),
  });
}
