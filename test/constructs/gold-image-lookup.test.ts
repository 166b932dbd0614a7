import * as fs from 'fs';
import * as path from 'path';
import { App, Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { GoldImageLookup, GoldImageLookupProps } from '../../lib/constructs';
import { checkConformance } from '../support/schema-conformance';
import { makeImage } from '../fixtures/model';

const SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'openstack-3.4.0.schema.json'), 'utf8'));

/** A consumer's stack: the default provider, then `define`. */
function consumerStack(define: (stack: TerraformStack) => void): { stack: TerraformStack; parsed: Record<string, any> } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'consumer');
  new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-project', region: 'bgo' });
  define(stack);
  return { stack, parsed: JSON.parse(Testing.synth(stack)) };
}

describe('GoldImageLookup', () => {
  test('selects the current GOLD by its two tags and goldsmith_state = gold: exact data source JSON', () => {
    const { parsed } = consumerStack((stack) => {
      const lookup = new GoldImageLookup(stack, 'ubuntu', { shortName: 'ubuntu_2404' });
      new TerraformOutput(stack, 'image_id', { value: lookup.imageId });
    });
    // The whole document: the data source, the output, nothing else goldsmith adds.
    expect(parsed).toEqual({
      data: {
        openstack_images_image_v2: {
          ubuntu: {
            most_recent: true,
            properties: { goldsmith_state: 'gold' },
            tags: ['gold', 'ubuntu_2404'],
          },
        },
      },
      output: { image_id: { value: '${data.openstack_images_image_v2.ubuntu.id}' } },
      provider: { openstack: [{ cloud: 'bgo-project', region: 'bgo' }] },
      terraform: { required_providers: { openstack: { source: 'terraform-provider-openstack/openstack', version: '3.4.0' } } },
    });
  });

  test('type, region, owner, visibility and an aliased provider are passed through', () => {
    const { parsed } = consumerStack((stack) => {
      const osl = new OpenstackProvider(stack, 'osl', { alias: 'osl', cloud: 'osl-project', region: 'osl' });
      new GoldImageLookup(stack, 'vgpu-alma', {
        type: 'vgpu',
        shortName: 'almalinux9',
        region: 'osl',
        owner: '0123456789abcdef0123456789abcdef',
        visibility: 'shared',
        provider: osl,
      });
    });
    expect(parsed.data.openstack_images_image_v2).toEqual({
      vgpu_alma: {
        
        most_recent: true,
        owner: '0123456789abcdef0123456789abcdef',
        properties: { goldsmith_state: 'gold' },
        provider: 'openstack.osl',
        region: 'osl',
        tags: ['vgpu', 'almalinux9'],
        visibility: 'shared',
      },
    });
  });

  test('forImage takes the type and the short name (not the key) of a catalog image', () => {
    const image = makeImage({ name: 'almalinux9_nv_vgpu', type: 'vgpu', shortName: 'almalinux9' });
    let lookup: GoldImageLookup | undefined;
    const { parsed } = consumerStack((stack) => {
      lookup = GoldImageLookup.forImage(stack, 'alma', image, { region: 'bgo' });
    });
    expect([lookup!.type, lookup!.shortName]).toEqual(['vgpu', 'almalinux9']);
    expect(parsed.data.openstack_images_image_v2.alma.tags).toEqual(['vgpu', 'almalinux9']);
    expect(parsed.data.openstack_images_image_v2.alma.region).toBe('bgo');
  });

  test('imageId and imageName are tokens of the data source', () => {
    const { parsed } = consumerStack((stack) => {
      const lookup = new GoldImageLookup(stack, 'ubuntu', { shortName: 'ubuntu_2404' });
      new TerraformOutput(stack, 'id', { value: lookup.imageId });
      new TerraformOutput(stack, 'name', { value: lookup.imageName });
    });
    expect(parsed.output).toEqual({
      id: { value: '${data.openstack_images_image_v2.ubuntu.id}' },
      name: { value: '${data.openstack_images_image_v2.ubuntu.name}' },
    });
  });

  test('the synthesized stack conforms to the provider schema snapshot (no terraform_data, no unknown argument)', () => {
    const { parsed } = consumerStack((stack) => {
      const osl = new OpenstackProvider(stack, 'osl', { alias: 'osl', cloud: 'osl-project', region: 'osl' });
      const a = new GoldImageLookup(stack, 'ubuntu', { shortName: 'ubuntu_2404' });
      const b = new GoldImageLookup(stack, 'vgpu', { type: 'vgpu', shortName: 'almalinux9', owner: 'abc', visibility: 'public', region: 'osl', provider: osl });
      new TerraformOutput(stack, 'a', { value: a.imageId });
      new TerraformOutput(stack, 'b', { value: b.imageName });
    });
    expect(JSON.stringify(parsed)).not.toContain('terraform_data');
    expect(checkConformance(parsed, SCHEMA)).toEqual([]);
  });

  test('the data source is in the schema snapshot as the provider 3.4.0 declares it', () => {
    const block = SCHEMA.provider_schemas['registry.terraform.io/terraform-provider-openstack/openstack'].data_source_schemas.openstack_images_image_v2.block;
    expect(block.attributes.tags).toEqual({ computed: true, description_kind: 'plain', optional: true, type: ['set', 'string'] });
    expect(block.attributes.properties).toEqual({ description_kind: 'plain', optional: true, type: ['map', 'string'] });
    expect(block.attributes.most_recent).toEqual({ description_kind: 'plain', optional: true, type: 'bool' });
  });

  describe('validation', () => {
    const make = (props: Partial<GoldImageLookupProps>, id = 'x') => () =>
      consumerStack((stack) => new GoldImageLookup(stack, id, { shortName: 'ubuntu_2404', ...props } as GoldImageLookupProps));

    test.each<[string, Partial<GoldImageLookupProps>, string]>([
      ['a short name outside [a-z0-9_]+', { shortName: 'Ubuntu 24.04' }, 'gold image lookup x: short name must match [a-z0-9_]+, got `Ubuntu 24.04`'],
      ['an empty short name', { shortName: '' }, 'gold image lookup x: short name must match [a-z0-9_]+, got ``'],
      ['a type outside [a-z0-9_]+', { type: 'GOLD' }, 'gold image lookup x: type must match [a-z0-9_]+, got `GOLD`'],
      ['an empty region', { region: ' ' }, "gold image lookup x: region must not be empty (omit it for the provider's region)"],
      ['an empty owner', { owner: '' }, 'gold image lookup x: owner must not be empty (omit it for any owner)'],
      ['an unknown visibility', { visibility: 'everyone' as never }, 'gold image lookup x: visibility must be one of public, private, shared, community, got `everyone`'],
    ])('%s is refused', (_what, props, message) => {
      expect(make(props)).toThrow(message);
    });

    test('two lookups whose ids make the same Terraform name in one stack are refused', () => {
      expect(() =>
        consumerStack((stack) => {
          new GoldImageLookup(stack, 'ubuntu-2404', { shortName: 'ubuntu_2404' });
          new GoldImageLookup(stack, 'ubuntu_2404', { shortName: 'ubuntu_2404' });
        }),
      ).toThrow('terraform address data.openstack_images_image_v2.ubuntu_2404 of gold image lookup consumer/ubuntu_2404 is already used by gold image lookup consumer/ubuntu-2404');
    });

    test('the same id in two stacks is fine', () => {
      const app = new App();
      for (const name of ['bgo', 'osl']) {
        const stack = new TerraformStack(app, name);
        new OpenstackProvider(stack, 'openstack', { cloud: `${name}-project`, region: name });
        new GoldImageLookup(stack, 'ubuntu', { shortName: 'ubuntu_2404' });
      }
      expect(app.node.findAll().filter((c) => c instanceof GoldImageLookup)).toHaveLength(2);
    });
  });
});
