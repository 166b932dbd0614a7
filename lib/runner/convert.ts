// qemu-img steps: inspect, convert (compressed, parallel), check, compare, version. All through
// runCaptured (child-process.ts) with timeouts. `convertImage` is also what the benchmark times against `qemu-img convert -O qcow2 -c`.

import * as fs from 'fs';
import { assertFormat, assertNoExternalFiles, assertSelfContainedHeader, type QemuImgInfoJson } from './disk-format';
import type { RunnerCompression, RunnerDiskFormat } from '../contract';
import { oneLine } from '../common';
import { CommandFailed, runCaptured } from './child-process';

export interface QemuImgOptions {
  /** qemu-img binary (default 'qemu-img' from PATH). */
  readonly qemuImg?: string;
  /** Per invocation (default 3600 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ConvertOptions extends QemuImgOptions {
  /** Output format (default qcow2). */
  readonly format?: RunnerDiskFormat;
  /** qcow2 only (default zlib); raw is never compressed. */
  readonly compression?: RunnerCompression;
  /** Input format, passed as `-f` (qemu-img never guesses; see disk-format.ts). */
  readonly inputFormat: string;
  /** Coroutines (`-m`, default 4) and out-of-order writes (`-W`, default on). Set 1/false for today's behaviour. */
  readonly coroutines?: number;
  readonly outOfOrder?: boolean;
}

export interface ConvertResult {
  readonly args: readonly string[];
  readonly durationS: number;
  readonly sizeBytes: number;
}

export interface ImageInfo {
  readonly format: string;
  readonly virtualSize: number;
  readonly backingFile?: string;
}

async function run(args: readonly string[], opts: QemuImgOptions, what: string): Promise<{ stdout: string }> {
  try {
    return { stdout: await runCaptured(opts.qemuImg ?? 'qemu-img', args, { timeoutMs: opts.timeoutMs ?? 3600_000, signal: opts.signal }) };
  } catch (e) {
    const why = e instanceof CommandFailed ? e.why : oneLine(e);
    const output = e instanceof CommandFailed && e.lastLines ? `: ${e.lastLines}` : '';
    throw new Error(`${what} failed (${why})${output}`);
  }
}

/** `qemu-img info --output=json -f <format>` (never without -f: probing is how host files leak in). */
export async function imageInfo(file: string, format: string, opts: QemuImgOptions = {}): Promise<ImageInfo & { json: QemuImgInfoJson }> {
  const r = await run(['info', '--output=json', '-f', format, file], opts, `qemu-img info ${file}`);
  let j: QemuImgInfoJson & { 'virtual-size'?: number };
  try {
    j = JSON.parse(String(r.stdout));
  } catch (e) {
    throw new Error(`qemu-img info ${file}: unreadable output (${oneLine(e)})`);
  }
  if (typeof j.format !== 'string') throw new Error(`qemu-img info ${file}: no format in output`);
  const backing = j['backing-filename'] ?? j['full-backing-filename'];
  return { format: j.format, virtualSize: j['virtual-size'] ?? 0, ...(backing ? { backingFile: backing } : {}), json: j };
}

/**
 * Inspects an untrusted image file that must be `format` (qcow2 or raw): magic bytes, the qcow2
 * header, then `qemu-img info -f <format>`; throws unless it is a self-contained image of that format.
 */
export async function inspectImage(file: string, format: string, what: string, opts: QemuImgOptions = {}): Promise<ImageInfo> {
  if (format !== 'qcow2' && format !== 'raw') throw new Error(`${what} is ${format}; only qcow2 and raw images are accepted`);
  assertFormat(file, format, what);
  assertSelfContainedHeader(file, format, what);
  const info = await imageInfo(file, format, opts);
  if (info.format !== format) throw new Error(`${what}: qemu-img reads it as ${info.format}, expected ${format}`);
  assertNoExternalFiles(info.json, file, what);
  return { format: info.format, virtualSize: info.virtualSize };
}

/** The qemu-img argument list for a conversion (without the binary). */
export function convertArgs(input: string, output: string, options: ConvertOptions): string[] {
  const format = options.format ?? 'qcow2';
  const args = ['convert', '-f', options.inputFormat, '-O', format];
  if (format === 'qcow2') {
    const c = options.compression ?? 'zlib';
    if (c === 'zlib') args.push('-c');
    else if (c === 'zstd') args.push('-c', '-o', 'compression_type=zstd');
  }
  const m = options.coroutines ?? 4;
  if (m > 1) args.push('-m', String(m));
  if (options.outOfOrder ?? true) args.push('-W');
  args.push(input, output);
  return args;
}

/**
 * Converts `input` (of `inputFormat`, inspected by the caller) to `output` (qcow2 compressed with
 * zlib/zstd/none, or raw), `-m 4 -W` by default. `output` is overwritten; on failure it is removed.
 */
export async function convertImage(input: string, output: string, options: ConvertOptions): Promise<ConvertResult> {
  const args = convertArgs(input, output, options);
  const t0 = process.hrtime.bigint();
  try {
    await run(args, options, 'qemu-img convert');
  } catch (e) {
    fs.rmSync(output, { force: true });
    throw e;
  }
  const durationS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { args, durationS, sizeBytes: fs.statSync(output).size };
}

/** `qemu-img check` (qcow2 consistency); throws on any error or leak report. */
export async function checkImage(file: string, format: string, opts: QemuImgOptions = {}): Promise<void> {
  await run(['check', '-f', format, file], opts, `qemu-img check ${file}`);
}

/** `qemu-img compare`: throws unless the guest-visible contents are identical. */
export async function compareImages(a: string, aFormat: string, b: string, bFormat: string, opts: QemuImgOptions = {}): Promise<void> {
  await run(['compare', '-f', aFormat, '-F', bFormat, a, b], opts, 'qemu-img compare');
}

/** `qemu-img --version` → '7.2.22'. */
export async function qemuImgVersion(opts: QemuImgOptions = {}): Promise<string> {
  const r = await run(['--version'], { ...opts, timeoutMs: opts.timeoutMs ?? 30_000 }, 'qemu-img --version');
  const m = /version\s+(\S+)/.exec(String(r.stdout));
  return m ? m[1] : String(r.stdout).split('\n')[0].trim();
}
