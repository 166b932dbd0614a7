// Hostile catalogs (anyone with merge rights writes the catalog) and new-user mistakes: each case
// copies the valid fixture, plants one attack, and asserts the exact problem lines.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { CatalogError, formatProblems, loadCatalog } from '../../lib/catalog';
import { EnvironmentStack } from '../../stacks/environment-stack';

/** Injected fs failures (the tests run as root, so permissions cannot make a file unreadable). */
const mockFail: { readdir?: string; open?: string; code?: string } = {};
jest.mock('fs', () => {
  const real = jest.requireActual('fs');
  const fail = (target: unknown, suffix: string | undefined) => {
    if (suffix !== undefined && String(target).endsWith(suffix)) {
      throw Object.assign(new Error(`${mockFail.code}: injected`), { code: mockFail.code });
    }
  };
  return {
    ...real,
    readdirSync: (dir: unknown, ...rest: unknown[]) => (fail(dir, mockFail.readdir), real.readdirSync(dir, ...rest)),
    openSync: (file: unknown, ...rest: unknown[]) => (fail(file, mockFail.open), real.openSync(file, ...rest)),
  };
});

const FIXTURE = path.join(__dirname, '../fixtures/catalogs/valid');
const ORIGINAL_CWD = process.cwd();

let root: string;
let cfg: string;

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-hostile-')));
  cfg = path.join(root, 'config');
  fs.cpSync(FIXTURE, cfg, { recursive: true });
  process.chdir(root);
});

afterEach(() => {
  process.chdir(ORIGINAL_CWD);
  delete mockFail.readdir;
  delete mockFail.open;
  fs.rmSync(root, { recursive: true, force: true });
});

function problems(): string[] {
  try {
    loadCatalog(cfg);
  } catch (e) {
    if (e instanceof CatalogError) return formatProblems(e.problems, root);
    throw e;
  }
  throw new Error('the catalog loaded without problems');
}

/** Replaces `from` (which must occur) by `to` in a catalog file, byte for byte. */
function edit(rel: string, from: string, to: string | Buffer): void {
  const file = path.join(cfg, rel);
  const text = fs.readFileSync(file);
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`${rel} has no ${JSON.stringify(from)}`);
  fs.writeFileSync(file, Buffer.concat([text.subarray(0, at), Buffer.from(to), text.subarray(at + Buffer.byteLength(from))]));
}

const GOLD = 'config/images/gold.yaml';
const ENVS = 'config/environments.yaml';
const DEFAULTS = 'config/defaults.yaml';
const TPLS = 'config/templates.yaml';
const BGO = 'config/builds/bgo.yaml';

describe('2a: fields passed to packer and OpenStack are validated as what they are', () => {
  test('packer template syntax in ssh_user is rejected (it would expand {{env `OS_PASSWORD`}})', () => {
    edit('images/gold.yaml', 'ssh_user: ubuntu', 'ssh_user: "{{env `OS_PASSWORD`}}"');
    expect(problems()).toEqual([
      `${GOLD}:10:5: images.ubuntu_2404.ssh_user: invalid user name \`{{env \`OS_PASSWORD\`}}\`: use A-Z, a-z, 0-9, _ and - (not first), at most 32 characters`,
    ]);
  });

  test('template syntax in builder flavor, network and availability zone', () => {
    edit('environments.yaml', 'flavor: img.large', 'flavor: "{{user `x`}}"');
    edit('environments.yaml', 'network: build-net', 'network: "net-${var.x}"');
    edit('environments.yaml', 'availability_zone: bgo-default-1', 'availability_zone: "%{if x}"');
    expect(problems()).toEqual([
      `${ENVS}:18:7: environments.bgo.builder.network: must not contain \`\${\` (template syntax), got \`net-\${var.x}\``,
      `${ENVS}:19:7: environments.bgo.builder.flavor: must not contain \`{{\` (template syntax), got \`{{user \`x\`}}\``,
      `${ENVS}:20:7: environments.bgo.builder.availability_zone: must be a name of A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit), got string \`%{if x}\``,
    ]);
  });

  test('region, cloud and owner_clouds values are clouds.yaml-style names; blanks at the ends of a flavor', () => {
    edit('environments.yaml', 'region: osl', 'region: "{{env `HOME`}}"');
    edit('environments.yaml', 'cloud: osl-imagebuilder', 'cloud: "osl imagebuilder"');
    edit('environments.yaml', '{nrec-images: osl-nrec-images}', '{nrec-images: "}}"}');
    edit('environments.yaml', 'flavor: img.large', 'flavor: " img.large"');
    expect(problems()).toEqual([
      `${ENVS}:3:5: environments.osl.region: must be a name of A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit), got string \`{{env \`HOME\`}}\``,
      `${ENVS}:4:5: environments.osl.cloud: must be a name of A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit), got string \`osl imagebuilder\``,
      `${ENVS}:5:20: environments.osl.owner_clouds.nrec-images: must be a name of A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit), got string \`}}\``,
      `${ENVS}:19:7: environments.bgo.builder.flavor: must not start or end with blanks, got \` img.large\``,
    ]);
  });

  test('an over-long network name', () => {
    edit('environments.yaml', 'network: build-net', `network: ${'n'.repeat(256)}`);
    expect(problems()).toEqual([`${ENVS}:18:7: environments.bgo.builder.network: must be at most 255 characters, got 256`]);
  });
});

describe('3: the catalog text rule (every key and value of every file)', () => {
  test('a newline in a display name', () => {
    edit('images/gold.yaml', 'display_name: Ubuntu 24.04 LTS', 'display_name: "Ubuntu 24.04 LTS\\nGOLD Debian 12"');
    expect(problems()).toEqual([`${GOLD}:4:5: images.ubuntu_2404.display_name: value must not contain a line break (U+000A)`]);
  });

  test('a nul character in a gold name and a tab in a property value', () => {
    edit('images/gold.yaml', 'gold_name: GOLD Debian 12 (bookworm)', 'gold_name: "GOLD Debian\\0 12"');
    edit('images/gold.yaml', 'os_distro: ubuntu', 'os_distro: "ubu\\tntu"');
    expect(problems()).toEqual([
      `${GOLD}:15:7: images.ubuntu_2404.properties.os_distro: value must not contain a tab (U+0009)`,
      `${GOLD}:25:5: images.debian_12.gold_name: value must not contain a control character (U+0000)`,
    ]);
  });

  test('bidi overrides and zero-width characters in names, members, owner and property keys', () => {
    edit('images/gold.yaml', 'outdated_name: Outdated (Debian 12)', 'outdated_name: "Outdated (\\u202eDebian 12)"');
    edit('images/gold.yaml', 'members: [project-a, project-b]', 'members: [project-a, "project\\u200b-b"]');
    edit('images/gold.yaml', 'owner: nrec-images', 'owner: "\\ufeffnrec-images"');
    edit('images/gold.yaml', 'hw_disk_bus: virtio', '"hw_disk_bus\\u2066": virtio');
    expect(problems()).toEqual([
      `${GOLD}:13:5: images.ubuntu_2404.owner: value must not contain an invisible or bidirectional formatting character (U+FEFF)`,
      `${GOLD}:16:7: images.ubuntu_2404.properties.hw_disk_bus\\u{2066}: key must not contain an invisible or bidirectional formatting character (U+2066)`,
      `${GOLD}:26:5: images.debian_12.outdated_name: value must not contain an invisible or bidirectional formatting character (U+202E)`,
      `${GOLD}:39:26: images.debian_12.members[1]: value must not contain an invisible or bidirectional formatting character (U+200B)`,
    ]);
  });

  test('raw (unescaped) bidi characters in a plain scalar, in another file', () => {
    edit('environments.yaml', 'bucket: goldsmith-state', 'bucket: goldsmith\u202d-state');
    expect(problems()).toEqual([
      `${ENVS}:24:7: environments.bgo.backend.bucket: value must not contain an invisible or bidirectional formatting character (U+202D)`,
    ]);
  });

  test.each(['${', '#{', '&{'])('the cdktf token marker %sTfToken[ anywhere (validate must not pass what synth rejects)', (open) => {
    edit('images/gold.yaml', 'display_name: Debian 12', `display_name: "Debian ${open}TfToken[TOKEN.1]}"`);
    expect(problems()).toEqual([
      `${GOLD}:24:5: images.debian_12.display_name: value must not contain \`${open}TfToken[\` (a cdktf token marker)`,
    ]);
  });

  test('bytes that are not utf-8 are reported with the file and line, not turned into U+FFFD', () => {
    edit('images/gold.yaml', 'display_name: Debian 12', Buffer.from([...Buffer.from('display_name: Debian '), 0xff, 0x31, 0x32]));
    expect(problems()).toEqual([`${GOLD}:24: not valid utf-8 (save the file as utf-8)`]);
  });

  test('an empty key', () => {
    edit('images/gold.yaml', 'os_distro: ubuntu', '"": x');
    expect(problems()).toEqual([`${GOLD}:15:7: images.ubuntu_2404.properties."": empty key`]);
  });

  test('properties glance or terraform manage are rejected (non-empty keys)', () => {
    edit('images/gold.yaml', 'os_distro: ubuntu', 'name: "GOLD Windows"\n      visibility: public\n      os_hash_value: x\n      depricated: x\n      goldsmith_build: x\n      "a b": x');
    expect(problems()).toEqual([
      `${GOLD}:15:7: images.ubuntu_2404.properties.name: property \`name\` is managed by glance or terraform: not settable as a property`,
      `${GOLD}:16:7: images.ubuntu_2404.properties.visibility: property \`visibility\` is managed by glance or terraform: not settable as a property`,
      `${GOLD}:17:7: images.ubuntu_2404.properties.os_hash_value: property \`os_hash_value\` is managed by glance or terraform: not settable as a property`,
      `${GOLD}:18:7: images.ubuntu_2404.properties.depricated: property \`depricated\` is managed by goldsmith: not settable as a property`,
      `${GOLD}:19:7: images.ubuntu_2404.properties.goldsmith_build: property \`goldsmith_build\` is managed by goldsmith: not settable as a property`,
      `${GOLD}:20:7: images.ubuntu_2404.properties.a b: invalid property key string \`a b\`: use A-Z, a-z, 0-9, _, ., : and - (1-255 characters)`,
    ]);
  });

  test('__proto__ as an image, template, property, environment or builds key: one line each, no crash', () => {
    edit('images/gold.yaml', '  debian_12:', '  __proto__:');
    edit('images/gold.yaml', 'os_distro: ubuntu', '__proto__: {polluted: "yes"}');
    edit('templates.yaml', 'templates:\n', 'templates:\n  __proto__:\n    custom_scripts: []\n');
    edit('defaults.yaml', 'hw_disk_bus: scsi', '__proto__: x');
    edit('builds/bgo.yaml', '  centos_7:', '  __proto__:');
    expect(problems()).toEqual([
      `${DEFAULTS}:3:5: image.properties.__proto__: key \`__proto__\` is not allowed`,
      `${GOLD}:15:7: images.ubuntu_2404.properties.__proto__: key \`__proto__\` is not allowed`,
      `${GOLD}:23:3: images.__proto__: key \`__proto__\` is not allowed`,
      `${TPLS}:2:3: templates.__proto__: key \`__proto__\` is not allowed`,
      `${BGO}:24:3: images.__proto__: key \`__proto__\` is not allowed`,
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('18: only regular files inside the catalog are read', () => {
  test('a provisioning script symlinked to a secret', () => {
    const secret = path.join(root, 'secret');
    fs.writeFileSync(secret, 'OS_PASSWORD=hunter2\n');
    fs.rmSync(path.join(cfg, 'provision/resolver.sh'));
    fs.symlinkSync(secret, path.join(cfg, 'provision/resolver.sh'));
    expect(problems()).toEqual(['config/provision/resolver.sh: is a symbolic link: only regular files are read']);
  });

  test('a symlinked provision/ directory is one line, without follow-on "not found" lines', () => {
    const real = path.join(root, 'elsewhere');
    fs.renameSync(path.join(cfg, 'provision'), real);
    fs.symlinkSync(real, path.join(cfg, 'provision'));
    expect(problems()).toEqual(['config/provision: is a symbolic link: only regular directories are read']);
  });

  test('an images file symlinked to /dev/zero', () => {
    fs.symlinkSync('/dev/zero', path.join(cfg, 'images/zero.yaml'));
    expect(problems()).toEqual(['config/images/zero.yaml: is a symbolic link: only regular files are read']);
  });

  test('a fifo as an images file is rejected at once (no hang)', () => {
    const fifo = path.join(cfg, 'images/fifo.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(problems()).toEqual(['config/images/fifo.yaml: is a fifo: only regular files are read']);
  });

  test('a fifo as environments.yaml and as a script, a directory as defaults.yaml', () => {
    fs.rmSync(path.join(cfg, 'environments.yaml'));
    expect(spawnSync('mkfifo', [path.join(cfg, 'environments.yaml'), path.join(cfg, 'provision/extra.sh')]).status).toBe(0);
    fs.rmSync(path.join(cfg, 'defaults.yaml'));
    fs.mkdirSync(path.join(cfg, 'defaults.yaml'));
    expect(problems()).toEqual([
      'config/defaults.yaml: is a directory: only regular files are read',
      'config/environments.yaml: is a fifo: only regular files are read',
      'config/provision/extra.sh: is a fifo: only regular files are read',
    ]);
  });

  test('size caps: 10 MiB per yaml file, 1 MiB per script', () => {
    fs.appendFileSync(path.join(cfg, 'images/gold.yaml'), `# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    fs.appendFileSync(path.join(cfg, 'provision/resolver.sh'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const goldSize = fs.statSync(path.join(cfg, 'images/gold.yaml')).size;
    const scriptSize = fs.statSync(path.join(cfg, 'provision/resolver.sh')).size;
    expect(problems()).toEqual([
      `${GOLD}: file is too large: ${goldSize} bytes, at most 10485760`,
      `config/provision/resolver.sh: file is too large: ${scriptSize} bytes, at most 1048576`,
    ]);
  });
});

describe('19: file system errors are problem lines, never exceptions', () => {
  test('images/ is a symlink loop (ELOOP)', () => {
    fs.rmSync(path.join(cfg, 'images'), { recursive: true });
    fs.symlinkSync('images', path.join(cfg, 'images'));
    expect(problems()).toEqual([
      'config/images: is a symbolic link: only regular directories are read',
    ]);
  });

  test('builds/ is a file (ENOTDIR)', () => {
    fs.rmSync(path.join(cfg, 'builds'), { recursive: true });
    fs.writeFileSync(path.join(cfg, 'builds'), 'x');
    expect(problems()).toEqual(['config/builds: is a file, expected a directory']);
  });

  test('an unreadable directory (EACCES, injected: the tests run as root)', () => {
    Object.assign(mockFail, { readdir: `${path.sep}images`, code: 'EACCES' });
    expect(problems()).toEqual(['config/images: cannot read: permission denied (EACCES)']);
  });

  test('an unreadable file (EIO, injected)', () => {
    Object.assign(mockFail, { open: 'templates.yaml', code: 'EIO' });
    expect(problems()).toEqual([`${TPLS}: cannot read: i/o error (EIO)`]);
  });
});

describe('15: a retired image keeps its releases; releases belong to their image', () => {
  test('a retired image keeps every recorded release (retention is promote\'s reviewed change)', () => {
    edit('images/gold.yaml', '  ubuntu_2404:', '  ubuntu2404:');
    edit('environments.yaml', 'images: [debian_12, ubuntu_2404]', 'images: [debian_12]');
    edit('defaults.yaml', 'keep_outdated: 3', 'keep_outdated: 1');
    const catalog = loadCatalog(cfg);
    const app = new App({ outdir: path.join(root, 'out'), stackTraces: false });
    const stack = new EnvironmentStack(app, 'bgo', { catalog, environment: catalog.environments.find((e) => e.name === 'bgo')! });
    const retired = stack.retiredImages.find((i) => i.name === 'ubuntu_2404')!;
    expect(retired.releases.map((r) => `${r.node.id}:${r.role}`)).toEqual(['20261104.2:outdated', '20261104:outdated', '20261021:outdated']);
  });

  test("a release's file must be one of its image (`<image>-<date>.qcow2`)", () => {
    edit('builds/bgo.yaml', 'file: ubuntu_2404-20261021.qcow2', 'file: debian_12-20261021.qcow2');
    expect(problems()).toEqual([
      `${BGO}:6:9: images.ubuntu_2404.releases[0].file: must be a file of image \`ubuntu_2404\` (\`ubuntu_2404-<date>.qcow2\`), got \`debian_12-20261021.qcow2\``,
    ]);
  });
});
