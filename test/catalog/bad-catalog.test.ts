// Each case copies the valid fixture to a temp dir, breaks one thing, and asserts the exact lines.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { CatalogError, formatProblems, loadCatalog } from '../../lib/catalog';

const FIXTURE = path.join(__dirname, '../fixtures/catalogs/valid');
const ORIGINAL_CWD = process.cwd();

let root: string;
let cfg: string;

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-bad-')));
  cfg = path.join(root, 'config');
  fs.cpSync(FIXTURE, cfg, { recursive: true });
  process.chdir(root); // messages name other files relative to the current directory
});

afterEach(() => {
  process.chdir(ORIGINAL_CWD);
  fs.rmSync(root, { recursive: true, force: true });
});

/** The formatted problem lines (files relative to the temp root, i.e. `config/...`). */
function problems(dir = cfg): string[] {
  try {
    loadCatalog(dir);
  } catch (e) {
    if (e instanceof CatalogError) return formatProblems(e.problems, root);
    throw e;
  }
  throw new Error('the catalog loaded without problems');
}

/** Loads a YAML file of the temp catalog, lets `fn` change it, writes it back. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function patch(rel: string, fn: (doc: any) => void): void {
  const file = path.join(cfg, rel);
  const doc = yaml.load(fs.readFileSync(file, 'utf8'));
  fn(doc);
  fs.writeFileSync(file, yaml.dump(doc));
}

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(cfg, rel)), { recursive: true });
  fs.writeFileSync(path.join(cfg, rel), text);
}

function remove(rel: string): void {
  fs.rmSync(path.join(cfg, rel), { recursive: true, force: true });
}

const GOLD = 'config/images/gold.yaml';
const VGPU = 'config/images/vgpu.yaml';
const ENVS = 'config/environments.yaml';
const TPLS = 'config/templates.yaml';
const BGO = 'config/builds/bgo.yaml';

describe('bad catalogs: every problem, one exact line each', () => {
  test('sanity: the unmodified fixture copy loads', () => {
    expect(() => loadCatalog(cfg)).not.toThrow();
  });

  // ---- structure and types --------------------------------------------------------------------

  test('unknown image key with a did-you-mean hint', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_ram = d.images.ubuntu_2404.min_ram_mb;
      delete d.images.ubuntu_2404.min_ram_mb;
    });
    expect(problems()).toEqual([
      `${GOLD}: images.ubuntu_2404.min_ram_mb: missing required key`,
      `${GOLD}: images.ubuntu_2404.min_ram: unknown key \`min_ram\` (did you mean \`min_ram_mb\`?)`,
    ]);
  });

  test('unknown key without a close match lists the allowed keys', () => {
    patch('templates.yaml', (d) => {
      d.templates.default.packer_vars = { a: 'b' };
    });
    expect(problems()).toEqual([
      `${TPLS}: templates.default.packer_vars: unknown key \`packer_vars\` (allowed: custom_scripts, external_command)`,
    ]);
  });

  test('unknown top-level key in environments.yaml', () => {
    patch('environments.yaml', (d) => {
      d.enviroments = {};
    });
    expect(problems()).toEqual([`${ENVS}: enviroments: unknown key \`enviroments\` (did you mean \`environments\`?)`]);
  });

  test('a quoted number where a number is expected', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_disk_gb = '8';
    });
    expect(problems()).toEqual([`${GOLD}: images.ubuntu_2404.min_disk_gb: must be a number, got string \`8\` (remove the quotes)`]);
  });

  test('numeric range', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_ram_mb = 32;
      d.images.debian_12.keep_builds = 0;
    });
    expect(problems()).toEqual([
      `${GOLD}: images.ubuntu_2404.min_ram_mb: must be between 64 and 1048576`,
      `${GOLD}: images.debian_12.keep_builds: must be between 1 and 20`,
    ]);
  });

  test('a fraction where a whole number is expected', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_disk_gb = 8.5;
    });
    expect(problems()).toEqual([`${GOLD}: images.ubuntu_2404.min_disk_gb: must be a whole number, got 8.5`]);
  });

  test('yes is a string, not a boolean', () => {
    write('images/vgpu.yaml', fs.readFileSync(path.join(cfg, 'images/vgpu.yaml'), 'utf8') + '    efi: yes\n');
    expect(problems()).toEqual([`${VGPU}: images.rocky_9.efi: must be true or false, got string \`yes\``]);
  });

  test('enum value', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.visibility = 'hidden';
    });
    expect(problems()).toEqual([
      `${VGPU}: images.rocky_9.visibility: must be one of public, private, shared, community; got string \`hidden\``,
    ]);
  });

  test('invalid image name', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images['Rocky-9'] = d.images.rocky_9;
      delete d.images.rocky_9;
    });
    expect(problems()).toEqual([
      `${VGPU}: images.Rocky-9: invalid image name \`Rocky-9\`: use a-z, 0-9 and _`,
      `${ENVS}: environments.bgo.exclude_images[0]: unknown image \`rocky_9\` (did you mean \`Rocky-9\`?)`,
    ]);
  });

  test('property values must be strings', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.properties.hw_vif_multiqueue_enabled = true;
      d.images.ubuntu_2404.properties.os_version = 24.04;
    });
    expect(problems()).toEqual([
      `${GOLD}: images.ubuntu_2404.properties.hw_vif_multiqueue_enabled: must be a string, got boolean \`true\` (quote it)`,
      `${GOLD}: images.ubuntu_2404.properties.os_version: must be a string, got number \`24.04\` (quote it)`,
    ]);
  });

  test('images must be `all` or a list', () => {
    patch('environments.yaml', (d) => {
      d.environments.osl.images = 'every';
    });
    expect(problems()).toEqual([`${ENVS}: environments.osl.images: must be \`all\` or a list of image names, got string \`every\``]);
  });

  // ---- names, references, duplicates --------------------------------------------------------------

  test('duplicate image name across images files names both files', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.ubuntu_2404 = { ...d.images.rocky_9, display_name: 'Ubuntu again' };
    });
    expect(problems()).toEqual([
      `${VGPU}: images.ubuntu_2404: image \`ubuntu_2404\` is also defined in ${GOLD}`,
    ]);
  });

  test('unknown template with a hint', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.template = 'nv_vgup';
    });
    expect(problems()).toEqual([`${VGPU}: images.rocky_9.template: unknown template \`nv_vgup\` (did you mean \`nv_vgpu\`?)`]);
  });

  test('the default template is missing', () => {
    patch('templates.yaml', (d) => {
      delete d.templates.default;
    });
    expect(problems()).toEqual([
      `${TPLS}: templates: missing template \`default\` (used by images without \`template\`: ubuntu_2404, debian_12)`,
    ]);
  });

  test('an environment lists an image that does not exist', () => {
    patch('environments.yaml', (d) => {
      d.environments.osl.images.push('ubuntu_2204');
    });
    expect(problems()).toEqual([
      `${ENVS}: environments.osl.images[2]: unknown image \`ubuntu_2204\` (did you mean \`ubuntu_2404\`?)`,
    ]);
  });

  test('exclude_images names an unknown image', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.exclude_images = ['winsrv_2022'];
    });
    expect(problems()).toEqual([`${ENVS}: environments.bgo.exclude_images[0]: unknown image \`winsrv_2022\``]);
  });

  test('builds for an environment that does not exist', () => {
    fs.copyFileSync(path.join(cfg, 'builds/bgo.yaml'), path.join(cfg, 'builds/bgoo.yaml'));
    expect(problems()).toEqual([`config/builds/bgoo.yaml: no environment \`bgoo\` in environments.yaml (did you mean \`bgo\`?)`]);
  });

  test('owner without an owner_clouds mapping in an environment carrying the image', () => {
    patch('environments.yaml', (d) => {
      delete d.environments.osl.owner_clouds;
    });
    expect(problems()).toEqual([
      `${ENVS}: environments.osl.owner_clouds: no clouds.yaml entry for owner \`nrec-images\` (owner of image ubuntu_2404)`,
    ]);
  });

  test('owner without mapping is fine where the image is not carried', () => {
    patch('environments.yaml', (d) => {
      delete d.environments.osl.owner_clouds;
      d.environments.osl.images = ['debian_12'];
    });
    expect(() => loadCatalog(cfg)).not.toThrow();
  });

  // ---- scripts and urls ---------------------------------------------------------------------------

  test('script names must be safe file names', () => {
    patch('templates.yaml', (d) => {
      d.templates.default.custom_scripts = ['../evil.sh', 'run me.sh'];
    });
    expect(problems()).toEqual([
      `${TPLS}: templates.default.custom_scripts[0]: invalid script name \`../evil.sh\`: use A-Z, a-z, 0-9, ., _ and - ending in .sh`,
      `${TPLS}: templates.default.custom_scripts[1]: invalid script name \`run me.sh\`: use A-Z, a-z, 0-9, ., _ and - ending in .sh`,
    ]);
  });

  test('a script missing from provision/', () => {
    remove('provision/nvidia-grid-driver.sh');
    expect(problems()).toEqual([
      `${TPLS}: templates.nv_vgpu.custom_scripts[1]: script \`nvidia-grid-driver.sh\` not found in config/provision/`,
    ]);
  });

  test('urls: must parse, http(s) only, base urls end with /', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.upstream.url = 'cloud-images.ubuntu.com/noble/';
      d.images.debian_12.upstream.url = 'ftp://cdimage.debian.example/bookworm/';
    });
    patch('environments.yaml', (d) => {
      d.environments.osl.builder.base_url = 'https://builder.mgmt.osl.example/images';
    });
    expect(problems()).toEqual([
      `${ENVS}: environments.osl.builder.base_url: must end with '/' (base url), got \`https://builder.mgmt.osl.example/images\``,
      `${GOLD}: images.ubuntu_2404.upstream.url: not a valid url: \`cloud-images.ubuntu.com/noble/\``,
      `${GOLD}: images.debian_12.upstream.url: must be an http:// or https:// url, got \`ftp://cdimage.debian.example/bookworm/\``,
    ]);
  });

  test('plain http upstream needs insecure_http_waiver', () => {
    patch('images/gold.yaml', (d) => {
      delete d.images.debian_12.upstream.insecure_http_waiver;
    });
    expect(problems()).toEqual([
      `${GOLD}: images.debian_12.upstream.url: plain http needs \`insecure_http_waiver: "<reason>"\` (or use https)`,
    ]);
  });

  test('missing checksum_file needs no_checksum_waiver; checksum_file needs algorithm', () => {
    patch('images/vgpu.yaml', (d) => {
      delete d.images.rocky_9.upstream.no_checksum_waiver;
    });
    patch('images/gold.yaml', (d) => {
      delete d.images.ubuntu_2404.upstream.algorithm;
    });
    expect(problems()).toEqual([
      `${GOLD}: images.ubuntu_2404.upstream.algorithm: missing required key with \`checksum_file\` (sha256, sha512 or md5)`,
      `${VGPU}: images.rocky_9.upstream.checksum_file: missing required key (or set \`no_checksum_waiver: "<reason>"\`)`,
    ]);
  });

  // ---- image rules --------------------------------------------------------------------------------

  test('members only with visibility shared (also when public comes from defaults)', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.members = ['project-x'];
    });
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.members = ['project-y'];
    });
    expect(problems()).toEqual([
      `${GOLD}: images.ubuntu_2404.members: only allowed with visibility \`shared\`, visibility is \`public\` (from defaults)`,
      `${VGPU}: images.rocky_9.members: only allowed with visibility \`shared\`, visibility is \`private\``,
    ]);
  });

  test('week_of_month needs weekday; weekday must be 0-6 or sun..sat', () => {
    patch('images/gold.yaml', (d) => {
      delete d.images.ubuntu_2404.schedule.weekday;
      d.images.debian_12.schedule.weekday = 'funday';
    });
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.schedule = { weekday: 7, hour: 24 };
    });
    expect(problems()).toEqual([
      `${GOLD}: images.ubuntu_2404.schedule.week_of_month: needs \`weekday\` (monthly on the n-th weekday)`,
      `${GOLD}: images.debian_12.schedule.weekday: must be 0-6 (0 = sunday) or sun..sat, got \`funday\``,
      `${VGPU}: images.rocky_9.schedule.weekday: must be 0-6 (0 = sunday) or sun..sat, got \`7\``,
      `${VGPU}: images.rocky_9.schedule.hour: must be between 0 and 23`,
    ]);
  });

  test('end_of_life must be a real date', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.end_of_life = '2029-02-30';
    });
    expect(problems()).toEqual([`${GOLD}: images.ubuntu_2404.end_of_life: must be a real date YYYY-MM-DD, got \`2029-02-30\``]);
  });

  // ---- environments -------------------------------------------------------------------------------

  test('s3 backend: required fields', () => {
    patch('environments.yaml', (d) => {
      delete d.environments.bgo.backend.bucket;
    });
    expect(problems()).toEqual([`${ENVS}: environments.bgo.backend.bucket: missing required key`]);
  });

  test('s3 credentials are rejected as unknown keys', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.backend.access_key = 'AKIA...';
      d.environments.bgo.backend.secret_key = 'very secret';
    });
    expect(problems()).toEqual([
      `${ENVS}: environments.bgo.backend.access_key: unknown key \`access_key\` (credentials are never read from the catalog: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment)`,
      `${ENVS}: environments.bgo.backend.secret_key: unknown key \`secret_key\` (credentials are never read from the catalog: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment)`,
    ]);
  });

  test('unknown backend type', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.backend = { type: 'gcs', bucket: 'x' };
    });
    expect(problems()).toEqual([`${ENVS}: environments.bgo.backend.type: must be one of local, s3; got string \`gcs\``]);
  });

  test('ssh_source_cidrs: valid cidrs, at least one', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.builder.ssh_source_cidrs = ['10.0.250.0/33', 'builder'];
      d.environments.osl.builder.ssh_source_cidrs = [];
    });
    expect(problems()).toEqual([
      `${ENVS}: environments.osl.builder.ssh_source_cidrs: must list at least one cidr`,
      `${ENVS}: environments.bgo.builder.ssh_source_cidrs[0]: prefix length must be 0-32, got \`10.0.250.0/33\``,
      `${ENVS}: environments.bgo.builder.ssh_source_cidrs[1]: must be a cidr (address/prefix), got \`builder\``,
    ]);
  });

  test('missing required environment keys', () => {
    patch('environments.yaml', (d) => {
      delete d.environments.osl.region;
      delete d.environments.osl.builder.availability_zone;
    });
    expect(problems()).toEqual([
      `${ENVS}: environments.osl.region: missing required key`,
      `${ENVS}: environments.osl.builder.availability_zone: missing required key`,
    ]);
  });

  // ---- builds -------------------------------------------------------------------------------------

  test('release checksums: md5 32 hex, sha256 64 hex', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[0].md5 = 'abc';
      d.images.ubuntu_2404.releases[1].sha256 = 'z'.repeat(64);
    });
    expect(problems()).toEqual([
      `${BGO}: images.ubuntu_2404.releases[0].md5: must be 32 hex digits (md5)`,
      `${BGO}: images.ubuntu_2404.releases[1].sha256: must be 64 hex digits (sha256)`,
    ]);
  });

  test('release dates must be real calendar dates', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[0].date = '2026-13-01';
      d.images.centos_7.releases[0].date = 20240101;
    });
    expect(problems()).toEqual([
      `${BGO}: images.ubuntu_2404.releases[0].date: must be a real date YYYY-MM-DD, got \`2026-13-01\``,
      `${BGO}: images.centos_7.releases[0].date: must be a date YYYY-MM-DD, got number \`20240101\``,
    ]);
  });

  test('duplicate build ids per image', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[2].build_id = '20261021';
    });
    expect(problems()).toEqual([
      `${BGO}: images.ubuntu_2404.releases[2].build_id: duplicate build id \`20261021\` (also releases[0])`,
    ]);
  });

  test('release file names without /, unquoted build ids, positive sizes', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[0].file = 'images/ubuntu.qcow2';
      d.images.ubuntu_2404.releases[1].build_id = 20261104;
      d.images.centos_7.releases[0].size_bytes = 0;
    });
    expect(problems()).toEqual([
      `${BGO}: images.ubuntu_2404.releases[0].file: must be a file name without '/', got \`images/ubuntu.qcow2\``,
      `${BGO}: images.ubuntu_2404.releases[1].build_id: must be a string, got number \`20261104\` (quote it)`,
      `${BGO}: images.centos_7.releases[0].size_bytes: must be a positive whole number`,
    ]);
  });

  // ---- files --------------------------------------------------------------------------------------

  test('yaml syntax errors are reported with line and column', () => {
    write('templates.yaml', 'templates:\n  default:\n    custom_scripts: [resolver.sh\n');
    const lines = problems();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config\/templates\.yaml:\d+:\d+: yaml syntax error: \S.*$/);
  });

  test('a yaml syntax error with an exact position', () => {
    write('defaults.yaml', 'image:\n  keep_outdated: 2\n   keep_builds: 3\n');
    expect(problems()).toEqual(['config/defaults.yaml:3:15: yaml syntax error: bad indentation of a mapping entry']);
  });

  test('missing required files', () => {
    remove('environments.yaml');
    remove('templates.yaml');
    expect(problems()).toEqual([`${ENVS}: missing required file`, `${TPLS}: missing required file`]);
  });

  test('no images files', () => {
    remove('images');
    expect(problems()).toEqual(['config/images: missing: at least one images/*.yaml file is required']);
  });

  test('an images file with the .yml extension', () => {
    fs.renameSync(path.join(cfg, 'images/vgpu.yaml'), path.join(cfg, 'images/vgpu.yml'));
    // the images in vgpu.yml are unknown, so references to them are not reported as well
    expect(problems()).toEqual(['config/images/vgpu.yml: use the .yaml extension (.yml files are not read)']);
  });

  test('a config dir that does not exist', () => {
    expect(problems(path.join(root, 'nope'))).toEqual(['nope: config directory does not exist']);
  });

  test('an empty required file', () => {
    write('templates.yaml', '# nothing yet\n');
    expect(problems()).toEqual([`${TPLS}: file is empty`]);
  });

  // ---- collecting everything ----------------------------------------------------------------------

  test('problems in several files are all reported at once', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_ram_mb = 0;
      d.images.ubuntu_2404.templat = 'default';
    });
    patch('environments.yaml', (d) => {
      d.environments.osl.cloud = 42;
    });
    patch('builds/bgo.yaml', (d) => {
      d.images.centos_7.releases[0].md5 = 'nope';
    });
    write('templates.yaml', 'templates: [default]\n');
    expect(problems()).toEqual([
      `${ENVS}: environments.osl.cloud: must be a string, got number \`42\` (quote it)`,
      `${GOLD}: images.ubuntu_2404.min_ram_mb: must be between 64 and 1048576`,
      `${GOLD}: images.ubuntu_2404.templat: unknown key \`templat\` (did you mean \`template\`?)`,
      `${TPLS}: templates: must be a mapping, got a list`,
      `${BGO}: images.centos_7.releases[0].md5: must be 32 hex digits (md5)`,
    ]);
  });

  test('an external_command template that also lists scripts, with a relative command', () => {
    patch('templates.yaml', (d) => {
      d.templates.default.external_command = ['build-windows'];
    });
    expect(problems()).toEqual([
      `${TPLS}: templates.default.external_command: the command (first item) must be an absolute path`,
      `${TPLS}: templates.default.custom_scripts: an external_command template runs no provisioning scripts`,
    ]);
  });

  test('a builds record whose outdated_name or type no longer matches the catalog', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.type = 'vgpu';
      d.images.ubuntu_2404.outdated_name = 'Outdated (Ubuntu 24.4)';
    });
    expect(problems()).toEqual([
      `${BGO}: images.ubuntu_2404.type: records \`vgpu\` but the catalog says \`gold\` (update the record)`,
      `${BGO}: images.ubuntu_2404.outdated_name: records \`Outdated (Ubuntu 24.4)\` but the catalog says \`Outdated (Ubuntu 24.04 LTS)\` (update the record)`,
    ]);
  });

  test('a packer template but a standard provisioning script is missing', () => {
    remove('provision/upgrade.sh');
    remove('provision/grub.sh');
    expect(problems()).toEqual([`config/provision: missing standard provisioning scripts upgrade.sh, grub.sh`]);
  });
});
