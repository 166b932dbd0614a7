// Catalog strings reach Terraform as literals: the escape itself, and Terraform reading a stack
// synthesized from a hostile catalog (the built-in terraform_data resource needs no provider).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, TerraformResource, TerraformStack } from 'cdktf';
import { escapeStrings, terraformLiteral, trustCondition, TerraformLiteralStrings } from '../../lib/terraform/literal-strings';
import { loadCatalog } from '../../lib/catalog';
import { synthCatalog } from '../../synth/synth';
import { describeWithTools } from '../support/tools';

describe('terraformLiteral', () => {
  test.each([
    ['Img ${file("/etc/passwd")}', 'Img $${file("/etc/passwd")}'],
    ['%{ if true }x%{ endif }', '%%{ if true }x%%{ endif }'],
    ['$${already}', '$$${already}'],
    ['a $ b % c {d} $ {e}', 'a $ b % c {d} $ {e}'],
    ['${TfToken[TOKEN.7]}', '${TfToken[TOKEN.7]}'],
  ])('%s', (input, expected) => {
    expect(terraformLiteral(input)).toBe(expected);
  });

  test('escapes keys and values at every depth, leaves other values alone', () => {
    expect(escapeStrings({ '${k}': ['%{v}', 1, true, null, { x: '${y}' }] })).toEqual({
      '$${k}': ['%%{v}', 1, true, null, { x: '$${y}' }],
    });
  });
});

describe('trustCondition: the one unescaped string', () => {
  /** A stack with two terraform_data resources, each given `condition` also as an input string. */
  function synthWith(trust: boolean): Record<string, { input: unknown; lifecycle: { postcondition: { condition: string }[] } }> {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const condition = '${self.output == "x"}';
    for (const id of ['a', 'b']) {
      const resource = new TerraformResource(stack, id, {
        terraformResourceType: 'terraform_data',
        lifecycle: { postcondition: [{ condition, errorMessage: '${oops}' }] },
      });
      resource.addOverride('input', condition);
      if (id === 'a' && trust) trustCondition(resource, condition);
    }
    const literal = new TerraformLiteralStrings();
    for (const construct of stack.node.findAll()) literal.visit(construct);
    return JSON.parse(Testing.synth(stack)).resource.terraform_data;
  }

  test('a registered condition stays an expression only where it was registered; everything else is escaped', () => {
    const trusted = synthWith(true);
    expect(trusted.a.lifecycle.postcondition[0]).toEqual({ condition: '${self.output == "x"}', error_message: '$${oops}' });
    expect(trusted.a.input).toBe('$${self.output == "x"}');
    expect(trusted.b.input).toBe('$${self.output == "x"}');
    // b has the same condition but never registered it.
    expect(trusted.b.lifecycle.postcondition[0].condition).toBe('$${self.output == "x"}');
  });

  test('without registration a postcondition is escaped like any string', () => {
    const plain = synthWith(false);
    expect(plain.a.lifecycle.postcondition[0].condition).toBe('$${self.output == "x"}');
  });
});

const PASSWD = '${file("/etc/passwd")}';
const DIRECTIVE = '%{ if true }yes%{ endif }';
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'catalogs', 'valid');

/**
 * A copy of the valid fixture catalog with Terraform expressions in every free-text field (names,
 * property keys, members, regions and clouds are identifiers: the loader rejects template syntax there).
 */
function hostileCatalog(dir: string): void {
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const edit = (rel: string, from: string, to: string) => {
    const file = path.join(dir, rel);
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`fixture changed: ${rel} has no \`${from}\``);
    fs.writeFileSync(file, text.replace(from, to));
  };
  const q = (s: string) => JSON.stringify(s); // a YAML double-quoted scalar
  edit('images/gold.yaml', 'display_name: Ubuntu 24.04 LTS', `display_name: ${q(`Ubuntu ${PASSWD} ${DIRECTIVE}`)}`);
  edit('images/gold.yaml', 'gold_name: GOLD Debian 12 (bookworm)', `gold_name: ${q(`GOLD ${PASSWD}`)}`);
  edit('images/gold.yaml', 'outdated_name: Outdated (Debian 12)', `outdated_name: ${q(`Outdated ${DIRECTIVE}`)}`);
  edit('images/gold.yaml', 'os_distro: ubuntu', `os_distro: ${q(PASSWD)}\n      os_admin_user: ${q(DIRECTIVE)}`);
  edit('environments.yaml', 'base_url: http://builder.mgmt.bgo.example/', `base_url: ${q(`http://builder.mgmt.bgo.example/${PASSWD}/`)}`);
  edit('environments.yaml', 'bucket: goldsmith-state', `bucket: ${q(`state-${PASSWD}`)}`);
  edit('builds/bgo.yaml', 'upstream_url: https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img', `upstream_url: ${q(`https://u.example/${PASSWD}`)}`);
}

/** Our own references (`${openstack_images_image_v2.x.id}`) cannot be evaluated without the provider. */
const REFERENCE = /^\$\{[A-Za-z0-9_.[\]"-]+\}$/;
const META_ARGUMENTS = new Set(['//', 'depends_on', 'provider', 'lifecycle']);

function probeInput(value: unknown): unknown {
  if (typeof value === 'string') return REFERENCE.test(value) ? '(reference)' : value;
  if (Array.isArray(value)) return value.map(probeInput);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !META_ARGUMENTS.has(k))
        .map(([k, v]) => [k, probeInput(v)]),
    );
  }
  return value;
}

describeWithTools(['terraform'], 'terraform reads catalog strings as literals', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-literal-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('a hostile catalog: every evaluated string equals the catalog text, no file is read', () => {
    const config = path.join(work, 'config');
    hostileCatalog(config);
    const outdir = path.join(work, 'cdktf.out');
    synthCatalog(loadCatalog(config), outdir, { stateBaseDir: work });
    const stack = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bgo', 'cdk.tf.json'), 'utf8'));

    // Terraform reads a backend block without evaluating it (checked by hand with a local backend
    // path): there an escape would stay in the value, so backends are written as they are.
    expect(stack.terraform.backend.s3.bucket).toBe(`state-${PASSWD}`);

    // Everything Terraform evaluates, fed to terraform_data so that Terraform itself evaluates it.
    const probeDir = path.join(work, 'probe');
    fs.mkdirSync(probeDir);
    const input = probeInput({ provider: stack.provider, data: stack.data, resource: stack.resource });
    fs.writeFileSync(
      path.join(probeDir, 'main.tf.json'),
      JSON.stringify({ resource: { terraform_data: { probe: { input } } } }),
    );
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const tf = (...args: string[]) => execFileSync('terraform', [`-chdir=${probeDir}`, ...args], { env, encoding: 'utf8', stdio: 'pipe' });
    tf('init', '-input=false', '-backend=false');
    tf('plan', '-input=false', '-lock=false', '-refresh=false', '-out=plan');
    const plan = JSON.parse(tf('show', '-json', 'plan'));
    const evaluated = plan.resource_changes[0].change.after.input;

    const images = evaluated.resource.openstack_images_image_v2;
    expect(images.ubuntu_2404_20261104_2.name).toBe(`GOLD Ubuntu ${PASSWD} ${DIRECTIVE}`);
    expect(images.ubuntu_2404_20261104.name).toBe(`Outdated (Ubuntu ${PASSWD} ${DIRECTIVE})`);
    expect(images.ubuntu_2404_20261104.properties.os_distro).toBe(PASSWD);
    expect(images.ubuntu_2404_20261104.properties.os_admin_user).toBe(DIRECTIVE);
    expect(images.ubuntu_2404_20261104.properties.goldsmith_upstream_url).toBe(`https://u.example/${PASSWD}`);
    expect(images.ubuntu_2404_20261104.image_source_url).toBe(`http://builder.mgmt.bgo.example/${PASSWD}/ubuntu_2404-20261104.qcow2`);
    // Nothing of the deploy host's files, and every hostile string survived as written.
    const text = JSON.stringify(evaluated);
    expect(text).not.toContain('root:');
    expect(text.split(JSON.stringify(PASSWD).slice(1, -1)).length - 1).toBeGreaterThanOrEqual(8);
  });
});

describeWithTools(['terraform'], 'terraform evaluates the reviewed-bytes postcondition', () => {
  // The fixture's ubuntu_2404 20261104 (upper-case md5 in the YAML: lower-cased, as Glance reports it).
  const MD5 = 'fedcba9876543210fedcba9876543210';
  const SIZE = 612368385;
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-postcondition-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /**
   * The synthesized postcondition of one release, moved onto a terraform_data whose output stands
   * in for what Glance computed (`self.checksum` → `self.output.checksum`): the real expression,
   * error message and escaping, evaluated by Terraform without the OpenStack provider.
   */
  function applyWith(checksum: string, sizeBytes: number): { status: number; output: string } {
    const outdir = path.join(work, 'cdktf.out');
    synthCatalog(loadCatalog(FIXTURE), outdir, { stateBaseDir: work });
    const stack = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bgo', 'cdk.tf.json'), 'utf8'));
    const release = stack.resource.openstack_images_image_v2.ubuntu_2404_20261104;
    const postcondition = release.lifecycle.postcondition.map((c: { condition: string; error_message: string }) => ({
      ...c,
      condition: c.condition.replace(/self\./g, 'self.output.'),
    }));
    expect(postcondition[0].condition).toBe(`\${self.output.checksum == "${MD5}" && self.output.size_bytes == ${SIZE}}`);
    const dir = fs.mkdtempSync(path.join(work, 'probe-'));
    fs.writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({ resource: { terraform_data: { glance: { input: { checksum, size_bytes: sizeBytes }, lifecycle: { postcondition } } } } }),
    );
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const tf = (...args: string[]) => spawnSync('terraform', [`-chdir=${dir}`, ...args], { env, encoding: 'utf8' });
    tf('init', '-input=false', '-backend=false');
    const result = tf('apply', '-input=false', '-auto-approve', '-lock=false', '-no-color');
    return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`.replace(/\s+/g, ' ') };
  }

  test('the reviewed bytes pass', () => {
    expect(applyWith(MD5, SIZE).status).toBe(0);
  });

  test('other bytes (md5 or size) fail the apply with the release named', () => {
    for (const [checksum, size] of [['0'.repeat(32), SIZE], [MD5, SIZE + 1]] as const) {
      const { status, output } = applyWith(checksum, size);
      expect(status).toBe(1);
      expect(output).toContain(
        `Glance does not hold the reviewed bytes of ubuntu_2404-20261104.qcow2 (md5 ${MD5}, ${SIZE} bytes): withdraw this release (goldsmith withdraw).`,
      );
    }
  });
});
