// goldsmith adopt against a REAL Glance (Debian's python3-glance, test/support/glance.ts), populated
// the way himlarcli publishes: each image tagged [type, short name], the GOLD active, the images it
// replaced renamed Outdated, given `depricated` and deactivated; vGPU images shared (owner
// nrec-images) with accepted members. The releases adopt writes are then synthesized: the import
// blocks name those Glance ids, and nothing that forces replacement differs from Glance.
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog, type Catalog, type Environment } from '../../lib/catalog';
import { planAdoption, type AdoptPlan } from '../../lib/migrate/adopt';
import { glanceAdoptSources } from '../../lib/migrate/adopt-sources';
import { GlanceClient, type CreateImageInput, type GlanceImage } from '../../lib/openstack/glance';
import { checkEditedCatalog } from '../../lib/promote/write-builds';
import { synthCatalog } from '../../synth/synth';
import { closedPort } from './net';
import { describeWithGlance, trustedAuthHeaders, type GlanceFixture } from '../support/glance';

const ROOT = path.resolve(__dirname, '..', '..');

const pid = () => randomUUID().replace(/-/g, '');
/** The deploy project (clouds.yaml entry bgo-imagebuilder), the owner of vGPU images (bgo-nrec-images), two member projects. */
const P_DEPLOY = pid();
const P_NREC = pid();
const MEMBERS = [pid(), pid()];
const CLOUD_PROJECTS: Record<string, string> = { 'bgo-imagebuilder': P_DEPLOY, 'bgo-nrec-images': P_NREC };

const UBUNTU_PROPERTIES = {
  hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi', hw_rng_model: 'virtio', hw_qemu_guest_agent: 'yes', hw_machine_type: 'q35',
  hw_firmware_type: 'uefi', hw_vif_multiqueue_enabled: 'yes', os_require_quiesce: 'yes', os_type: 'linux',
};
const ALMA_PROPERTIES = { ...UBUNTU_PROPERTIES } as Record<string, string>;
delete ALMA_PROPERTIES.hw_rng_model;
const WINDOWS_PROPERTIES = { ...ALMA_PROPERTIES, os_type: 'windows' };

describeWithGlance('goldsmith adopt against a real Glance', (glance) => {
  let work: string;
  let config: string;
  let catalog: Catalog;
  let bgo: Environment;
  const client = (project: string) => new GlanceClient({ endpoint: glance().endpoint, headers: trustedAuthHeaders(project) });
  const sources = () =>
    glanceAdoptSources((cloud) => ({
      glance: client(CLOUD_PROJECTS[cloud]),
      headers: () => trustedAuthHeaders(CLOUD_PROJECTS[cloud]),
      projectId: async () => CLOUD_PROJECTS[cloud],
    }));
  const images: Record<string, GlanceImage> = {};

  /** An image as himlarcli's image.py creates one (create, then upload the builder's file). */
  async function publish(key: string, project: string, input: CreateImageInput): Promise<GlanceImage> {
    const c = client(project);
    const img = await c.createImage(input);
    const file = path.join(work, `${img.id}.img`);
    fs.writeFileSync(file, randomBytes(8192 + Math.floor(Math.random() * 8192)));
    await c.uploadFile(img.id, file);
    images[key] = await c.waitForStatus(img.id, 'active', { timeoutMs: 30_000 });
    // Glance's created_at has whole seconds: the next image of a line is created a second later.
    await new Promise((r) => setTimeout(r, 1100));
    return images[key];
  }

  /** What image.py update does to the image a new one replaced. */
  async function replace(key: string, project: string, outdated: string): Promise<void> {
    await patch(project, images[key].id, [
      { op: 'replace', path: '/name', value: outdated },
      { op: 'add', path: '/depricated', value: '2026-11-01T07:16:02' },
    ]);
    await client(project).deactivateImage(images[key].id);
    images[key] = await client(project).getImage(images[key].id);
  }

  async function patch(project: string, id: string, ops: unknown[]): Promise<Response> {
    return fetch(`${glance().endpoint}/v2/images/${id}`, {
      method: 'PATCH',
      headers: { ...trustedAuthHeaders(project), 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
      body: JSON.stringify(ops),
    });
  }

  /** himlarcli grant + the member's accept (as that project). */
  async function share(project: string, id: string, member: string): Promise<void> {
    const f: GlanceFixture = glance();
    const add = await fetch(`${f.endpoint}/v2/images/${id}/members`, {
      method: 'POST',
      headers: { ...trustedAuthHeaders(project), 'Content-Type': 'application/json' },
      body: JSON.stringify({ member }),
    });
    expect(add.status).toBe(200);
    const accept = await fetch(`${f.endpoint}/v2/images/${id}/members/${member}`, {
      method: 'PUT',
      headers: { ...trustedAuthHeaders(member), 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'accepted' }),
    });
    expect(accept.status).toBe(200);
  }

  beforeAll(async () => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-adopt-')));
    config = path.join(work, 'config');
    fs.cpSync(path.join(ROOT, 'config'), config, { recursive: true });
    fs.rmSync(path.join(config, 'builds', 'bgo.yaml'));
    // The catalog names a member of the vGPU image: releases goldsmith uploads get a grant, adopted ones keep Glance's.
    const vgpu = path.join(config, 'images', 'vgpu.yaml');
    fs.writeFileSync(vgpu, fs.readFileSync(vgpu, 'utf8').replace('    owner: nrec-images\n', '    owner: nrec-images\n    members: [project-a]\n'));
    catalog = loadCatalog(config);
    bgo = catalog.environments.find((e) => e.name === 'bgo')!;

    const base = { containerFormat: 'bare' as const, diskFormat: 'qcow2' as const };
    // ubuntu_2404: two Outdated (deactivated), then the GOLD.
    const ubuntu = { ...base, visibility: 'public' as const, minRamMb: 768, minDiskGb: 8, tags: ['gold', 'ubuntu_2404'], properties: UBUNTU_PROPERTIES };
    await publish('ubuntu-1', P_DEPLOY, { ...ubuntu, name: 'GOLD Ubuntu 24.04 LTS' });
    await publish('ubuntu-2', P_DEPLOY, { ...ubuntu, name: 'GOLD Ubuntu 24.04 LTS' });
    await replace('ubuntu-1', P_DEPLOY, 'Outdated (Ubuntu 24.04)');
    await publish('ubuntu-gold', P_DEPLOY, { ...ubuntu, name: 'GOLD Ubuntu 24.04 LTS' });
    await replace('ubuntu-2', P_DEPLOY, 'Outdated (Ubuntu 24.04)');
    // The vGPU Alma 9 (tags [vgpu, almalinux9]), shared by nrec-images, members carried over.
    const vgpu1 = { ...base, visibility: 'shared' as const, minRamMb: 1024, minDiskGb: 8, tags: ['vgpu', 'almalinux9'], properties: ALMA_PROPERTIES };
    await publish('vgpu-1', P_NREC, { ...vgpu1, name: 'vGPU Alma Linux 9' });
    await publish('vgpu-gold', P_NREC, { ...vgpu1, name: 'vGPU Alma Linux 9' });
    for (const key of ['vgpu-1', 'vgpu-gold']) for (const m of MEMBERS) await share(P_NREC, images[key].id, m);
    await replace('vgpu-1', P_NREC, 'Outdated vGPU (Alma Linux 9)');
    // The GOLD Alma 9 (tags [gold, almalinux9]: the same short name under another type), min_disk 9 where the catalog says 10.
    await publish('alma-gold', P_DEPLOY, { ...base, name: 'GOLD Alma Linux 9', visibility: 'public', minRamMb: 1024, minDiskGb: 9, tags: ['gold', 'almalinux9'], properties: ALMA_PROPERTIES });
    // Windows Server 2025: raw, himlarcli's key winsrv2025std.
    await publish('windows-gold', P_DEPLOY, {
      ...base, diskFormat: 'raw', name: 'GOLD Windows Server 2025 Standard', visibility: 'public', minRamMb: 4090, minDiskGb: 39, tags: ['gold', 'winsrv2025std'], properties: WINDOWS_PROPERTIES,
    });
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const id = (key: string) => images[key].id;
  const day = (key: string) => images[key].created_at.slice(0, 10).replace(/-/g, '');
  let plan: AdoptPlan;

  test('adopts each line\'s GOLD and its Outdated (deactivated) images, with Glance\'s id, md5, size and date', async () => {
    plan = await planAdoption(catalog, bgo, undefined, sources());
    expect(plan.problems).toEqual([]);
    const u = day('ubuntu-1');
    expect(plan.changes).toEqual([
      `bgo · almalinux9: adopt 1 Glance image: GOLD ${day('alma-gold')} (${id('alma-gold')})`,
      `bgo · almalinux9_nv_vgpu: adopt 2 Glance images: GOLD ${day('vgpu-1')}.2 (${id('vgpu-gold')}), Outdated ${day('vgpu-1')} (${id('vgpu-1')}, deactivated)`,
      `bgo · ubuntu_2404: adopt 3 Glance images: GOLD ${u}.3 (${id('ubuntu-gold')}), Outdated ${u}.2 (${id('ubuntu-2')}, deactivated), Outdated ${u} (${id('ubuntu-1')}, deactivated)`,
      `bgo · winsrv_2025: adopt 1 Glance image: GOLD ${day('windows-gold')} (${id('windows-gold')})`,
    ]);
    expect(plan.adopted).toBe(7);
    const notes = plan.notes.filter((n) => !n.endsWith('nothing to adopt'));
    expect(notes).toEqual([
      `bgo · almalinux9: ${day('alma-gold')} (${id('alma-gold')}) changes in place at the deploy: min_disk 9 → 10`,
      `bgo · almalinux9_nv_vgpu: GOLD ${id('vgpu-gold')} is shared with 2 projects in Glance (2 accepted): adopted releases keep their grants; builds goldsmith publishes are granted to the catalog's members (project-a)`,
    ]);
    expect(plan.notes.filter((n) => n.endsWith('nothing to adopt'))).toHaveLength(21);
    expect(plan.notes).toContain('bgo · ubuntu_2204: no Glance image tagged [gold, ubuntu_2204]: nothing to adopt');

    const vgpuGold = images['vgpu-gold'];
    expect(plan.text).toContain(
      [
        '  almalinux9_nv_vgpu:',
        '    type: vgpu',
        '    short_name: almalinux9',
        '    outdated_name: Outdated vGPU (Alma Linux 9)',
        '    releases:',
        `      - build_id: "${day('vgpu-1')}.2"`,
        `        date: ${vgpuGold.created_at.slice(0, 10)}`,
        `        file: almalinux9_nv_vgpu-${day('vgpu-1')}.2.qcow2`,
        `        md5: ${vgpuGold.checksum}`,
        `        size_bytes: ${vgpuGold.size}`,
        `        glance_id: ${vgpuGold.id}`,
      ].join('\n'),
    );
    // The edited builds file validates with the catalog (sha256 is unknown: Glance hashes with sha512).
    checkEditedCatalog(config, 'bgo', plan.text);
  });

  test('the synthesized stack imports exactly those Glance images, and nothing that forces replacement differs from Glance', async () => {
    fs.writeFileSync(path.join(config, 'builds', 'bgo.yaml'), plan.text);
    const adopted = loadCatalog(config);
    const outdir = path.join(work, 'cdktf.out');
    synthCatalog({ ...adopted, environments: adopted.environments.filter((e) => e.name === 'bgo') }, outdir, { stateBaseDir: work });
    const stack = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bgo', 'cdk.tf.json'), 'utf8'));
    const u = day('ubuntu-1');
    const v = day('vgpu-1');
    const nrec = 'openstack.bgo_nrec_images';
    const expected = [
      { to: `openstack_images_image_v2.almalinux9_${day('alma-gold')}`, id: id('alma-gold') },
      { to: `openstack_images_image_v2.almalinux9_nv_vgpu_${v}`, id: id('vgpu-1'), provider: nrec },
      { to: `openstack_images_image_v2.almalinux9_nv_vgpu_${v}_2`, id: id('vgpu-gold'), provider: nrec },
      { to: `openstack_images_image_v2.ubuntu_2404_${u}`, id: id('ubuntu-1') },
      { to: `openstack_images_image_v2.ubuntu_2404_${u}_2`, id: id('ubuntu-2') },
      { to: `openstack_images_image_v2.ubuntu_2404_${u}_3`, id: id('ubuntu-gold') },
      { to: `openstack_images_image_v2.winsrv_2025_${day('windows-gold')}`, id: id('windows-gold') },
    ];
    const byTo = (a: { to: string }, b: { to: string }) => (a.to < b.to ? -1 : 1);
    expect([...stack.import].sort(byTo)).toEqual(expected.sort(byTo));

    const resources = stack.resource.openstack_images_image_v2 as Record<string, Record<string, unknown>>;
    for (const block of expected) {
      const logical = block.to.split('.')[1];
      const r = resources[logical];
      const g = await client(P_DEPLOY).getImage(block.id);
      // ForceNew in terraform-provider-openstack 3.4.0: container_format, disk_format, region (and
      // image_source_url, ignored by lifecycle; image_id, local_file_path, decompress: never set).
      expect([logical, r.container_format, r.disk_format, r.region]).toEqual([logical, g.container_format, g.disk_format, 'bgo']);
      expect((r.lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual(expect.arrayContaining(['image_source_url', 'web_download']));
      // The postcondition every release carries holds for the adopted image: Glance's md5 and size.
      const [condition] = (r.lifecycle as { postcondition: { condition: string }[] }).postcondition;
      expect(condition.condition).toBe(`\${self.checksum == "${g.checksum}" && self.size_bytes == ${g.size}}`);
      // Updated in place: what users see converges (min_* and protected update in place in 3.4.0).
      expect([...(r.tags as string[])].sort()).toEqual([...g.tags].sort());
      expect(r.provider).toBe(block.provider);
    }
    expect(resources[`ubuntu_2404_${u}_3`]).toMatchObject({ name: 'GOLD Ubuntu 24.04 LTS', hidden: false, min_ram_mb: 768, min_disk_gb: 8 });
    expect(resources[`ubuntu_2404_${u}`]).toMatchObject({ name: 'Outdated (Ubuntu 24.04)', hidden: true });
    expect((resources[`ubuntu_2404_${u}`].properties as Record<string, string>).goldsmith_state).toBe('outdated');
    // Members stay as Glance has them: no grant of an adopted release is managed (its creation would conflict).
    expect(Object.keys(stack.resource.openstack_images_image_access_v2 ?? {})).toEqual([]);
    for (const key of ['vgpu-1', 'vgpu-gold']) {
      const members = await fetch(`${glance().endpoint}/v2/images/${id(key)}/members`, { headers: trustedAuthHeaders(P_NREC) });
      const body = (await members.json()) as { members: { member_id: string; status: string }[] };
      expect(body.members.map((m) => [m.member_id, m.status]).sort()).toEqual(MEMBERS.map((m) => [m, 'accepted']).sort());
    }
  });

  test('Glance accepts the in-place update Terraform makes on a deactivated Outdated image (rename, hide, tags, properties)', async () => {
    const outdated = images['ubuntu-1'];
    const res = await patch(P_DEPLOY, outdated.id, [
      { op: 'replace', path: '/name', value: 'Outdated (Ubuntu 24.04)' },
      { op: 'replace', path: '/os_hidden', value: true },
      { op: 'replace', path: '/tags', value: ['gold', 'ubuntu_2404'] },
      { op: 'add', path: '/goldsmith_state', value: 'outdated' },
      { op: 'replace', path: '/depricated', value: `${outdated.created_at.slice(0, 10)}T00:00:00` },
    ]);
    expect(res.status).toBe(200);
    const after = await client(P_DEPLOY).getImage(outdated.id);
    expect([after.status, after.os_hidden, after.goldsmith_state]).toEqual(['deactivated', true, 'outdated']);
    // Put back as himlarcli left it for the next tests.
    expect((await patch(P_DEPLOY, outdated.id, [{ op: 'replace', path: '/os_hidden', value: false }, { op: 'remove', path: '/goldsmith_state' }])).status).toBe(200);
  });

  test('a second run adopts nothing new', async () => {
    const again = await planAdoption(loadCatalog(config), bgo, plan.text, sources());
    expect([again.problems, again.changes, again.changed, again.text]).toEqual([[], [], false, plan.text]);
  });

  describe('bad input: one line each, nothing written', () => {
    const created: string[] = [];
    afterEach(async () => {
      for (const i of created.splice(0)) await client(P_DEPLOY).deleteImage(i);
    });

    test('two active images with the same tags', async () => {
      const line = { containerFormat: 'bare' as const, diskFormat: 'qcow2' as const, visibility: 'public' as const, tags: ['gold', 'ubuntu_2204'] };
      const a = await publish('dup-a', P_DEPLOY, { ...line, name: 'GOLD Ubuntu 22.04 LTS' });
      const b = await publish('dup-b', P_DEPLOY, { ...line, name: 'GOLD Ubuntu 22.04 LTS' });
      created.push(a.id, b.id);
      const bad = await planAdoption(catalog, bgo, undefined, sources());
      const created_ = (g: GlanceImage) => g.created_at.slice(0, 10);
      expect(bad.problems).toEqual([
        `bgo · ubuntu_2204: 2 active Glance images carry the tags [gold, ubuntu_2204]: ${a.id} "GOLD Ubuntu 22.04 LTS" (active, created ${created_(a)}), ` +
          `${b.id} "GOLD Ubuntu 22.04 LTS" (active, created ${created_(b)}): deactivate the one that is not GOLD (openstack image set --deactivate <id>), then run again`,
      ]);
      expect([bad.changed, bad.text, bad.adopted]).toEqual([false, '', 0]);
    });

    test('an image that matches no image of the catalog', async () => {
      const debian11 = await publish('debian11', P_DEPLOY, {
        containerFormat: 'bare', diskFormat: 'qcow2', visibility: 'public', name: 'GOLD Debian 11', tags: ['gold', 'debian11'],
      });
      created.push(debian11.id);
      const bad = await planAdoption(catalog, bgo, undefined, sources());
      expect(bad.problems).toEqual([
        `bgo: 1 Glance image tagged [gold, debian11] (${debian11.id} "GOLD Debian 11") matches no image of the catalog: add it to the catalog, or run again with --leave-unknown to leave it alone`,
      ]);
      expect([bad.changed, bad.text]).toEqual([false, '']);
      // Left alone on request: a note, and the rest is adopted.
      const leave = await planAdoption(catalog, bgo, undefined, sources(), { leaveUnknown: true });
      expect(leave.problems).toEqual([]);
      expect(leave.notes).toContain(`bgo: left as it is: 1 Glance image tagged [gold, debian11] (${debian11.id} "GOLD Debian 11") matches no image of the catalog`);
      expect(leave.adopted).toBe(7);
    });

    test('an unreachable Glance', async () => {
      const port = await closedPort();
      const dead = glanceAdoptSources(() => ({
        glance: new GlanceClient({ endpoint: `http://127.0.0.1:${port}`, headers: trustedAuthHeaders(P_DEPLOY) }),
        headers: () => trustedAuthHeaders(P_DEPLOY),
      }));
      await expect(planAdoption(catalog, bgo, undefined, dead)).rejects.toThrow(/^Glance GET \/v2\/images: request failed: ECONNREFUSED$/);
    });
  });
});
