import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkConformance, ConformanceProblem, formatProblems } from '../support/schema-conformance';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'openstack-3.4.0.schema.json'), 'utf8'));
const IMG = 'resource.openstack_images_image_v2.ubuntu_2404_20261104';

/** A small valid document in the shape cdktf synthesizes. */
function validDoc(): Record<string, any> {
  return {
    '//': { metadata: { backend: 'local', stackName: 'bgo', version: '0.21.0' }, outputs: {} },
    terraform: {
      backend: { local: { path: 'terraform.bgo.tfstate' } },
      required_providers: { openstack: { source: 'terraform-provider-openstack/openstack', version: '~> 3.4' } },
    },
    provider: {
      openstack: [{ cloud: 'bgo-imagebuilder', region: 'bgo' }, { alias: 'nrec_images', cloud: 'bgo-nrec-images', region: 'bgo' }],
    },
    data: {
      openstack_identity_project_v3: { project_a: { name: 'project-a' } },
    },
    resource: {
      openstack_images_image_v2: {
        ubuntu_2404_20261104: {
          '//': { metadata: { path: 'bgo/ubuntu_2404_20261104', uniqueId: 'ubuntu_2404_20261104' } },
          name: 'GOLD Ubuntu 24.04 LTS',
          container_format: 'bare',
          disk_format: 'qcow2',
          image_source_url: 'http://builder.mgmt.bgo.uhdc.no/ubuntu_2404-20261104.qcow2',
          web_download: true,
          min_ram_mb: 768,
          min_disk_gb: 8,
          visibility: 'shared',
          hidden: false,
          tags: ['gold', 'ubuntu_2404'],
          properties: { hw_disk_bus: 'scsi', os_distro: 'ubuntu' },
          provider: 'openstack.nrec_images',
          lifecycle: { ignore_changes: ['properties'] },
        },
      },
      openstack_images_image_access_v2: {
        ubuntu_2404_20261104_project_a: {
          image_id: '${openstack_images_image_v2.ubuntu_2404_20261104.id}',
          member_id: '${data.openstack_identity_project_v3.project_a.id}',
          provider: 'openstack.nrec_images',
          depends_on: ['openstack_images_image_v2.ubuntu_2404_20261104'],
        },
      },
    },
  };
}

/** validDoc() with the image resource changed by `edit`. */
function withImage(edit: (img: Record<string, any>) => void): Record<string, any> {
  const doc = validDoc();
  edit(doc.resource.openstack_images_image_v2.ubuntu_2404_20261104);
  return doc;
}

function check(doc: object): ConformanceProblem[] {
  return checkConformance(doc, SCHEMA);
}

describe('checkConformance: hand-written documents', () => {
  test('valid document: no problems', () => {
    expect(check(validDoc())).toEqual([]);
  });

  test('unknown attribute (with a did-you-mean hint)', () => {
    const doc = withImage((img) => {
      img.min_ram = 768;
      img.frobnicate = 'x';
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.frobnicate`, message: 'unknown attribute or block "frobnicate"' },
      { path: `${IMG}.min_ram`, message: 'unknown attribute or block "min_ram" (did you mean "min_ram_mb"?)' },
    ]);
  });

  test('unknown block; the timeouts block takes only create', () => {
    const doc = withImage((img) => {
      img.retries = { create: '60m' };
      img.timeouts = { create: '10m', delete: '5m' };
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.retries`, message: 'unknown attribute or block "retries"' },
      { path: `${IMG}.timeouts.delete`, message: 'unknown attribute or block "delete"' },
    ]);
  });

  test('unknown block in a dynamic block', () => {
    const doc = withImage((img) => {
      img.dynamic = { retries: { for_each: '${var.t}', content: { create: '60m' } } };
    });
    expect(check(doc)).toEqual([{ path: `${IMG}.dynamic.retries`, message: 'unknown block "retries" in dynamic' }]);
  });

  test('missing required attributes (absent or null)', () => {
    const doc = withImage((img) => {
      delete img.disk_format;
      img.container_format = null;
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.container_format`, message: 'missing required attribute "container_format"' },
      { path: `${IMG}.disk_format`, message: 'missing required attribute "disk_format"' },
    ]);
  });

  test('wrong types: number given as string, list given for string, map with non-string value, bool as string', () => {
    const doc = withImage((img) => {
      img.min_ram_mb = '768';
      img.name = ['GOLD Ubuntu 24.04 LTS'];
      img.properties = { hw_disk_bus: 'scsi', hw_vif_multiqueue_enabled: true, hw_qemu_guest_agent: 1 };
      img.hidden = 'false';
      img.tags = 'gold';
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.hidden`, message: 'expected bool, got string "false"' },
      { path: `${IMG}.min_ram_mb`, message: 'expected number, got string "768"' },
      { path: `${IMG}.name`, message: 'expected string, got array' },
      { path: `${IMG}.properties.hw_qemu_guest_agent`, message: 'expected string, got number 1' },
      { path: `${IMG}.properties.hw_vif_multiqueue_enabled`, message: 'expected string, got boolean true' },
      { path: `${IMG}.tags`, message: 'expected ["set","string"], got string "gold"' },
    ]);
  });

  test('wrong element type in a set; a map given a list', () => {
    const doc = withImage((img) => {
      img.tags = ['gold', 7];
      img.properties = ['hw_disk_bus=scsi'];
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.properties`, message: 'expected ["map","string"], got array' },
      { path: `${IMG}.tags[1]`, message: 'expected string, got number 7' },
    ]);
  });

  test('expressions are accepted for any type', () => {
    const doc = withImage((img) => {
      img.min_ram_mb = '${var.min_ram}';
      img.hidden = '${local.hidden}';
      img.tags = '${toset(var.tags)}';
      img.properties = { hw_disk_bus: '${var.bus}' };
      img.name = 'GOLD ${var.display_name}';
    });
    expect(check(doc)).toEqual([]);
  });

  test('an escaped $${ is a literal, not an expression', () => {
    const doc = withImage((img) => {
      img.min_ram_mb = '$${var.min_ram}';
    });
    expect(check(doc)).toEqual([{ path: `${IMG}.min_ram_mb`, message: 'expected number, got string "$${var.min_ram}"' }]);
  });

  test('computed-only attributes set (owner, checksum)', () => {
    const doc = withImage((img) => {
      img.owner = 'nrec-images';
      img.checksum = '0123456789abcdef0123456789abcdef';
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.checksum`, message: '"checksum" is computed-only (read-only) and cannot be set' },
      { path: `${IMG}.owner`, message: '"owner" is computed-only (read-only) and cannot be set' },
    ]);
  });

  test('computed + optional attributes may be set (region, properties)', () => {
    const doc = withImage((img) => {
      img.region = 'bgo';
    });
    expect(check(doc)).toEqual([]);
  });

  test('conflict: web_download + local_file_path (and image_source_url + local_file_path)', () => {
    const doc = withImage((img) => {
      img.local_file_path = '/var/lib/builds/ubuntu_2404-20261104.qcow2';
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.image_source_url`, message: '"image_source_url" conflicts with "local_file_path": only one of them may be set' },
      { path: `${IMG}.web_download`, message: '"web_download" conflicts with "local_file_path": only one of them may be set' },
    ]);
  });

  test('conflict: web_download + verify_checksum (a false value is still set)', () => {
    const doc = withImage((img) => {
      img.verify_checksum = false;
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.web_download`, message: '"web_download" conflicts with "verify_checksum": only one of them may be set' },
    ]);
  });

  test('conflict: web_download + decompress; none when one side is an unknown expression', () => {
    const doc = withImage((img) => {
      img.decompress = true;
      img.verify_checksum = '${var.verify}';
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.web_download`, message: '"web_download" conflicts with "decompress": only one of them may be set' },
    ]);
  });

  test('unknown resource type', () => {
    const doc = validDoc();
    doc.resource.openstack_compute_instance_v2 = { vm: { name: 'x' } };
    doc.resource.openstack_image_v2 = { x: { name: 'x' } };
    expect(check(doc)).toEqual([
      { path: 'resource.openstack_compute_instance_v2', message: 'unknown resource type "openstack_compute_instance_v2"' },
      {
        path: 'resource.openstack_image_v2',
        message: 'unknown resource type "openstack_image_v2" (did you mean "openstack_images_image_v2"?)',
      },
    ]);
  });

  test('unknown data source type and unknown data source attribute; computed-only data attribute', () => {
    const doc = validDoc();
    doc.data.openstack_identity_project_v3.project_a.domain = 'default';
    doc.data.openstack_identity_project_v3.project_a.description = 'x';
    doc.data.openstack_sharedfilesystem_share_v2 = { data: { name: 'data' } };
    expect(check(doc)).toEqual([
      { path: 'data.openstack_identity_project_v3.project_a.description', message: '"description" is computed-only (read-only) and cannot be set' },
      { path: 'data.openstack_identity_project_v3.project_a.domain', message: 'unknown attribute or block "domain" (did you mean "domain_id"?)' },
      { path: 'data.openstack_sharedfilesystem_share_v2', message: 'unknown data source type "openstack_sharedfilesystem_share_v2"' },
    ]);
  });

  test('data sources do not take resource-only meta-arguments', () => {
    const doc = validDoc();
    doc.data.openstack_identity_project_v3.project_a.connection = { host: 'x' };
    doc.data.openstack_identity_project_v3.project_a.lifecycle = { prevent_destroy: true };
    expect(check(doc)).toEqual([
      { path: 'data.openstack_identity_project_v3.project_a.connection', message: 'unknown attribute or block "connection"' },
      {
        path: 'data.openstack_identity_project_v3.project_a.lifecycle.prevent_destroy',
        message: 'unknown lifecycle argument "prevent_destroy"',
      },
    ]);
  });

  test('meta-arguments are allowed on resources', () => {
    const doc = withImage((img) => {
      img.count = 1;
      img.lifecycle = { create_before_destroy: true, prevent_destroy: false, ignore_changes: ['tags', 'properties["x"]'] };
      img.provisioner = [{ 'local-exec': { command: 'true' } }];
      img.connection = { host: 'x' };
      img.depends_on = ['data.openstack_identity_project_v3.project_a'];
    });
    expect(check(doc)).toEqual([]);
  });

  test('meta-argument mistakes: count with for_each, ignore_changes of a non-attribute, undeclared depends_on and provider alias', () => {
    const doc = withImage((img) => {
      img.count = 1;
      img.for_each = '${var.m}';
      img.lifecycle = { ignore_changes: ['tag'] };
      img.depends_on = ['openstack_images_image_v2.nope'];
      img.provider = 'openstack.other';
    });
    expect(check(doc)).toEqual([
      { path: `${IMG}.depends_on[0]`, message: 'refers to "openstack_images_image_v2.nope", which is not declared' },
      { path: `${IMG}.for_each`, message: '"count" and "for_each" may not both be set' },
      {
        path: `${IMG}.lifecycle.ignore_changes[0]`,
        message: '"tag" is not an attribute of openstack_images_image_v2 (did you mean "tags"?)',
      },
      { path: `${IMG}.provider`, message: 'provider configuration "openstack.other" is not declared' },
    ]);
  });

  test('references: undeclared resource, unknown attribute', () => {
    const doc = validDoc();
    const access = doc.resource.openstack_images_image_access_v2.ubuntu_2404_20261104_project_a;
    access.image_id = '${openstack_images_image_v2.ubuntu_2404_20261103.id}';
    access.member_id = '${data.openstack_identity_project_v3.project_a.uuid}';
    expect(check(doc)).toEqual([
      {
        path: 'resource.openstack_images_image_access_v2.ubuntu_2404_20261104_project_a.image_id',
        message: 'reference to undeclared resource "openstack_images_image_v2.ubuntu_2404_20261103"',
      },
      {
        path: 'resource.openstack_images_image_access_v2.ubuntu_2404_20261104_project_a.member_id',
        message: '"data.openstack_identity_project_v3.project_a" has no attribute "uuid"',
      },
    ]);
  });

  test('outputs: references checked, unknown arguments, missing value', () => {
    const doc = validDoc();
    doc.output = {
      images: {
        value: {
          ubuntu_2404: '${openstack_images_image_v2.ubuntu_2404_20261104.id}',
          debian12: '${openstack_images_image_v2.debian12_20261104.id}',
        },
        description: 'x',
      },
      bad: { descripton: 'x' },
    };
    expect(check(doc)).toEqual([
      { path: 'output.bad.descripton', message: 'unknown output argument "descripton" (did you mean "description"?)' },
      { path: 'output.bad.value', message: 'missing required argument "value"' },
      {
        path: 'output.images.value.debian12',
        message: 'reference to undeclared resource "openstack_images_image_v2.debian12_20261104"',
      },
    ]);
  });

  test('provider blocks: array of configs with aliases; unknown provider attribute, wrong type, duplicates', () => {
    const doc = validDoc();
    doc.provider.openstack.push({ cloud: 'x', clouds: 'y', max_retries: '3' }, { alias: 'nrec_images', cloud: 'z' });
    doc.provider.opnstack = [{}];
    expect(check(doc)).toEqual([
      { path: 'provider.openstack[2]', message: 'duplicate default (un-aliased) configuration of provider "openstack"' },
      { path: 'provider.openstack[2].clouds', message: 'unknown attribute or block "clouds" (did you mean "cloud"?)' },
      { path: 'provider.openstack[2].max_retries', message: 'expected number, got string "3"' },
      { path: 'provider.openstack[3].alias', message: 'duplicate provider configuration "openstack.nrec_images"' },
      { path: 'provider.opnstack', message: 'unknown provider "opnstack" (did you mean "openstack"?)' },
    ]);
  });

  test('terraform.required_providers.openstack.source', () => {
    const wrong = validDoc();
    wrong.terraform.required_providers.openstack.source = 'hashicorp/openstack';
    expect(check(wrong)).toEqual([
      {
        path: 'terraform.required_providers.openstack.source',
        message: 'must be "terraform-provider-openstack/openstack", got string "hashicorp/openstack"',
      },
    ]);
    const missing = validDoc();
    delete missing.terraform.required_providers;
    expect(check(missing)).toEqual([
      {
        path: 'terraform.required_providers.openstack',
        message: 'missing: the document uses provider "openstack" (source must be "terraform-provider-openstack/openstack")',
      },
    ]);
  });

  test('nested blocks: nesting mode, min_items and max_items', () => {
    // The openstack subset has no nested blocks: use a synthetic schema.
    const schema = {
      format_version: '1.0',
      provider_schemas: {
        'registry.terraform.io/example/example': {
          provider: { block: {} },
          resource_schemas: {
            example_thing: {
              block: {
                attributes: { name: { type: 'string', required: true } },
                block_types: {
                  rule: {
                    nesting_mode: 'list',
                    min_items: 1,
                    max_items: 2,
                    block: { attributes: { port: { type: 'number', required: true } } },
                  },
                  timeouts: { nesting_mode: 'single', block: { attributes: { create: { type: 'string', optional: true } } } },
                  tag: { nesting_mode: 'map', block: { attributes: { value: { type: 'string', optional: true } } } },
                },
              },
            },
          },
        },
      },
    };
    const doc = {
      resource: {
        example_thing: {
          ok: { name: 'a', rule: { port: 22 }, timeouts: { create: '5m' }, tag: { a: { value: 'x' } } },
          ok_list: { name: 'a', rule: [{ port: 22 }, { port: 80 }] },
          ok_dynamic: { name: 'a', dynamic: { rule: { for_each: '${var.rules}', content: { port: '${rule.value}' } } } },
          none: { name: 'a' },
          empty: { name: 'a', rule: [] },
          too_many: { name: 'a', rule: [{ port: 1 }, { port: 2 }, { port: 3 }] },
          bad_items: { name: 'a', rule: [{ port: 'x' }, 'y', {}], timeouts: [{}, {}], tag: ['x'] },
          expr: { name: 'a', rule: '${var.rules}' },
        },
      },
    };
    expect(checkConformance(doc, schema)).toEqual([
      { path: 'resource.example_thing.bad_items.rule', message: 'at most 2 block(s) allowed, got 3' },
      { path: 'resource.example_thing.bad_items.rule[0].port', message: 'expected number, got string "x"' },
      { path: 'resource.example_thing.bad_items.rule[1]', message: 'block must be an object, got string "y"' },
      { path: 'resource.example_thing.bad_items.rule[2].port', message: 'missing required attribute "port"' },
      {
        path: 'resource.example_thing.bad_items.tag',
        message: 'block with nesting mode map must be an object of label -> block, got array',
      },
      { path: 'resource.example_thing.bad_items.timeouts', message: 'block with nesting mode single takes one object, got 2' },
      { path: 'resource.example_thing.empty.rule', message: 'at least 1 block(s) required, got 0' },
      { path: 'resource.example_thing.expr.rule', message: 'a nested block cannot be an expression (use a dynamic block)' },
      { path: 'resource.example_thing.none.rule', message: 'missing required block "rule" (at least 1)' },
      { path: 'resource.example_thing.too_many.rule', message: 'at most 2 block(s) allowed, got 3' },
    ]);
  });

  test('object, tuple and list-of-map types', () => {
    const schema = {
      provider_schemas: {
        'registry.terraform.io/example/example': {
          resource_schemas: {
            example_typed: {
              block: {
                attributes: {
                  obj: { type: ['object', { a: 'string', b: 'number' }], optional: true },
                  tup: { type: ['tuple', ['string', 'bool']], optional: true },
                  lom: { type: ['list', ['map', 'string']], optional: true },
                  dyn: { type: 'dynamic', optional: true },
                },
              },
            },
          },
        },
      },
    };
    const doc = {
      resource: {
        example_typed: {
          ok: { obj: { a: 'x', b: 1 }, tup: ['x', true], lom: [{ k: 'v' }], dyn: { anything: [1, 'a'] } },
          bad: { obj: { a: 'x', c: 1 }, tup: ['x'], lom: [{ k: 1 }] },
        },
      },
    };
    expect(checkConformance(doc, schema)).toEqual([
      { path: 'resource.example_typed.bad.lom[0].k', message: 'expected string, got number 1' },
      { path: 'resource.example_typed.bad.obj.b', message: 'missing object attribute "b"' },
      { path: 'resource.example_typed.bad.obj.c', message: 'unknown object attribute "c"' },
      { path: 'resource.example_typed.bad.tup', message: 'expected a tuple of 2 elements, got 1' },
    ]);
  });

  test('unknown top-level key; formatProblems', () => {
    const doc = { ...validDoc(), resources: {} };
    const problems = check(doc);
    expect(problems).toEqual([{ path: 'resources', message: 'unknown top-level key "resources" (did you mean "resource"?)' }]);
    expect(formatProblems(problems)).toBe('resources: unknown top-level key "resources" (did you mean "resource"?)');
  });

  test('a schema document without provider_schemas is rejected', () => {
    expect(() => checkConformance(validDoc(), {})).toThrow(/provider_schemas/);
  });
});

describe('checkConformance: every stack of the bundled catalog (config/)', () => {
  let outdir: string;
  let stacks: string[] = [];

  beforeAll(() => {
    // Required lazily so that the unit cases above run even while the app does not load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadCatalog } = require('../../lib/catalog') as typeof import('../../lib/catalog');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthCatalog } = require('../../synth/synth') as typeof import('../../synth/synth');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-conformance-'));
    outdir = path.join(tmp, 'cdktf.out');
    synthCatalog(loadCatalog(path.join(ROOT, 'config')), outdir, { stateBaseDir: tmp });
    stacks = fs.readdirSync(path.join(outdir, 'stacks')).sort();
  });

  afterAll(() => {
    if (outdir) fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  });

  test('synthesizes at least the 4 NREC environments', () => {
    expect(stacks.length).toBeGreaterThanOrEqual(4);
    expect(stacks).toEqual(expect.arrayContaining(['bgo', 'osl', 'test01', 'test02']));
  });

  test('every stack conforms to the provider schema', () => {
    const all: Record<string, string> = {};
    for (const stack of stacks) {
      const doc = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(doc.resource ?? {}).length).toBeGreaterThan(0);
      all[stack] = formatProblems(check(doc));
    }
    // One expectation over all stacks, so a failure lists every stack's problems at once.
    expect(all).toEqual(Object.fromEntries(stacks.map((s) => [s, ''])));
  });
});
