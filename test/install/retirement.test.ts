// Retirement end to end on the bundled catalog: debian12's definition is deleted, the catalog is
// synthesized and the bgo bundle installed again. Its runner config, check and cron line leave the
// builder, its stored builds, -latest names, report, logs and last-success record go except the
// builds its releases (still in Glance) name; its releases are all Outdated and hidden in the
// Terraform; `goldsmith diff` says "retired"; nothing of any other image changes. Later, when
// promote drops a release of the retired image, the next install removes that build too.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { main } from '../../lib/cli/main';
import { INSTALL_STATE_FILE } from '../../lib/install';
import { captureIo, GitFixture } from '../review/git-fixture';
import { at, builtImage, cleanupTemps, EXTS, install, LOGS, names, newRoot, REPO, snapshot, STATE, STORE, synth, WORK } from './fixture';

const IMAGE = 'debian12';
function cronLines(root: string): string[] {
  return fs.readFileSync(at(root, '/etc/cron.d/goldsmith'), 'utf8').split('\n');
}

let fixture: GitFixture;

beforeAll(() => {
  fixture = new GitFixture({});
  fs.rmSync(fixture.path(''), { recursive: true, force: true });
  fs.cpSync(path.join(REPO, 'config'), fixture.path(''), { recursive: true });
  fixture.commit('the bundled catalog');
});
afterAll(() => {
  fixture.cleanup();
  cleanupTemps();
});

test('retiring debian12: its builder files go, the builds its Glance releases name stay, nothing else changes', async () => {
  // --- the builder as it is: the bundle installed, builds stored for debian12 and two other images
  const before = synth(fixture.path(''));
  const root = newRoot();
  expect((await install('--bundle', path.join(before, 'stacks/bgo/builder'), '--root', root)).code).toBe(0);

  const builds = parseYaml(fs.readFileSync(fixture.path('builds/bgo.yaml'), 'utf8')) as { images: Record<string, { releases: { file: string }[] }> };
  const released = builds.images[IMAGE].releases.map((r) => r.file.replace(/\.qcow2$/, '')).sort();
  expect(released).toHaveLength(3);
  // an old build no release names, the released ones, and the newest (not promoted, -latest)
  builtImage(root, IMAGE, [`${IMAGE}-20260805`, ...released, `${IMAGE}-20261202`]);
  fs.mkdirSync(at(root, `${STORE}/.${released[2]}.latest`)); // a .latest dir of a kept build
  fs.writeFileSync(at(root, `${STORE}/.${IMAGE}-20261202.qcow2.4711.tmp`), 'killed\n');
  fs.writeFileSync(at(root, `${STORE}/${IMAGE}-notes.txt`), 'an operator’s file\n'); // not a build file
  builtImage(root, 'debian13', ['debian13-20261104', 'debian13-20261202']);
  builtImage(root, 'ubuntu_2404', ['ubuntu_2404-20261104', 'ubuntu_2404-20261202']);
  const cronBefore = cronLines(root);
  const manifestBefore = JSON.parse(fs.readFileSync(at(root, '/etc/goldsmith/bundle/manifest.json'), 'utf8'));
  const treeBefore = snapshot(root);

  // --- the change: debian12's definition deleted
  const gold = fs.readFileSync(fixture.path('images/gold.yaml'), 'utf8');
  const start = gold.indexOf(`  ${IMAGE}:\n`);
  const end = gold.indexOf('\n  debian13:\n');
  expect(start).toBeGreaterThan(0);
  fixture.write('images/gold.yaml', gold.slice(0, start) + gold.slice(end + 1));
  const after = synth(fixture.path(''));
  const bundle = path.join(after, 'stacks/bgo/builder');
  const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  expect(manifest.images.map((i: { name: string }) => i.name)).not.toContain(IMAGE);

  const dry = await install('--bundle', bundle, '--root', root, '--dry-run');
  expect(snapshot(root)).toEqual(treeBefore);
  const { code, stdout, stderr } = await install('--bundle', bundle, '--root', root);
  expect({ code, stderr }).toEqual({ code: 0, stderr: [] });
  expect(dry.stdout.slice(0, -1)).toEqual(stdout.slice(0, -1));

  // its runner config, check and cron line are gone; its template stays while other images use it
  expect(fs.existsSync(at(root, `/etc/goldsmith/bundle/images/${IMAGE}.json`))).toBe(false);
  expect(stdout).toContain(`remove /etc/goldsmith/bundle/images/${IMAGE}.json`);
  expect(manifestBefore.checks[IMAGE]).toBeDefined();
  expect(fs.existsSync(at(root, `/etc/goldsmith/bundle/checks/${IMAGE}.json`))).toBe(false);
  expect(stdout).toContain(`remove /etc/goldsmith/bundle/checks/${IMAGE}.json`);
  expect(Object.keys(manifest.checks)).not.toContain(IMAGE);
  expect(cronLines(root)).toEqual(cronBefore.filter((l) => !l.includes(` build ${IMAGE} `)));
  expect(cronBefore.filter((l) => l.includes(` build ${IMAGE} `))).toHaveLength(1);
  const template = manifestBefore.images.find((i: { name: string }) => i.name === IMAGE).template;
  expect(Object.keys(manifest.templates)).toContain(template); // `default`: every gold image uses it
  expect(fs.readdirSync(at(root, '/etc/goldsmith/bundle/templates')).sort()).toEqual(Object.keys(manifest.templates).map((t) => `${t}.json`).sort());

  // its stored files: the builds its releases name stay whole, everything else of it goes
  const kept = released.flatMap((b) => EXTS.map((e) => `${b}.${e}`));
  expect(manifest.retired_files?.[IMAGE]).toEqual(kept.sort());
  expect(names(at(root, STORE), IMAGE)).toEqual([...kept, `${IMAGE}-notes.txt`].sort());
  expect(names(at(root, LOGS), IMAGE)).toEqual([]);
  expect(names(at(root, STATE), IMAGE)).toEqual([]);
  expect(names(at(root, WORK), IMAGE)).toEqual([]);
  for (const base of released) expect(stdout).toContain(`keep ${STORE}/${base}.qcow2 (a release in Glance names it)`);
  expect(stdout).toContain(`remove ${STORE}/${IMAGE}-20260805.qcow2`);
  expect(stdout).toContain(`remove ${STORE}/.${IMAGE}-latest`);
  expect(stdout).toContain(`remove ${STORE}/.${IMAGE}-20261202.latest/`);
  expect(stdout).toContain(`remove ${LOGS}/${IMAGE}-report.json`);
  expect(stdout).toContain(`remove ${STATE}/${IMAGE}.last-success.json`);
  expect(stdout.filter((l) => l.startsWith('remove ') && !l.includes(IMAGE))).toEqual([]);

  // nothing of any other image changed: every other path has the same bytes, mode and owner
  const treeAfter = snapshot(root);
  const shared = new Set(['/etc/goldsmith/bundle/manifest.json', '/etc/cron.d/goldsmith', INSTALL_STATE_FILE]);
  for (const [p, entry] of Object.entries(treeBefore)) {
    if (p.includes(IMAGE) || shared.has(p)) continue;
    if (entry.startsWith('dir ')) expect(treeAfter[p]?.split(' ').slice(0, 3)).toEqual(entry.split(' ').slice(0, 3));
    else expect([p, treeAfter[p]]).toEqual([p, entry]);
  }
  expect(Object.keys(treeAfter).filter((p) => !(p in treeBefore))).toEqual([]);
  const others = (m: { images: { name: string }[] }) => m.images.filter((i) => i.name !== IMAGE);
  expect(others(manifest)).toEqual(others(manifestBefore));
  for (const key of ['templates', 'scripts', 'sensu', 'paths']) expect([key, manifest[key]]).toEqual([key, manifestBefore[key]]);

  // its Glance releases: all Outdated and hidden
  const tf = JSON.parse(fs.readFileSync(path.join(after, 'stacks/bgo/cdk.tf.json'), 'utf8'));
  const releases = Object.values(tf.resource.openstack_images_image_v2 as Record<string, { name: string; hidden: boolean; properties: Record<string, string> }>).filter(
    (r) => r.properties.goldsmith_image === IMAGE,
  );
  expect(releases).toHaveLength(3);
  for (const r of releases) expect([r.name, r.hidden]).toEqual(['Outdated (Debian 12)', true]);

  // goldsmith diff says so
  const io = captureIo(fixture.dir);
  expect(await main(['diff'], io)).toBe(2);
  expect(io.stdout).toContain(`bgo · retired: ${IMAGE} (3 releases become Outdated, hidden)`);

  // a second install: nothing to do
  expect((await install('--bundle', bundle, '--root', root)).stdout).toEqual(['nothing to do']);

  // later, promote drops the oldest release from the builds file: the next install removes that build
  fixture.commit('retire debian12');
  const oldest = released[0];
  const doc = parseDocument(fs.readFileSync(fixture.path('builds/bgo.yaml'), 'utf8'));
  const list = doc.getIn(['images', IMAGE, 'releases']) as YAMLSeq<YAMLMap>;
  list.items = list.items.filter((r) => r.get('file') !== `${oldest}.qcow2`);
  expect(list.items).toHaveLength(2);
  fixture.write('builds/bgo.yaml', doc.toString());
  const later = path.join(synth(fixture.path('')), 'stacks/bgo/builder');
  const dropped = await install('--bundle', later, '--root', root);
  expect(dropped.code).toBe(0);
  expect(dropped.stdout).toEqual(expect.arrayContaining(EXTS.map((e) => `remove ${STORE}/${oldest}.${e}`)));
  expect(names(at(root, STORE), IMAGE)).toEqual([...kept.filter((f) => !f.startsWith(`${oldest}.`)), `${IMAGE}-notes.txt`].sort());
  expect((await install('--bundle', later, '--root', root)).stdout).toEqual(['nothing to do']);
});
