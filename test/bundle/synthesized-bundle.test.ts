// The builder bundles of the bundled catalog, as `npm run synth` writes them.
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CronExpressionParser } from 'cron-parser';
import { loadCatalog } from '../../lib/catalog';
import { synthCatalog } from '../../synth/synth';
import { describeWithTools } from '../support/tools';

const ROOT = path.resolve(__dirname, '..', '..');
const ENVS = ['bgo', 'osl', 'test01', 'test02'];

function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) Object.assign(out, tree(path.join(dir, e.name), `${rel}/`));
    else out[rel] = fs.readFileSync(path.join(dir, e.name), 'utf8');
  }
  return out;
}

function synth(configDir: string): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-bundle-'));
  synthCatalog(loadCatalog(configDir), path.join(tmp, 'cdktf.out'), { stateBaseDir: tmp });
  return path.join(tmp, 'cdktf.out');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('synthesized builder bundles', () => {
  let out: string;
  beforeAll(() => {
    out = synth(path.join(ROOT, 'config'));
  });
  afterAll(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

  test('every environment has a bundle; same catalog, same bytes', () => {
    const again = synth(path.join(ROOT, 'config'));
    try {
      for (const env of ENVS) {
        const first = tree(path.join(out, 'stacks', env, 'builder'));
        expect(Object.keys(first)).toContain('manifest.json');
        expect(tree(path.join(again, 'stacks', env, 'builder'))).toEqual(first);
      }
    } finally {
      fs.rmSync(path.dirname(again), { recursive: true, force: true });
    }
  });

  test('manifest hashes match the files, and every cron line has a runner config', () => {
    for (const env of ENVS) {
      const dir = path.join(out, 'stacks', env, 'builder');
      const files = tree(dir);
      const manifest = JSON.parse(files['manifest.json']);
      for (const [name, hash] of Object.entries(manifest.templates)) expect(sha256(files[`templates/${name}.json`])).toBe(hash);
      for (const [name, hash] of Object.entries(manifest.scripts)) expect(sha256(files[`scripts/${name}`])).toBe(hash);
      const lines = files['cron.d/goldsmith'].split('\n').filter((l) => /^[0-9]/.test(l));
      expect(lines.length).toBe(manifest.images.filter((i: { enabled: boolean }) => i.enabled).length);
      for (const image of manifest.images) {
        expect(sha256(files[`images/${image.name}.json`])).toBe(image.runner_config_sha256);
        expect(lines).toContain(image.cron_line);
      }
      // Every built image has its monitoring check, and the builder one Sensu check on its own agent.
      expect(Object.keys(manifest.checks)).toEqual(manifest.images.map((i: { name: string }) => i.name));
      for (const [name, hash] of Object.entries(manifest.checks)) expect(sha256(files[`checks/${name}.json`])).toBe(hash);
      expect(sha256(files['sensu/checks.yaml'])).toBe(manifest.sensu['checks.yaml']);
      expect(files['sensu/checks.yaml']).toContain(`    - entity:${env}-builder-01\n`);
      expect(Object.keys(files).filter((f) => f.startsWith('checks/') || f.startsWith('sensu/')).length).toBe(manifest.images.length + 1);
    }
  });

  test('every cron line parses, runs goldsmith build for its own image, and runs weekly or monthly', () => {
    const from = new Date('2027-01-01T00:00:00Z');
    for (const env of ENVS) {
      const cron = fs.readFileSync(path.join(out, 'stacks', env, 'builder', 'cron.d', 'goldsmith'), 'utf8');
      for (const line of cron.split('\n').filter((l) => /^[0-9]/.test(l))) {
        const fields = line.split(' ');
        const schedule = fields.slice(0, 5).join(' ');
        const next = CronExpressionParser.parse(schedule, { currentDate: from, tz: 'UTC' });
        expect(next.next().toDate().getTime()).toBeGreaterThan(from.getTime());
        expect(fields[5]).toBe('goldsmith');
        expect(line).toMatch(/\/usr\/local\/bin\/goldsmith build [a-z0-9_]+ --bundle \/etc\/goldsmith\/bundle --quiet$/);
      }
    }
  });

  test('windows builds run monthly on the second Wednesday', () => {
    const cron = fs.readFileSync(path.join(out, 'stacks', 'bgo', 'builder', 'cron.d', 'goldsmith'), 'utf8');
    expect(cron).toContain(
      '0 3 8-14 * * goldsmith [ "$(date +\\%u)" = "3" ] && /usr/local/bin/goldsmith build winsrv_2025 --bundle /etc/goldsmith/bundle --quiet\n',
    );
    expect(fs.existsSync(path.join(out, 'stacks', 'test02', 'builder', 'images', 'winsrv_2025.json'))).toBe(false);
  });

  test('keep_files: the file of every release the builds file lists (all of them stay in Glance)', () => {
    const config = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'bgo', 'builder', 'images', 'ubuntu_2404.json'), 'utf8'));
    // config/builds/bgo.yaml: a candidate, the GOLD and two Outdated releases
    expect(config.output.keep_files).toEqual([
      'ubuntu_2404-20260902.qcow2',
      'ubuntu_2404-20261007.qcow2',
      'ubuntu_2404-20261104.qcow2',
      'ubuntu_2404-20261202.qcow2',
    ]);
  });

  test('no credential-like key or value in any bundle file or stack', () => {
    const secret = /password|secret|token|application_credential|access_key/i;
    // Declared site variable names (NVIDIA_CLIENT_CONFIG_TOKEN_URL) appear in runner configs and
    // templates, in any case and prefixed (GOLDSMITH_SITE_…): names, never values.
    const names = loadCatalog(path.join(ROOT, 'config')).templates.flatMap((t) => (t.variables ?? []).map((v) => v.name));
    const variableName = new RegExp(`(GOLDSMITH_SITE_)?(${names.join('|')})`, 'gi');
    for (const env of ENVS) {
      const files = tree(path.join(out, 'stacks', env));
      for (const [name, text] of Object.entries(files)) {
        if (name.startsWith('builder/scripts/')) continue; // scripts read RHSM keys etc. from the environment
        // site_env also says whether each variable is secret (`"secret": true`): a flag, never a value
        const checked = text.replace(/"secret": (true|false)/g, '').replace(variableName, '');
        expect(`${name}: ${secret.test(checked) ? checked.match(secret)![0] : ''}`).toBe(`${name}: `);
      }
    }
  });

  describeWithTools(['packer'], 'packer accepts every synthesized template', () => {
    test('packer validate -syntax-only passes for each template of each bundle', () => {
      for (const env of ENVS) {
        const dir = path.join(out, 'stacks', env, 'builder', 'templates');
        for (const file of fs.readdirSync(dir)) {
          execFileSync('packer', ['validate', '-syntax-only', path.join(dir, file)], {
            stdio: 'pipe',
            env: { ...process.env, CHECKPOINT_DISABLE: '1' },
          });
        }
      }
    });
  });
});

describe('retiring an image = deleting its definition', () => {
  test('its cron line and runner config leave the bundle, its releases turn Outdated and hidden', () => {
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-retire-'));
    fs.cpSync(path.join(ROOT, 'config'), config, { recursive: true });
    const gold = path.join(config, 'images', 'gold.yaml');
    const text = fs.readFileSync(gold, 'utf8');
    // Drop the ubuntu_2404 block (up to the next image key at the same indentation).
    const without = text.replace(/\n  ubuntu_2404:\n(?: {4,}.*\n|\s*\n)*/, '\n');
    expect(without).not.toContain('ubuntu_2404:');
    fs.writeFileSync(gold, without);
    const out = synth(config);
    try {
      const builder = path.join(out, 'stacks', 'bgo', 'builder');
      expect(fs.readFileSync(path.join(builder, 'cron.d', 'goldsmith'), 'utf8')).not.toContain('ubuntu_2404 ');
      expect(fs.existsSync(path.join(builder, 'images', 'ubuntu_2404.json'))).toBe(false);
      const tf = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'bgo', 'cdk.tf.json'), 'utf8'));
      const releases = Object.entries(tf.resource.openstack_images_image_v2 as Record<string, { name: string; hidden: boolean }>)
        .filter(([id]) => id.startsWith('ubuntu_2404_'));
      expect(releases.length).toBeGreaterThanOrEqual(2);
      for (const [, r] of releases) expect([r.name, r.hidden]).toEqual(['Outdated (Ubuntu 24.04)', true]);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
      fs.rmSync(config, { recursive: true, force: true });
    }
  });
});
