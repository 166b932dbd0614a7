import type { Catalog, Image, ImageReleases } from '../../lib/catalog/model';
import { goldImagesPage, naturalCmp, renderGoldImages, UnknownEnvironmentError } from '../../lib/docs';
import { deepFreeze, imageReleases, makeCatalog, makeEnvironment, makeImage, makeOslEnvironment, makeSharedImage, release } from '../fixtures/model';

describe('goldImagesPage', () => {
  test('every environment merged: one line per GOLD image with its regions, then the retired images', () => {
    expect(goldImagesPage(makeCatalog())).toEqual({
      environments: ['bgo', 'osl'],
      regions: ['bgo', 'osl'],
      images: [
        {
          key: 'ubuntu_2404',
          glanceName: 'GOLD Ubuntu 24.04 LTS',
          type: 'gold',
          shortName: 'ubuntu_2404',
          loginUser: 'ubuntu',
          firmware: 'BIOS',
          endOfLife: undefined,
          regions: ['bgo', 'osl'],
        },
        {
          key: 'almalinux9_vgpu',
          glanceName: 'vGPU Alma Linux 9',
          type: 'vgpu',
          shortName: 'almalinux9_vgpu',
          loginUser: 'almalinux',
          firmware: 'UEFI',
          endOfLife: undefined,
          regions: ['bgo'],
        },
      ],
      retired: [
        // definition gone: the name inside the recorded `Outdated (…)`, the newest released build
        { key: 'debian11', name: 'Debian 11', shortName: 'debian11', lastRelease: '2026-08-01' },
        // defined but carried by no environment
        { key: 'winsrv_2025', name: 'Windows Server 2025 Standard', shortName: 'winsrv_2025', lastRelease: '2026-10-14' },
      ],
    });
  });

  test('one environment: only its images, its region', () => {
    const page = goldImagesPage(makeCatalog(), ['osl']);
    expect(page.environments).toEqual(['osl']);
    expect(page.regions).toEqual(['osl']);
    expect(page.images.map((i) => [i.key, i.regions])).toEqual([['ubuntu_2404', ['osl']]]);
    expect(page.retired).toEqual([]);
  });

  test('environments come in catalog order whatever the order asked', () => {
    expect(goldImagesPage(makeCatalog(), ['osl', 'bgo']).environments).toEqual(['bgo', 'osl']);
  });

  test('an unknown environment is an error naming the known ones', () => {
    expect(() => goldImagesPage(makeCatalog(), ['trd'])).toThrow(new UnknownEnvironmentError('trd', ['bgo', 'osl']));
    expect(() => goldImagesPage(makeCatalog(), ['trd'])).toThrow('no environment `trd` in environments.yaml (bgo, osl)');
  });

  test('only a released build makes a GOLD: candidates and withdrawn builds alone list nothing, and count for no date', () => {
    const catalog = makeCatalog({
      environments: [makeEnvironment()],
      builds: {
        bgo: [
          imageReleases('ubuntu_2404', [release('ubuntu_2404', '2026-11-04', { state: 'candidate' })]),
          imageReleases('almalinux9_vgpu', [release('almalinux9_vgpu', '2026-11-05', { state: 'withdrawn' })]),
          imageReleases('debian11', [release('debian11', '2026-09-01', { state: 'withdrawn' }), release('debian11', '2026-08-01')], {
            outdatedName: 'Outdated (Debian 11)',
          }),
        ],
      },
    });
    const page = goldImagesPage(catalog);
    expect(page.images).toEqual([]);
    expect(page.retired).toEqual([{ key: 'debian11', name: 'Debian 11', shortName: 'debian11', lastRelease: '2026-08-01' }]);
  });

  test('GOLD in one environment, retired in another: listed where it is GOLD, not as retired', () => {
    const catalog = makeCatalog({
      environments: [makeEnvironment(), makeOslEnvironment({ images: [] })],
    });
    const page = goldImagesPage(catalog);
    expect(page.images.find((i) => i.key === 'ubuntu_2404')?.regions).toEqual(['bgo']);
    expect(page.retired.map((r) => r.key)).toEqual(['debian11', 'winsrv_2025']);
    // seen from osl alone, it is retired there (its last release in osl)
    expect(goldImagesPage(catalog, ['osl']).retired).toEqual([{ key: 'ubuntu_2404', name: 'Ubuntu 24.04 LTS', shortName: 'ubuntu_2404', lastRelease: '2026-11-02' }]);
  });

  test('the short name is the catalog short_name, the second Glance tag, for current and retired images', () => {
    const vgpu = makeSharedImage({ name: 'almalinux9_nv_vgpu', shortName: 'almalinux9' });
    const catalog = makeCatalog({
      environments: [makeEnvironment({ images: ['almalinux9_nv_vgpu'] })],
      images: [vgpu],
      builds: {
        bgo: [
          imageReleases('almalinux9_nv_vgpu', [release('almalinux9_nv_vgpu', '2026-11-05')]),
          imageReleases('ubuntu_2204_nv_vgpu', [release('ubuntu_2204_nv_vgpu', '2026-06-01')], {
            shortName: 'ubuntu_2204',
            outdatedName: 'Outdated vGPU (Ubuntu 22.04)',
          } as Partial<ImageReleases>),
          imageReleases('old', [release('old', '2020-01-01')]),
        ],
      },
    });
    const page = goldImagesPage(catalog);
    expect(page.images.map((i) => [i.key, i.shortName])).toEqual([['almalinux9_nv_vgpu', 'almalinux9']]);
    expect(page.retired).toEqual([
      // an Outdated name of another shape is shown whole; without any, the key
      { key: 'ubuntu_2204_nv_vgpu', name: 'Outdated vGPU (Ubuntu 22.04)', shortName: 'ubuntu_2204', lastRelease: '2026-06-01' },
      { key: 'old', name: 'old', shortName: 'old', lastRelease: '2020-01-01' },
    ]);
  });

  test('a retired image recorded in several environments: the newest released date of all, the name any of them recorded', () => {
    const catalog = makeCatalog({
      builds: {
        bgo: [imageReleases('debian11', [release('debian11', '2026-07-25')])],
        osl: [imageReleases('debian11', [release('debian11', '2026-08-01')], { outdatedName: 'Outdated (Debian 11)', shortName: 'debian_11' } as Partial<ImageReleases>)],
      },
    });
    expect(goldImagesPage(catalog).retired).toEqual([{ key: 'debian11', name: 'Debian 11', shortName: 'debian_11', lastRelease: '2026-08-01' }]);
  });

  test('names sort as users read them: digits by value, the rest by code unit', () => {
    const names = ['Alma Linux 10', 'Rocky Linux 8', 'Alma Linux 9', 'Alma Linux 9.4', 'Alma Linux', 'Windows Server 2025', 'Windows Server 2022', 'alma 1', 'Alma Linux 09'];
    expect([...names].sort(naturalCmp)).toEqual([
      'Alma Linux',
      'Alma Linux 09',
      'Alma Linux 9',
      'Alma Linux 9.4',
      'Alma Linux 10',
      'Rocky Linux 8',
      'Windows Server 2022',
      'Windows Server 2025',
      'alma 1',
    ]);
  });

  test('the firmware is the published hw_firmware_type property, not the build VM efi flag', () => {
    const uefi = makeImage({ efi: false, properties: { hw_firmware_type: 'uefi' } });
    const bios = makeImage({ name: 'debian12', goldName: 'GOLD Debian 12', efi: true, properties: {} });
    const catalog = makeCatalog({
      environments: [makeEnvironment({ images: ['ubuntu_2404', 'debian12'] })],
      images: [uefi, bios],
      builds: { bgo: [imageReleases('ubuntu_2404', [release('ubuntu_2404', '2026-11-04')]), imageReleases('debian12', [release('debian12', '2026-11-04')])] },
    });
    expect(goldImagesPage(catalog).images.map((i) => [i.key, i.firmware])).toEqual([
      ['debian12', 'BIOS'],
      ['ubuntu_2404', 'UEFI'],
    ]);
  });
});

/** A catalog whose names try to break out of the table, into markup, links, roles and directives. */
function hostileCatalog(): Catalog {
  const evil = makeImage({
    name: 'evil',
    shortName: 'evil',
    displayName: 'Evil',
    goldName: 'GOLD Evil | `rm -rf /` *bold* :math:`x` |sub| ref_ [#]_ <b>x</b>',
    sshUser: 'cloud-user',
    properties: { hw_firmware_type: 'uefi' },
    endOfLife: '2030-01-01',
  });
  const plain: Image = makeImage({ name: 'plain', shortName: 'plain', type: 'test', displayName: 'Plain', goldName: '# Plain' });
  return deepFreeze({
    configDir: '/nowhere',
    environments: [makeEnvironment({ images: ['evil', 'plain'] }), makeOslEnvironment({ images: ['evil'] })],
    images: [evil, plain],
    templates: [],
    builds: {
      bgo: [
        imageReleases('evil', [release('evil', '2026-11-04')]),
        imageReleases('plain', [release('plain', '2026-11-01')]),
        imageReleases('gone', [release('gone', '2025-01-02')], { outdatedName: 'Outdated (.. image:: http://evil.example/x.png)' }),
      ],
      osl: [
        imageReleases('evil', [release('evil', '2026-11-05')]),
        imageReleases('old_one', [release('old_one', '2024-03-04'), release('old_one', '2024-05-06', { state: 'withdrawn' })], {
          outdatedName: 'Outdated (Old `one` | 1.)',
        }),
      ],
    },
  } as Catalog);
}

const INTRO_MARKDOWN = [
  '<!-- Generated by `goldsmith docs` from the catalog: do not edit, regenerate it. -->',
  '# GOLD images',
  '',
  'GOLD images are prebuilt images kept up to date: each is rebuilt regularly with the latest updates, and',
  'the newest verified build is the one named `GOLD …`. Earlier builds are hidden and renamed `Outdated (…)`,',
  'so servers made from them keep working while new servers get the current build.',
  '',
  'To follow the current GOLD from Terraform or a script, select the image by its two Glance tags, its type and',
  'its short name, and the property `goldsmith_state` = `gold`, not by its name (names change when images are',
  'renamed). Firmware is what the image boots with (its `hw_firmware_type` property: UEFI or BIOS).',
  '',
];

describe('renderGoldImages', () => {
  test('markdown: catalog text only in code spans, every pipe escaped (GFM), the table intact', () => {
    expect(renderGoldImages(goldImagesPage(hostileCatalog()), 'markdown')).toEqual([
      ...INTRO_MARKDOWN,
      'Regions: `bgo`, `osl`.',
      '',
      '| GOLD image                                                              | Type   | Short name | Login user   | Firmware | End of life | Regions      |',
      '| ----------------------------------------------------------------------- | ------ | ---------- | ------------ | -------- | ----------- | ------------ |',
      '| ``GOLD Evil \\| `rm -rf /` *bold* :math:`x` \\|sub\\| ref_ [#]_ <b>x</b>`` | `gold` | `evil`     | `cloud-user` | UEFI     | 2030-01-01  | `bgo`, `osl` |',
      '| `# Plain`                                                               | `test` | `plain`    | `ubuntu`     | BIOS     | *unknown*   | `bgo`        |',
      '',
      '## Retired GOLD images',
      '',
      'These images are no longer built or offered as GOLD. Move servers made from them to a current image.',
      '',
      '| Image                                  | Short name | Last release |',
      '| -------------------------------------- | ---------- | ------------ |',
      '| `.. image:: http://evil.example/x.png` | `gone`     | 2025-01-02   |',
      '| ``Old `one` \\| 1.``                    | `old_one`  | 2024-03-04   |',
    ]);
  });

  test('reStructuredText: catalog text only in :literal: roles (backticks and backslashes escaped), a list-table', () => {
    expect(renderGoldImages(goldImagesPage(hostileCatalog()), 'rst')).toEqual([
      '.. Generated by `goldsmith docs` from the catalog: do not edit, regenerate it.',
      '',
      'GOLD images',
      '===========',
      '',
      'GOLD images are prebuilt images kept up to date: each is rebuilt regularly with the latest updates, and',
      'the newest verified build is the one named ``GOLD …``. Earlier builds are hidden and renamed ``Outdated (…)``,',
      'so servers made from them keep working while new servers get the current build.',
      '',
      'To follow the current GOLD from Terraform or a script, select the image by its two Glance tags, its type and',
      'its short name, and the property ``goldsmith_state`` = ``gold``, not by its name (names change when images are',
      'renamed). Firmware is what the image boots with (its ``hw_firmware_type`` property: UEFI or BIOS).',
      '',
      'Regions: :literal:`bgo`, :literal:`osl`.',
      '',
      '.. list-table::',
      '   :header-rows: 1',
      '',
      '   * - GOLD image',
      '     - Type',
      '     - Short name',
      '     - Login user',
      '     - Firmware',
      '     - End of life',
      '     - Regions',
      '   * - :literal:`GOLD Evil | \\`rm -rf /\\` *bold* :math:\\`x\\` |sub| ref_ [#]_ <b>x</b>`',
      '     - :literal:`gold`',
      '     - :literal:`evil`',
      '     - :literal:`cloud-user`',
      '     - UEFI',
      '     - 2030-01-01',
      '     - :literal:`bgo`, :literal:`osl`',
      '   * - :literal:`# Plain`',
      '     - :literal:`test`',
      '     - :literal:`plain`',
      '     - :literal:`ubuntu`',
      '     - BIOS',
      '     - *unknown*',
      '     - :literal:`bgo`',
      '',
      'Retired GOLD images',
      '-------------------',
      '',
      'These images are no longer built or offered as GOLD. Move servers made from them to a current image.',
      '',
      '.. list-table::',
      '   :header-rows: 1',
      '',
      '   * - Image',
      '     - Short name',
      '     - Last release',
      '   * - :literal:`.. image:: http://evil.example/x.png`',
      '     - :literal:`gone`',
      '     - 2025-01-02',
      '   * - :literal:`Old \\`one\\` | 1.`',
      '     - :literal:`old_one`',
      '     - 2024-03-04',
    ]);
  });

  test('one region: no regions column; nothing published yet: a sentence instead of an empty table', () => {
    const catalog = hostileCatalog();
    const lines = renderGoldImages(goldImagesPage(catalog, ['bgo']), 'markdown');
    expect(lines.slice(INTRO_MARKDOWN.length, INTRO_MARKDOWN.length + 3)).toEqual([
      'Regions: `bgo`.',
      '',
      '| GOLD image                                                              | Type   | Short name | Login user   | Firmware | End of life |',
    ]);
    const empty = deepFreeze({ ...catalog, builds: {} } as Catalog);
    expect(renderGoldImages(goldImagesPage(empty), 'markdown').slice(INTRO_MARKDOWN.length)).toEqual(['Regions: `bgo`, `osl`.', '', 'No GOLD image is published yet.']);
    expect(renderGoldImages(goldImagesPage(empty), 'rst').slice(-3)).toEqual(['Regions: :literal:`bgo`, :literal:`osl`.', '', 'No GOLD image is published yet.']);
  });

  test('the order of the catalog does not matter: same catalog, same bytes', () => {
    const catalog = hostileCatalog();
    const shuffled = deepFreeze({
      ...catalog,
      images: [...catalog.images].reverse(),
      builds: Object.fromEntries(Object.entries(catalog.builds).map(([env, entries]) => [env, [...entries].reverse()])),
    } as Catalog);
    for (const format of ['markdown', 'rst'] as const) {
      expect(renderGoldImages(goldImagesPage(shuffled), format)).toEqual(renderGoldImages(goldImagesPage(catalog), format));
    }
  });
});
