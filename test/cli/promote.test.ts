// goldsmith promote / withdraw as an operator runs them: a record served over loopback HTTP (the
// builder's vhost), --offline (Glance, Nova and Cinder are not reachable from these machines),
// and bad input: one line, no file changed.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../lib/cli/main';
import { loadCatalog } from '../../lib/catalog';
import { synthCatalog } from '../../synth/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const FILE = 'debian12-20261209.qcow2';
const BYTES = Buffer.from('pretend qcow2 bytes of debian12 20261209');
const MD5 = crypto.createHash('md5').update(BYTES).digest('hex');
const SHA = crypto.createHash('sha256').update(BYTES).digest('hex');

function record(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    record_format: 1,
    image: 'debian12',
    environment: 'test01',
    build_id: '20261209',
    run_id: '20261209T031500Z',
    date: '2026-12-09',
    finished_at: '2026-12-09T04:01:02Z',
    file: FILE,
    disk_format: 'qcow2',
    md5: MD5,
    sha256: SHA,
    size_bytes: BYTES.length,
    upstream: { url: 'https://cdimage.debian.org/cdimage/cloud/bookworm/latest/debian-12-generic-amd64.qcow2', checksum: `sha512:${'ab'.repeat(64)}` },
    fingerprint: 'ef'.repeat(32),
    tools: { 'qemu-img': '7.2.0' },
    reason: { code: 'periodic', detail: 'the last success is older than this period' },
    verification: { result: 'passed', checks: [{ name: 'qemu-img-check', result: 'passed' }] },
    ...overrides,
  });
}

/** The builder's vhost for test01: the latest record of debian12, its sums and its file; 404 otherwise. */
class Builder {
  files = new Map<string, string | Buffer>();
  private readonly server = http.createServer((req, res) => {
    const body = this.files.get((req.url ?? '').slice(1));
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let work: string;
let builder: Builder;
let baseUrl: string;
beforeEach(async () => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-cli-promote-')));
  fs.cpSync(path.join(ROOT, 'config'), path.join(work, 'config'), { recursive: true });
  builder = new Builder();
  baseUrl = await builder.start();
  builder.files.set('debian12-latest.json', record());
  builder.files.set('debian12-20261209.md5', `${MD5}  ${FILE}\n`);
  builder.files.set('debian12-20261209.sha256', `${SHA}  ${FILE}\n`);
  builder.files.set(FILE, BYTES);
  setBaseUrl('test01', baseUrl);
});
afterEach(async () => {
  await builder.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function setBaseUrl(env: string, url: string): void {
  const file = path.join(work, 'config', 'environments.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const from = `base_url: http://builder.mgmt.${env}.uhdc.no/`;
  if (!text.includes(from)) throw new Error(`fixture changed: no ${from}`);
  fs.writeFileSync(file, text.replace(from, `base_url: ${url}`));
}

const buildsFile = () => path.join(work, 'config', 'builds', 'test01.yaml');

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: work, env: { PATH: process.env.PATH } };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('goldsmith promote', () => {
  test('--dry-run prints the change and writes nothing; then it is written; then there is nothing to do', async () => {
    const before = fs.readFileSync(buildsFile(), 'utf8');
    const line = 'test01 · debian12: new build 20261209 (candidate; built 2026-12-09, periodic); 20261104 stays GOLD until it is verified';
    expect(await run('promote', 'test01', '--image', 'debian12', '--dry-run')).toEqual({
      code: 0,
      out: [line, 'dry run: 1 change to config/builds/test01.yaml, nothing written'],
      err: [],
    });
    expect(fs.readFileSync(buildsFile(), 'utf8')).toBe(before);
    expect(await run('promote', 'test01', '--image', 'debian12', '--offline')).toEqual({ code: 0, out: [line, 'wrote 1 change to config/builds/test01.yaml'], err: [] });
    const after = fs.readFileSync(buildsFile(), 'utf8');
    expect(after).toContain(`      - build_id: "20261209"\n        date: 2026-12-09\n        file: ${FILE}\n        md5: ${MD5}\n`);
    expect(await run('validate')).toMatchObject({ code: 0 });
    expect(await run('promote', 'test01', '--image', 'debian12', '--offline')).toEqual({
      code: 0,
      out: ['note: test01 · debian12: candidate 20261209 waits: verifying it needs Glance (--offline)', 'nothing to change in config/builds/test01.yaml'],
      err: [],
    });
    expect(fs.readFileSync(buildsFile(), 'utf8')).toBe(after);
  });

  test.each<[string, () => void, string]>([
    [
      'a record whose md5 differs from its .md5 file',
      () => builder.files.set('debian12-20261209.md5', `${'0'.repeat(32)}  ${FILE}\n`),
      `goldsmith promote: test01 · debian12: ${'BASE'}debian12-latest.json: md5 in the record (${MD5}) differs from debian12-20261209.md5 (${'0'.repeat(32)})`,
    ],
    [
      'a record whose build failed its verification',
      () => builder.files.set('debian12-latest.json', record({ verification: { result: 'failed', checks: [{ name: 'qemu-img-compare', result: 'failed' }] } })),
      `goldsmith promote: test01 · debian12: ${'BASE'}debian12-latest.json: the build's verification failed (qemu-img-compare)`,
    ],
  ])('%s: one line, exit 1, no file changed', async (_what, breakIt, line) => {
    breakIt();
    const before = fs.readFileSync(buildsFile(), 'utf8');
    expect(await run('promote', 'test01', '--image', 'debian12', '--offline')).toEqual({
      code: 1,
      out: ['nothing to change in config/builds/test01.yaml'],
      err: [line.replace('BASE', baseUrl)],
    });
    expect(fs.readFileSync(buildsFile(), 'utf8')).toBe(before);
  });

  test('a hostile record: Terraform syntax in its upstream URL stays a literal in the synthesized stack', async () => {
    const hostile = 'https://u.example/${file("/etc/passwd")}%{ if true }x%{ endif }';
    builder.files.set('debian12-latest.json', record({ upstream: { url: hostile, checksum: `sha512:${'ab'.repeat(64)}` } }));
    expect((await run('promote', 'test01', '--image', 'debian12', '--offline')).code).toBe(0);
    const out = path.join(work, 'cdktf.out');
    synthCatalog(loadCatalog(path.join(work, 'config')), out, { stateBaseDir: work });
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'test01', 'cdk.tf.json'), 'utf8'));
    expect(stack.resource.openstack_images_image_v2.debian12_20261209.properties.goldsmith_upstream_url).toBe(
      'https://u.example/$${file("/etc/passwd")}%%{ if true }x%%{ endif }',
    );
  });

  test('an unreachable builder: one line for all images, exit 1, no file changed', async () => {
    await builder.stop();
    const dead = baseUrl;
    builder = new Builder();
    await builder.start(); // afterEach stops this one
    const before = fs.readFileSync(buildsFile(), 'utf8');
    const result = await run('promote', 'test01', '--offline');
    expect(result.code).toBe(1);
    expect(result.err).toEqual([`goldsmith promote: test01 · almalinux10: ${dead}almalinux10-latest.json: connection refused (ECONNREFUSED)`]);
    expect(result.out).toEqual(['nothing to change in config/builds/test01.yaml']);
    expect(fs.readFileSync(buildsFile(), 'utf8')).toBe(before);
  });

  test('a builds file with a syntax error: one line naming file and line, exit 1, unchanged', async () => {
    const broken = fs.readFileSync(buildsFile(), 'utf8').replace('outdated_name: "Outdated (Debian 12)"', 'outdated_name: "Outdated (Debian 12)');
    fs.writeFileSync(buildsFile(), broken);
    expect(await run('promote', 'test01', '--offline')).toEqual({
      code: 1,
      out: [],
      err: ['config/builds/test01.yaml:76:41: yaml syntax error: missing closing "quote'],
    });
    expect(fs.readFileSync(buildsFile(), 'utf8')).toBe(broken);
  });

  test('bad command lines exit 2', async () => {
    expect(await run('promote')).toEqual({ code: 2, out: [], err: ['goldsmith promote: name the environment (see `goldsmith promote --help`)'] });
    expect((await run('promote', 'nowhere')).err).toEqual(['goldsmith promote: no environment `nowhere` in environments.yaml (bgo, osl, test01, test02) (see `goldsmith promote --help`)']);
    expect((await run('promote', 'test02', '--image', 'winsrv_2025')).err).toEqual(['goldsmith promote: environment test02 has no image `winsrv_2025` (see `goldsmith promote --help`)']);
  });
});

describe('goldsmith withdraw', () => {
  test('withdraws the GOLD (dry run first), refuses the only release, says when it is done already', async () => {
    const before = fs.readFileSync(buildsFile(), 'utf8');
    const line = 'test01 · debian12: 20261104 withdrawn (hidden, never GOLD again); 20261007 is GOLD again';
    expect(await run('withdraw', 'test01', 'debian12', '--dry-run')).toEqual({ code: 0, out: [line, 'dry run: nothing written to config/builds/test01.yaml'], err: [] });
    expect(fs.readFileSync(buildsFile(), 'utf8')).toBe(before);
    expect(await run('withdraw', 'test01', 'debian12')).toEqual({ code: 0, out: [line, 'wrote config/builds/test01.yaml'], err: [] });
    expect(fs.readFileSync(buildsFile(), 'utf8')).not.toBe(before);
    expect(await run('withdraw', 'test01', 'debian12', '20261104')).toEqual({ code: 0, out: ['test01 · debian12: 20261104 is withdrawn already'], err: [] });
    expect(await run('withdraw', 'test01', 'debian12', '20200101')).toEqual({
      code: 1,
      out: [],
      err: ['goldsmith withdraw: debian12 has no release 20200101 in test01 (20261104, 20261007)'],
    });
  });
});
