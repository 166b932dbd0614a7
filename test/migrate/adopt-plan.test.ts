// planAdoption's decisions on Glance states that a real Glance cannot easily be put into (or that
// take long to): images listed by an in-memory double of AdoptSources. The real Glance runs in
// test/migrate/adopt.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog, type Catalog } from '../../lib/catalog';
import { planAdoption, type AdoptSources } from '../../lib/migrate/adopt';
import type { GlanceImage } from '../../lib/openstack/glance';

const ROOT = path.resolve(__dirname, '..', '..');

/** The bundled catalog with `text` as test02's builds file (none: no releases yet). */
function catalogWith(text?: string): Catalog {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-adopt-plan-'));
  try {
    fs.cpSync(path.join(ROOT, 'config'), dir, { recursive: true });
    fs.rmSync(path.join(dir, 'builds', 'test02.yaml'));
    if (text !== undefined) fs.writeFileSync(path.join(dir, 'builds', 'test02.yaml'), text);
    return loadCatalog(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const UUID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const MD5 = (n: number) => `${'ab'.repeat(15)}0${n.toString(16)}`;
const P = 'p-test02-imagebuilder';

const PROPERTIES = {
  hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi', hw_qemu_guest_agent: 'yes', hw_machine_type: 'q35', os_require_quiesce: 'yes', os_type: 'linux',
  hw_firmware_type: 'uefi', hw_vif_multiqueue_enabled: 'yes', hw_rng_model: 'virtio',
};

/** An image of test02's debian12 line as himlarcli creates it. */
function img(n: number, status: string, created: string, extra: Partial<GlanceImage> = {}): GlanceImage {
  return {
    id: UUID(n), name: status === 'active' ? 'GOLD Debian 12' : 'Outdated (Debian 12)', status, visibility: 'public',
    disk_format: 'qcow2', container_format: 'bare', size: 1000 + n, checksum: MD5(n), os_hash_algo: 'sha512', os_hash_value: 'ab'.repeat(64),
    min_ram: 1024, min_disk: 8, tags: ['gold', 'debian12'], protected: false, owner: P, created_at: `${created}T07:15:00Z`, updated_at: `${created}T07:15:00Z`,
    ...PROPERTIES, ...extra,
  } as GlanceImage;
}

function sources(images: GlanceImage[]): AdoptSources {
  return {
    images: async (tag) => images.filter((i) => i.tags.includes(tag)),
    members: async () => [],
    projectId: async () => P,
  };
}

const plan = (images: GlanceImage[], text?: string) => {
  const catalog = catalogWith(text);
  return planAdoption(catalog, catalog.environments.find((e) => e.name === 'test02')!, text, sources(images));
};

test('a deactivated image newer than the active one is adopted withdrawn; a failed upload is left alone; os_* properties stay', async () => {
  const p = await plan([
    img(1, 'deactivated', '2026-09-01'),
    img(2, 'active', '2026-10-01', { os_type: 'Linux', min_disk: 3, protected: true, owner_specified_md5: 'x', tags: ['gold', 'debian12', 'bookworm'] }),
    img(3, 'deactivated', '2026-11-01'),
    img(4, 'queued', '2026-11-02', { name: 'GOLD Debian 12', checksum: null, size: null }),
  ]);
  expect(p.problems).toEqual([]);
  expect(p.changes).toEqual([
    `test02 · debian12: adopt 3 Glance images: withdrawn 20261101 (${UUID(3)}, deactivated), GOLD 20261001 (${UUID(2)}), Outdated 20260901 (${UUID(1)}, deactivated)`,
  ]);
  expect(p.notes.filter((n) => n.startsWith('test02 · debian12'))).toEqual([
    `test02 · debian12: left as it is: ${UUID(4)} "GOLD Debian 12" (queued, created 2026-11-02) is queued (himlarcli leaves failed uploads behind; delete it by hand)`,
    `test02 · debian12: 20261001 (${UUID(2)}) changes in place at the deploy: min_disk 3 → 8; protected true → false; tags bookworm removed; properties -owner_specified_md5; os_type stays "Linux" (the provider never changes os_* properties of an existing image; the catalog's apply to new builds)`,
    `test02 · debian12: 20261101 (${UUID(3)}) changes in place at the deploy: name "Outdated (Debian 12)" → "Withdrawn (Debian 12)"`,
    'test02 · debian12: deactivated images newer than the active one are adopted as withdrawn (hidden, never GOLD)',
  ]);
  expect(p.text).toContain(
    [
      '  debian12:',
      '    type: gold',
      '    outdated_name: Outdated (Debian 12)',
      '    releases:',
      '      - build_id: "20261101"',
      '        date: 2026-11-01',
      '        file: debian12-20261101.qcow2',
      `        md5: ${MD5(3)}`,
      '        size_bytes: 1003',
      '        state: withdrawn',
      `        glance_id: ${UUID(3)}`,
      '      - build_id: "20261001"',
    ].join('\n'),
  );
});

test('refused, one line each: no active image, a format Terraform would replace, an image without data', async () => {
  const none = await plan([img(1, 'deactivated', '2026-09-01'), img(2, 'deactivated', '2026-10-01')]);
  expect(none.problems).toEqual([
    'test02 · debian12: no active Glance image carries the tags [gold, debian12] (2 deactivated ones): reactivate the one that is GOLD (openstack image set --activate <id>), then run again',
  ]);
  const formats = await plan([img(1, 'deactivated', '2026-09-01', { disk_format: 'vmdk' }), img(2, 'active', '2026-10-01', { container_format: 'ovf', checksum: null })]);
  expect(formats.problems).toEqual([
    `test02 · debian12: ${UUID(1)} "Outdated (Debian 12)" (deactivated, created 2026-09-01) has disk format vmdk: Terraform would replace it (goldsmith publishes qcow2 and raw)`,
    `test02 · debian12: ${UUID(2)} "GOLD Debian 12" (active, created 2026-10-01) has container format ovf: Terraform would replace it (goldsmith publishes bare images)`,
    `test02 · debian12: ${UUID(2)} "GOLD Debian 12" (active, created 2026-10-01) has no data (checksum null, size 1002): nothing to adopt`,
  ]);
  for (const p of [none, formats]) expect([p.changed, p.text, p.adopted]).toEqual([false, '', 0]);
});

test('two images created the same day get build ids date and date.2; build ids the builds file holds are skipped', async () => {
  const text = [
    'images:',
    '  debian12:',
    '    releases:',
    '      - build_id: "20261001"',
    '        date: 2026-08-01',
    '        file: debian12-20261001.qcow2',
    `        md5: ${MD5(9)}`,
    `        sha256: ${'cd'.repeat(32)}`,
    '        size_bytes: 5',
    '',
  ].join('\n');
  const p = await plan([img(1, 'deactivated', '2026-10-01'), img(2, 'active', '2026-10-01', { created_at: '2026-10-01T08:00:00Z' })], text);
  expect(p.changes).toEqual([`test02 · debian12: adopt 2 Glance images: GOLD 20261001.3 (${UUID(2)}), Outdated 20261001.2 (${UUID(1)}, deactivated)`]);
});

test('an image of a line the environment does not carry is named as such', async () => {
  // test02 excludes the Windows images.
  const p = await plan([img(7, 'active', '2026-10-01', { name: 'GOLD Windows Server 2025 Standard', tags: ['gold', 'winsrv2025std'], disk_format: 'raw' })]);
  expect(p.problems).toEqual([
    `test02: 1 Glance image tagged [gold, winsrv2025std] (${UUID(7)} "GOLD Windows Server 2025 Standard") matches image winsrv_2025, which test02 does not carry: add it to the catalog, or run again with --leave-unknown to leave it alone`,
  ]);
});

test('images goldsmith published, or adopted before, are not adopted again', async () => {
  const p = await plan([img(1, 'active', '2026-10-01', { goldsmith_image: 'debian12', goldsmith_build_id: '20261001' })]);
  expect([p.changes, p.problems, p.changed]).toEqual([[], [], false]);
});

test("a tenant's private look-alike with the line's tags is left alone; another project's public image is adopted", async () => {
  const lookalike = img(9, 'active', '2026-11-20', { owner: 'p-tenant', visibility: 'private', name: 'GOLD Debian 12' });
  const p = await plan([img(1, 'active', '2026-10-01'), lookalike]);
  expect(p.problems).toEqual([]);
  expect(p.notes).toContain(`test02: left alone: Glance image ${UUID(9)} of project p-tenant (private) carries catalog tags but is not public nor the entry's own`);
  expect(p.changes.join('\n')).toContain(UUID(1));
  expect(p.changes.join('\n')).not.toContain(UUID(9));
  const adminsImage = await plan([img(1, 'active', '2026-10-01', { owner: 'p-admin' })]);
  expect(adminsImage.changes.join('\n')).toContain(UUID(1));
});
