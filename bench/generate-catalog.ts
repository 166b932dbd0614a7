// Writes a large synthetic catalog (docs/catalog.md format) for the synth benchmark:
// N environments, several images files totalling M images, and builds/<env>.yaml files in which
// most images carry 1-3 releases (about 2 on average; some envs exclude some images).
//
//   node dist/bench/generate-catalog.js <dir> [images=1000] [environments=10]
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface GenerateOptions {
  readonly images?: number;
  readonly environments?: number;
  /** Number of images/*.yaml files the images are spread over. */
  readonly imageFiles?: number;
  /**
   * Provisioning scripts copied into <dir>/provision (the loader requires the standard set).
   * Default: the bundled catalog's config/provision.
   */
  readonly provisionFrom?: string;
}

/** config/provision of this checkout (found upwards from this file: works from bench/ and dist/bench/). */
function bundledProvisionDir(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'config', 'provision');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) throw new Error(`generate-catalog: no config/provision above ${__dirname}`);
  }
}

export interface GeneratedCatalog {
  readonly dir: string;
  readonly images: number;
  readonly environments: number;
  /** Total releases over all builds files. */
  readonly releases: number;
}

const TYPES = ['gold', 'vgpu', 'uib', 'uio', 'test', 'windows', 'hpc', 'edu'];

function hex(seed: string, algo: 'md5' | 'sha256'): string {
  return crypto.createHash(algo).update(seed).digest('hex');
}

function q(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
}

function isoDate(base: Date, minusDays: number): string {
  const d = new Date(base.getTime() - minusDays * 86400_000);
  return d.toISOString().slice(0, 10);
}

/** Writes the catalog into `dir` (created; must be empty or absent). Deterministic for given options. */
export function generateCatalog(dir: string, opts: GenerateOptions = {}): GeneratedCatalog {
  const nImages = opts.images ?? 1000;
  const nEnvs = opts.environments ?? 10;
  const nFiles = Math.min(opts.imageFiles ?? 8, nImages);
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'builds'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'provision'), { recursive: true });

  fs.writeFileSync(
    path.join(dir, 'defaults.yaml'),
    [
      'image:',
      '  properties:',
      '    hw_disk_bus: scsi',
      '    hw_scsi_model: virtio-scsi',
      "    hw_qemu_guest_agent: 'yes'",
      '    hw_machine_type: q35',
      '    os_type: linux',
      '  keep_outdated: 2',
      '  keep_builds: 2',
      '  compression: zlib',
      '  visibility: public',
      '  disk_format: qcow2',
      '  template: default',
      '',
    ].join('\n'),
  );
  // The real provisioning scripts (packer templates read them), plus the synthetic gpu variant's.
  fs.cpSync(opts.provisionFrom ?? bundledProvisionDir(), path.join(dir, 'provision'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'provision', 'gpu.sh'), '#!/bin/sh\nexit 0\n');
  fs.writeFileSync(
    path.join(dir, 'templates.yaml'),
    ['templates:', '  default:', '    custom_scripts: [resolver.sh]', '  gpu:', '    custom_scripts: [gpu.sh]', '  plain:', '    custom_scripts: []', ''].join(
      '\n',
    ),
  );

  // Images: spread over nFiles files, one type per file.
  const names: string[] = [];
  const perFile: string[][] = Array.from({ length: nFiles }, () => []);
  for (let i = 0; i < nImages; i++) {
    const f = i % nFiles;
    const name = `img${String(i).padStart(4, '0')}_${TYPES[f % TYPES.length]}`;
    names.push(name);
    const shared = i % 7 === 0;
    const owned = i % 5 === 0;
    const lines = [
      `  ${name}:`,
      `    display_name: ${q(`Synthetic Linux ${i}`)}`,
      '    upstream:',
      `      url: https://mirror.example.org/dist/${i}/`,
      `      file: image-${i}.qcow2`,
      '      checksum_file: SHA256SUMS',
      '      algorithm: sha256',
      '    ssh_user: cloud-user',
      `    efi: ${i % 2 === 0}`,
      `    min_ram_mb: ${512 + (i % 8) * 256}`,
      `    min_disk_gb: ${8 + (i % 5)}`,
      `    properties: {hw_firmware_type: uefi, os_distro: ${q(`distro${i % 13}`)}, hw_rng_model: virtio}`,
      `    template: ${i % 10 === 3 ? 'gpu' : 'default'}`,
    ];
    if (shared) {
      lines.push('    visibility: shared', `    members: [project-${i % 3}, project-${(i + 1) % 3}]`);
    }
    if (owned) lines.push('    owner: images-owner');
    // A builder fits 336 builds a week at the 30-minute gap: 280 images are scheduled (some with a
    // fixed hour), the others (and every image beyond the first 1,000) have their cron entry disabled
    // but are still synthesized.
    if (i % 25 >= 7 || i >= 1000) lines.push('    schedule: {enabled: false}');
    else if (i % 50 === 0) lines.push(`    schedule: {hour: ${(i / 50) % 24}}`);
    if (i % 9 === 0) lines.push('    keep_outdated: 1');
    if (i % 11 === 0) lines.push('    end_of_life: 2030-06-30');
    perFile[f].push(lines.join('\n'));
  }
  perFile.forEach((entries, f) => {
    fs.writeFileSync(
      path.join(dir, 'images', `${TYPES[f % TYPES.length]}-${f}.yaml`),
      `type: ${TYPES[f % TYPES.length]}\nimages:\n${entries.join('\n\n')}\n`,
    );
  });

  // Environments: every 4th excludes a handful of images.
  const envNames = Array.from({ length: nEnvs }, (_, e) => `env${String(e).padStart(2, '0')}`);
  const envLines = ['environments:'];
  envNames.forEach((env, e) => {
    envLines.push(
      `  ${env}:`,
      `    region: region${e}`,
      `    cloud: ${env}-imagebuilder`,
      '    owner_clouds:',
      `      images-owner: ${env}-images-owner`,
      '    builder:',
      `      base_url: https://builder.${env}.example.org/`,
      `      availability_zone: ${env}-default-1`,
      `      ssh_source_cidrs: [10.${e}.0.0/24]`,
    );
    if (e % 2 === 0) {
      envLines.push('    backend:', '      type: s3', '      bucket: goldsmith-state', `      region: region${e}`);
    }
    if (e % 4 === 3) envLines.push(`    exclude_images: [${names.filter((_, i) => i % 50 === e).join(', ')}]`);
  });
  fs.writeFileSync(path.join(dir, 'environments.yaml'), envLines.join('\n') + '\n');

  // Builds: most images have 1-3 releases per environment; every 10th image has none yet.
  const base = new Date(Date.UTC(2026, 10, 4));
  let releases = 0;
  envNames.forEach((env, e) => {
    const lines = ['images:'];
    names.forEach((name, i) => {
      if (i % 10 === 9) return;
      if (e % 4 === 3 && i % 50 === e) return; // excluded there
      const n = 1 + ((i + e) % 3);
      lines.push(`  ${name}:`, '    releases:');
      for (let r = 0; r < n; r++) {
        const date = isoDate(base, 28 * r + (i % 7));
        const id = date.replace(/-/g, '');
        const file = `${name}-${id}.qcow2`;
        lines.push(
          `      - build_id: ${q(id)}`,
          `        date: ${date}`,
          `        file: ${file}`,
          `        md5: "${hex(env + file, 'md5')}"`,
          `        sha256: "${hex(env + file, 'sha256')}"`,
          `        size_bytes: ${500_000_000 + ((i * 7919 + r * 104729) % 400_000_000)}`,
        );
        releases++;
      }
    });
    fs.writeFileSync(path.join(dir, 'builds', `${env}.yaml`), lines.join('\n') + '\n');
  });

  return { dir, images: nImages, environments: nEnvs, releases };
}

if (require.main === module) {
  const [dir, images, envs] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: generate-catalog.js <dir> [images] [environments]\n');
    process.exit(2);
  }
  const r = generateCatalog(dir, { images: images ? Number(images) : undefined, environments: envs ? Number(envs) : undefined });
  process.stdout.write(JSON.stringify(r) + '\n');
}
