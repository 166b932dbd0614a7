// The build runner (`goldsmith build <image>`) as a library. It reads the bundle through
// lib/contract and reaches OpenStack through lib/openstack.
export { runBuild, BuildSetupError, type RunBuildOptions } from './runner';
export { loadRunnerConfig } from './runner-config';
export { BUILD_STEPS, buildStepsFor } from './steps';
export type { BuildStep, BuildPlan, BuildRun, StepOutcome } from './build-step';
export type { ImageBaker, BakeRequest, BakeResult } from './baker';
export { BuildLockedError, acquireLock, lockFile, type LockInfo, type HeldLock } from './lock';
export { parseChecksumFile, findChecksum, type ChecksumEntry } from './checksum';
export { fetchText, downloadFile, withRetry, PermanentError, type FetchFn, type RetryOptions, type DownloadResult } from './download';
export {
  convertImage,
  convertArgs,
  checkImage,
  compareImages,
  imageInfo,
  inspectImage,
  qemuImgVersion,
  type ConvertOptions,
  type ConvertResult,
  type ImageInfo,
  type QemuImgOptions,
} from './convert';
export { storeBuild, pruneBuilds, cleanStaleTemps, cleanOrphans, repairLatest, newBuildBase, parseBuildName, datedName, buildId, hashFile, type StoredBuild, type StorePoint } from './store';
export { reportFile, lastSuccessFile, pruneLogs, KEEP_LOGS, type RunReport } from './report';
export { sniffFormat, assertFormat, assertNoExternalFiles, type SniffedFormat } from './disk-format';
export { PackerBaker } from './packer';
export { readSiteEnv, SiteEnvError, MAX_SITE_ENV_BYTES, type RunnerSiteEnv, type SiteEnvRead } from './site-env';
export { SiteValues, REDACTED } from './site-values';
export { ExternalBaker } from './external-baker';
