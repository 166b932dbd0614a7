// One Terraform stack per environment: providers, state backend and a GoldImage per image.
import * as path from 'path';
import { Construct } from 'constructs';
import { App, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../.gen/providers/openstack/provider';
import type { Catalog, Environment, Image, ImageReleases } from '../lib/catalog/model';
import { GoldImage } from '../lib/constructs/gold-image';
import { terraformId } from '../lib/constructs/image-release';

export interface EnvironmentStackProps {
  /** The whole catalog (images and recorded builds). */
  readonly catalog: Catalog;
  /** The environment this stack deploys; the stack id should be its name. */
  readonly environment: Environment;
  /**
   * Directory a relative local backend path is resolved against (the state file must live
   * outside cdktf.out, which every synth replaces).
   * @default process.cwd()
   */
  readonly stateBaseDir?: string;
}

/**
 * The Terraform stack of one environment: the `openstack` provider (clouds.yaml entry + region,
 * never credentials), one provider alias per further clouds entry used by image owners, the state
 * backend, one {@link GoldImage} per image the environment carries and one per retired image that
 * still has recorded releases, and the output `images` (short name → GOLD image id).
 */
export class EnvironmentStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: Environment;
  /** The default provider (`environment.cloud`). */
  public readonly provider: OpenstackProvider;
  /** Provider aliases by clouds entry (owner projects other than the deploy project). */
  public readonly ownerProviders: ReadonlyMap<string, OpenstackProvider>;
  /** Images carried by the environment, in name order. */
  public readonly goldImages: readonly GoldImage[];
  /** Retired images (recorded releases whose image is gone or not carried), in name order. */
  public readonly retiredImages: readonly GoldImage[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { catalog, environment } = props;
    this.environment = environment;

    const definitions = new Map<string, Image>(catalog.images.map((image) => [image.name, image]));
    const recorded = new Map<string, ImageReleases>(
      (catalog.builds[environment.name] ?? []).map((entry) => [entry.image, entry]),
    );
    const carried = [...new Set(environment.images)].sort();
    for (const name of carried) {
      if (!definitions.has(name)) {
        throw new Error(`environment ${environment.name}: carries image ${name}, which the catalog does not define`);
      }
    }

    this.provider = new OpenstackProvider(this, 'openstack', { cloud: environment.cloud, region: environment.region });
    this.configureBackend(environment, props.stateBaseDir ?? process.cwd());

    const retiredNames = [...recorded.keys()].filter((name) => !carried.includes(name)).sort();
    // Owners of every image this stack manages with its definition (carried or no longer carried).
    const owned = [...carried, ...retiredNames]
      .map((name) => definitions.get(name))
      .filter((image): image is Image => image?.owner !== undefined);
    const ownerProviders = new Map<string, OpenstackProvider>();
    const ownerClouds = [...new Set(owned.map((image) => environment.ownerClouds[image.owner!]))]
      .filter((cloud): cloud is string => cloud !== undefined && cloud !== environment.cloud)
      .sort();
    for (const cloud of ownerClouds) {
      const alias = terraformId(cloud);
      ownerProviders.set(
        cloud,
        new OpenstackProvider(this, `openstack-${alias}`, { alias, cloud, region: environment.region }),
      );
    }
    this.ownerProviders = ownerProviders;

    const providerOf = (image: Image | undefined) => {
      const cloud = image?.owner === undefined ? undefined : environment.ownerClouds[image.owner];
      return cloud === undefined ? undefined : ownerProviders.get(cloud);
    };
    const build = (name: string, retired: boolean) => {
      const image = definitions.get(name);
      const releases = recorded.get(name);
      return new GoldImage(this, name, {
        name,
        image,
        environment,
        releases: releases && releases.releases.length > 0 ? releases : undefined,
        retired,
        provider: providerOf(image),
      });
    };
    this.goldImages = carried.map((name) => build(name, false));
    this.retiredImages = retiredNames
      .filter((name) => (recorded.get(name)?.releases.length ?? 0) > 0)
      .map((name) => build(name, true));

    const goldIds: Record<string, string> = {};
    for (const goldImage of this.goldImages) {
      if (goldImage.goldImageId !== undefined) goldIds[goldImage.name] = goldImage.goldImageId;
    }
    new TerraformOutput(this, 'images', {
      description: 'Glance id of the GOLD image per short name',
      value: goldIds,
    }).overrideLogicalId('images');
  }

  private configureBackend(environment: Environment, stateBaseDir: string): void {
    const backend = environment.backend;
    if (backend.type === 's3') {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        ...(backend.endpoint !== undefined ? { endpoints: { s3: backend.endpoint } } : {}),
        // An S3-compatible store (Ceph RGW, MinIO …): no AWS account, STS, IMDS or region list.
        skipCredentialsValidation: true,
        skipRegionValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipS3Checksum: true,
        usePathStyle: true,
      });
      return;
    }
    // Terraform runs in <outdir>/stacks/<env>: keep the state outside the output directory by
    // resolving a relative path against stateBaseDir, written relative to the working directory.
    let statePath = backend.path;
    if (!path.isAbsolute(statePath)) {
      const workingDir = path.resolve(App.of(this).outdir, 'stacks', this.node.id);
      statePath = path.relative(workingDir, path.resolve(stateBaseDir, statePath)).split(path.sep).join('/');
    }
    new LocalBackend(this, { path: statePath });
  }
}
