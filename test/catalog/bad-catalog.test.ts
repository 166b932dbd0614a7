// Each case copies the valid fixture to a temp dir, breaks one thing, and asserts the exact lines.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
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
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  fn(doc);
  fs.writeFileSync(file, YAML.stringify(doc));
}

/** Replaces `from` (which must occur) by `to` in a catalog file: the rest keeps its lines and columns. */
function edit(rel: string, from: string, to: string): void {
  const file = path.join(cfg, rel);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${rel} has no ${JSON.stringify(from)}`);
  fs.writeFileSync(file, text.replace(from, to));
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
      `${GOLD}:3:3: images.ubuntu_2404.min_ram_mb: missing required key`,
      `${GOLD}:22:5: images.ubuntu_2404.min_ram: unknown key \`min_ram\` (did you mean \`min_ram_mb\`?)`,
    ]);
  });

  test('unknown key without a close match lists the allowed keys', () => {
    patch('templates.yaml', (d) => {
      d.templates.default.packer_vars = { a: 'b' };
    });
    expect(problems()).toEqual([
      `${TPLS}:5:5: templates.default.packer_vars: unknown key \`packer_vars\` (allowed: custom_scripts, external_command, variables)`,
    ]);
  });

  test('unknown top-level key in environments.yaml', () => {
    patch('environments.yaml', (d) => {
      d.enviroments = {};
    });
    expect(problems()).toEqual([`${ENVS}:35:1: enviroments: unknown key \`enviroments\` (did you mean \`environments\`?)`]);
  });

  test('a quoted number where a number is expected', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_disk_gb = '8';
    });
    expect(problems()).toEqual([`${GOLD}:12:5: images.ubuntu_2404.min_disk_gb: must be a number, got string \`8\` (remove the quotes)`]);
  });

  test('numeric range', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_ram_mb = 32;
      d.images.debian_12.keep_builds = 0;
    });
    expect(problems()).toEqual([
      `${GOLD}:11:5: images.ubuntu_2404.min_ram_mb: must be between 64 and 1048576`,
      `${GOLD}:46:5: images.debian_12.keep_builds: must be between 1 and 20`,
    ]);
  });

  test('a fraction where a whole number is expected', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.min_disk_gb = 8.5;
    });
    expect(problems()).toEqual([`${GOLD}:12:5: images.ubuntu_2404.min_disk_gb: must be a whole number, got 8.5`]);
  });

  test('yes is a string, not a boolean', () => {
    write('images/vgpu.yaml', fs.readFileSync(path.join(cfg, 'images/vgpu.yaml'), 'utf8') + '    efi: yes\n');
    expect(problems()).toEqual([`${VGPU}:14:5: images.rocky_9.efi: must be true or false, got string \`yes\``]);
  });

  test('enum value', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.visibility = 'hidden';
    });
    expect(problems()).toEqual([
      `${VGPU}:13:5: images.rocky_9.visibility: must be one of public, private, shared, community; got string \`hidden\``,
    ]);
  });

  test('invalid image name', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images['Rocky-9'] = d.images.rocky_9;
      delete d.images.rocky_9;
    });
    expect(problems()).toEqual([
      `${VGPU}:3:3: images.Rocky-9: invalid image name \`Rocky-9\`: use a-z, 0-9 and _`,
      `${ENVS}:27:22: environments.bgo.exclude_images[0]: unknown image \`rocky_9\` (did you mean \`Rocky-9\`?)`,
    ]);
  });

  test('property values must be strings', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.properties.hw_vif_multiqueue_enabled = true;
      d.images.ubuntu_2404.properties.os_version = 24.04;
    });
    expect(problems()).toEqual([
      `${GOLD}:17:7: images.ubuntu_2404.properties.hw_vif_multiqueue_enabled: must be a string, got boolean \`true\` (quote it)`,
      `${GOLD}:18:7: images.ubuntu_2404.properties.os_version: must be a string, got number \`24.04\` (quote it)`,
    ]);
  });

  test('images must be `all` or a list', () => {
    patch('environments.yaml', (d) => {
      d.environments.osl.images = 'every';
    });
    expect(problems()).toEqual([`${ENVS}:12:5: environments.osl.images: must be \`all\` or a list of image names, got string \`every\``]);
  });

  // ---- names, references, duplicates --------------------------------------------------------------

  test('duplicate image name across images files names both files', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.ubuntu_2404 = { ...d.images.rocky_9, display_name: 'Ubuntu again' };
    });
    expect(problems()).toEqual([
      `${VGPU}:14:3: images.ubuntu_2404: image \`ubuntu_2404\` is also defined in ${GOLD}`,
    ]);
  });

  test('unknown template with a hint', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.template = 'nv_vgup';
    });
    expect(problems()).toEqual([`${VGPU}:12:5: images.rocky_9.template: unknown template \`nv_vgup\` (did you mean \`nv_vgpu\`?)`]);
  });

  test('the default template is missing', () => {
    patch('templates.yaml', (d) => {
      delete d.templates.default;
    });
    expect(problems()).toEqual([
      `${TPLS}:1:1: templates: missing template \`default\` (used by images without \`template\`: ubuntu_2404, debian_12)`,
    ]);
  });

  test('an environment lists an image that does not exist', () => {
    patch('environments.yaml', (d) => {
      d.environments.osl.images.push('ubuntu_2204');
    });
    expect(problems()).toEqual([
      `${ENVS}:15:9: environments.osl.images[2]: unknown image \`ubuntu_2204\` (did you mean \`ubuntu_2404\`?)`,
    ]);
  });

  test('exclude_images names an unknown image', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.exclude_images = ['winsrv_2022'];
    });
    expect(problems()).toEqual([`${ENVS}:34:9: environments.bgo.exclude_images[0]: unknown image \`winsrv_2022\``]);
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
      `${ENVS}:2:3: environments.osl.owner_clouds: no clouds.yaml entry for owner \`nrec-images\` (owner of image ubuntu_2404)`,
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
      `${TPLS}:4:9: templates.default.custom_scripts[0]: invalid script name \`../evil.sh\`: use A-Z, a-z, 0-9, ., _ and - ending in .sh`,
      `${TPLS}:5:9: templates.default.custom_scripts[1]: invalid script name \`run me.sh\`: use A-Z, a-z, 0-9, ., _ and - ending in .sh`,
    ]);
  });

  test('a script missing from provision/', () => {
    remove('provision/nvidia-grid-driver.sh');
    expect(problems()).toEqual([
      `${TPLS}:5:35: templates.nv_vgpu.custom_scripts[1]: script \`nvidia-grid-driver.sh\` not found in config/provision/`,
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
      `${ENVS}:8:7: environments.osl.builder.base_url: must end with '/' (base url), got \`https://builder.mgmt.osl.example/images\``,
      `${GOLD}:6:7: images.ubuntu_2404.upstream.url: not a valid url: \`cloud-images.ubuntu.com/noble/\``,
      `${GOLD}:28:7: images.debian_12.upstream.url: must be an http:// or https:// url, got \`ftp://cdimage.debian.example/bookworm/\``,
    ]);
  });

  test('plain http upstream needs insecure_http_waiver', () => {
    patch('images/gold.yaml', (d) => {
      delete d.images.debian_12.upstream.insecure_http_waiver;
    });
    expect(problems()).toEqual([
      `${GOLD}:28:7: images.debian_12.upstream.url: plain http needs \`insecure_http_waiver: "<reason>"\` (or use https)`,
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
      `${GOLD}:5:5: images.ubuntu_2404.upstream.algorithm: missing required key with \`checksum_file\` (sha256, sha512 or md5)`,
      `${VGPU}:5:5: images.rocky_9.upstream.checksum_file: missing required key (or pin \`checksum: "sha256:<hex>"\`, or set \`no_checksum_waiver: "<reason>"\`)`,
    ]);
  });

  test('a pinned checksum: well-formed, and never with checksum_file, algorithm or a waiver', () => {
    patch('images/vgpu.yaml', (d) => {
      d.images.rocky_9.upstream.checksum = `sha256:${'a'.repeat(64)}`;
    });
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.upstream.checksum = `sha256:${'b'.repeat(64)}`;
      d.images.debian_12.upstream.checksum = 'sha256:abc';
    });
    expect(problems()).toEqual([
      `${GOLD}:10:7: images.ubuntu_2404.upstream.checksum: only one of \`checksum\` and \`checksum_file\``,
      `${GOLD}:9:7: images.ubuntu_2404.upstream.algorithm: only allowed with \`checksum_file\` (\`checksum\` names its own algorithm)`,
      `${GOLD}:34:7: images.debian_12.upstream.checksum: sha256 must have 64 hex digits, got 3`,
      `${GOLD}:34:7: images.debian_12.upstream.checksum: only one of \`checksum\` and \`checksum_file\``,
      `${GOLD}:32:7: images.debian_12.upstream.algorithm: only allowed with \`checksum_file\` (\`checksum\` names its own algorithm)`,
      `${VGPU}:8:7: images.rocky_9.upstream.no_checksum_waiver: not needed with a pinned \`checksum\`: remove it`,
    ]);
  });

  test('a pinned checksum does not waive the plain-http rule', () => {
    patch('images/vgpu.yaml', (d) => {
      delete d.images.rocky_9.upstream.no_checksum_waiver;
      d.images.rocky_9.upstream.checksum = `sha256:${'a'.repeat(64)}`;
      d.images.rocky_9.upstream.url = String(d.images.rocky_9.upstream.url).replace(/^https:/, 'http:');
    });
    expect(problems()).toEqual([
      `${VGPU}:6:7: images.rocky_9.upstream.url: plain http needs \`insecure_http_waiver: "<reason>"\` (or use https)`,
    ]);
  });

  test('rebuild is periodic or on_change; mailto holds mail addresses', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.rebuild = 'weekly';
    });
    patch('environments.yaml', (d) => {
      d.environments.osl.builder.mailto = 'ops@example.org, root';
    });
    expect(problems()).toEqual([
      `${ENVS}:12:7: environments.osl.builder.mailto: must be one or more mail addresses user@host, comma-separated without spaces, got \`ops@example.org, root\``,
      `${GOLD}:23:5: images.ubuntu_2404.rebuild: must be one of periodic, on_change; got string \`weekly\``,
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
      `${GOLD}:23:5: images.ubuntu_2404.members: only allowed with visibility \`shared\`, visibility is \`public\` (from defaults)`,
      `${VGPU}:14:5: images.rocky_9.members: only allowed with visibility \`shared\`, visibility is \`private\``,
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
      `${GOLD}:20:7: images.ubuntu_2404.schedule.week_of_month: needs \`weekday\` (monthly on the n-th weekday)`,
      `${GOLD}:42:7: images.debian_12.schedule.weekday: must be 0-6 (0 = sunday) or sun..sat, got \`funday\``,
      `${VGPU}:15:7: images.rocky_9.schedule.weekday: must be 0-6 (0 = sunday) or sun..sat, got \`7\``,
      `${VGPU}:16:7: images.rocky_9.schedule.hour: must be between 0 and 23`,
    ]);
  });

  test('end_of_life must be a real date', () => {
    patch('images/gold.yaml', (d) => {
      d.images.ubuntu_2404.end_of_life = '2029-02-30';
    });
    expect(problems()).toEqual([`${GOLD}:22:5: images.ubuntu_2404.end_of_life: must be a real date YYYY-MM-DD, got \`2029-02-30\``]);
  });

  // ---- environments -------------------------------------------------------------------------------

  test('s3 backend: required fields', () => {
    patch('environments.yaml', (d) => {
      delete d.environments.bgo.backend.bucket;
    });
    expect(problems()).toEqual([`${ENVS}:28:5: environments.bgo.backend.bucket: missing required key`]);
  });

  test('s3 credentials are rejected as unknown keys', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.backend.access_key = 'AKIA...';
      d.environments.bgo.backend.secret_key = 'very secret';
    });
    expect(problems()).toEqual([
      `${ENVS}:33:7: environments.bgo.backend.access_key: unknown key \`access_key\` (credentials are never read from the catalog: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment)`,
      `${ENVS}:34:7: environments.bgo.backend.secret_key: unknown key \`secret_key\` (credentials are never read from the catalog: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment)`,
    ]);
  });

  test('unknown backend type', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.backend = { type: 'gcs', bucket: 'x' };
    });
    expect(problems()).toEqual([`${ENVS}:29:7: environments.bgo.backend.type: must be one of local, s3; got string \`gcs\``]);
  });

  test('ssh_source_cidrs: valid cidrs, at least one', () => {
    patch('environments.yaml', (d) => {
      d.environments.bgo.builder.ssh_source_cidrs = ['10.0.250.0/33', 'builder'];
      d.environments.osl.builder.ssh_source_cidrs = [];
    });
    expect(problems()).toEqual([
      `${ENVS}:10:7: environments.osl.builder.ssh_source_cidrs: must list at least one cidr`,
      `${ENVS}:25:11: environments.bgo.builder.ssh_source_cidrs[0]: prefix length must be 0-32, got \`10.0.250.0/33\``,
      `${ENVS}:26:11: environments.bgo.builder.ssh_source_cidrs[1]: must be a cidr (address/prefix), got \`builder\``,
    ]);
  });

  test('missing required environment keys', () => {
    patch('environments.yaml', (d) => {
      delete d.environments.osl.region;
      delete d.environments.osl.builder.availability_zone;
    });
    expect(problems()).toEqual([
      `${ENVS}:2:3: environments.osl.region: missing required key`,
      `${ENVS}:6:5: environments.osl.builder.availability_zone: missing required key`,
    ]);
  });

  // ---- builds -------------------------------------------------------------------------------------

  test('release checksums: md5 32 hex, sha256 64 hex', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[0].md5 = 'abc';
      d.images.ubuntu_2404.releases[1].sha256 = 'z'.repeat(64);
    });
    expect(problems()).toEqual([
      `${BGO}:7:9: images.ubuntu_2404.releases[0].md5: must be 32 hex digits (md5)`,
      `${BGO}:14:9: images.ubuntu_2404.releases[1].sha256: must be 64 hex digits (sha256)`,
    ]);
  });

  test('release dates must be real calendar dates', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[0].date = '2026-13-01';
      d.images.centos_7.releases[0].date = 20240101;
    });
    expect(problems()).toEqual([
      `${BGO}:5:9: images.ubuntu_2404.releases[0].date: must be a real date YYYY-MM-DD, got \`2026-13-01\``,
      `${BGO}:29:9: images.centos_7.releases[0].date: must be a date YYYY-MM-DD, got number \`20240101\``,
    ]);
  });

  test('duplicate build ids per image', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[2].build_id = '20261021';
    });
    expect(problems()).toEqual([
      `${BGO}:18:9: images.ubuntu_2404.releases[2].build_id: duplicate build id \`20261021\` (also releases[0])`,
    ]);
  });

  test('release file names without /, unquoted build ids, positive sizes', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.releases[0].file = 'images/ubuntu.qcow2';
      d.images.ubuntu_2404.releases[1].build_id = 20261104;
      d.images.centos_7.releases[0].size_bytes = 0;
    });
    expect(problems()).toEqual([
      `${BGO}:6:9: images.ubuntu_2404.releases[0].file: must be a file name without '/', got \`images/ubuntu.qcow2\``,
      `${BGO}:10:9: images.ubuntu_2404.releases[1].build_id: must be a string, got number \`20261104\` (quote it)`,
      `${BGO}:33:9: images.centos_7.releases[0].size_bytes: must be a positive whole number`,
    ]);
  });

  // ---- files --------------------------------------------------------------------------------------

  test('yaml syntax errors are reported with line and column', () => {
    write('templates.yaml', 'templates:\n  default:\n    custom_scripts: [resolver.sh\n');
    expect(problems()).toEqual([
      'config/templates.yaml:4:1: yaml syntax error: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('a yaml syntax error with an exact position (one line per position)', () => {
    write('defaults.yaml', 'image:\n  keep_outdated: 2\n   keep_builds: 3\n');
    expect(problems()).toEqual(['config/defaults.yaml:2:18: yaml syntax error: nested mappings are not allowed in compact mappings']);
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
      `${ENVS}:4:5: environments.osl.cloud: must be a string, got number \`42\` (quote it)`,
      `${GOLD}:11:5: images.ubuntu_2404.min_ram_mb: must be between 64 and 1048576`,
      `${GOLD}:23:5: images.ubuntu_2404.templat: unknown key \`templat\` (did you mean \`template\`?)`,
      `${TPLS}:1:1: templates: must be a mapping, got a list`,
      `${BGO}:31:9: images.centos_7.releases[0].md5: must be 32 hex digits (md5)`,
    ]);
  });

  test('an external_command template that also lists scripts, with a relative command', () => {
    patch('templates.yaml', (d) => {
      d.templates.default.external_command = ['build-windows'];
    });
    expect(problems()).toEqual([
      `${TPLS}:5:5: templates.default.external_command: the command (first item) must be an absolute path`,
      `${TPLS}:3:5: templates.default.custom_scripts: an external_command template runs no provisioning scripts`,
    ]);
  });

  test('a builds record whose outdated_name or type no longer matches the catalog', () => {
    patch('builds/bgo.yaml', (d) => {
      d.images.ubuntu_2404.type = 'vgpu';
      d.images.ubuntu_2404.outdated_name = 'Outdated (Ubuntu 24.4)';
    });
    expect(problems()).toEqual([
      `${BGO}:24:5: images.ubuntu_2404.type: records \`vgpu\` but the catalog says \`gold\` (update the record)`,
      `${BGO}:25:5: images.ubuntu_2404.outdated_name: records \`Outdated (Ubuntu 24.4)\` but the catalog says \`Outdated (Ubuntu 24.04 LTS)\` (update the record)`,
    ]);
  });

  test('a packer template but a standard provisioning script is missing', () => {
    remove('provision/upgrade.sh');
    remove('provision/grub.sh');
    expect(problems()).toEqual([`config/provision: missing standard provisioning scripts upgrade.sh, grub.sh`]);
  });
});

describe('every rule has a test: removing a check fails one of these', () => {
  // ---- YAML (parse-yaml.ts) -----------------------------------------------------------------------

  test('a duplicate key is an error at the second key', () => {
    edit('images/vgpu.yaml', '    ssh_user: rocky\n', '    ssh_user: rocky\n    ssh_user: root\n');
    expect(problems()).toEqual([`${VGPU}:10:5: yaml syntax error: duplicate key \`ssh_user\``]);
  });

  test('tags outside the core schema are errors, not strings or binaries', () => {
    edit('images/vgpu.yaml', 'ssh_user: rocky', 'ssh_user: !!binary cm9ja3k=');
    edit('templates.yaml', 'custom_scripts: [resolver.sh]', 'custom_scripts: !shell [resolver.sh]');
    expect(problems()).toEqual([
      `${VGPU}:9:15: yaml syntax error: unresolved tag: tag:yaml.org,2002:binary`,
      `${TPLS}:3:21: yaml syntax error: unresolved tag: !shell`,
    ]);
  });

  test('a list as a key, an alias without an anchor', () => {
    edit('images/vgpu.yaml', '    ssh_user: rocky\n', '    ? [a, b]\n    : rocky\n');
    edit('templates.yaml', 'custom_scripts: [resolver.sh]', 'custom_scripts: *scripts');
    expect(problems()).toEqual([
      `${VGPU}:9:7: yaml syntax error: a key must be a plain value, not a list or mapping`,
      `${TPLS}:3:21: yaml syntax error: alias \`*scripts\` has no anchor before it`,
    ]);
  });

  test('aliases that expand too often (a "billion laughs" file)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c']]) lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    write('defaults.yaml', lines.join('\n') + '\n');
    expect(problems()).toEqual(['config/defaults.yaml: yaml syntax error: aliases expand too often (more than 100 times)']);
  });

  test('two documents in one file', () => {
    write('defaults.yaml', 'image:\n  keep_outdated: 3\n---\nimage:\n  keep_outdated: 4\n');
    expect(problems()).toEqual([
      'config/defaults.yaml:3:1: yaml syntax error: a second document: a catalog file holds one (remove this `---` and what follows, or move it to its own file)',
    ]);
  });

  test('YAML 1.2 core schema whatever the %YAML directive says: yes and dates stay strings', () => {
    write('defaults.yaml', '%YAML 1.1\n---\nimage:\n  template: yes\n  keep_outdated: 2026-01-01\n');
    expect(problems()).toEqual([
      'config/defaults.yaml:5:3: image.keep_outdated: must be a number, got string `2026-01-01`',
      'config/defaults.yaml:4:3: image.template: unknown template `yes`',
    ]);
  });

  test('the config path is a file', () => {
    expect(problems(path.join(cfg, 'defaults.yaml'))).toEqual(['config/defaults.yaml: config path is not a directory']);
  });

  // ---- values (schema.ts) -------------------------------------------------------------------------

  test('urls must not carry credentials; upstream_url is a url too', () => {
    edit('environments.yaml', 'endpoint: https://s3.bgo.example/', 'endpoint: https://user:pw@s3.bgo.example/');
    edit('builds/bgo.yaml', 'upstream_url: https://cloud-images', 'upstream_url: ftp://cloud-images');
    expect(problems()).toEqual([
      `${ENVS}:26:7: environments.bgo.backend.endpoint: must not contain credentials (user:password@)`,
      `${BGO}:16:9: images.ubuntu_2404.releases[1].upstream_url: must be an http:// or https:// url, got \`ftp://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img\``,
    ]);
  });

  test('openstack names must not be empty; cloud names at most 255 characters', () => {
    edit('environments.yaml', 'flavor: img.large', 'flavor: " "');
    edit('environments.yaml', 'cloud: osl-imagebuilder', `cloud: ${'c'.repeat(256)}`);
    expect(problems()).toEqual([
      `${ENVS}:4:5: environments.osl.cloud: must be at most 255 characters, got 256`,
      `${ENVS}:19:7: environments.bgo.builder.flavor: must not be empty`,
    ]);
  });

  test('file names: no whitespace or backslash, not . or .., no leading -', () => {
    edit('images/vgpu.yaml', 'file: Rocky-9-GenericCloud.qcow2', 'file: "Rocky 9.qcow2"');
    edit('images/gold.yaml', 'checksum_file: SHA256SUMS', 'checksum_file: ".."');
    edit('images/gold.yaml', 'checksum_file: SHA512SUMS', 'checksum_file: "-SUMS"');
    edit('images/gold.yaml', 'file: debian-12-genericcloud-amd64.qcow2', 'file: "a\\\\b"');
    expect(problems()).toEqual([
      `${GOLD}:8:7: images.ubuntu_2404.upstream.checksum_file: must be a file name, got \`..\``,
      `${GOLD}:29:7: images.debian_12.upstream.file: must be a file name without whitespace, '\\' or control characters, got \`a\\b\``,
      `${GOLD}:30:7: images.debian_12.upstream.checksum_file: must not start with '-', got \`-SUMS\``,
      `${VGPU}:7:7: images.rocky_9.upstream.file: must be a file name without whitespace, '\\' or control characters, got \`Rocky 9.qcow2\``,
    ]);
  });

  test('cidrs: valid address, network address, canonical, prefix without leading zeros, each once', () => {
    edit('environments.yaml', 'ssh_source_cidrs: [10.1.250.0/24]', 'ssh_source_cidrs: [10.1.250.300/24, 10.1.250.0/024, 10.1.250.0/24, 10.1.250.0/24]');
    edit('environments.yaml', '"2001:db8::/64"', '"2001:DB8::/64"');
    expect(problems()).toEqual([
      `${ENVS}:9:26: environments.osl.builder.ssh_source_cidrs[0]: not a valid ip address in cidr \`10.1.250.300/24\``,
      `${ENVS}:9:43: environments.osl.builder.ssh_source_cidrs[1]: prefix length must be written without leading zeros, got \`10.1.250.0/024\``,
      `${ENVS}:9:74: environments.osl.builder.ssh_source_cidrs[3]: cidr \`10.1.250.0/24\` is listed twice (also [2])`,
      `${ENVS}:21:41: environments.bgo.builder.ssh_source_cidrs[1]: not in canonical form: write \`2001:db8::/64\`, got \`2001:DB8::/64\``,
    ]);
  });

  test('texts must not be empty, waivers must give a reason', () => {
    edit('images/vgpu.yaml', 'display_name: Rocky 9 vGPU', 'display_name: " "');
    edit('images/gold.yaml', 'insecure_http_waiver: mirror has no tls', 'insecure_http_waiver: ""');
    expect(problems()).toEqual([
      `${GOLD}:32:7: images.debian_12.upstream.insecure_http_waiver: must give a reason`,
      `${VGPU}:4:5: images.rocky_9.display_name: must not be empty`,
    ]);
  });

  test('environment, template and type names; build ids', () => {
    edit('environments.yaml', '  osl:', '  Osl:');
    edit('templates.yaml', '  plain: {}', '  plain-2: {}');
    edit('images/vgpu.yaml', 'type: vgpu', 'type: vGPU');
    edit('builds/bgo.yaml', 'build_id: "20261104.2"', 'build_id: ".20261104"');
    edit('builds/bgo.yaml', '    type: gold', '    type: Gold');
    expect(problems()).toEqual([
      `${ENVS}:2:3: environments.Osl: invalid environment name \`Osl\`: use a-z, 0-9, _ and - (not first)`,
      `${VGPU}:1:1: type: invalid type \`vGPU\`: use a-z, 0-9 and _`,
      `${TPLS}:6:3: templates.plain-2: invalid template name \`plain-2\`: use a-z, 0-9 and _`,
      `${BGO}:18:9: images.ubuntu_2404.releases[2].build_id: invalid build id \`.20261104\`: use A-Z, a-z, 0-9, ., _ and - (starting with a letter or digit)`,
      `${BGO}:25:5: images.centos_7.type: invalid type \`Gold\`: use a-z, 0-9 and _`,
    ]);
  });

  test('upstream_checksum: <algorithm>:<hex> with the digest length of the algorithm', () => {
    edit('builds/bgo.yaml', 'upstream_checksum: sha256:aaaa', 'upstream_checksum: sha1:aaaa');
    edit('builds/bgo.yaml', '        size_bytes: 42\n', '        size_bytes: 42\n        upstream_checksum: sha512:abcdef\n');
    expect(problems()).toEqual([
      `${BGO}:17:9: images.ubuntu_2404.releases[1].upstream_checksum: must be <algorithm>:<hex> with algorithm md5, sha256 or sha512, got \`sha1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\``,
      `${BGO}:34:9: images.centos_7.releases[0].upstream_checksum: sha512 must have 128 hex digits, got 6`,
    ]);
  });

  test('at least one environment', () => {
    write('environments.yaml', 'environments: {}\n');
    expect(problems()).toEqual([
      `${ENVS}:1:1: environments: must define at least one environment`,
      `${BGO}: no environment \`bgo\` in environments.yaml`,
    ]);
  });

  test('a backend without a type', () => {
    edit('environments.yaml', '      type: s3\n', '');
    expect(problems()).toEqual([`${ENVS}:22:5: environments.bgo.backend.type: missing required key (one of local, s3)`]);
  });

  test('upstream: waiver only with http, algorithm only with checksum_file, no_checksum_waiver only without', () => {
    edit('images/gold.yaml', '      algorithm: sha256\n', '      algorithm: sha256\n      insecure_http_waiver: why\n      no_checksum_waiver: why\n');
    edit('images/vgpu.yaml', '      no_checksum_waiver: upstream publishes no checksums\n', '      no_checksum_waiver: upstream publishes no checksums\n      algorithm: sha256\n');
    expect(problems()).toEqual([
      `${GOLD}:10:7: images.ubuntu_2404.upstream.insecure_http_waiver: only allowed with an http:// url`,
      `${GOLD}:11:7: images.ubuntu_2404.upstream.no_checksum_waiver: only allowed without \`checksum_file\``,
      `${VGPU}:9:7: images.rocky_9.upstream.algorithm: only allowed with \`checksum_file\``,
    ]);
  });

  test('the outdated name must differ from the gold name', () => {
    edit('images/vgpu.yaml', '    ssh_user: rocky\n', '    ssh_user: rocky\n    gold_name: Rocky\n    outdated_name: Rocky\n');
    expect(problems()).toEqual([`${VGPU}:11:5: images.rocky_9.outdated_name: must differ from the gold name \`Rocky\``]);
  });

  test('templates: a script listed twice; external_command with an empty argument or no command', () => {
    edit('templates.yaml', 'custom_scripts: [resolver.sh]', 'custom_scripts: [resolver.sh, resolver.sh]');
    edit('templates.yaml', '  plain: {}', '  plain: {external_command: [/bin/build, ""]}\n  empty: {external_command: []}');
    expect(problems()).toEqual([
      `${TPLS}:3:35: templates.default.custom_scripts[1]: script \`resolver.sh\` is listed twice`,
      `${TPLS}:6:42: templates.plain.external_command[1]: must be non-empty, without control characters`,
      `${TPLS}:7:11: templates.empty.external_command: must name a command`,
    ]);
  });

  test('credential-like keys outside a backend point at clouds.yaml', () => {
    edit('environments.yaml', '    cloud: osl-imagebuilder\n', '    cloud: osl-imagebuilder\n    password: hunter2\n');
    expect(problems()).toEqual([
      `${ENVS}:5:5: environments.osl.password: unknown key \`password\` (credentials are never read from the catalog: use clouds.yaml/secure.yaml)`,
    ]);
  });

  // ---- across files (cross-checks.ts) -------------------------------------------------------------

  test('two images with one gold name', () => {
    edit('images/vgpu.yaml', '    ssh_user: rocky\n', '    ssh_user: rocky\n    gold_name: GOLD Debian 12 (bookworm)\n');
    expect(problems()).toEqual([
      `${VGPU}:10:5: images.rocky_9.gold_name: gold name \`GOLD Debian 12 (bookworm)\` is also the gold name of image \`debian_12\``,
    ]);
  });

  test('defaults name an unknown template', () => {
    edit('defaults.yaml', '  keep_outdated: 3', '  keep_outdated: 3\n  template: defualt');
    expect(problems()).toEqual(['config/defaults.yaml:6:3: image.template: unknown template `defualt` (did you mean `default`?)']);
  });

  test('an environment lists an image twice', () => {
    edit('environments.yaml', 'images: [debian_12, ubuntu_2404]', 'images: [debian_12, ubuntu_2404, debian_12]');
    expect(problems()).toEqual([`${ENVS}:10:38: environments.osl.images[2]: image \`debian_12\` is listed twice`]);
  });

  test('no free build time on a builder', () => {
    const image = (name: string, schedule: string) => [
      `  ${name}:`,
      `    display_name: ${name}`,
      '    upstream: {url: "https://example.org/img/", file: disk.qcow2, no_checksum_waiver: none}',
      '    ssh_user: ubuntu',
      '    min_ram_mb: 1024',
      '    min_disk_gb: 10',
      `    schedule: ${schedule}`,
    ];
    write('images/many.yaml', ['type: many', 'images:', ...image('at_0320', '{weekday: 1, hour: 3, minute: 20}'), ...image('at_0400', '{weekday: 1, hour: 4, minute: 0}'), ...image('in_03', '{weekday: 1, hour: 3}')].join('\n') + '\n');
    expect(problems()).toEqual([
      'config/images/many.yaml:23:5: images.in_03.schedule: no free build time on builder bgo: every time matching the schedule is within 30 minutes of another build',
    ]);
  });

  test('a builds file whose name is not an environment name, while environments.yaml is broken', () => {
    fs.copyFileSync(path.join(cfg, 'builds/bgo.yaml'), path.join(cfg, 'builds/Bgo.yaml'));
    write('environments.yaml', 'environments: [bgo]\n');
    expect(problems()).toEqual([
      `${ENVS}:1:1: environments: must be a mapping, got a list`,
      'config/builds/Bgo.yaml: invalid environment name `Bgo` in file name',
    ]);
  });
});
