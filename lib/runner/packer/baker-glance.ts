// The OpenStack side of a bake: Glance of the image's cloud, Nova (the build's keypair) and the
// network name → id lookup (packer's openstack builder takes network UUIDs; the bundle names the
// network). A name is resolved through Neutron of the same Keystone catalog before anything is
// created; exactly one network of that name must be visible. A UUID is passed through.
import { oneLine } from '../../common';
import type { RunnerConfig } from '../../contract';
import type { GlanceClient } from '../../openstack/glance';
import { isUuid } from '../../openstack/neutron';
import { Cancelled, raceAbort } from './abort';
import type { BakerNova } from './build-keypair';

/** The Glance calls the baker makes (GlanceClient has them; tests may pass any implementation). */
export type BakerGlance = Pick<
  GlanceClient,
  'createImage' | 'uploadFile' | 'waitForStatus' | 'downloadToFile' | 'deleteImage' | 'listImages' | 'getImage'
>;

/** Network name -> Neutron id for the image's cloud (throws a one-line error for none/many). */
export type NetworkIdResolver = (config: RunnerConfig, name: string, signal: AbortSignal) => Promise<string>;

/** A Glance client, or a factory called once per bake with the image's runner config. */
export type BakerGlanceSource = BakerGlance | ((config: RunnerConfig) => BakerGlance | Promise<BakerGlance>);

/** A Nova client, or a factory called once per bake with the image's runner config. */
export type BakerNovaSource = BakerNova | ((config: RunnerConfig) => BakerNova | Promise<BakerNova>);

/**
 * Glance, Nova and the network resolver: the given ones, or all from one session of the image's
 * cloud. A given Glance needs a given Nova (a test double of Glance has no Keystone catalog).
 */
export async function openStackFor(
  config: RunnerConfig,
  given: BakerGlanceSource | undefined,
  networkId: NetworkIdResolver | undefined,
  givenNova?: BakerNovaSource,
): Promise<{ glance: BakerGlance; nova: BakerNova; networkId?: NetworkIdResolver }> {
  try {
    if (given === undefined) {
      const { openStackSession } = await import('../../openstack');
      const session = openStackSession(config.cloud, config.region);
      const glance = await session.glance();
      const nova = givenNova === undefined ? await session.nova() : typeof givenNova === 'function' ? await givenNova(config) : givenNova;
      return { glance, nova, networkId: networkId ?? ((_c, name, signal) => session.networkId(name, { signal })) };
    }
    if (givenNova === undefined) throw new Error('a Nova client must be given with the Glance client (the build keypair)');
    const nova = typeof givenNova === 'function' ? await givenNova(config) : givenNova;
    return { glance: typeof given === 'function' ? await given(config) : given, nova, networkId };
  } catch (e) {
    throw new Error(`cannot reach Glance and Nova of cloud ${config.cloud} (${config.region}): ${oneLine(e)}`);
  }
}

/** The network id for packer: undefined when packer_vars has no network or it is already a UUID. */
export async function resolveNetwork(
  config: RunnerConfig,
  resolver: NetworkIdResolver | undefined,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<string | undefined> {
  const raw = config.packer_vars.network;
  if (raw === undefined) return undefined;
  const name = String(raw);
  if (isUuid(name)) return undefined;
  if (!resolver) {
    log(`network ${JSON.stringify(name)} is not an id and no network resolver is configured: passed to packer as it is`);
    return undefined;
  }
  let id: string;
  try {
    id = await raceAbort(resolver(config, name, signal), signal, 'bake');
  } catch (e) {
    if (e instanceof Cancelled) throw e;
    throw new Error(`cannot resolve network ${JSON.stringify(name)} of cloud ${config.cloud} (${config.region}): ${oneLine(e)}`);
  }
  log(`network ${name} is ${id}`);
  return id;
}
