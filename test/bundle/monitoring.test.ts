// The monitoring side of the builder bundle, as the environment stack renders it: checks/<image>.json
// per live image, sensu/checks.yaml (one `goldsmith check --all` per builder) and the manifest's
// checks, sensu and retired_files. Retiring an image (deleting its definition) removes its check
// file and lists the store files its releases still name; the Sensu definition stays the same.
import { Testing } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import type { Catalog, Environment } from '../../lib/catalog/model';
import { BuilderSchema } from '../../lib/catalog/schema';
import { canonicalJson, sha256Hex } from '../../lib/common';
import { renderBundle } from '../../lib/constructs/builder-bundle';
import { SensuCheckConfigSchema } from '../../lib/contract';
import { EnvironmentStack } from '../../stacks/environment-stack';
import { imageReleases, makeCatalog, makeEnvironment } from '../fixtures/model';

function bundleFiles(catalog: Catalog = makeCatalog(), environment: Environment = makeEnvironment()) {
  const stack = new EnvironmentStack(Testing.app(), environment.name, { catalog, environment });
  const files = renderBundle(stack.builderBundle()!);
  const text = (rel: string) => files.get(rel)?.content;
  return { stack, files, text, manifest: JSON.parse(text('manifest.json')!) };
}

describe('checks/ and the manifest', () => {
  const { stack, files, text, manifest } = bundleFiles();

  test('one check file per live image, the content of its GoldImage’s MonitoringCheck; none for retired images', () => {
    expect([...files.keys()].filter((f) => f.startsWith('checks/'))).toEqual(['checks/almalinux9_vgpu.json', 'checks/ubuntu_2404.json']);
    for (const goldImage of stack.goldImages) {
      expect(text(`checks/${goldImage.name}.json`)).toBe(canonicalJson(goldImage.monitoringCheck!.checkConfig));
    }
    expect(stack.retiredImages.map((g) => g.name)).toEqual(['debian11', 'winsrv_2025']);
    expect(stack.retiredImages.every((g) => g.monitoringCheck === undefined)).toBe(true);
    expect(files.has('checks/debian11.json')).toBe(false);
    expect(files.has('checks/winsrv_2025.json')).toBe(false);
    expect(manifest.checks).toEqual({
      almalinux9_vgpu: sha256Hex(text('checks/almalinux9_vgpu.json')!),
      ubuntu_2404: sha256Hex(text('checks/ubuntu_2404.json')!),
    });
    expect(manifest.sensu).toEqual({ 'checks.yaml': sha256Hex(text('sensu/checks.yaml')!) });
  });

  test('retired_files: each retired image’s release files with their .md5, .sha256 and .json, sorted', () => {
    expect(manifest.retired_files).toEqual({
      debian11: [
        'debian11-20260725.json',
        'debian11-20260725.md5',
        'debian11-20260725.qcow2',
        'debian11-20260725.sha256',
        'debian11-20260801.json',
        'debian11-20260801.md5',
        'debian11-20260801.qcow2',
        'debian11-20260801.sha256',
      ],
      winsrv_2025: ['winsrv_2025-20261014.json', 'winsrv_2025-20261014.md5', 'winsrv_2025-20261014.raw', 'winsrv_2025-20261014.sha256'],
    });
  });
});

describe('sensu/checks.yaml', () => {
  // sensuctl cannot be installed here (Sensu Go ships it from its own package repository), so
  // `sensuctl create -f` is not run: the file is parsed as YAML and its shape checked against
  // Sensu Go's core/v2 CheckConfig fields goldsmith sets.
  test('one core/v2 CheckConfig: goldsmith check --all on the builder’s own agent, NREC’s handler, interval and fatigue annotations', () => {
    const { text } = bundleFiles();
    const yaml = text('sensu/checks.yaml')!;
    const docs = parseAllDocuments(yaml);
    expect(docs).toHaveLength(1);
    expect(docs[0].errors).toEqual([]);
    const check = docs[0].toJS();
    expect(check).toEqual({
      type: 'CheckConfig',
      api_version: 'core/v2',
      metadata: {
        name: 'goldsmith-bgo',
        labels: { goldsmith_environment: 'bgo' },
        annotations: { 'fatigue_check/occurrences': '3', 'fatigue_check/interval': '86400' },
      },
      spec: {
        command: '/usr/local/bin/goldsmith check --all --bundle /etc/goldsmith/bundle',
        subscriptions: ['entity:builder.mgmt.bgo.uhdc.no'],
        handlers: ['default'],
        interval: 600,
        timeout: 60,
        publish: true,
        output_metric_format: 'nagios_perfdata',
      },
    });
    expect(SensuCheckConfigSchema.safeParse(check).success).toBe(true);
    // Annotation values are strings in Sensu: quoted, never YAML numbers.
    expect(yaml).toContain('    fatigue_check/occurrences: "3"\n');
    expect(yaml.startsWith('# sensu/checks.yaml: Sensu Go checks of the goldsmith builder of environment bgo\n')).toBe(true);
  });

  test('the entity is builder.sensu_entity when given (the base_url host is often a vhost alias)', () => {
    const env = makeEnvironment({ builder: { ...makeEnvironment().builder, sensuEntity: 'bgo-builder-01' } });
    const catalog = makeCatalog({ environments: [env] });
    const check = parseAllDocuments(bundleFiles(catalog, env).text('sensu/checks.yaml')!)[0].toJS();
    expect(check.spec.subscriptions).toEqual(['entity:bgo-builder-01']);
  });

  test('environments.yaml builder.sensu_entity: a Sensu name, optional', () => {
    const builder = { base_url: 'http://builder.mgmt.bgo.uhdc.no/', availability_zone: 'bgo-default-1', ssh_source_cidrs: ['172.16.0.0/21'] };
    expect(BuilderSchema.safeParse(builder).success).toBe(true);
    expect(BuilderSchema.safeParse({ ...builder, sensu_entity: 'bgo-builder-01' }).success).toBe(true);
    const bad = BuilderSchema.safeParse({ ...builder, sensu_entity: 'bgo builder;rm' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].message).toBe('invalid sensu entity `bgo builder;rm`: use A-Z, a-z, 0-9, ., _ and -');
  });
});

describe('retiring an image by deleting its definition', () => {
  test('its check leaves the bundle, its files are listed as retired, the Sensu check stays byte for byte', () => {
    const before = bundleFiles();
    const catalog = makeCatalog();
    const env = makeEnvironment({ images: ['almalinux9_vgpu'] });
    const after = bundleFiles(makeCatalog({ images: catalog.images.filter((i) => i.name !== 'ubuntu_2404'), environments: [env] }), env);
    expect([...after.files.keys()].filter((f) => f.startsWith('checks/'))).toEqual(['checks/almalinux9_vgpu.json']);
    expect(Object.keys(after.manifest.checks)).toEqual(['almalinux9_vgpu']);
    expect(after.manifest.retired_files.ubuntu_2404).toEqual([
      'ubuntu_2404-20261021.json', 'ubuntu_2404-20261021.md5', 'ubuntu_2404-20261021.qcow2', 'ubuntu_2404-20261021.sha256',
      'ubuntu_2404-20261028.json', 'ubuntu_2404-20261028.md5', 'ubuntu_2404-20261028.qcow2', 'ubuntu_2404-20261028.sha256',
      'ubuntu_2404-20261104.json', 'ubuntu_2404-20261104.md5', 'ubuntu_2404-20261104.qcow2', 'ubuntu_2404-20261104.sha256',
    ]);
    expect(after.text('sensu/checks.yaml')).toBe(before.text('sensu/checks.yaml'));
  });

  test('a retired entry without releases is listed with nothing to keep', () => {
    const catalog = makeCatalog();
    const { manifest, files } = bundleFiles(makeCatalog({ builds: { ...catalog.builds, bgo: [...catalog.builds.bgo, imageReleases('gone', [])] } }));
    expect(manifest.retired_files.gone).toEqual([]);
    expect(files.has('checks/gone.json')).toBe(false);
  });

  test('an environment left without live images has no Sensu check', () => {
    const env = makeEnvironment({ images: [] });
    const { files, manifest } = bundleFiles(makeCatalog({ environments: [env] }), env);
    expect([...files.keys()].filter((f) => f.startsWith('sensu/') || f.startsWith('checks/'))).toEqual([]);
    expect(manifest.sensu).toEqual({});
    expect(Object.keys(manifest.retired_files)).toEqual(['almalinux9_vgpu', 'debian11', 'ubuntu_2404', 'winsrv_2025']);
  });
});
