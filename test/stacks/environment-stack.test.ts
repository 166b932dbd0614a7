import * as path from 'path';
import { Testing } from 'cdktf';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { ImagesImageV2 } from '../../.gen/providers/openstack/images-image-v2';
import { EnvironmentStack } from '../../stacks/environment-stack';
import type { Catalog, Environment } from '../../lib/catalog/model';
import { imageReleases, makeCatalog, makeEnvironment, makeOslEnvironment, release } from '../fixtures/model';

type Block = Record<string, Record<string, Record<string, unknown>>>;
interface Synthesized {
  terraform: { backend: Record<string, Record<string, unknown>>; required_providers: Record<string, unknown> };
  provider: { openstack: Record<string, unknown>[] };
  resource: Block;
  data?: Block;
  output: Record<string, { value: unknown; description?: string }>;
}

function synthEnv(environment: Environment, catalog: Catalog = makeCatalog(), stateBaseDir?: string) {
  const app = Testing.app();
  const stack = new EnvironmentStack(app, environment.name, { catalog, environment, stateBaseDir });
  const json = Testing.synth(stack);
  return { app, stack, json, parsed: JSON.parse(json) as Synthesized };
}

const CREDENTIAL_KEYS = [
  'password',
  'token',
  'user_name',
  'user_id',
  'application_credential_id',
  'application_credential_name',
  'application_credential_secret',
  'auth_url',
  'key',
  'cert',
  'tenant_id',
  'tenant_name',
];

describe('EnvironmentStack: providers', () => {
  const { json, parsed } = synthEnv(makeEnvironment());

  test('default provider from the clouds entry and region, alias per owner cloud, nothing else', () => {
    expect(parsed.provider.openstack).toEqual([
      { cloud: 'bgo-imagebuilder', region: 'bgo' },
      { alias: 'bgo_nrec_images', cloud: 'bgo-nrec-images', region: 'bgo' },
    ]);
    for (const provider of parsed.provider.openstack) {
      for (const key of CREDENTIAL_KEYS) expect(provider).not.toHaveProperty(key);
    }
    expect(json).toHaveProviderWithProperties(OpenstackProvider, { cloud: 'bgo-imagebuilder', region: 'bgo' });
  });

  test('the provider version accepts 3.4 and later 3.x releases, like cdktf.json', () => {
    expect(parsed.terraform.required_providers).toEqual({
      openstack: { source: 'terraform-provider-openstack/openstack', version: '~> 3.4' },
    });
  });

  test('images with an owner use the alias, the others the default provider', () => {
    const images = parsed.resource.openstack_images_image_v2;
    expect(images.almalinux9_vgpu_20261105.provider).toBe('openstack.bgo_nrec_images');
    expect(images.ubuntu_2404_20261104).not.toHaveProperty('provider');
  });

  test('no alias when no carried image has an owner, or the owner cloud is the deploy cloud', () => {
    expect(synthEnv(makeOslEnvironment()).parsed.provider.openstack).toEqual([{ cloud: 'osl-imagebuilder', region: 'osl' }]);
    const sameCloud = makeEnvironment({ ownerClouds: { 'nrec-images': 'bgo-imagebuilder' } });
    expect(synthEnv(sameCloud).parsed.provider.openstack).toEqual([{ cloud: 'bgo-imagebuilder', region: 'bgo' }]);
  });
});

describe('EnvironmentStack: backends', () => {
  test('local: a relative path is kept outside the output directory, relative to the working directory', () => {
    const { app, parsed } = synthEnv(makeEnvironment(), makeCatalog(), '/srv/goldsmith');
    const expected = path.relative(path.join(app.outdir, 'stacks', 'bgo'), '/srv/goldsmith/terraform.bgo.tfstate');
    expect(parsed.terraform.backend).toEqual({ local: { path: expected } });
    expect(path.resolve(app.outdir, 'stacks', 'bgo', expected)).toBe('/srv/goldsmith/terraform.bgo.tfstate');
  });

  test('local: an absolute path is used as is', () => {
    const env = makeEnvironment({ backend: { type: 'local', path: '/var/lib/goldsmith/bgo.tfstate' } });
    expect(synthEnv(env).parsed.terraform.backend).toEqual({ local: { path: '/var/lib/goldsmith/bgo.tfstate' } });
  });

  test('s3: bucket, key, region, endpoint and the flags an S3-compatible store needs, no credentials', () => {
    expect(synthEnv(makeOslEnvironment()).parsed.terraform.backend).toEqual({
      s3: {
        bucket: 'goldsmith-state',
        key: 'osl/terraform.tfstate',
        region: 'osl',
        endpoints: { s3: 'https://s3.osl.example/' },
        skip_credentials_validation: true,
        skip_region_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_s3_checksum: true,
        use_path_style: true,
      },
    });
  });

  test('s3 without endpoint: no endpoints block', () => {
    const env = makeOslEnvironment({ backend: { type: 's3', bucket: 'b', key: 'k', region: 'r' } });
    expect(synthEnv(env).parsed.terraform.backend.s3).not.toHaveProperty('endpoints');
  });
});

describe('EnvironmentStack: images', () => {
  const { stack, json, parsed } = synthEnv(makeEnvironment());
  const images = parsed.resource.openstack_images_image_v2;

  test('full structure: one resource per kept release of carried and retired images', () => {
    expect(Object.keys(images).sort()).toEqual([
      'almalinux9_vgpu_20261029',
      'almalinux9_vgpu_20261105',
      'debian11_20260725',
      'debian11_20260801',
      'ubuntu_2404_20261021',
      'ubuntu_2404_20261028',
      'ubuntu_2404_20261104',
      'winsrv_2025_20261014',
    ]);
    expect(Object.keys(parsed.resource.openstack_images_image_access_v2).sort()).toEqual([
      'almalinux9_vgpu_20261029_project_a',
      'almalinux9_vgpu_20261029_project_b',
      'almalinux9_vgpu_20261105_project_a',
      'almalinux9_vgpu_20261105_project_b',
    ]);
    expect(parsed.data?.openstack_identity_project_v3).toEqual({
      project_a: { name: 'project-a' },
      project_b: { name: 'project-b' },
    });
    expect(Object.keys(parsed.resource).sort()).toEqual([
      'openstack_images_image_access_v2',
      'openstack_images_image_v2',
      'openstack_networking_secgroup_rule_v2',
      'openstack_networking_secgroup_v2',
    ]);
    expect(stack.goldImages.map((g) => g.name)).toEqual(['almalinux9_vgpu', 'ubuntu_2404']);
    expect(stack.retiredImages.map((g) => g.name)).toEqual(['debian11', 'winsrv_2025']);
  });

  test('GOLD names for the newest releases of carried images', () => {
    expect(images.ubuntu_2404_20261104).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false });
    expect(images.almalinux9_vgpu_20261105).toMatchObject({ name: 'vGPU Alma Linux 9', hidden: false, visibility: 'shared' });
    expect(json).toHaveResourceWithProperties(ImagesImageV2, { name: 'GOLD Ubuntu 24.04 LTS', region: 'bgo' });
  });

  test('an image defined but not carried by the environment is retired (it has releases here)', () => {
    expect(images.winsrv_2025_20261014).toMatchObject({
      name: 'Outdated Windows Server 2025 Standard (Windows)',
      hidden: true,
      disk_format: 'raw',
      visibility: 'public',
      tags: ['gold', 'winsrv_2025'],
    });
  });

  test('an image gone from the catalog is retired with its recorded names', () => {
    expect(images.debian11_20260801).toMatchObject({ name: 'Outdated (Debian 11)', hidden: true, tags: ['gold', 'debian11'] });
  });

  test('output images: short name to GOLD image id, carried images only', () => {
    expect(parsed.output.images).toEqual({
      description: 'Glance id of the GOLD image per short name',
      value: {
        almalinux9_vgpu: '${openstack_images_image_v2.almalinux9_vgpu_20261105.id}',
        ubuntu_2404: '${openstack_images_image_v2.ubuntu_2404_20261104.id}',
      },
    });
  });
});

describe('EnvironmentStack: environment scoping', () => {
  test('osl only has its own builds and images; an image not carried and never built is absent', () => {
    const { parsed } = synthEnv(makeOslEnvironment());
    expect(Object.keys(parsed.resource.openstack_images_image_v2)).toEqual(['ubuntu_2404_20261102']);
    expect(parsed.resource.openstack_images_image_v2.ubuntu_2404_20261102).toMatchObject({
      region: 'osl',
      image_source_url: 'https://builder.mgmt.osl.uhdc.no/builds/ubuntu_2404-20261102.qcow2',
    });
    expect(parsed.resource).not.toHaveProperty('openstack_images_image_access_v2');
    expect(parsed.data).toBeUndefined();
  });

  test('an environment without builds: no Glance resources (only the builder security group), empty output', () => {
    const env = makeEnvironment({ name: 'test01' });
    const { parsed, stack } = synthEnv(env);
    expect(Object.keys(parsed.resource).sort()).toEqual([
      'openstack_networking_secgroup_rule_v2',
      'openstack_networking_secgroup_v2',
    ]);
    expect(parsed.output.images.value).toEqual({});
    expect(stack.goldImages.map((g) => g.name)).toEqual(['almalinux9_vgpu', 'ubuntu_2404']);
  });

  test('a carried image without definition is an error', () => {
    const env = makeEnvironment({ images: ['ubuntu_2404', 'nope'] });
    expect(() => synthEnv(env)).toThrow('environment bgo: carries image nope, which the catalog does not define');
  });

  test('a retired entry with an empty release list is left out', () => {
    const catalog = makeCatalog({
      builds: { bgo: [imageReleases('gone', []), imageReleases('ubuntu_2404', [release('ubuntu_2404', '2026-11-04')])] },
    });
    const { parsed, stack } = synthEnv(makeEnvironment(), catalog);
    expect(stack.retiredImages).toHaveLength(0);
    expect(Object.keys(parsed.resource.openstack_images_image_v2)).toEqual(['ubuntu_2404_20261104']);
  });
});

describe('EnvironmentStack: builder side', () => {
  test('the builder bundle holds the carried images, their templates, scripts and cron lines', () => {
    const { stack } = synthEnv(makeEnvironment());
    const bundle = stack.builderBundle()!;
    expect(bundle.environment).toBe('bgo');
    expect(bundle.images.map((i) => i.name)).toEqual(['almalinux9_vgpu', 'ubuntu_2404']);
    expect(bundle.templates.map((t) => t.name)).toEqual(['default', 'nv_vgpu']);
    // The provisioning library, the standard sequence and both templates' custom scripts, once each.
    expect(bundle.scripts.map((s) => s.name)).toEqual([
      'autopatch.sh', 'cleanup.sh', 'enable_ipv6.sh', 'fstrim.sh', 'grub.sh', 'lib.sh', 'nvidia-grid-driver.sh',
      'qemu_guest_agent.sh', 'resolver.sh', 'sshd_hardening.sh', 'uio-cleanup.sh', 'uio-rhel.sh', 'upgrade.sh',
    ]);
    expect(bundle.images.find((i) => i.name === 'ubuntu_2404')!.cronLine).toBe(
      '40 9 * * 3 goldsmith /usr/local/bin/goldsmith build ubuntu_2404 --bundle /etc/goldsmith/bundle --quiet',
    );
    expect(bundle.images.find((i) => i.name === 'almalinux9_vgpu')!.runnerConfig).toMatchObject({
      template: 'nv_vgpu',
      template_file: 'templates/nv_vgpu.json',
      packer_vars: { security_group: 'goldsmith-builder-ssh', network: 'imagebuilder' },
    });
  });

  test('retired images get no build parts', () => {
    const { stack } = synthEnv(makeEnvironment());
    expect(stack.retiredImages.every((g) => g.runnerConfig === undefined && g.cronEntry === undefined)).toBe(true);
  });
});
