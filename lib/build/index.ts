// The build runner (`goldsmith build <image>`) as a library.
export { runBuild, type RunBuildOptions } from './runner';
export { loadRunnerConfig, parseRunnerConfig, RunnerConfigError, IMAGE_NAME_RE } from './runner-config';
export type {
  RunnerConfig,
  RunnerUpstream,
  RunnerSourceImage,
  RunnerOutput,
  RunnerPaths,
  RunnerTimeouts,
  RunnerChecksumAlgorithm,
  RunnerDiskFormat,
  RunnerCompression,
} from './runner-config';
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
  qemuImgVersion,
  type ConvertOptions,
  type ConvertResult,
  type ImageInfo,
  type QemuImgOptions,
} from './convert';
export { storeBuild, pruneBuilds, cleanStaleTemps, datedName, buildId, hashFile, type StoredBuild } from './store';
export { reportFile, lastSuccessFile, pruneLogs, KEEP_LOGS, type BuildReport, type BuildResultKind, type StepReport, type LastSuccess } from './report';
export { PackerBaker } from './packer-baker';
export { ExternalBaker } from './external-baker';
