// goldsmith install on temporary builder roots, with the bundled catalog's bgo bundle (and edits
// of it): first install, a second run that does nothing, updates, site env files never rewritten
// once they hold values, pruning, a dry run that changes nothing, symlinks out of the root, and
// paths goldsmith did not install left alone.
import * as fs from 'fs';
import * as path from 'path';
import { sha256Hex } from '../../lib/common';
import { InstallStateSchema } from '../../lib/contract';
import { INSTALL_STATE_FILE } from '../../lib/install';
import { at, AS_ROOT, BUILD_GID, cleanupTemps, copyBundle, dropImage, editBundle, install, newRoot, REPO, snapshot, synth, tempDir } from './fixture';

let bgo: string; // the synthesized bgo bundle (never edited)

beforeAll(() => {
  bgo = path.join(synth(path.join(REPO, 'config')), 'stacks', 'bgo', 'builder');
});
afterAll(() => cleanupTemps());

function bundleFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? bundleFiles(dir, rel) : [rel];
  });
}

function state(root: string) {
  return InstallStateSchema.parse(JSON.parse(fs.readFileSync(at(root, INSTALL_STATE_FILE), 'utf8')));
}

describe('first install', () => {
  test('every bundle file, the cron file and the env stubs, atomically, with modes and owners; the state records them', async () => {
    const root = newRoot();
    const { code, stdout, stderr } = await install('--bundle', bgo, '--root', root);
    expect({ code, stderr }).toEqual({ code: 0, stderr: [] });

    const files = bundleFiles(bgo).filter((f) => f !== 'cron.d/goldsmith');
    for (const rel of files) {
      const installed = at(root, `/etc/goldsmith/bundle/${rel}`);
      expect(fs.readFileSync(installed)).toEqual(fs.readFileSync(path.join(bgo, rel)));
      const st = fs.statSync(installed);
      expect(st.mode & 0o7777).toBe(rel.startsWith('scripts/') ? 0o755 : 0o644);
      if (AS_ROOT) expect([st.uid, st.gid]).toEqual([0, 0]);
    }
    expect(fs.existsSync(at(root, '/etc/goldsmith/bundle/cron.d'))).toBe(false);
    const cron = fs.statSync(at(root, '/etc/cron.d/goldsmith'));
    expect(fs.readFileSync(at(root, '/etc/cron.d/goldsmith'), 'utf8')).toBe(fs.readFileSync(path.join(bgo, 'cron.d/goldsmith'), 'utf8'));
    expect(cron.mode & 0o7777).toBe(0o644);
    if (AS_ROOT) expect(cron.uid).toBe(0);
    // no temp file left anywhere
    expect(Object.keys(snapshot(root)).filter((p) => p.endsWith('.tmp'))).toEqual([]);

    // env stubs: root:<build group> 0640, a commented NAME= line per declared variable, nothing set
    const nv = JSON.parse(fs.readFileSync(path.join(bgo, 'images/ubuntu_2404_nv_vgpu.json'), 'utf8'));
    const stub = at(root, '/etc/goldsmith/env/nv_vgpu.env');
    const text = fs.readFileSync(stub, 'utf8');
    for (const v of nv.site_env.variables) expect(text).toContain(`\n# ${v.name}=\n`);
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([]);
    const st = fs.statSync(stub);
    expect(st.mode & 0o7777).toBe(0o640);
    if (AS_ROOT) expect([st.uid, st.gid]).toEqual([0, BUILD_GID]);
    expect(fs.statSync(at(root, '/etc/goldsmith/env')).mode & 0o7777).toBe(0o755);

    // one line per action, then the summary
    expect(stdout).toContain('install /etc/goldsmith/bundle/templates/default.json');
    expect(stdout).toContain('install /etc/cron.d/goldsmith');
    expect(stdout.filter((l) => l.startsWith('install /etc/goldsmith/env/nv_vgpu.env (site values of template nv_vgpu to fill in: '))).toHaveLength(1);
    expect(stdout.indexOf('install /etc/goldsmith/bundle/manifest.json')).toBeLessThan(stdout.indexOf('install /etc/cron.d/goldsmith'));
    const envFiles = fs.readdirSync(at(root, '/etc/goldsmith/env')).length;
    expect(stdout[stdout.length - 1]).toBe(`installed ${files.length + 1 + envFiles}`);

    const s = state(root);
    expect(s.environment).toBe('bgo');
    expect(Object.keys(s.files).sort()).toEqual([...files.map((f) => `/etc/goldsmith/bundle/${f}`), '/etc/cron.d/goldsmith'].sort());
    expect(Object.keys(s.images).sort()).toEqual(JSON.parse(fs.readFileSync(path.join(bgo, 'manifest.json'), 'utf8')).images.map((i: { name: string }) => i.name).sort());
    expect(s.files['/etc/goldsmith/bundle/manifest.json'].sha256).toBe(sha256Hex(fs.readFileSync(path.join(bgo, 'manifest.json'))));
    const stateStat = fs.statSync(at(root, INSTALL_STATE_FILE));
    expect(stateStat.mode & 0o7777).toBe(0o644);
    expect(fs.statSync(path.dirname(at(root, INSTALL_STATE_FILE))).mode & 0o7777).toBe(0o755);
  });

  test('a second run with the same bundle: nothing to do, nothing touched (not even the state file)', async () => {
    const root = newRoot();
    expect((await install('--bundle', bgo, '--root', root)).code).toBe(0);
    const before = snapshot(root);
    expect(await install('--bundle', bgo, '--root', root)).toEqual({ code: 0, stdout: ['nothing to do'], stderr: [] });
    expect(snapshot(root)).toEqual(before);
  });
});

describe('updates', () => {
  test('a changed template and manifest are replaced; a file whose mode was changed by hand is mended', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    editBundle(bundle, (b) => b.files.set('templates/default.json', b.files.get('templates/default.json')!.replace('"builders"', '"builders" ')));
    fs.chmodSync(at(root, '/etc/goldsmith/bundle/scripts/lib.sh'), 0o700);
    const { code, stdout } = await install('--bundle', bundle, '--root', root);
    expect(code).toBe(0);
    expect(stdout).toEqual([
      'update /etc/goldsmith/bundle/scripts/lib.sh (mode 0700 → 0755)',
      'update /etc/goldsmith/bundle/templates/default.json (content)',
      'update /etc/goldsmith/bundle/manifest.json (content)',
      'updated 3',
    ]);
    expect(fs.readFileSync(at(root, '/etc/goldsmith/bundle/templates/default.json'), 'utf8')).toBe(fs.readFileSync(path.join(bundle, 'templates/default.json'), 'utf8'));
    expect(fs.statSync(at(root, '/etc/goldsmith/bundle/scripts/lib.sh')).mode & 0o7777).toBe(0o755);
    expect((await install('--bundle', bundle, '--root', root)).stdout).toEqual(['nothing to do']);
  });

  test('an installed file changed by hand is put back (it is goldsmith’s)', async () => {
    const root = newRoot();
    await install('--bundle', bgo, '--root', root);
    fs.appendFileSync(at(root, '/etc/cron.d/goldsmith'), '* * * * * root /tmp/evil\n');
    const { stdout } = await install('--bundle', bgo, '--root', root);
    expect(stdout).toEqual(['update /etc/cron.d/goldsmith (content)', 'updated 1']);
    expect(fs.readFileSync(at(root, '/etc/cron.d/goldsmith'), 'utf8')).not.toContain('evil');
  });
});

describe('site env files', () => {
  test('never rewritten once they hold values; a new variable is named once; an untouched stub follows the bundle', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    const nv = at(root, '/etc/goldsmith/env/nv_vgpu.env');
    const filled = 'NVIDIA_GRID_DRIVER_URL=https://licensed.example.org/grid.run?token=abc\nNVIDIA_GRID_DRIVER_SHA256=0123\n';
    fs.writeFileSync(nv, filled);
    const filledStat = fs.statSync(nv);

    // the templates nv_vgpu and default declare one more variable
    editBundle(bundle, (b) => {
      for (const [rel, text] of b.files) {
        if (!rel.startsWith('images/')) continue;
        const rc = JSON.parse(text);
        if (rc.site_env === undefined || !['nv_vgpu', 'default'].includes(rc.template)) continue;
        rc.site_env.variables.push({ name: 'GRID_EXTRA', required: false, secret: false });
        b.files.set(rel, `${JSON.stringify(rc, null, 2)}\n`);
      }
    });
    const { code, stdout } = await install('--bundle', bundle, '--root', root);
    expect(code).toBe(0);
    expect(stdout).toContain('note: /etc/goldsmith/env/nv_vgpu.env holds site values and is not rewritten: template nv_vgpu now also declares GRID_EXTRA (add it by hand)');
    expect(stdout).toContain('update /etc/goldsmith/env/default.env (a stub without values: now lists REPORT_URL, GRID_EXTRA)');
    expect(fs.readFileSync(nv, 'utf8')).toBe(filled);
    expect(fs.statSync(nv).mtimeMs).toBe(filledStat.mtimeMs);
    expect(fs.readFileSync(at(root, '/etc/goldsmith/env/default.env'), 'utf8')).toContain('\n# GRID_EXTRA=\n');
    // said once
    expect((await install('--bundle', bundle, '--root', root)).stdout).toEqual(['nothing to do']);
  });

  test('an env file that was there before the first install is never touched nor recorded', async () => {
    const root = newRoot();
    fs.mkdirSync(at(root, '/etc/goldsmith/env'), { recursive: true });
    fs.writeFileSync(at(root, '/etc/goldsmith/env/default.env'), 'REPORT_URL=https://report.example.org/\n', { mode: 0o600 });
    const before = snapshot(at(root, '/etc/goldsmith/env/default.env'));
    const { stdout } = await install('--bundle', bgo, '--root', root);
    expect(stdout.filter((l) => l.includes('default.env'))).toEqual([]);
    expect(snapshot(at(root, '/etc/goldsmith/env/default.env'))).toEqual(before);
    expect(Object.keys(state(root).env_stubs)).not.toContain('/etc/goldsmith/env/default.env');
  });

  test('without the build group (running as root) nothing is installed', async () => {
    if (!AS_ROOT) return; // owners are only set by root
    const root = newRoot();
    fs.writeFileSync(at(root, '/etc/group'), 'root:x:0:\n');
    const before = snapshot(root);
    const { code, stdout, stderr } = await install('--bundle', bgo, '--root', root);
    expect({ code, stdout }).toEqual({ code: 1, stdout: [] });
    expect(stderr).toEqual([expect.stringMatching(/^goldsmith install: group goldsmith does not exist on this builder: create the build user first/)]);
    expect(snapshot(root)).toEqual(before);
  });
});

describe('pruning', () => {
  test('a removed template with its images, a removed script and cron line: removed; a stub with values left', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    fs.writeFileSync(at(root, '/etc/goldsmith/env/uib_puppet.env'), 'PUPPET_SERVER=puppet.example.org\n');
    const uib = ['almalinux10_uib_puppet', 'rockylinux8_uib_puppet'];
    editBundle(bundle, (b) => {
      for (const image of uib) dropImage(b, image);
      b.files.delete('templates/uib_puppet.json');
      b.files.delete('scripts/uib-puppet.sh');
    });
    const { code, stdout } = await install('--bundle', bundle, '--root', root);
    expect(code).toBe(0);
    expect(stdout).toEqual([
      'update /etc/goldsmith/bundle/manifest.json (content)',
      'update /etc/cron.d/goldsmith (content)',
      ...uib.map((i) => `remove /etc/goldsmith/bundle/checks/${i}.json`),
      ...uib.map((i) => `remove /etc/goldsmith/bundle/images/${i}.json`),
      'remove /etc/goldsmith/bundle/scripts/uib-puppet.sh',
      'remove /etc/goldsmith/bundle/templates/uib_puppet.json',
      'leave /etc/goldsmith/env/uib_puppet.env (holds site values; no image uses template uib_puppet any more)',
      'updated 2, removed 6',
    ]);
    for (const p of ['/etc/goldsmith/bundle/templates/uib_puppet.json', '/etc/goldsmith/bundle/scripts/uib-puppet.sh', ...uib.map((i) => `/etc/goldsmith/bundle/images/${i}.json`)]) {
      expect(fs.existsSync(at(root, p))).toBe(false);
    }
    const cron = fs.readFileSync(at(root, '/etc/cron.d/goldsmith'), 'utf8');
    expect(cron).not.toContain('uib_puppet');
    expect(cron).toBe(fs.readFileSync(path.join(bgo, 'cron.d/goldsmith'), 'utf8').split('\n').filter((l) => !l.includes('uib_puppet')).join('\n'));
    expect(fs.readFileSync(at(root, '/etc/goldsmith/env/uib_puppet.env'), 'utf8')).toBe('PUPPET_SERVER=puppet.example.org\n');
    expect(Object.keys(state(root).env_stubs)).not.toContain('/etc/goldsmith/env/uib_puppet.env');
    expect((await install('--bundle', bundle, '--root', root)).stdout).toEqual(['nothing to do']);
  });

  test('a file no longer bundled but changed by hand since it was installed: left in place, and said so', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    const script = '/etc/goldsmith/bundle/scripts/uib-puppet.sh';
    fs.appendFileSync(at(root, script), '# a local fix\n');
    editBundle(bundle, (b) => {
      for (const image of ['almalinux10_uib_puppet', 'rockylinux8_uib_puppet']) dropImage(b, image);
      b.files.delete('templates/uib_puppet.json');
      b.files.delete('scripts/uib-puppet.sh');
    });
    const { code, stdout } = await install('--bundle', bundle, '--root', root);
    expect(code).toBe(0);
    expect(stdout).toContain(`leave ${script} (changed since goldsmith installed it: left in place)`);
    expect(fs.readFileSync(at(root, script), 'utf8')).toContain('# a local fix');
    expect(Object.keys(state(root).files)).not.toContain(script);
  });

  test('an untouched stub whose template left is removed', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    editBundle(bundle, (b) => {
      for (const image of ['uio_rhel8', 'uio_rhel9']) dropImage(b, image);
      b.files.delete('templates/uio_rhel.json');
    });
    const { stdout } = await install('--bundle', bundle, '--root', root);
    expect(stdout).toContain('remove /etc/goldsmith/env/uio_rhel.env (a stub without values; no image uses template uio_rhel any more)');
    expect(fs.existsSync(at(root, '/etc/goldsmith/env/uio_rhel.env'))).toBe(false);
  });

  test('paths goldsmith did not install stay: files beside the bundle, other cron files, other images’ stores', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    const mine = ['/etc/goldsmith/bundle/templates/local.json', '/etc/goldsmith/bundle/images/handmade.json', '/etc/cron.d/other', '/etc/goldsmith/bundle/notes.txt'];
    for (const p of mine) fs.writeFileSync(at(root, p), 'mine\n');
    editBundle(bundle, (b) => dropImage(b, 'fedora_43'));
    const { code } = await install('--bundle', bundle, '--root', root);
    expect(code).toBe(0);
    for (const p of mine) expect(fs.readFileSync(at(root, p), 'utf8')).toBe('mine\n');
  });

  test('a file in the way that goldsmith did not install: refused before anything is written; the same bytes are adopted', async () => {
    const root = newRoot();
    fs.mkdirSync(at(root, '/etc/cron.d'), { recursive: true });
    fs.writeFileSync(at(root, '/etc/cron.d/goldsmith'), '# made by hand\n');
    const before = snapshot(root);
    const { code, stdout, stderr } = await install('--bundle', bgo, '--root', root);
    expect({ code, stdout }).toEqual({ code: 1, stdout: [] });
    expect(stderr).toEqual([
      'goldsmith install: /etc/cron.d/goldsmith exists, differs from the bundle\'s cron.d/goldsmith and was not installed by goldsmith install: move it away first',
    ]);
    expect(snapshot(root)).toEqual(before);

    fs.copyFileSync(path.join(bgo, 'cron.d/goldsmith'), at(root, '/etc/cron.d/goldsmith'));
    fs.chmodSync(at(root, '/etc/cron.d/goldsmith'), 0o644);
    const again = await install('--bundle', bgo, '--root', root);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('adopt /etc/cron.d/goldsmith (already as in the bundle)');
  });
});

describe('--dry-run', () => {
  test('prints the plan a real run carries out and changes nothing (first install and a pruning one)', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    for (const step of ['first', 'prune'] as const) {
      if (step === 'prune') {
        editBundle(bundle, (b) => {
          dropImage(b, 'debian13');
          b.files.delete('scripts/report.sh');
        });
        fs.mkdirSync(at(root, '/var/log/goldsmith'), { recursive: true });
        fs.writeFileSync(at(root, '/var/log/goldsmith/debian13-report.json'), '{}\n');
      }
      const before = snapshot(root);
      const dry = await install('--bundle', bundle, '--root', root, '--dry-run');
      expect(dry.code).toBe(0);
      expect(snapshot(root)).toEqual(before);
      const real = await install('--bundle', bundle, '--root', root);
      expect(real.code).toBe(0);
      expect(dry.stdout.slice(0, -1)).toEqual(real.stdout.slice(0, -1));
      expect(dry.stdout[dry.stdout.length - 1]).toMatch(/^dry run: would .*; nothing was changed$/);
      if (step === 'prune') {
        expect(real.stdout).toContain('remove /var/log/goldsmith/debian13-report.json');
        expect(real.stdout).toContain('remove /etc/goldsmith/bundle/scripts/report.sh');
      }
    }
    expect((await install('--bundle', bundle, '--root', root, '--dry-run')).stdout).toEqual(['nothing to do']);
  });
});

describe('refusals', () => {
  test('a symbolic link that leads out of the root: one line, exit 1, nothing written inside or outside', async () => {
    const root = newRoot();
    const outside = tempDir('goldsmith-install-outside-');
    fs.symlinkSync(outside, at(root, '/etc/goldsmith'));
    const before = snapshot(root);
    const { code, stdout, stderr } = await install('--bundle', bgo, '--root', root);
    expect({ code, stdout }).toEqual({ code: 1, stdout: [] });
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^goldsmith install: \/etc\/goldsmith\/\S+: etc\/goldsmith leads out of .*: refused$/);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(snapshot(root)).toEqual(before);
  });

  test('a symbolic link that stays inside the root is followed', async () => {
    const root = newRoot();
    fs.mkdirSync(at(root, '/srv/goldsmith-etc'), { recursive: true });
    fs.symlinkSync('../srv/goldsmith-etc', at(root, '/etc/goldsmith'));
    const { code } = await install('--bundle', bgo, '--root', root);
    expect(code).toBe(0);
    expect(fs.existsSync(at(root, '/srv/goldsmith-etc/bundle/manifest.json'))).toBe(true);
  });

  test('a retired image whose store leads out of the root: refused, its files outside untouched', async () => {
    const root = newRoot();
    const bundle = copyBundle(bgo);
    await install('--bundle', bundle, '--root', root);
    const outside = tempDir('goldsmith-install-outside-');
    fs.writeFileSync(path.join(outside, 'fedora_43-20260101.qcow2'), 'x');
    fs.mkdirSync(at(root, '/opt/images'), { recursive: true });
    fs.symlinkSync(outside, at(root, '/opt/images/public_builds'));
    editBundle(bundle, (b) => dropImage(b, 'fedora_43'));
    const { code, stderr } = await install('--bundle', bundle, '--root', root);
    expect(code).toBe(1);
    expect(stderr[0]).toMatch(/leads out of .*: refused$/);
    expect(fs.readdirSync(outside)).toEqual(['fedora_43-20260101.qcow2']);
  });

  test('a bundle file changed after synth, a cron line that runs as root, another environment: refused', async () => {
    const root = newRoot();
    const changed = copyBundle(bgo);
    fs.appendFileSync(path.join(changed, 'scripts/lib.sh'), '# changed\n');
    let r = await install('--bundle', changed, '--root', root);
    expect(r).toEqual({ code: 1, stdout: [], stderr: [`goldsmith install: ${path.join(changed, 'scripts/lib.sh')}: its sha256 is not the one manifest.json records (changed after synth?)`] });

    const rootLine = copyBundle(bgo);
    editBundle(rootLine, (b) => {
      const image = b.manifest.images[0];
      const line = image.cron_line as string;
      const evil = line.replace(' goldsmith ', ' root ');
      image.cron_line = evil;
      b.files.set('cron.d/goldsmith', b.files.get('cron.d/goldsmith')!.replace(line, evil));
    });
    r = await install('--bundle', rootLine, '--root', root);
    expect(r.code).toBe(1);
    expect(r.stderr[0]).toMatch(/a cron line runs as root: builds never run as root$/);

    const injected = copyBundle(bgo);
    editBundle(injected, (b) => b.files.set('cron.d/goldsmith', `${b.files.get('cron.d/goldsmith')}* * * * * root /tmp/x\n`));
    r = await install('--bundle', injected, '--root', root);
    expect(r.stderr[0]).toMatch(/line \d+ is not the cron line of an image of manifest.json$/);
    expect(fs.readdirSync(root)).toEqual(['etc']);
    expect(fs.readdirSync(at(root, '/etc'))).toEqual(['group']);

    await install('--bundle', bgo, '--root', root);
    const osl = path.join(path.dirname(path.dirname(bgo)), 'osl', 'builder');
    r = await install('--bundle', osl, '--root', root);
    expect(r.code).toBe(1);
    expect(r.stderr[0]).toBe('goldsmith install: this builder has the bundle of environment bgo, not osl: refusing (installing it would retire every image of bgo)');
  });

  test('a state file that names a path install never writes, or that others can write: refused', async () => {
    const root = newRoot();
    await install('--bundle', bgo, '--root', root);
    const file = at(root, INSTALL_STATE_FILE);
    const good = fs.readFileSync(file, 'utf8');
    const s = JSON.parse(good);
    s.files['/etc/shadow'] = { kind: 'bundle', sha256: '0'.repeat(64), mode: 0o644 };
    fs.writeFileSync(file, JSON.stringify(s));
    let r = await install('--bundle', bgo, '--root', root);
    expect(r.stderr).toEqual([`goldsmith install: install state ${INSTALL_STATE_FILE} names /etc/shadow, which goldsmith install never installs: refused`]);
    if (AS_ROOT) {
      fs.writeFileSync(file, good);
      fs.chmodSync(file, 0o664);
      r = await install('--bundle', bgo, '--root', root);
      expect(r.stderr[0]).toMatch(/must be owned by root and writable by root only/);
    }
  });

  test('usage errors', async () => {
    await expect(install('--root', '/tmp')).rejects.toThrow('--bundle DIR is required');
    await expect(install('--bundle', bgo, 'extra')).rejects.toThrow('unexpected argument `extra`');
  });
});

describe('a failure half-way', () => {
  test('records what was done; the next run finishes the job', async () => {
    const root = newRoot();
    // scripts/ cannot be made: checks/ and images/ (before it in path order) are installed, the rest is not
    fs.mkdirSync(at(root, '/etc/goldsmith/bundle'), { recursive: true });
    fs.writeFileSync(at(root, '/etc/goldsmith/bundle/scripts'), 'in the way\n');
    const r = await install('--bundle', bgo, '--root', root);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([expect.stringMatching(/^goldsmith install: install \/etc\/goldsmith\/bundle\/scripts\/autopatch.sh: \/etc\/goldsmith\/bundle\/scripts is not a directory \(\d+ of \d+ actions done; run it again\)$/)]);
    expect(r.stdout.every((l) => /^install \/etc\/goldsmith\/bundle\/(checks|images)\//.test(l))).toBe(true);
    expect(Object.keys(state(root).files).sort()).toEqual(r.stdout.map((l) => l.slice('install '.length)).sort());
    expect(fs.existsSync(at(root, '/etc/cron.d/goldsmith'))).toBe(false);

    fs.rmSync(at(root, '/etc/goldsmith/bundle/scripts'));
    const again = await install('--bundle', bgo, '--root', root);
    expect(again.code).toBe(0);
    expect(again.stdout.some((l) => l.includes('/checks/') || l.includes('/images/'))).toBe(false);
    expect(again.stdout).toContain('install /etc/cron.d/goldsmith');
    expect((await install('--bundle', bgo, '--root', root)).stdout).toEqual(['nothing to do']);
  });
});
