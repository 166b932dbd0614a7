// The consumer side: the current GOLD release of an image, found by its tags in Glance.
import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import { DataOpenstackImagesImageV2 } from '../../.gen/providers/openstack/data-openstack-images-image-v2';
import type { Image, Visibility } from '../catalog/model';
import { claimTerraformAddress, STATE_PROPERTY, terraformId } from './image-release';

export interface GoldImageLookupProps {
  /**
   * Short name of the image: its second Glance tag (the catalog's `short_name`, by default the
   * image key), e.g. `ubuntu_2404`.
   */
  readonly shortName: string;
  /**
   * First Glance tag of the image: its type in the catalog (gold, vgpu, uib …).
   * @default 'gold'
   */
  readonly type?: string;
  /**
   * OpenStack region to look in.
   * @default the provider's region
   */
  readonly region?: string;
  /**
   * Only images of this owner project (its id). Pin it to the project that publishes the GOLD
   * images: tags and properties can be set by anyone on their own images.
   * @default any owner whose images the consumer's project can list
   */
  readonly owner?: string;
  /**
   * Only images of this visibility.
   * @default any visibility (Glance lists public images, the project's own, and shared images it has accepted)
   */
  readonly visibility?: Visibility;
  /**
   * The provider whose credentials and region are used.
   * @default the stack's default `openstack` provider
   */
  readonly provider?: TerraformProvider;
}

/** The pattern of both tags: catalog image keys, short names and types. */
const TAG = /^[a-z0-9_]+$/;
const VISIBILITIES: readonly Visibility[] = ['public', 'private', 'shared', 'community'];

/**
 * The current GOLD release of one image, for consumers (their servers, their own stacks): a
 * `data.openstack_images_image_v2` that selects by the image's two tags, `[type, short name]`,
 * and the property `goldsmith_state = gold`, never by the Glance name, which goldsmith renames in
 * place. Glance lists hidden images only when asked for them, so candidates, Outdated and
 * withdrawn releases (all hidden) never match; `most_recent` breaks the tie while a rotation is
 * half applied (the new GOLD is made public before the old one is hidden and renamed).
 *
 * The data source is `data.openstack_images_image_v2.<id>` (the construct id made a Terraform
 * identifier), so two lookups with one id in a stack are an error.
 */
export class GoldImageLookup extends Construct {
  /**
   * A lookup for a catalog image: its type and short name.
   */
  public static forImage(scope: Construct, id: string, image: Image, props: Omit<GoldImageLookupProps, 'shortName' | 'type'> = {}): GoldImageLookup {
    const shortName = image.shortName ?? image.name;
    return new GoldImageLookup(scope, id, { ...props, type: image.type, shortName });
  }

  /** First Glance tag looked for. */
  public readonly type: string;
  /** Second Glance tag looked for. */
  public readonly shortName: string;
  /** The data source. */
  public readonly image: DataOpenstackImagesImageV2;

  constructor(scope: Construct, id: string, props: GoldImageLookupProps) {
    super(scope, id);
    const type = props.type ?? 'gold';
    const fail = (message: string): never => {
      throw new Error(`gold image lookup ${id}: ${message}`);
    };
    if (!TAG.test(props.shortName)) fail(`short name must match [a-z0-9_]+, got \`${props.shortName}\``);
    if (!TAG.test(type)) fail(`type must match [a-z0-9_]+, got \`${type}\``);
    if (props.region !== undefined && props.region.trim() === '') fail('region must not be empty (omit it for the provider\'s region)');
    if (props.owner !== undefined && props.owner.trim() === '') fail('owner must not be empty (omit it for any owner)');
    if (props.visibility !== undefined && !VISIBILITIES.includes(props.visibility)) {
      fail(`visibility must be one of ${VISIBILITIES.join(', ')}, got \`${props.visibility}\``);
    }
    this.type = type;
    this.shortName = props.shortName;

    const logicalId = terraformId(id);
    claimTerraformAddress(this, `data.${DataOpenstackImagesImageV2.tfResourceType}.${logicalId}`, `gold image lookup ${this.node.path}`);
    this.image = new DataOpenstackImagesImageV2(this, 'image', {
      provider: props.provider,
      region: props.region,
      tags: [type, props.shortName],
      properties: { [STATE_PROPERTY]: 'gold' },
      mostRecent: true,
      owner: props.owner,
      visibility: props.visibility,
    });
    this.image.overrideLogicalId(logicalId);
  }

  /** Glance id of the current GOLD release (a token, known at plan time). */
  public get imageId(): string {
    return this.image.id;
  }

  /** Glance name of the current GOLD release (a token). */
  public get imageName(): string {
    return this.image.name;
  }
}
