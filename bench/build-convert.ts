// Benchmark: the build runner's compressed conversion (lib/runner/convert.ts) against today's command.
//
// One realistic "packer artifact" is generated in os.tmpdir(): an uncompressed qcow2 of 1 GiB virtual
// size holding 512 MiB of data in 8 MiB runs of four kinds (seeded layout, so every run of the bench
// has the same shape): zero (left unallocated, like the free space of a real disk), text-like (config
// files, logs, scripts: words from a small vocabulary, ~3-4x compressible per 64 KiB cluster),
// binary-like (short byte sequences from a fixed pool, random operands, zero padding: like
// executables, ~2x compressible) and random
// (incompressible, like already compressed packages). Then, on that same input, round-robin 3 times:
//   today  `qemu-img convert -f qcow2 -O qcow2 -c`              (convertImage, coroutines 1, outOfOrder false)
//   ours   `qemu-img convert -f qcow2 -O qcow2 -c -m 4 -W`      (convertImage defaults: zlib)
//   zstd   `... -c -o compression_type=zstd -m 4 -W`           (convertImage compression 'zstd')
// and prints the median seconds, output size and the ratios to today measured in this run.
// Skipped (with a SKIPPED line) without qemu-img or with < 4 GiB free in os.tmpdir().

import execa from 'execa';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { convertImage, imageInfo, qemuImgVersion, type ConvertOptions } from '../lib/runner/convert';

export interface BenchResult {
  readonly name: string;
  readonly lines: string[];
}

const NAME = 'build-convert';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const VIRTUAL_SIZE = GiB;
const RUN = 8 * MiB;
const CHUNK = MiB;
const RUNS = 3;
const MIN_FREE = 4 * GiB;

/** Runs of RUN bytes per kind (128 runs = 1 GiB); 64 runs = 512 MiB hold data. */
const LAYOUT: Record<Kind, number> = { zero: 64, text: 28, binary: 24, random: 12 };
type Kind = 'zero' | 'text' | 'binary' | 'random';

interface Mode {
  readonly name: string;
  readonly options: Omit<ConvertOptions, 'inputFormat'>;
  /** The exact argv (without input/output) this mode must run; checked before timing. */
  readonly expectArgs: readonly string[];
}

const MODES: readonly Mode[] = [
  {
    name: 'today',
    options: { compression: 'zlib', coroutines: 1, outOfOrder: false },
    expectArgs: ['convert', '-f', 'qcow2', '-O', 'qcow2', '-c'],
  },
  {
    name: 'ours (zlib)',
    options: { compression: 'zlib' },
    expectArgs: ['convert', '-f', 'qcow2', '-O', 'qcow2', '-c', '-m', '4', '-W'],
  },
  {
    name: 'zstd',
    options: { compression: 'zstd' },
    expectArgs: ['convert', '-f', 'qcow2', '-O', 'qcow2', '-c', '-o', 'compression_type=zstd', '-m', '4', '-W'],
  },
];

/** Deterministic PRNG (mulberry32) for layout and text, so the image shape is the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is for on with as by at from this that be are or not an it all can if will which ' +
  'config server client request response error warning info debug user group root home etc usr lib bin ' +
  'var log tmp share local include sbin opt boot dev proc sys run mnt srv systemd service target socket ' +
  'timer mount network interface address route dns resolv hostname kernel module driver firmware package ' +
  'version release update upgrade install remove depends provides conflicts description maintainer license ' +
  'copyright python perl bash shell function return export source echo printf test then else fi done case ' +
  'esac while until for in do local readonly declare string integer array value key name type default ' +
  'enabled disabled true false yes no none null ubuntu debian rocky cloud init openstack nova glance ' +
  'cinder neutron keystone image volume instance flavor metadata userdata vendordata datasource'
).split(' ');

const PUNCT = [' ', ' ', ' ', ' ', ' ', '=', ': ', ', ', '.', '/', '-', '_', '"', '(', ')', '\n', '\n', '\t'];

/** A pool of text-like 64 KiB blocks (words, numbers, paths, line structure). */
function textPool(rand: () => number, blocks: number): Buffer[] {
  const pool: Buffer[] = [];
  for (let b = 0; b < blocks; b++) {
    const parts: string[] = [];
    let len = 0;
    while (len < 64 * 1024) {
      const r = rand();
      let s: string;
      if (r < 0.75) s = WORDS[Math.floor(rand() * WORDS.length)];
      else if (r < 0.9) s = String(Math.floor(rand() * 100000));
      else s = Math.floor(rand() * 0xffffffff).toString(16);
      s += PUNCT[Math.floor(rand() * PUNCT.length)];
      parts.push(s);
      len += s.length;
    }
    pool.push(Buffer.from(parts.join('')).subarray(0, 64 * 1024));
  }
  return pool;
}

/** One CHUNK of the given kind (never called for zero). */
function chunk(kind: Kind, rand: () => number, pool: Buffer[]): Buffer {
  if (kind === 'random') return crypto.randomBytes(CHUNK);
  if (kind === 'text') {
    const out = Buffer.allocUnsafe(CHUNK);
    for (let off = 0; off < CHUNK; off += 64 * 1024) {
      // a pool block, rotated by a random amount so clusters are not byte-identical
      const blk = pool[Math.floor(rand() * pool.length)];
      const rot = Math.floor(rand() * blk.length);
      blk.copy(out, off, rot);
      blk.copy(out, off + blk.length - rot, 0, rot);
    }
    return out;
  }
  // binary-like (executables, libraries): short byte sequences from a fixed "instruction" pool,
  // random operands and zero padding
  const out = Buffer.allocUnsafe(CHUNK);
  const rnd = crypto.randomBytes(CHUNK);
  let i = 0;
  let j = 0;
  while (i < CHUNK) {
    const r = rnd[j++ % CHUNK];
    if (r < 176) {
      const seq = BIN_POOL[rnd[j++ % CHUNK]];
      i += seq.copy(out, i);
    } else if (r < 240) {
      const n = 1 + (r & 3);
      for (let k = 0; k < n && i < CHUNK; k++) out[i++] = rnd[j++ % CHUNK];
    } else {
      const n = Math.min(4 + (r & 15) * 4, CHUNK - i);
      out.fill(0, i, i + n);
      i += n;
    }
  }
  return out;
}

/** 256 byte sequences of 2-8 bytes (fixed seed): the "instructions" of binary-like data. */
const BIN_POOL: Buffer[] = (() => {
  const rand = prng(0xb1a);
  return Array.from({ length: 256 }, () => Buffer.from(Array.from({ length: 2 + Math.floor(rand() * 7) }, () => Math.floor(rand() * 256))));
})();

/** Writes the raw disk (sparse zero runs), returns bytes of data written. */
function writeRaw(file: string): number {
  const rand = prng(0x601d);
  const kinds: Kind[] = [];
  for (const [k, n] of Object.entries(LAYOUT) as [Kind, number][]) for (let i = 0; i < n; i++) kinds.push(k);
  if (kinds.length * RUN !== VIRTUAL_SIZE) throw new Error(`layout covers ${kinds.length * RUN} bytes, not ${VIRTUAL_SIZE}`);
  // seeded Fisher-Yates; the first run is text (boot area and root file system start)
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const firstText = kinds.indexOf('text');
  [kinds[0], kinds[firstText]] = [kinds[firstText], kinds[0]];

  const pool = textPool(rand, 64);
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    fs.ftruncateSync(fd, VIRTUAL_SIZE);
    kinds.forEach((kind, r) => {
      if (kind === 'zero') return;
      for (let off = 0; off < RUN; off += CHUNK) {
        const buf = chunk(kind, rand, pool);
        fs.writeSync(fd, buf, 0, buf.length, r * RUN + off);
        written += buf.length;
      }
    });
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function mib(n: number): string {
  return `${(n / MiB).toFixed(1)} MiB`;
}

function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return Number(st.bavail) * Number(st.bsize);
}

export async function run(): Promise<BenchResult> {
  const lines: string[] = [];
  let version: string;
  try {
    version = await qemuImgVersion();
  } catch (e) {
    return { name: NAME, lines: [`SKIPPED: qemu-img not available (${(e as Error).message})`] };
  }
  const tmpRoot = os.tmpdir();
  const free = freeBytes(tmpRoot);
  if (free < MIN_FREE) {
    return { name: NAME, lines: [`SKIPPED: only ${mib(free)} free in ${tmpRoot} (needs 4 GiB)`] };
  }

  const dir = fs.mkdtempSync(path.join(tmpRoot, 'goldsmith-bench-convert-'));
  try {
    const raw = path.join(dir, 'disk.raw');
    const input = path.join(dir, 'artifact.qcow2');
    const output = path.join(dir, 'out.qcow2');
    const t0 = process.hrtime.bigint();
    const data = writeRaw(raw);
    await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, input]);
    fs.rmSync(raw);
    const genS = Number(process.hrtime.bigint() - t0) / 1e9;
    const inputInfo = await imageInfo(input, 'qcow2');
    const inputSize = fs.statSync(input).size;
    lines.push(
      `qemu-img ${version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}; input: uncompressed qcow2, virtual ${mib(inputInfo.virtualSize)}, ` +
        `${mib(data)} data (${Object.entries(LAYOUT)
          .map(([k, n]) => `${k} ${n * 8}`)
          .join(', ')} MiB), file ${mib(inputSize)}; generated in ${genS.toFixed(1)} s`,
    );

    const times = new Map<string, number[]>(MODES.map((m) => [m.name, []]));
    const sizes = new Map<string, number>();
    for (let r = 0; r < RUNS; r++) {
      for (const m of MODES) {
        const res = await convertImage(input, output, { ...m.options, inputFormat: 'qcow2', timeoutMs: 600_000 });
        const got = res.args.slice(0, -2);
        if (JSON.stringify(got) !== JSON.stringify(m.expectArgs)) {
          throw new Error(`${m.name}: ran qemu-img ${got.join(' ')}, expected qemu-img ${m.expectArgs.join(' ')}`);
        }
        if (r === 0) {
          const info = await imageInfo(output, 'qcow2');
          if (info.format !== 'qcow2' || info.virtualSize !== inputInfo.virtualSize) {
            throw new Error(`${m.name}: output is ${info.format} of ${info.virtualSize} bytes, expected qcow2 of ${inputInfo.virtualSize}`);
          }
        }
        times.get(m.name)!.push(res.durationS);
        sizes.set(m.name, res.sizeBytes);
        fs.rmSync(output, { force: true });
      }
    }

    const today = median(times.get('today')!);
    const todaySize = sizes.get('today')!;
    for (const m of MODES) {
      const ts = times.get(m.name)!;
      const med = median(ts);
      const size = sizes.get(m.name)!;
      const vs = m.name === 'today' ? '' : `; vs today: time ${(med / today).toFixed(2)}×, size ${(size / todaySize).toFixed(3)}×`;
      lines.push(
        `${m.name.padEnd(12)} qemu-img ${m.expectArgs.join(' ')}: median ${med.toFixed(2)} s ` +
          `(runs ${ts.map((t) => t.toFixed(2)).join(', ')}), output ${mib(size)} (${((size / data) * 100).toFixed(1)}% of data)${vs}`,
      );
    }
    const ours = median(times.get('ours (zlib)')!);
    const zstd = median(times.get('zstd')!);
    lines.push(
      `ratios this run: ours/today ${(ours / today).toFixed(2)}× time, ${(sizes.get('ours (zlib)')! / todaySize).toFixed(3)}× size; ` +
        `zstd/today ${(zstd / today).toFixed(2)}× time, ${(sizes.get('zstd')! / todaySize).toFixed(3)}× size`,
    );
    return { name: NAME, lines };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
