import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { ImagesImageV2 } from '../../.gen/providers/openstack/images-image-v2';
import { ImagesImageAccessV2 } from '../../.gen/providers/openstack/images-image-access-v2';
import { DataOpenstackIdentityProjectV3 } from '../../.gen/providers/openstack/data-openstack-identity-project-v3';
import { GoldImage, GoldImageProps, diskFormatOf, importTimeout, importedBytesCondition, sortNewestFirst, terraformId } from '../../lib/constructs';
import {
  BASE_PROPERTIES,
  HEX32,
  HEX64,
  UBUNTU_RELEASES,
  VGPU_RELEASES,
  imageReleases,
  makeEnvironment,
  makeImage,
  makeSharedImage,
  makeWindowsImage,
  release,
} from '../fixtures/model';

const UPSTREAM = 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img';
const UBUNTU_PROPERTIES = { ...BASE_PROPERTIES, hw_qemu_guest_agent: 'yes' };

interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider: Record<string, Record<string, unknown>[]>;
  output?: Record<string, { value: unknown }>;
}

/** Synthesizes GoldImages (built by `define` in a stack with the default provider) and parses the JSON. */
function synth(define: (stack: TerraformStack) => void): { json: string; parsed: Synthesized } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-imagebuilder', region: 'bgo' });
  define(stack);
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json) as Synthesized };
}

function images(parsed: Synthesized): Record<string, Record<string, unknown>> {
  return parsed.resource.openstack_images_image_v2 ?? {};
}

function ubuntuProps(overrides: Partial<GoldImageProps> = {}): GoldImageProps {
  return {
    name: 'ubuntu_2404',
    image: makeImage(),
    environment: makeEnvironment(),
    releases: imageReleases('ubuntu_2404', UBUNTU_RELEASES),
    ...overrides,
  };
}

const IGNORE_SOURCE = ['image_source_url', 'web_download'];
const SIZE = 612368384;
/** The lifecycle of a release of the fixtures (md5 HEX32, 612368384 bytes). */
function lifecycle(file: string, ignore: readonly string[] = IGNORE_SOURCE) {
  return {
    ignore_changes: ignore,
    postcondition: [
      {
        condition: `\${self.checksum == "${HEX32}" && self.size_bytes == ${SIZE}}`,
        error_message: `Glance does not hold the reviewed bytes of ${file} (md5 ${HEX32}, ${SIZE} bytes): withdraw this release (goldsmith withdraw).`,
      },
    ],
  };
}
/** 5 minutes + 612368384 bytes at 20 MiB/s (30 s, rounded up to a minute). */
const TIMEOUTS = { create: '6m' };

describe('GoldImage: a live image with three releases', () => {
  const { json, parsed } = synth((stack) => new GoldImage(stack, 'ubuntu_2404', ubuntuProps()));

  test('one Glance image per release, keyed by build id', () => {
    expect(Object.keys(images(parsed)).sort()).toEqual([
      'ubuntu_2404_20261021',
      'ubuntu_2404_20261028',
      'ubuntu_2404_20261104',
    ]);
  });

  test('the newest release is GOLD, visible, without depricated', () => {
    expect(images(parsed).ubuntu_2404_20261104).toEqual({
      name: 'GOLD Ubuntu 24.04 LTS',
      region: 'bgo',
      container_format: 'bare',
      disk_format: 'qcow2',
      image_source_url: 'http://builder.mgmt.bgo.uhdc.no/ubuntu_2404-20261104.qcow2',
      web_download: true,
      hidden: false,
      visibility: 'public',
      min_ram_mb: 768,
      min_disk_gb: 8,
      tags: ['gold', 'ubuntu_2404'],
      properties: {
        ...UBUNTU_PROPERTIES,
        goldsmith_build_date: '2026-11-04',
        goldsmith_build_id: '20261104',
        goldsmith_image: 'ubuntu_2404',
        goldsmith_state: 'gold',
        goldsmith_upstream_checksum: `sha256:${HEX64}`,
        goldsmith_upstream_url: UPSTREAM,
      },
      timeouts: TIMEOUTS,
      lifecycle: lifecycle('ubuntu_2404-20261104.qcow2'),
    });
  });

  test('earlier releases are Outdated, hidden, demoted at the next build date, after the GOLD one', () => {
    expect(images(parsed).ubuntu_2404_20261028).toEqual({
      name: 'Outdated (Ubuntu 24.04)',
      region: 'bgo',
      container_format: 'bare',
      disk_format: 'qcow2',
      image_source_url: 'http://builder.mgmt.bgo.uhdc.no/ubuntu_2404-20261028.qcow2',
      web_download: true,
      hidden: true,
      visibility: 'public',
      min_ram_mb: 768,
      min_disk_gb: 8,
      tags: ['gold', 'ubuntu_2404'],
      properties: {
        ...UBUNTU_PROPERTIES,
        depricated: '2026-11-04T00:00:00',
        goldsmith_build_date: '2026-10-28',
        goldsmith_build_id: '20261028',
        goldsmith_image: 'ubuntu_2404',
        goldsmith_state: 'outdated',
      },
      depends_on: ['openstack_images_image_v2.ubuntu_2404_20261104'],
      timeouts: TIMEOUTS,
      lifecycle: lifecycle('ubuntu_2404-20261028.qcow2'),
    });
    expect(images(parsed).ubuntu_2404_20261021).toMatchObject({
      name: 'Outdated (Ubuntu 24.04)',
      hidden: true,
      image_source_url: 'http://builder.mgmt.bgo.uhdc.no/ubuntu_2404-20261021.qcow2',
      properties: expect.objectContaining({
        depricated: '2026-10-28T00:00:00',
        goldsmith_build_id: '20261021',
        goldsmith_upstream_url: UPSTREAM,
      }),
      depends_on: ['openstack_images_image_v2.ubuntu_2404_20261104'],
    });
  });

  test('never uploads through the deploy host and never sets credentials or checksum options', () => {
    for (const resource of Object.values(images(parsed))) {
      expect(resource).not.toHaveProperty('local_file_path');
      expect(resource).not.toHaveProperty('verify_checksum');
      expect(resource).not.toHaveProperty('decompress');
      expect(resource).not.toHaveProperty('image_source_password');
      expect(resource).not.toHaveProperty('provider');
    }
  });

  test('the cdktf matcher sees the GOLD image', () => {
    expect(json).toHaveResourceWithProperties(ImagesImageV2, {
      name: 'GOLD Ubuntu 24.04 LTS',
      hidden: false,
      tags: ['gold', 'ubuntu_2404'],
    });
    expect(json).not.toHaveResource(ImagesImageAccessV2);
    expect(json).not.toHaveDataSource(DataOpenstackIdentityProjectV3);
  });
});

describe('GoldImage: exposed fields', () => {
  test('gold, releases newest first, goldImageId', () => {
    const { parsed } = synth((stack) => {
      const gold = new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ image: makeImage({ keepOutdated: 1 }) }));
      expect(gold.name).toBe('ubuntu_2404');
      expect(gold.retired).toBe(false);
      expect(gold.releases.map((r) => r.release.buildId)).toEqual(['20261104', '20261028', '20261021']);
      expect(gold.releases.map((r) => r.role)).toEqual(['gold', 'outdated', 'outdated']);
      expect(gold.gold?.logicalId).toBe('ubuntu_2404_20261104');
      new TerraformOutput(stack, 'gold', { value: gold.goldImageId });
      expect(gold.image?.name).toBe('ubuntu_2404');
      expect(gold.environment.name).toBe('bgo');
    });
    expect(parsed.output?.gold.value).toBe('${openstack_images_image_v2.ubuntu_2404_20261104.id}');
  });
});

describe('GoldImage: one release', () => {
  test('a single GOLD image without dependsOn', () => {
    const { parsed } = synth(
      (stack) =>
        new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', [UBUNTU_RELEASES[2]]) })),
    );
    expect(Object.keys(images(parsed))).toEqual(['ubuntu_2404_20261104']);
    const gold = images(parsed).ubuntu_2404_20261104;
    expect(gold).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false });
    expect(gold).not.toHaveProperty('depends_on');
    expect(gold.properties).not.toHaveProperty('depricated');
  });

  test('no releases yet: no Glance image at all', () => {
    const { parsed } = synth((stack) => {
      const gold = new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: undefined }));
      expect(gold.gold).toBeUndefined();
      expect(gold.goldImageId).toBeUndefined();
    });
    expect(parsed.resource).toBeUndefined();
  });
});

describe('GoldImage: retention is promote\'s reviewed change, never synth\'s', () => {
  test('keepOutdated 0 still synthesizes every recorded release', () => {
    const { parsed } = synth(
      (stack) => new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ image: makeImage({ keepOutdated: 0 }) })),
    );
    expect(Object.keys(images(parsed)).sort()).toEqual(['ubuntu_2404_20261021', 'ubuntu_2404_20261028', 'ubuntu_2404_20261104']);
  });

  test('a same-day rebuild: ties broken by build id, demoted at that same date', () => {
    const releases = [
      release('ubuntu_2404', '2026-11-04', { buildId: '20261104' }),
      release('ubuntu_2404', '2026-11-04', { buildId: '20261104.2', file: 'ubuntu_2404-20261104.2.qcow2' }),
    ];
    const { parsed } = synth(
      (stack) => new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', releases) })),
    );
    expect(images(parsed).ubuntu_2404_20261104_2).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false });
    expect(images(parsed).ubuntu_2404_20261104).toMatchObject({
      name: 'Outdated (Ubuntu 24.04)',
      hidden: true,
      properties: expect.objectContaining({ depricated: '2026-11-04T00:00:00' }),
      depends_on: ['openstack_images_image_v2.ubuntu_2404_20261104_2'],
    });
  });
});

describe('GoldImage: candidates and withdrawn releases', () => {
  const CANDIDATE = release('ubuntu_2404', '2026-12-02', { state: 'candidate' });

  test('a candidate enters hidden, without depricated, and leaves the GOLD alone', () => {
    const { parsed } = synth((stack) => {
      const gold = new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', [...UBUNTU_RELEASES, CANDIDATE]) }));
      expect(gold.releases.map((r) => `${r.release.buildId}:${r.role}`)).toEqual([
        '20261202:candidate',
        '20261104:gold',
        '20261028:outdated',
        '20261021:outdated',
      ]);
    });
    expect(images(parsed).ubuntu_2404_20261202).toEqual({
      name: 'Candidate (Ubuntu 24.04 LTS)',
      region: 'bgo',
      container_format: 'bare',
      disk_format: 'qcow2',
      image_source_url: 'http://builder.mgmt.bgo.uhdc.no/ubuntu_2404-20261202.qcow2',
      web_download: true,
      hidden: true,
      visibility: 'private', // not offered before it is verified
      min_ram_mb: 768,
      min_disk_gb: 8,
      tags: ['gold', 'ubuntu_2404'],
      properties: {
        ...UBUNTU_PROPERTIES,
        goldsmith_build_date: '2026-12-02',
        goldsmith_build_id: '20261202',
        goldsmith_image: 'ubuntu_2404',
        goldsmith_state: 'candidate',
      },
      timeouts: TIMEOUTS,
      lifecycle: lifecycle('ubuntu_2404-20261202.qcow2'),
    });
    expect(images(parsed).ubuntu_2404_20261104).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false });
    expect(images(parsed).ubuntu_2404_20261104).not.toHaveProperty('depends_on');
    // The Outdated ones still name the GOLD as their demotion, not the candidate.
    expect(images(parsed).ubuntu_2404_20261028.properties).toMatchObject({ depricated: '2026-11-04T00:00:00' });
  });

  test('the verified candidate, released, becomes GOLD in place and the old GOLD is demoted after it', () => {
    const released = release('ubuntu_2404', '2026-12-02');
    const { parsed } = synth((stack) => new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', [...UBUNTU_RELEASES, released]) })));
    expect(images(parsed).ubuntu_2404_20261202).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false, properties: expect.objectContaining({ goldsmith_state: 'gold' }) });
    expect(images(parsed).ubuntu_2404_20261104).toMatchObject({
      name: 'Outdated (Ubuntu 24.04)',
      hidden: true,
      depends_on: ['openstack_images_image_v2.ubuntu_2404_20261202'],
      properties: expect.objectContaining({ depricated: '2026-12-02T00:00:00', goldsmith_state: 'outdated' }),
    });
  });

  test('a first build of a new image: a candidate and no GOLD yet', () => {
    const { parsed } = synth((stack) => {
      const gold = new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', [CANDIDATE]) }));
      expect(gold.gold).toBeUndefined();
    });
    expect(Object.keys(images(parsed))).toEqual(['ubuntu_2404_20261202']);
    expect(images(parsed).ubuntu_2404_20261202).toMatchObject({ name: 'Candidate (Ubuntu 24.04 LTS)', hidden: true });
  });

  test('withdrawn: hidden under its own name, no postcondition, the previous release is GOLD again', () => {
    const withdrawn = release('ubuntu_2404', '2026-11-04', { state: 'withdrawn' });
    const { parsed } = synth((stack) => {
      const gold = new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', [UBUNTU_RELEASES[0], UBUNTU_RELEASES[1], withdrawn]) }));
      expect(gold.releases.map((r) => r.role)).toEqual(['withdrawn', 'gold', 'outdated']);
    });
    // The withdrawn build is hidden first, then the previous release becomes GOLD again.
    expect(images(parsed).ubuntu_2404_20261104).not.toHaveProperty('depends_on');
    expect(images(parsed).ubuntu_2404_20261028.depends_on).toEqual(['openstack_images_image_v2.ubuntu_2404_20261104']);
    expect(images(parsed).ubuntu_2404_20261104).toMatchObject({
      name: 'Withdrawn (Ubuntu 24.04 LTS)',
      hidden: true,
      properties: expect.objectContaining({ goldsmith_state: 'withdrawn', depricated: '2026-11-04T00:00:00' }),
      lifecycle: { ignore_changes: IGNORE_SOURCE },
    });
    expect(images(parsed).ubuntu_2404_20261028).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false });
    expect(images(parsed).ubuntu_2404_20261028.properties).not.toHaveProperty('depricated');
  });

  test('a candidate older than the GOLD is refused', () => {
    const old = release('ubuntu_2404', '2026-10-01', { state: 'candidate' });
    expect(() =>
      synth((stack) => new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ releases: imageReleases('ubuntu_2404', [...UBUNTU_RELEASES, old]) }))),
    ).toThrow('gold image ubuntu_2404: candidate 20261001 is older than the gold release 20261104');
  });

  test('a retired image: its candidate is Outdated like the rest, its withdrawn release stays withdrawn', () => {
    const releases = [release('debian11', '2026-08-01', { state: 'candidate' }), release('debian11', '2026-07-25', { state: 'withdrawn' }), release('debian11', '2026-07-18')];
    const { parsed } = synth(
      (stack) =>
        new GoldImage(stack, 'debian11', {
          name: 'debian11',
          environment: makeEnvironment(),
          releases: imageReleases('debian11', releases, { type: 'gold', outdatedName: 'Outdated (Debian 11)' }),
        }),
    );
    expect(Object.fromEntries(Object.entries(images(parsed)).map(([id, r]) => [id, [r.name, r.hidden]]))).toEqual({
      debian11_20260801: ['Outdated (Debian 11)', true],
      debian11_20260725: ['Withdrawn (Debian 11)', true],
      debian11_20260718: ['Outdated (Debian 11)', true],
    });
  });

  test('import timeouts grow with the file: 5 minutes plus the file at 20 MiB/s', () => {
    expect(importTimeout(1)).toBe('6m');
    expect(importTimeout(20 * 1024 * 1024 * 60)).toBe('6m');
    expect(importTimeout(20 * 1024 * 1024 * 60 + 1)).toBe('7m');
    expect(importTimeout(10553108480)).toBe('14m');
  });

  test('the condition is built from a validated md5 and size only', () => {
    expect(importedBytesCondition(HEX32, 5)).toBe(`\${self.checksum == "${HEX32}" && self.size_bytes == 5}`);
    expect(() => importedBytesCondition('"} || true || {"', 5)).toThrow('invalid md5');
    expect(() => importedBytesCondition(HEX32, 1.5)).toThrow('invalid md5');
  });
});

describe('GoldImage: members', () => {
  test('accept_members: every grant of every offered release is created accepted; a rotation keeps them all; a candidate has none yet', () => {
    const { parsed } = synth((stack) => {
      const owner = new OpenstackProvider(stack, 'owner', { alias: 'o', cloud: 'bgo-nrec-images', region: 'bgo' });
      new GoldImage(stack, 'almalinux9_vgpu', {
        name: 'almalinux9_vgpu',
        image: makeSharedImage(),
        environment: makeEnvironment({ acceptMembers: true }),
        releases: imageReleases('almalinux9_vgpu', [...VGPU_RELEASES, release('almalinux9_vgpu', '2026-12-02', { state: 'candidate' })]),
        provider: owner,
        memberProjectIds: { 'project-a': 'aaaa', 'project-b': 'bbbb' },
      });
    });
    const grants = parsed.resource.openstack_images_image_access_v2;
    expect(Object.keys(grants).sort()).toEqual([
      'almalinux9_vgpu_20261029_project_a',
      'almalinux9_vgpu_20261029_project_b',
      'almalinux9_vgpu_20261105_project_a',
      'almalinux9_vgpu_20261105_project_b',
    ]);
    for (const grant of Object.values(grants)) expect(grant.status).toBe('accepted');
  });
});

describe('GoldImage: shared image with an owner', () => {
  function sharedStack(memberProjectIds?: Record<string, string>) {
    return synth((stack) => {
      const owner = new OpenstackProvider(stack, 'owner', { alias: 'bgo_nrec_images', cloud: 'bgo-nrec-images', region: 'bgo' });
      new GoldImage(stack, 'almalinux9_vgpu', {
        name: 'almalinux9_vgpu',
        image: makeSharedImage(),
        environment: makeEnvironment(),
        releases: imageReleases('almalinux9_vgpu', VGPU_RELEASES),
        provider: owner,
        memberProjectIds,
      });
    });
  }

  test('images are created through the owner provider alias', () => {
    const { parsed } = sharedStack();
    expect(Object.keys(images(parsed)).sort()).toEqual(['almalinux9_vgpu_20261029', 'almalinux9_vgpu_20261105']);
    for (const resource of Object.values(images(parsed))) {
      expect(resource.provider).toBe('openstack.bgo_nrec_images');
      expect(resource.visibility).toBe('shared');
      expect(resource.tags).toEqual(['vgpu', 'almalinux9_vgpu']);
    }
  });

  test('one access resource per member per release, member ids from one data source per member', () => {
    const { json, parsed } = sharedStack();
    expect(parsed.resource.openstack_images_image_access_v2).toEqual({
      almalinux9_vgpu_20261105_project_a: {
        provider: 'openstack.bgo_nrec_images',
        region: 'bgo',
        image_id: '${openstack_images_image_v2.almalinux9_vgpu_20261105.id}',
        member_id: '${data.openstack_identity_project_v3.project_a.id}',
      },
      almalinux9_vgpu_20261105_project_b: {
        provider: 'openstack.bgo_nrec_images',
        region: 'bgo',
        image_id: '${openstack_images_image_v2.almalinux9_vgpu_20261105.id}',
        member_id: '${data.openstack_identity_project_v3.project_b.id}',
      },
      almalinux9_vgpu_20261029_project_a: {
        provider: 'openstack.bgo_nrec_images',
        region: 'bgo',
        image_id: '${openstack_images_image_v2.almalinux9_vgpu_20261029.id}',
        member_id: '${data.openstack_identity_project_v3.project_a.id}',
      },
      almalinux9_vgpu_20261029_project_b: {
        provider: 'openstack.bgo_nrec_images',
        region: 'bgo',
        image_id: '${openstack_images_image_v2.almalinux9_vgpu_20261029.id}',
        member_id: '${data.openstack_identity_project_v3.project_b.id}',
      },
    });
    expect(parsed.data?.openstack_identity_project_v3).toEqual({
      project_a: { name: 'project-a' },
      project_b: { name: 'project-b' },
    });
    expect(json).toHaveDataSourceWithProperties(DataOpenstackIdentityProjectV3, { name: 'project-a' });
  });

  test('given member project ids: no data source', () => {
    const { parsed } = sharedStack({ 'project-a': 'aaaa', 'project-b': 'bbbb' });
    expect(parsed.data).toBeUndefined();
    const accesses = Object.values(parsed.resource.openstack_images_image_access_v2);
    expect(accesses.map((a) => a.member_id).sort()).toEqual(['aaaa', 'aaaa', 'bbbb', 'bbbb']);
  });

  test('two shared images share the data sources of common members', () => {
    const { parsed } = synth((stack) => {
      const owner = new OpenstackProvider(stack, 'owner', { alias: 'o', cloud: 'bgo-nrec-images', region: 'bgo' });
      for (const name of ['almalinux9_vgpu', 'almalinux10_vgpu']) {
        new GoldImage(stack, name, {
          name,
          image: makeSharedImage({ name }),
          environment: makeEnvironment({ images: ['almalinux9_vgpu', 'almalinux10_vgpu'] }),
          releases: imageReleases(name, [release(name, '2026-11-05')]),
          provider: owner,
        });
      }
    });
    expect(Object.keys(parsed.data?.openstack_identity_project_v3 ?? {})).toEqual(['project_a', 'project_b']);
    expect(Object.keys(parsed.resource.openstack_images_image_access_v2)).toHaveLength(4);
  });
});

describe('GoldImage: retired', () => {
  test('definition gone: every release Outdated and hidden, all kept, unknown attributes left alone', () => {
    const releases = [release('debian11', '2026-08-01'), release('debian11', '2026-07-25'), release('debian11', '2026-07-18')];
    const { parsed } = synth(
      (stack) =>
        new GoldImage(stack, 'debian11', {
          name: 'debian11',
          environment: makeEnvironment(),
          releases: imageReleases('debian11', releases, { type: 'gold', outdatedName: 'Outdated (Debian 11)' }),
        }),
    );
    expect(images(parsed)).toEqual({
      debian11_20260801: {
        name: 'Outdated (Debian 11)',
        region: 'bgo',
        container_format: 'bare',
        disk_format: 'qcow2',
        image_source_url: 'http://builder.mgmt.bgo.uhdc.no/debian11-20260801.qcow2',
        web_download: true,
        hidden: true,
        tags: ['gold', 'debian11'],
        properties: {
          depricated: '2026-08-01T00:00:00',
          goldsmith_build_date: '2026-08-01',
          goldsmith_build_id: '20260801',
          goldsmith_image: 'debian11',
          goldsmith_state: 'outdated',
        },
        timeouts: TIMEOUTS,
        lifecycle: lifecycle('debian11-20260801.qcow2', [...IGNORE_SOURCE, 'visibility', 'min_ram_mb', 'min_disk_gb', 'properties']),
      },
      debian11_20260725: expect.objectContaining({
        name: 'Outdated (Debian 11)',
        hidden: true,
        properties: expect.objectContaining({ depricated: '2026-08-01T00:00:00' }),
      }),
      debian11_20260718: expect.objectContaining({
        name: 'Outdated (Debian 11)',
        hidden: true,
        properties: expect.objectContaining({ depricated: '2026-07-25T00:00:00' }),
      }),
    });
    for (const resource of Object.values(images(parsed))) {
      expect(resource).not.toHaveProperty('depends_on');
      expect(resource).not.toHaveProperty('min_ram_mb');
      expect(resource).not.toHaveProperty('visibility');
    }
  });

  test('definition gone, nothing recorded: default Outdated name, tag retired, disk format from the file', () => {
    const { parsed } = synth(
      (stack) =>
        new GoldImage(stack, 'winsrv_2019', {
          name: 'winsrv_2019',
          environment: makeEnvironment(),
          releases: imageReleases('winsrv_2019', [
            release('winsrv_2019', '2025-06-11', { file: 'winsrv_2019-20250611.raw' }),
          ]),
        }),
    );
    expect(images(parsed).winsrv_2019_20250611).toMatchObject({
      name: 'Outdated (winsrv_2019)',
      tags: ['retired', 'winsrv_2019'],
      disk_format: 'raw',
      hidden: true,
      properties: expect.objectContaining({ depricated: '2025-06-11T00:00:00' }),
    });
  });

  test('defined but no longer carried: Outdated with the full definition, every release kept', () => {
    const { parsed } = synth((stack) => {
      const gold = new GoldImage(stack, 'ubuntu_2404', {
        ...ubuntuProps({ image: makeImage({ keepOutdated: 2 }) }),
        environment: makeEnvironment({ images: [] }),
      });
      expect(gold.retired).toBe(true);
      expect(gold.gold).toBeUndefined();
    });
    expect(Object.keys(images(parsed))).toHaveLength(3);
    expect(images(parsed).ubuntu_2404_20261104).toEqual({
      name: 'Outdated (Ubuntu 24.04)',
      region: 'bgo',
      container_format: 'bare',
      disk_format: 'qcow2',
      image_source_url: 'http://builder.mgmt.bgo.uhdc.no/ubuntu_2404-20261104.qcow2',
      web_download: true,
      hidden: true,
      visibility: 'public',
      min_ram_mb: 768,
      min_disk_gb: 8,
      tags: ['gold', 'ubuntu_2404'],
      properties: {
        ...UBUNTU_PROPERTIES,
        depricated: '2026-11-04T00:00:00',
        goldsmith_build_date: '2026-11-04',
        goldsmith_build_id: '20261104',
        goldsmith_image: 'ubuntu_2404',
        goldsmith_state: 'outdated',
        goldsmith_upstream_checksum: `sha256:${HEX64}`,
        goldsmith_upstream_url: UPSTREAM,
      },
      timeouts: TIMEOUTS,
      lifecycle: lifecycle('ubuntu_2404-20261104.qcow2'),
    });
  });
});

describe('GoldImage: disk format follows the stored file', () => {
  test('windows raw file', () => {
    const { parsed } = synth(
      (stack) =>
        new GoldImage(stack, 'winsrv_2025', {
          name: 'winsrv_2025',
          image: makeWindowsImage(),
          environment: makeEnvironment({ images: ['winsrv_2025'] }),
          releases: imageReleases('winsrv_2025', [
            release('winsrv_2025', '2026-10-14', { file: 'winsrv_2025-20261014.raw' }),
          ]),
        }),
    );
    expect(images(parsed).winsrv_2025_20261014).toMatchObject({
      name: 'GOLD Windows Server 2025 Standard',
      disk_format: 'raw',
      image_source_url: 'http://builder.mgmt.bgo.uhdc.no/winsrv_2025-20261014.raw',
    });
  });

  test('diskFormatOf and sortNewestFirst', () => {
    expect(diskFormatOf(release('x', '2026-01-01', { file: 'x.raw' }), 'qcow2')).toBe('raw');
    expect(diskFormatOf(release('x', '2026-01-01', { file: 'x.qcow2' }), 'raw')).toBe('qcow2');
    expect(diskFormatOf(release('x', '2026-01-01', { file: 'x.img' }), 'raw')).toBe('raw');
    expect(sortNewestFirst(UBUNTU_RELEASES).map((r) => r.buildId)).toEqual(['20261104', '20261028', '20261021']);
  });

  test('terraformId sanitizes and never starts with a digit', () => {
    expect(terraformId('ubuntu_2404', '20261104.2')).toBe('ubuntu_2404_20261104_2');
    expect(terraformId('project-a')).toBe('project_a');
    expect(terraformId('9front', 'a-b')).toBe('_9front_a_b');
  });
});

describe('GoldImage: validation', () => {
  function build(props: Partial<GoldImageProps>, withOwnerProvider = false): void {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-imagebuilder', region: 'bgo' });
    const provider = withOwnerProvider
      ? new OpenstackProvider(stack, 'owner', { alias: 'x', cloud: 'bgo-nrec-images', region: 'bgo' })
      : undefined;
    new GoldImage(stack, 'image', { ...ubuntuProps(), provider, ...props });
  }

  test.each<[string, Partial<GoldImageProps>, string]>([
    [
      'empty releases',
      { releases: imageReleases('ubuntu_2404', []) },
      'gold image ubuntu_2404: releases must not be empty (omit them for an image not built yet)',
    ],
    [
      'duplicate build ids',
      { releases: imageReleases('ubuntu_2404', [release('ubuntu_2404', '2026-11-04'), release('ubuntu_2404', '2026-11-04')]) },
      'gold image ubuntu_2404: duplicate build id 20261104',
    ],
    [
      'build ids that sanitize to one terraform id',
      {
        releases: imageReleases('ubuntu_2404', [
          release('ubuntu_2404', '2026-11-04', { buildId: '20261104.2' }),
          release('ubuntu_2404', '2026-11-04', { buildId: '20261104_2' }),
        ]),
      },
      'terraform address openstack_images_image_v2.ubuntu_2404_20261104_2 of image ubuntu_2404 build 20261104_2 is already used by image ubuntu_2404 build 20261104.2',
    ],
    [
      'releases of another image',
      { releases: imageReleases('debian12', [release('debian12', '2026-11-04')]) },
      'gold image ubuntu_2404: the releases belong to image debian12',
    ],
    ['a definition with another name', { image: makeImage({ name: 'debian12' }) }, 'gold image ubuntu_2404: the definition is named debian12'],
    ['a bad date', { releases: imageReleases('ubuntu_2404', [release('ubuntu_2404', '2026-11-4', { buildId: 'b1' })]) }, 'gold image ubuntu_2404: release b1: date 2026-11-4 must be YYYY-MM-DD'],
    ['live without definition', { image: undefined, retired: false }, 'gold image ubuntu_2404: a live image needs its catalog definition'],
    [
      'live but not carried',
      { retired: false, environment: makeEnvironment({ images: [] }) },
      'gold image ubuntu_2404: environment bgo does not carry it (pass retired: true)',
    ],
    ['retired without releases', { image: undefined, releases: undefined }, 'gold image ubuntu_2404: a retired image needs releases (there is nothing to keep)'],
    [
      'members on a public image',
      { image: makeImage({ members: ['project-a'] }) },
      'gold image ubuntu_2404: members need visibility shared, not public',
    ],
    [
      'a reserved property',
      { image: makeImage({ properties: { depricated: 'x' } }) },
      'gold image ubuntu_2404: property depricated is reserved for goldsmith',
    ],
    [
      'a provenance property',
      { image: makeImage({ properties: { goldsmith_image: 'x' } }) },
      'gold image ubuntu_2404: property goldsmith_image is reserved for goldsmith',
    ],
    [
      'an owner without clouds entry',
      { image: makeImage({ owner: 'someone' }) },
      'gold image ubuntu_2404: owner someone has no owner_clouds entry in environment bgo',
    ],
    [
      'an owner without its provider',
      { image: makeImage({ owner: 'nrec-images' }) },
      'gold image ubuntu_2404: owner nrec-images needs the provider of clouds entry bgo-nrec-images',
    ],
    ['a negative keepOutdated', { image: makeImage({ keepOutdated: -1 }) }, 'gold image ubuntu_2404: keep outdated must be a non-negative integer, got -1'],
    ['a bad name', { name: 'Ubuntu', image: undefined }, 'gold image Ubuntu: name must match [a-z0-9_]+'],
  ])('rejects %s', (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('rejects an owner provider for another cloud', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const wrong = new OpenstackProvider(stack, 'wrong', { alias: 'w', cloud: 'osl-nrec-images', region: 'bgo' });
    expect(
      () =>
        new GoldImage(stack, 'image', {
          ...ubuntuProps(),
          image: makeImage({ owner: 'nrec-images' }),
          provider: wrong,
        }),
    ).toThrow('gold image ubuntu_2404: owner nrec-images needs clouds entry bgo-nrec-images, the provider uses osl-nrec-images');
  });

  test('rejects a missing member project id', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const owner = new OpenstackProvider(stack, 'owner', { alias: 'x', cloud: 'bgo-nrec-images', region: 'bgo' });
    expect(
      () =>
        new GoldImage(stack, 'image', {
          name: 'almalinux9_vgpu',
          image: makeSharedImage(),
          environment: makeEnvironment(),
          releases: imageReleases('almalinux9_vgpu', VGPU_RELEASES),
          provider: owner,
          memberProjectIds: { 'project-a': 'aaaa' },
        }),
    ).toThrow('gold image almalinux9_vgpu: no project id given for member project-b');
  });

  test('rejects a builder url without trailing slash and a file with a slash', () => {
    const env = makeEnvironment();
    expect(() =>
      build({ environment: { ...env, builder: { ...env.builder, baseUrl: 'http://builder' } } }),
    ).toThrow("release ubuntu_2404/20261104: builder base url http://builder must end with '/'");
    expect(() =>
      build({ releases: imageReleases('ubuntu_2404', [release('ubuntu_2404', '2026-11-04', { file: 'a/b.qcow2' })]) }),
    ).toThrow('release ubuntu_2404/20261104: file a/b.qcow2 must be a plain file name');
  });

  test('accepts an owner whose clouds entry is the deploy cloud: its releases use the default provider', () => {
    const env = makeEnvironment({ ownerClouds: { 'nrec-images': 'bgo-imagebuilder' } });
    const { parsed } = synth((stack) => new GoldImage(stack, 'ubuntu_2404', ubuntuProps({ image: makeImage({ owner: 'nrec-images' }), environment: env })));
    const releases = Object.values(images(parsed));
    expect(releases.map((r) => r.provider)).toEqual([undefined, undefined, undefined]);
    expect(Object.keys(parsed.provider)).toEqual(['openstack']);
  });
});
