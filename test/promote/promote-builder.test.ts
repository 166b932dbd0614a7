// promote end to end against real parts: the runner builds testimg into a store (real qemu-img, the
// fake baker), a loopback web server serves that store like the builder's vhost, and a real Glance
// (Debian's) holds the candidate. The deploy between the two promote steps is done by hand: the
// candidate is created as the synthesized resource says and its bytes uploaded (the test Glance
// refuses web-download from a loopback host, as Glance's SSRF filter does). Nova and Cinder cannot
// run here: the in-use check is a double that answers "unused".
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCatalog } from '../../lib/catalog';
import { GlanceClient } from '../../lib/openstack/glance';
import { listReleaseImages } from '../../lib/openstack/glance-releases';
import { fetchLatestRecord } from '../../lib/promote/builder-records';
import { planPromotion, type PromoteSources } from '../../lib/promote/promote';
import { checkEditedCatalog } from '../../lib/promote/write-builds';
import { runBuild } from '../../lib/runner';
import { synthCatalog } from '../../synth/synth';
import { createFixture, IMAGE, runOptions, type Fixture } from '../runner/fixture';
import { describeWithGlance } from '../support/glance';
import { StaticServer } from '../support/static-server';
import { describeWithTools } from '../support/tools';

const ROOT = path.resolve(__dirname, '..', '..');
const TEST_IMAGE = [
  'type: gold',
  'images:',
  `  ${IMAGE}:`,
  '    display_name: Test Image',
  '    upstream: {url: "https://images.example/", file: cloud-generic.qcow2, checksum_file: SHA256SUMS, algorithm: sha256}',
  '    ssh_user: ubuntu',
    '    min_ram_mb: 512',
    '    min_disk_gb: 4',
  '',
].join('\n');

describeWithTools(['qemu-img'], 'promote from a runner-built store to GOLD', () => {
  describeWithGlance('with a real Glance', (glance) => {
    let fx: Fixture;
    let store: StaticServer;
    let config: string;
    let client: GlanceClient;
    const created: string[] = [];

    beforeAll(async () => {
      fx = await createFixture();
      const result = await runBuild(runOptions(fx));
      expect(result.result).toBe('success');
      store = new StaticServer(fx.config.paths.store);
      await store.start();
      config = path.join(fx.root, 'config');
      fs.cpSync(path.join(ROOT, 'config'), config, { recursive: true });
      fs.writeFileSync(path.join(config, 'images', 'test.yaml'), TEST_IMAGE);
      const envs = path.join(config, 'environments.yaml');
      fs.writeFileSync(envs, fs.readFileSync(envs, 'utf8').replace('base_url: http://builder.mgmt.test01.uhdc.no/', `base_url: ${store.baseUrl}`));
      client = new GlanceClient({ endpoint: glance().endpoint, headers: glance().headers });
    }, 120_000);

    afterAll(async () => {
      for (const id of created) await client.deleteImage(id).catch(() => undefined);
      await store?.stop();
      await fx?.close();
    });

    const sources: PromoteSources = {
      latestRecord: (image) => fetchLatestRecord(store.baseUrl, image),
      releaseImages: async (image) => listReleaseImages(client, image),
      usage: async () => ({ servers: [], volumes: [] }),
    };

    async function promote() {
      const catalog = loadCatalog(config);
      const env = catalog.environments.find((e) => e.name === 'test01')!;
      const file = path.join(config, 'builds', 'test01.yaml');
      const plan = await planPromotion(catalog, env, fs.readFileSync(file, 'utf8'), sources, { images: [IMAGE] });
      if (plan.changed) {
        checkEditedCatalog(config, 'test01', plan.text);
        fs.writeFileSync(file, plan.text);
      }
      return plan;
    }

    /** What the test01 stack asks Glance for, for testimg's releases. */
    function synthesized(): Record<string, Record<string, any>> {
      const out = path.join(fx.root, 'cdktf.out');
      synthCatalog(loadCatalog(config), out, { stateBaseDir: fx.root });
      const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'test01', 'cdk.tf.json'), 'utf8'));
      return Object.fromEntries(Object.entries(stack.resource.openstack_images_image_v2 as Record<string, Record<string, any>>).filter(([id]) => id.startsWith(`${IMAGE}_`)));
    }

    test('the built record becomes a candidate, the imported candidate GOLD', async () => {
      const stored = fs.readFileSync(path.join(fx.config.paths.store, `${IMAGE}-latest.json`), 'utf8');
      const record = JSON.parse(stored);
      const first = await promote();
      expect(first.problems).toEqual([]);
      expect(first.changes).toEqual([`test01 · ${IMAGE}: new build 20261125 (candidate; built 2026-11-25, first_build)`]);

      // The deploy: the candidate as synthesized, with the stored bytes.
      const resource = synthesized()[`${IMAGE}_20261125`];
      expect(resource).toMatchObject({
        name: 'Candidate (Test Image)',
        hidden: true,
        image_source_url: `${store.baseUrl}${IMAGE}-20261125.qcow2`,
        properties: expect.objectContaining({ goldsmith_state: 'candidate', goldsmith_build_id: '20261125' }),
        lifecycle: expect.objectContaining({
          postcondition: [expect.objectContaining({ condition: `\${self.checksum == "${record.md5}" && self.size_bytes == ${record.size_bytes}}` })],
        }),
      });
      const image = await client.createImage({
        name: resource.name,
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        visibility: 'private',
        tags: resource.tags,
        properties: resource.properties,
        hidden: true,
      });
      created.push(image.id);
      expect((await promote()).notes).toEqual([`test01 · ${IMAGE}: candidate 20261125 waits: Glance image ${image.id} is queued`]);
      await client.uploadFile(image.id, path.join(fx.config.paths.store, `${IMAGE}-20261125.qcow2`));
      const active = await client.getImage(image.id);
      expect([active.status, active.checksum, active.size]).toEqual(['active', record.md5, record.size_bytes]);

      const second = await promote();
      expect(second.problems).toEqual([]);
      expect(second.changes).toEqual([`test01 · ${IMAGE}: 20261125 becomes GOLD (Glance image ${image.id} is active with md5 ${record.md5} and ${record.size_bytes} bytes)`]);
      expect(synthesized()[`${IMAGE}_20261125`]).toMatchObject({ name: 'GOLD Test Image', hidden: false, properties: expect.objectContaining({ goldsmith_state: 'gold' }) });
      expect((await promote()).changed).toBe(false);
    });
  });
});
