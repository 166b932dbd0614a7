// Options of runBuild (the CLI's `goldsmith build` and the tests set them).
import type { ImageBaker } from './baker';
import type { FetchFn, RetryOptions } from './download';
import type { StorePoint } from './store';

export interface RunBuildOptions {
  /** The installed builder bundle (holds images/<image>.json). */
  readonly bundleDir: string;
  readonly image: string;
  /** Rebuild even when upstream checksum and fingerprint equal the last success. */
  readonly force?: boolean;
  /** Print what each step would do; touch nothing (no lock, no network, no files). */
  readonly dryRun?: boolean;
  readonly baker: ImageBaker;
  /** Progress lines (the CLI prints them); also written to the build's log file. */
  readonly log: (line: string) => void;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** HTTP (tests); default: node's fetch. */
  readonly fetch?: FetchFn;
  /** Cancels the build (e.g. on SIGTERM); cleanup still runs. */
  readonly signal?: AbortSignal;
  /** qemu-img binary (default 'qemu-img' on PATH). */
  readonly qemuImg?: string;
  /** Download/checksum retries (default 3 attempts, 2 s backoff doubling). */
  readonly retry?: RetryOptions;
  /** Smallest acceptable upstream file (default: config upstream.min_size_bytes, else 1 MiB). */
  readonly minDownloadBytes?: number;
  /** Download progress at least this often (default 30 s; also every 10 %). */
  readonly progressIntervalMs?: number;
  /** Fault injection (tests): called at the named points of the store step. */
  readonly storeHook?: (point: StorePoint) => void;
}
