// Public construct API of goldsmith.
export { GoldImage, sortNewestFirst, diskFormatOf } from './gold-image';
export type { GoldImageProps } from './gold-image';
export {
  ImageRelease,
  DEPRECATED_PROPERTY,
  PROVENANCE_PREFIX,
  claimTerraformAddress,
  demotionTime,
  terraformId,
} from './image-release';
export type { ImageMember, ImageReleaseProps, ReleaseRole } from './image-release';
export { ProjectLookup } from './project-lookup';
