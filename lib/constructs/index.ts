// Public construct API of goldsmith.
export { GoldImage, sortNewestFirst, diskFormatOf } from './gold-image';
export type { GoldImageProps } from './gold-image';
export {
  ImageRelease,
  DEPRECATED_PROPERTY,
  PROVENANCE_PREFIX,
  STATE_PROPERTY,
  claimTerraformAddress,
  importTimeout,
  importedBytesCondition,
  demotionTime,
  terraformId,
} from './image-release';
export type { ImageMember, ImageReleaseProps, ReleaseRole } from './image-release';
export { ProjectLookup } from './project-lookup';
export { GoldImageLookup } from './gold-image-lookup';
export type { GoldImageLookupProps } from './gold-image-lookup';
export type { GoldImageBuild } from './gold-image';
export { BuildTemplate } from './build-template';
export type { BuildTemplateProps, ProvisionScript } from './build-template';
export { BuildSchedule } from './build-schedule';
export type { BuildScheduleProps, CronEntry, ScheduledImage } from './build-schedule';
export { BuilderSecurityGroup } from './builder-security-group';
export type { BuilderSecurityGroupProps } from './builder-security-group';
export { MonitoringCheck } from './monitoring-check';
export type { MonitoringCheckProps } from './monitoring-check';
export { sensuCheckFor, sensuChecksYaml, sensuEntityOf, SENSU_CHECKS_FILE } from './sensu-check';
export type { SensuCheckOptions } from './sensu-check';
