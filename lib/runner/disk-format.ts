// What a disk image file is, decided from its first bytes in TypeScript: qemu-img never guesses a
// format in the runner (a guessed qcow2 or VMDK can name host files as backing, data or extent files
// and convert would copy them into the GOLD image). Every qemu-img call gets `-f <format>`, and a
// file is only handed to qemu-img after `assertSelfContainedHeader` (and then `assertNoExternalFiles`
// on qemu-img's own view) found no reference to another file.

import * as fs from 'fs';

/** Formats the runner recognises by magic; only qcow2 and raw are ever accepted as images. */
export type SniffedFormat = 'qcow2' | 'raw' | 'vmdk' | 'vhdx' | 'vdi' | 'qed' | 'vpc' | 'luks' | 'parallels' | 'text';

const HEAD_BYTES = 4096;

function readHead(file: string, n = HEAD_BYTES): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = fs.readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

const MAGICS: readonly [SniffedFormat, Buffer][] = [
  ['qcow2', Buffer.from([0x51, 0x46, 0x49, 0xfb])], // QFI\xfb
  ['vmdk', Buffer.from('KDMV')],
  ['vmdk', Buffer.from('COWD')],
  ['vmdk', Buffer.from('# Disk DescriptorFile')],
  ['vhdx', Buffer.from('vhdxfile')],
  ['vdi', Buffer.from('<<< ')],
  ['qed', Buffer.from('QED\0')],
  ['vpc', Buffer.from('conectix')],
  ['luks', Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe])],
  ['parallels', Buffer.from('WithoutFreeSpace')],
  ['parallels', Buffer.from('WithouFreSpacExt')],
];

/**
 * The format of `file` by its magic bytes. `text` when the first 4 KiB look like text (HTML, an error
 * page, a descriptor of any kind): never a disk image, even though qemu-img would read it as raw.
 */
export function sniffFormat(file: string): SniffedFormat {
  const head = readHead(file);
  for (const [format, magic] of MAGICS) if (head.subarray(0, magic.length).equals(magic)) return format;
  if (looksLikeText(head)) return 'text';
  return 'raw';
}

/** Non-empty, and every byte printable ASCII, whitespace or part of UTF-8. */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  for (const b of head) {
    if (b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f)) continue;
    return false;
  }
  return true;
}

/**
 * Throws unless `file` starts like an image of `expected` (qcow2 or raw). `what` names the file in
 * the one-line error.
 */
export function assertFormat(file: string, expected: string, what: string): void {
  const got = sniffFormat(file);
  if (got === 'text') throw new Error(`${what} is not a disk image (it looks like text, e.g. an HTML page)`);
  if (got !== expected) throw new Error(`${what} is ${got === 'raw' ? 'not a qcow2 image (no qcow2 magic)' : `a ${got} image`}, expected ${expected}; refusing it`);
}

/**
 * For qcow2: refuses a header that names a backing file or an external data file, before any
 * qemu-img opens the file (opening it would open the referenced host file). Other versions than
 * 2 and 3 are left to qemu-img, which refuses them.
 */
export function assertSelfContainedHeader(file: string, format: string, what: string): void {
  if (format !== 'qcow2') return;
  const h = readHead(file, 104);
  if (h.length < 72) throw new Error(`${what}: qcow2 header is truncated`);
  const version = h.readUInt32BE(4);
  if (version !== 2 && version !== 3) return;
  if (h.readBigUInt64BE(8) !== 0n) throw new Error(`${what} has a backing file (qcow2 header); refusing it`);
  if (version === 3 && h.length >= 80) {
    const incompatible = h.readBigUInt64BE(72);
    if (incompatible & 4n) throw new Error(`${what} has an external data file (qcow2 header); refusing it`);
  }
}

/** The parts of `qemu-img info --output=json` that can name other files. */
export interface QemuImgInfoJson {
  readonly filename?: string;
  readonly format?: string;
  readonly 'backing-filename'?: string;
  readonly 'full-backing-filename'?: string;
  readonly 'format-specific'?: { readonly type?: string; readonly data?: Record<string, unknown> };
  readonly children?: readonly { readonly name?: string; readonly info?: QemuImgInfoJson }[];
}

/**
 * Throws when qemu-img's view of `file` references any other file: a backing file, an external data
 * file, a VMDK extent or a child node whose filename is not the file itself.
 */
export function assertNoExternalFiles(info: QemuImgInfoJson, file: string, what: string): void {
  const backing = info['backing-filename'] ?? info['full-backing-filename'];
  if (backing !== undefined) throw new Error(`${what} has a backing file (${JSON.stringify(backing)}); refusing it`);
  const data = info['format-specific']?.data ?? {};
  if (data['data-file'] !== undefined) throw new Error(`${what} has an external data file (${JSON.stringify(data['data-file'])}); refusing it`);
  const extents = Array.isArray(data.extents) ? (data.extents as { filename?: unknown }[]) : [];
  for (const e of extents) {
    if (e.filename !== undefined && e.filename !== file) throw new Error(`${what} has an extent in another file (${JSON.stringify(e.filename)}); refusing it`);
  }
  for (const c of info.children ?? []) {
    const f = c.info?.filename;
    if (f !== undefined && f !== file) throw new Error(`${what} references another file (${JSON.stringify(f)}); refusing it`);
    if (c.info) assertNoExternalFiles({ ...c.info, children: c.info.children }, file, what);
  }
}
