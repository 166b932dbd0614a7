// Producer and parser of images/<image>.json agree: every runner config the bundle writer
// produces for the bundled catalog is accepted by the runner's parseRunnerConfig unchanged.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseRunnerConfig } from '../../lib/contract';
import { loadCatalog } from '../../lib/catalog';
import { synthCatalog } from '../../synth/synth';
import { runnerConfigFor } from '../../lib/constructs/runner-config';
import { makeEnvironment, makeImage } from '../fixtures/model';

const ROOT = path.resolve(__dirname, '..', '..');

describe('runner configs of the bundled catalog', () => {
  let tmp: string;
  let out: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-runner-config-'));
    out = synthCatalog(loadCatalog(path.join(ROOT, 'config')), path.join(tmp, 'cdktf.out'), { stateBaseDir: tmp }).outdir;
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('every produced runner config passes parseRunnerConfig, which reads it back unchanged', () => {
    const files: string[] = [];
    for (const env of fs.readdirSync(path.join(out, 'stacks'))) {
      const dir = path.join(out, 'stacks', env, 'builder', 'images');
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) files.push(path.join(dir, name));
    }
    expect(files.length).toBeGreaterThan(0);
    const kinds = new Set<string>();
    for (const file of files) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      const config = parseRunnerConfig(json, file);
      expect(config.image).toBe(path.basename(file, '.json'));
      expect(config).toEqual(json);
      kinds.add(config.template_file !== undefined ? 'packer' : 'external');
    }
    // Both bakers' shapes are covered (winsrv_2025 is an external build).
    expect([...kinds].sort()).toEqual(['external', 'packer']);
  });
});

describe('runnerConfigFor: the insecure http waiver', () => {
  const template = { name: 'default', file: 'templates/default.json', sha256: 'a'.repeat(64) };
  const httpUpstream = {
    url: 'http://cdimage.debian.example/bookworm/latest/',
    file: 'debian-12-genericcloud-amd64.qcow2',
    checksumFile: 'SHA512SUMS',
    algorithm: 'sha512' as const,
  };

  test('reaches the runner (which then follows a redirect to http), without changing the fingerprint', () => {
    const waived = makeImage({ upstream: { ...httpUpstream, insecureHttpWaiver: 'mirror has no tls' } });
    const plain = makeImage({ upstream: httpUpstream });
    const env = makeEnvironment();
    const config = runnerConfigFor(waived, env, template, {});
    expect(config.upstream).toEqual({
      url: httpUpstream.url,
      file: httpUpstream.file,
      checksum_file: 'SHA512SUMS',
      algorithm: 'sha512',
      insecure_http_waiver: 'mirror has no tls',
    });
    expect(parseRunnerConfig(JSON.parse(JSON.stringify(config)), 'images/ubuntu_2404.json')).toEqual(config);
    expect(config.fingerprint).toBe(runnerConfigFor(plain, env, template, {}).fingerprint);
    expect(runnerConfigFor(plain, env, template, {}).upstream).not.toHaveProperty('insecure_http_waiver');
  });
});
