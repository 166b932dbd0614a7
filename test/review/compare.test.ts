// The change model and its words on hand-made synthesized stacks: release states (candidate,
// verified, withdrawn), retirement of a stack from before the state property, member grants,
// many images, environments added and removed, the rest of the stack, bundle files and checks.
import type { Catalog } from '../../lib/catalog';
import { compareSides, MANY_IMAGES, renderReview, type ReviewSide } from '../../review';
import type { SynthesizedEnvironment } from '../../review/synthesized-tree';

type Body = Record<string, unknown>;

/** An image resource as the stack writes it; `state` adds the goldsmith_state property. */
function release(image: string, buildId: string, role: 'candidate' | 'gold' | 'outdated' | 'withdrawn' | 'derived-gold' | 'derived-outdated', extra: Body = {}): [string, Body] {
  const names: Record<string, string> = {
    candidate: `Candidate (${image})`,
    gold: `GOLD ${image}`,
    outdated: `Outdated (${image})`,
    withdrawn: `Withdrawn (${image})`,
    'derived-gold': `GOLD ${image}`,
    'derived-outdated': `Outdated (${image})`,
  };
  const state = role.startsWith('derived-') ? undefined : role;
  const date = `${buildId.slice(0, 4)}-${buildId.slice(4, 6)}-${buildId.slice(6, 8)}`;
  return [
    `${image}_${buildId}`,
    {
      '//': { metadata: { path: `bgo/${image}/${buildId}/image` } },
      container_format: 'bare',
      disk_format: 'qcow2',
      hidden: !role.endsWith('gold'),
      image_source_url: `https://builder.example/${image}-${buildId}.qcow2`,
      lifecycle: { ignore_changes: ['image_source_url', 'web_download'] },
      min_disk_gb: 8,
      min_ram_mb: 768,
      name: names[role],
      properties: {
        goldsmith_build_date: date,
        goldsmith_build_id: buildId,
        goldsmith_image: image,
        ...(state ? { goldsmith_state: state } : {}),
        ...(role.endsWith('outdated') || role === 'withdrawn' ? { depricated: `${date}T00:00:00` } : {}),
      },
      region: 'bgo',
      tags: ['gold', image],
      visibility: 'public',
      web_download: true,
      ...extra,
    },
  ];
}

function stack(images: [string, Body][], more: Body = {}): Body {
  const { resource, ...rest } = more as { resource?: Body };
  return {
    provider: { openstack: [{ cloud: 'bgo-imagebuilder', region: 'bgo' }] },
    terraform: { backend: { local: { path: 'terraform.bgo.tfstate' } } },
    resource: { openstack_images_image_v2: Object.fromEntries(images), ...(resource ?? {}) },
    ...rest,
  };
}

function env(name: string, s: Body, builder: Record<string, string> = {}): SynthesizedEnvironment {
  return { name, stack: s, builder: new Map(Object.entries(builder)) };
}

/** A catalog with what the comparison reads: image names with GOLD names, environments with carried images. */
function catalog(images: string[], environments: Record<string, string[]>): Catalog {
  return {
    images: images.map((name) => ({ name, goldName: `GOLD ${name}` })),
    environments: Object.entries(environments).map(([name, carried]) => ({ name, images: carried })),
  } as unknown as Catalog;
}

function side(cat: Catalog, ...environments: SynthesizedEnvironment[]): ReviewSide {
  return { catalog: cat, environments: new Map(environments.map((e) => [e.name, e])) };
}

const SUBJECT = { ref: 'origin/main', commit: 'a'.repeat(40), config: 'config' };
const CATALOG = catalog(['ubuntu'], { bgo: ['ubuntu'] });

function text(base: ReviewSide, head: ReviewSide): string[] {
  return renderReview(compareSides(base, head, SUBJECT), 'text');
}

describe('release states', () => {
  const gold = release('ubuntu', '20261104', 'gold');
  const candidate = release('ubuntu', '20261202', 'candidate');

  test('a new candidate: the GOLD stays until it is verified', () => {
    const base = side(CATALOG, env('bgo', stack([gold])));
    const head = side(CATALOG, env('bgo', stack([gold, candidate])));
    expect(text(base, head)).toEqual(['bgo · GOLD ubuntu: new build 20261202 (candidate); 20261104 stays GOLD until it is verified']);
  });

  test('the candidate verified: it becomes GOLD, the previous GOLD Outdated, no warning', () => {
    const base = side(CATALOG, env('bgo', stack([gold, candidate])));
    const head = side(CATALOG, env('bgo', stack([release('ubuntu', '20261104', 'outdated'), release('ubuntu', '20261202', 'gold')])));
    expect(text(base, head)).toEqual(['bgo · GOLD ubuntu: 20261202 becomes GOLD; 20261104 becomes Outdated']);
  });

  test('the only GOLD withdrawn: a warning that the image has no GOLD', () => {
    const base = side(CATALOG, env('bgo', stack([gold])));
    const head = side(CATALOG, env('bgo', stack([release('ubuntu', '20261104', 'withdrawn')])));
    expect(text(base, head)).toEqual([
      'warning: bgo · leaves ubuntu without a GOLD image: "GOLD ubuntu" is no longer offered',
      'bgo · GOLD ubuntu: 20261104 withdrawn',
    ]);
  });

  test('a stack from before the state property: the visible release is the GOLD; retirement ignores what it no longer manages', () => {
    const base = side(CATALOG, env('bgo', stack([release('ubuntu', '20261021', 'derived-outdated'), release('ubuntu', '20261104', 'derived-gold')])));
    const retiredLine = { lifecycle: { ignore_changes: ['image_source_url', 'web_download', 'visibility', 'min_ram_mb', 'min_disk_gb', 'properties'] } };
    const strip = ([id, body]: [string, Body]): [string, Body] => {
      const { visibility: _v, min_ram_mb: _r, min_disk_gb: _d, ...rest } = body;
      return [id, { ...rest, ...retiredLine }];
    };
    const head = side(
      catalog([], { bgo: [] }),
      env('bgo', stack([strip(release('ubuntu', '20261021', 'outdated')), strip(release('ubuntu', '20261104', 'outdated'))])),
    );
    expect(text(base, head)).toEqual(['bgo · retired: ubuntu (2 releases become Outdated, hidden)']);
  });
});

describe('member grants, many images, the rest of the stack', () => {
  const gold = release('ubuntu', '20261104', 'gold', { visibility: 'shared' });
  const access = (member: string) => ({
    [`ubuntu_20261104_${member.replace('-', '_')}`]: {
      image_id: '${openstack_images_image_v2.ubuntu_20261104.id}',
      member_id: `\${data.openstack_identity_project_v3.${member.replace('-', '_')}.id}`,
      region: 'bgo',
    },
  });
  const projects = { openstack_identity_project_v3: { project_a: { name: 'project-a' }, project_b: { name: 'project-b' } } };

  test('a member granted and one revoked on a release that stays', () => {
    const base = side(CATALOG, env('bgo', stack([gold], { data: projects, resource: { openstack_images_image_access_v2: access('project-a') } })));
    const head = side(CATALOG, env('bgo', stack([gold], { data: projects, resource: { openstack_images_image_access_v2: access('project-b') } })));
    expect(text(base, head)).toEqual(['bgo · GOLD ubuntu: project-a revoked on 20261104; project-b granted on 20261104']);
  });

  test(`more than ${MANY_IMAGES} images changing at once is a warning`, () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const many = catalog(names, { bgo: names });
    const base = side(many, env('bgo', stack(names.map((n) => release(n, '20261104', 'gold')))));
    const head = side(many, env('bgo', stack(names.map((n) => release(n, '20261104', 'gold', { visibility: 'private' })))));
    expect(text(base, head)).toEqual([
      'warning: bgo · changes 6 images at once',
      ...names.map((n) => `bgo · GOLD ${n}: 20261104 updated: visibility public → private`),
    ]);
  });

  test('environments added and removed, another resource, a new state backend', () => {
    const rule = { openstack_networking_secgroup_rule_v2: { ssh_ipv4_10_2_0_0_24: { remote_ip_prefix: '10.2.0.0/24' } } };
    const base = side(catalog(['ubuntu'], { bgo: ['ubuntu'], osl: ['ubuntu'] }), env('bgo', stack([gold])), env('osl', stack([gold])));
    const head = side(
      catalog(['ubuntu'], { bgo: ['ubuntu'], trd: [] }),
      env('bgo', stack([gold], { resource: rule, terraform: { backend: { s3: { bucket: 'state' } } } })),
      env('trd', stack([]), { 'cron.d/goldsmith': 'MAILTO=""\n' }),
    );
    expect(text(base, head)).toEqual([
      'warning: bgo · changes the Terraform state backend: migrate the state (`terraform init -migrate-state`) before deploying',
      'warning: osl · environment removed: no stack and no builder bundle any more; its 1 Glance image stays in Glance, unmanaged',
      'bgo · terraform: added openstack_networking_secgroup_rule_v2.ssh_ipv4_10_2_0_0_24',
      'bgo · terraform: changed terraform.backend',
      'osl · environment removed',
      'trd · new environment',
      'trd · terraform: added provider, terraform.backend',
      'trd · builder: cron setting added: MAILTO=""',
    ]);
  });
});

describe('the builder bundle', () => {
  const cron = (time: string, mailto = '') =>
    `# header\nMAILTO="${mailto}"\nPATH=/usr/local/bin:/usr/bin:/bin\n\n${time} * * 3 goldsmith /usr/local/bin/goldsmith build ubuntu --bundle /etc/goldsmith/bundle --quiet\n` +
    `0 3 8-14 * * goldsmith [ "$(date +\\%u)" = "3" ] && /usr/local/bin/goldsmith build win --bundle /etc/goldsmith/bundle --quiet\n`;
  const bundle = (files: Record<string, string>) => env('bgo', stack([]), { 'manifest.json': JSON.stringify(files), ...files });

  test('cron lines, settings, templates, scripts, runner configs and checks', () => {
    const base = side(CATALOG, bundle({
      'cron.d/goldsmith': cron('40 9'),
      'templates/default.json': '{}',
      'scripts/resolver.sh': 'a',
      'images/ubuntu.json': '{"fingerprint":"1","output":{"keep_files":["a"]}}',
      'checks/ubuntu.json': '{}',
    }));
    const head = side(CATALOG, bundle({
      'cron.d/goldsmith': cron('10 10', 'ops@example.org'),
      'templates/default.json': '{}',
      'templates/uio_rhel.json': '{}',
      'scripts/resolver.sh': 'b',
      'scripts/lib.sh': 'b',
      'images/ubuntu.json': '{"fingerprint":"2","output":{"keep_files":["a","b"]}}',
      'checks/ubuntu-smoke.json': '{}',
    }));
    expect(text(base, head)).toEqual([
      'bgo · builder: cron moved: ubuntu wed 09:40 → wed 10:10',
      'bgo · builder: cron setting changed: MAILTO="" → MAILTO="ops@example.org"',
      'bgo · builder: template added: uio_rhel.json',
      'bgo · builder: script added: lib.sh',
      'bgo · builder: script changed: resolver.sh',
      'bgo · builder: runner config changed: ubuntu (fingerprint, output.keep_files)',
      'bgo · builder: check added: ubuntu-smoke.json',
      'bgo · builder: check removed: ubuntu.json',
    ]);
  });

  test('only the manifest changed: it is named; a monthly line in words', () => {
    const base = side(CATALOG, env('bgo', stack([]), { 'manifest.json': '{"paths":{"store":"/a"}}', 'cron.d/goldsmith': '' }));
    const head = side(CATALOG, env('bgo', stack([]), { 'manifest.json': '{"paths":{"store":"/b"}}', 'cron.d/goldsmith': cron('40 9') }));
    expect(text(base, head)).toEqual([
      'bgo · builder: cron added: ubuntu wed 09:40',
      'bgo · builder: cron added: win 2nd wed 03:00',
      'bgo · builder: cron setting added: MAILTO=""',
      'bgo · builder: cron setting added: PATH=/usr/local/bin:/usr/bin:/bin',
    ]);
    const onlyManifest = side(CATALOG, env('bgo', stack([]), { 'manifest.json': '{"paths":{"store":"/b"}}', 'cron.d/goldsmith': '' }));
    expect(text(base, onlyManifest)).toEqual(['bgo · builder: bundle manifest changed (paths.store)']);
  });
});
