// The PackerBaker and its parts.
export { PackerBaker, type PackerBakerOptions } from './packer-baker';
export { type BakerGlance, type BakerGlanceSource, type NetworkIdResolver } from './baker-glance';
export { detectDiskFormat } from './glance-transfer';
export { checkPackerVars, packerBuildArgs, packerEnv } from './packer-args';
export { manifestArtifactId, packerErrorLine } from './packer-output';
export { ARTIFACT_PREFIX, runIdFor, SOURCE_PREFIX, TEMPORARY_TAG, temporaryImageNames, temporaryNameRe } from './temporary-images';
