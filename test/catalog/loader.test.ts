import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Catalog, loadCatalog } from '../../lib/catalog';

const FIXTURE = path.join(__dirname, '../fixtures/catalogs/valid');

const EXPECTED: Catalog = {
  configDir: FIXTURE,
  environments: [
    {
      name: 'bgo',
      region: 'bgo',
      cloud: 'bgo-imagebuilder',
      ownerClouds: { 'nrec-images': 'bgo-nrec-images' },
      builder: {
        baseUrl: 'http://builder.mgmt.bgo.example/',
        network: 'build-net',
        flavor: 'img.large',
        availabilityZone: 'bgo-default-1',
        sshSourceCidrs: ['10.0.250.0/24', '2001:db8::/64'],
      },
      backend: {
        type: 's3',
        bucket: 'goldsmith-state',
        key: 'bgo/terraform.tfstate',
        region: 'bgo',
        endpoint: 'https://s3.bgo.example/',
      },
      images: ['debian_12', 'ubuntu_2404'],
      acceptMembers: false,
    },
    {
      name: 'osl',
      region: 'osl',
      cloud: 'osl-imagebuilder',
      ownerClouds: { 'nrec-images': 'osl-nrec-images' },
      builder: {
        baseUrl: 'https://builder.mgmt.osl.example/',
        network: 'imagebuilder',
        flavor: 'img.zerodisk',
        availabilityZone: 'osl-default-1',
        sshSourceCidrs: ['10.1.250.0/24'],
      },
      backend: { type: 'local', path: 'terraform.osl.tfstate' },
      images: ['debian_12', 'ubuntu_2404'],
      acceptMembers: false,
    },
  ],
  images: [
    {
      name: 'debian_12',
      type: 'gold',
      shortName: 'debian_12',
      sourceFile: 'images/gold.yaml',
      displayName: 'Debian 12',
      goldName: 'GOLD Debian 12 (bookworm)',
      outdatedName: 'Outdated (Debian 12)',
      upstream: {
        url: 'http://cdimage.debian.example/bookworm/latest/',
        file: 'debian-12-genericcloud-amd64.qcow2',
        checksumFile: 'SHA512SUMS',
        algorithm: 'sha512',
        insecureHttpWaiver: 'mirror has no tls',
      },
      sshUser: 'debian',
      efi: true,
      minRamMb: 512,
      minDiskGb: 4,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'shared',
      members: ['project-a', 'project-b'],
      properties: { hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi' },
      template: 'default',
      schedule: { weekday: 0, enabled: false },
      rebuild: 'periodic',
      keepOutdated: 0,
      keepBuilds: 1,
      compression: 'zstd',
    },
    {
      name: 'rocky_9',
      type: 'vgpu',
      shortName: 'rocky_9',
      sourceFile: 'images/vgpu.yaml',
      displayName: 'Rocky 9 vGPU',
      goldName: 'GOLD Rocky 9 vGPU',
      outdatedName: 'Outdated (Rocky 9 vGPU)',
      upstream: {
        url: 'https://download.rocky.example/9/images/',
        file: 'Rocky-9-GenericCloud.qcow2',
        noChecksumWaiver: 'upstream publishes no checksums',
      },
      sshUser: 'rocky',
      efi: false,
      minRamMb: 2048,
      minDiskGb: 20,
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'private',
      members: [],
      properties: { hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi' },
      template: 'nv_vgpu',
      schedule: { enabled: true },
      rebuild: 'periodic',
      keepOutdated: 3,
      keepBuilds: 2,
      compression: 'zlib',
    },
    {
      name: 'ubuntu_2404',
      type: 'gold',
      shortName: 'ubuntu_2404',
      sourceFile: 'images/gold.yaml',
      displayName: 'Ubuntu 24.04 LTS',
      goldName: 'GOLD Ubuntu 24.04 LTS',
      outdatedName: 'Outdated (Ubuntu 24.04 LTS)',
      upstream: {
        url: 'https://cloud-images.ubuntu.com/noble/current/',
        file: 'noble-server-cloudimg-amd64.img',
        checksumFile: 'SHA256SUMS',
        algorithm: 'sha256',
      },
      sshUser: 'ubuntu',
      efi: false,
      minRamMb: 768,
      minDiskGb: 8,
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      visibility: 'public',
      owner: 'nrec-images',
      members: [],
      properties: { hw_disk_bus: 'virtio', hw_scsi_model: 'virtio-scsi', os_distro: 'ubuntu' },
      template: 'default',
      schedule: { weekday: 3, hour: 9, minute: 40, weekOfMonth: 2, enabled: true },
      rebuild: 'periodic',
      keepOutdated: 3,
      keepBuilds: 2,
      compression: 'zlib',
      endOfLife: '2029-05-31',
    },
  ],
  templates: [
    { name: 'default', customScripts: ['resolver.sh'] },
    { name: 'nv_vgpu', customScripts: ['resolver.sh', 'nvidia-grid-driver.sh'] },
    { name: 'plain', customScripts: [] },
  ],
  builds: {
    bgo: [
      {
        image: 'centos_7',
        type: 'gold',
        outdatedName: 'Outdated (CentOS 7)',
        keepOutdated: 3, // defaults.yaml: the definition is gone
        releases: [
          {
            buildId: '20240101',
            date: '2024-01-01',
            file: 'centos_7-20240101.qcow2',
            md5: '33333333333333333333333333333333',
            sha256: '4444444444444444444444444444444444444444444444444444444444444444',
            sizeBytes: 42,
            state: 'released',
          },
        ],
      },
      {
        image: 'ubuntu_2404',
        keepOutdated: 3,
        releases: [
          {
            buildId: '20261104.2',
            date: '2026-11-04',
            file: 'ubuntu_2404-20261104.2.qcow2',
            md5: '11111111111111111111111111111111',
            sha256: '2222222222222222222222222222222222222222222222222222222222222222',
            sizeBytes: 1,
            state: 'released',
          },
          {
            buildId: '20261104',
            date: '2026-11-04',
            file: 'ubuntu_2404-20261104.qcow2',
            md5: 'fedcba9876543210fedcba9876543210',
            sha256: 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',
            sizeBytes: 612368385,
            upstreamUrl: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img',
            upstreamChecksum: 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
            state: 'released',
          },
          {
            buildId: '20261021',
            date: '2026-10-21',
            file: 'ubuntu_2404-20261021.qcow2',
            md5: '0123456789abcdef0123456789abcdef',
            sha256: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
            sizeBytes: 612368384,
            state: 'released',
          },
        ],
      },
    ],
    osl: [],
  },
};

function isDeeplyFrozen(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return true;
  seen.add(value);
  return Object.isFrozen(value) && Object.values(value as object).every((v) => isDeeplyFrozen(v, seen));
}

describe('loadCatalog (valid fixture)', () => {
  const catalog = loadCatalog(FIXTURE);

  test('loads into the exact expected model (defaults, names, sorting)', () => {
    expect(catalog).toStrictEqual(EXPECTED);
  });

  test('defaults: names default to GOLD <display> / Outdated (<display>)', () => {
    const ubuntu = catalog.images.find((i) => i.name === 'ubuntu_2404')!;
    expect(ubuntu.goldName).toBe('GOLD Ubuntu 24.04 LTS');
    expect(ubuntu.outdatedName).toBe('Outdated (Ubuntu 24.04 LTS)');
  });

  test('image properties: defaults merged, the image wins', () => {
    const ubuntu = catalog.images.find((i) => i.name === 'ubuntu_2404')!;
    expect(ubuntu.properties.hw_disk_bus).toBe('virtio');
    expect(ubuntu.properties.hw_scsi_model).toBe('virtio-scsi');
  });

  test('releases are sorted newest first (date, then build id)', () => {
    const ids = catalog.builds.bgo.find((b) => b.image === 'ubuntu_2404')!.releases.map((r) => r.buildId);
    expect(ids).toEqual(['20261104.2', '20261104', '20261021']);
  });

  test('environment images resolved from all/list/exclude, sorted', () => {
    expect(catalog.environments.map((e) => [e.name, e.images])).toEqual([
      ['bgo', ['debian_12', 'ubuntu_2404']],
      ['osl', ['debian_12', 'ubuntu_2404']],
    ]);
  });

  test('the model is deeply frozen', () => {
    expect(isDeeplyFrozen(catalog)).toBe(true);
    expect(() => {
      (catalog.images[0] as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (catalog.environments[0].images as string[]).push('x');
    }).toThrow(TypeError);
  });

  test('a relative config dir resolves to an absolute configDir', () => {
    const rel = path.relative(process.cwd(), FIXTURE);
    expect(loadCatalog(rel).configDir).toBe(FIXTURE);
  });
});

describe('loadCatalog (variants)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-load-'));
    fs.cpSync(FIXTURE, root, { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('no defaults.yaml and no builds/: built-in defaults, empty builds per environment', () => {
    fs.rmSync(path.join(root, 'defaults.yaml'));
    fs.rmSync(path.join(root, 'builds'), { recursive: true });
    const c = loadCatalog(root);
    const rocky = c.images.find((i) => i.name === 'rocky_9')!;
    expect(rocky.keepOutdated).toBe(2);
    expect(rocky.keepBuilds).toBe(2);
    expect(rocky.properties).toEqual({});
    expect(c.builds).toEqual({ bgo: [], osl: [] });
  });

  test('weekday names in any case are normalised to numbers', () => {
    const file = path.join(root, 'images/gold.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('weekday: Wed', 'weekday: SAT'));
    expect(loadCatalog(root).images.find((i) => i.name === 'ubuntu_2404')!.schedule.weekday).toBe(6);
  });

  test('images: all with exclude, and an empty builds file', () => {
    fs.writeFileSync(path.join(root, 'builds/osl.yaml'), '');
    const c = loadCatalog(root);
    expect(c.environments.find((e) => e.name === 'bgo')!.images).toEqual(['debian_12', 'ubuntu_2404']);
    expect(c.builds.osl).toEqual([]);
  });

  test('1,000 images x 10 environments load (their time is measured by npm run bench)', () => {
    const images = ['type: gold', 'images:'];
    for (let i = 0; i < 1000; i++) {
      images.push(
        `  img_${String(i).padStart(4, '0')}:`,
        `    display_name: Image ${i}`,
        '    upstream: {url: "https://example.org/img/", file: disk.qcow2, checksum_file: SHA256SUMS, algorithm: sha256}',
        '    ssh_user: ubuntu',
        '    min_ram_mb: 1024',
        '    min_disk_gb: 10',
        '    owner: nrec-images',
        '    properties: {os_distro: ubuntu}',
        // a builder fits at most 336 builds a week at the 30-minute gap (staggered ones fewer)
        ...(i >= 150 ? ['    schedule: {enabled: false}'] : []),
      );
    }
    fs.writeFileSync(path.join(root, 'images/many.yaml'), images.join('\n'));
    const envs = ['environments:'];
    for (let e = 0; e < 10; e++) {
      envs.push(
        `  env${e}:`,
        `    region: r${e}`,
        `    cloud: c${e}`,
        '    owner_clouds: {nrec-images: owner}',
        `    builder: {base_url: "https://b${e}.example/", availability_zone: az, ssh_source_cidrs: [10.0.0.0/8]}`,
      );
    }
    fs.writeFileSync(path.join(root, 'environments.yaml'), envs.join('\n'));
    fs.rmSync(path.join(root, 'builds'), { recursive: true });
    const c = loadCatalog(root);
    expect(c.images).toHaveLength(1003);
    expect(c.environments).toHaveLength(10);
    expect(c.environments[0].images).toHaveLength(1003);
  });
});
