// The PackerBaker and its parts.
export { PACKER_TMP_DIR, PackerBaker, type PackerBakerOptions } from './packer-baker';
export { type BakerGlance, type BakerGlanceSource, type BakerNovaSource, type NetworkIdResolver } from './baker-glance';
export { BUILD_KEY_FILE, buildKeypairName, buildKeypairNameRe, createBuildKeypair, sweepBuildKeypairs, type BakerNova, type BuildKeypair } from './build-keypair';
export { generateSshKeyPair, openSshPrivateKey, openSshPublicKey, type SshKeyPair } from './ssh-key';
export { detectDiskFormat } from './glance-transfer';
export { checkPackerVars, packerBuildArgs, packerEnv, type BakerOwnedVars } from './packer-args';
export { manifestArtifactId, packerErrorLine } from './packer-output';
export { ARTIFACT_PREFIX, runIdFor, SOURCE_PREFIX, TEMPORARY_TAG, temporaryImageNames, temporaryNameRe } from './temporary-images';
