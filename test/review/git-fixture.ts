// A small catalog in a throw-away git repository, for `goldsmith diff` tests: commit a base,
// then edit the working tree. Every fixture removes itself (cleanup()).
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CliIo } from '../../lib/cli/command';

const PROVISION = path.join(__dirname, '..', 'fixtures', 'catalogs', 'valid', 'provision');

const HEX32 = '0123456789abcdef0123456789abcdef';

/** A builds file release entry (YAML lines, indented for `releases:`). */
export function releaseYaml(image: string, buildId: string): string {
  const date = `${buildId.slice(0, 4)}-${buildId.slice(4, 6)}-${buildId.slice(6, 8)}`;
  return [
    `      - build_id: "${buildId}"`,
    `        date: ${date}`,
    `        file: ${image}-${buildId}.qcow2`,
    `        md5: ${HEX32}`,
    `        sha256: ${HEX32}${HEX32}`,
    '        size_bytes: 612368384',
    '',
  ].join('\n');
}

/** Two environments, two images; bgo has releases of both, osl one of ubuntu_2404. */
export const BASE_CATALOG: Readonly<Record<string, string>> = {
  'defaults.yaml': 'image:\n  properties:\n    hw_disk_bus: scsi\n  keep_outdated: 5\n',
  'environments.yaml': `environments:
  bgo:
    region: bgo
    cloud: bgo-imagebuilder
    builder:
      base_url: https://builder.bgo.example/
      availability_zone: bgo-default-1
      ssh_source_cidrs: [10.0.250.0/24]
  osl:
    region: osl
    cloud: osl-imagebuilder
    builder:
      base_url: https://builder.osl.example/
      availability_zone: osl-default-1
      ssh_source_cidrs: [10.1.250.0/24]
`,
  'templates.yaml': 'templates:\n  default:\n    custom_scripts: [resolver.sh]\n',
  'images/gold.yaml': `type: gold
images:
  ubuntu_2404:
    display_name: Ubuntu 24.04 LTS
    upstream:
      url: https://cloud-images.ubuntu.com/noble/current/
      file: noble-server-cloudimg-amd64.img
      checksum_file: SHA256SUMS
      algorithm: sha256
    ssh_user: ubuntu
    min_ram_mb: 768
    min_disk_gb: 8
    schedule: {weekday: 3, hour: 9, minute: 40}
  debian_11:
    display_name: Debian 11
    upstream:
      url: https://cloud.debian.org/images/cloud/bullseye/latest/
      file: debian-11-genericcloud-amd64.qcow2
      checksum_file: SHA512SUMS
      algorithm: sha512
    ssh_user: debian
    min_ram_mb: 512
    min_disk_gb: 4
    schedule: {weekday: 1, hour: 3, minute: 0}
`,
  'builds/bgo.yaml':
    'images:\n  ubuntu_2404:\n    type: gold\n    outdated_name: Outdated (Ubuntu 24.04 LTS)\n    releases:\n' +
    releaseYaml('ubuntu_2404', '20261021') +
    releaseYaml('ubuntu_2404', '20261104') +
    '  debian_11:\n    type: gold\n    outdated_name: Outdated (Debian 11)\n    releases:\n' +
    releaseYaml('debian_11', '20260906') +
    releaseYaml('debian_11', '20261004') +
    releaseYaml('debian_11', '20261101'),
  'builds/osl.yaml':
    'images:\n  ubuntu_2404:\n    type: gold\n    outdated_name: Outdated (Ubuntu 24.04 LTS)\n    releases:\n' + releaseYaml('ubuntu_2404', '20261104'),
};

/** A git repository whose `config/` holds a catalog. */
export class GitFixture {
  /** The repository (working tree). */
  readonly dir: string;

  constructor(files: Readonly<Record<string, string>> = BASE_CATALOG) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-diff-fixture-'));
    this.git('init', '--quiet', '--initial-branch=main');
    fs.cpSync(PROVISION, this.path('provision'), { recursive: true });
    for (const [file, text] of Object.entries(files)) this.write(file, text);
  }

  /** Absolute path of a catalog file (`config/<file>`). */
  path(file: string): string {
    return path.join(this.dir, 'config', file);
  }

  write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(this.path(file)), { recursive: true });
    fs.writeFileSync(this.path(file), text);
  }

  /** Replaces `from` (which must occur) in a catalog file. */
  edit(file: string, from: string, to: string): void {
    const text = fs.readFileSync(this.path(file), 'utf8');
    if (!text.includes(from)) throw new Error(`fixture: ${file} has no ${JSON.stringify(from)}`);
    fs.writeFileSync(this.path(file), text.replace(from, to));
  }

  /** Commits everything; returns the commit id. */
  commit(message = 'catalog'): string {
    this.git('add', '--all');
    this.git('-c', 'user.name=goldsmith test', '-c', 'user.email=test@example.org', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  git(...args: string[]): string {
    return execa.sync('git', args, { cwd: this.dir, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir }, stdin: 'ignore' }).stdout.trim();
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A CliIo collecting what a command writes, run in `cwd`. */
export function captureIo(cwd: string): CliIo & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd, env: {}, stdout, stderr };
}
