// Reading catalog files safely: only regular files (never a symlink, FIFO, device or socket), opened
// without following links and without blocking, checked again on the open descriptor (no race
// between the check and the read), with a size cap, and decoded as strict UTF-8.
import * as fs from 'fs';
import type { ParsedYaml } from './parse-yaml';

/** Largest YAML file of the catalog. */
export const MAX_YAML_BYTES = 10 * 1024 * 1024;
/** Largest provisioning script. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;

/** One YAML file of the catalog, read, parsed and checked against its schema. */
export interface LoadedFile<T> {
  /** Absolute path. */
  readonly file: string;
  /** Path relative to the config dir, '/'-separated. */
  readonly rel: string;
  /** True when the file was read and parsed as YAML (raw is meaningful). */
  readonly parsed: boolean;
  /** The plain value of the document (undefined when not parsed; {} for an empty file). */
  readonly raw: unknown;
  /** The document with its positions (undefined when not parsed). */
  readonly yaml?: ParsedYaml;
  /** Schema output, when the file passed its schema. */
  readonly data?: T;
}

/** The text of a file, or why it cannot be used (one lower-case line, and the 1-based line if known). */
export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code?: string; readonly message: string; readonly line?: number };

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** What a non-regular file is, in words (undefined for a regular file). */
export function specialFileKind(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a fifo';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Reads a regular file of at most `maxBytes` bytes as strict UTF-8. Never throws for fs errors. */
export function readCatalogFile(file: string, maxBytes: number): ReadResult {
  let fd: number | undefined;
  try {
    const kind = specialFileKind(fs.lstatSync(file));
    if (kind !== undefined) return notRegular(kind);
    fd = fs.openSync(file, OPEN_FLAGS);
    const st = fs.fstatSync(fd);
    const kindNow = specialFileKind(st);
    if (kindNow !== undefined) return notRegular(kindNow);
    if (st.size > maxBytes) return { ok: false, message: `file is too large: ${st.size} bytes, at most ${maxBytes}` };
    // Read up to one byte past the cap: a file growing after fstat cannot make us read more.
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > maxBytes) return { ok: false, message: `file is too large: more than ${maxBytes} bytes` };
    return decodeUtf8(buffer.subarray(0, length));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, code, message: 'is a symbolic link: only regular files are read' };
    return { ok: false, code, message: fsMessage(e) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function notRegular(kind: string): ReadResult {
  return { ok: false, message: `is ${kind}: only regular files are read` };
}

/** `cannot read: <reason> (<code>)`, without the path (the problem line names the file). */
export function fsMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a path component is not a directory',
    ELOOP: 'too many symbolic links',
    EIO: 'i/o error',
    EMFILE: 'too many open files',
    ENAMETOOLONG: 'name too long',
  };
  const reason = (err.code && reasons[err.code]) ?? String(err.message ?? e).split('\n')[0].toLowerCase();
  return `cannot read: ${reason}${err.code ? ` (${err.code})` : ''}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8; an invalid byte sequence is reported with its 1-based line. */
export function decodeUtf8(bytes: Uint8Array): ReadResult {
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    return { ok: false, message: 'not valid utf-8 (save the file as utf-8)', line };
  }
}

/** Byte offset of the first invalid UTF-8 sequence (bytes.length when there is none). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    try {
      decoder.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return bytes.length;
}
