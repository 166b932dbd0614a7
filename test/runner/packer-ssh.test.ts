// The real packer (Debian's 1.6.6 here) provisioning over SSH with the runner's key, the rendered
// template's provisioners and the runner's argv and environment, against a real sshd on 127.0.0.1.
// Nova cannot run here, so the openstack builder is swapped for packer's `null` builder with an
// SSH communicator; everything else is what a build does: the ed25519 key in OpenSSH format from
// ssh-key.ts, the provisioners of renderPackerTemplate (private tmpfs directory, lib.sh upload,
// scripts run with use_env_var_file and EXECUTE_COMMAND, directory removed), packerBuildArgs,
// packerEnv with the site values and runPackerBuild with its redaction. The "VM" is this machine
// (as root through sudo), so its process list is also the builder's: the scripts record it while
// they run, and no site value may be in it.
//
// Needs packer, sshd, sudo and root; otherwise skipped with a visible line, or failed when
// GOLDSMITH_REQUIRE_TOOLS=1 (CI installs openssh-server and sudo).
import { spawn, execFileSync, type ChildProcess } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { renderPackerTemplate, REMOTE_DIR, requiredScriptFiles } from '../../lib/constructs/packer-template';
import { parseRunnerConfig, type RunnerConfig } from '../../lib/contract';
import { packerBuildArgs, packerEnv } from '../../lib/runner/packer/packer-args';
import { runPackerBuild } from '../../lib/runner/packer/packer-run';
import { generateSshKeyPair } from '../../lib/runner/packer/ssh-key';
import { SiteValues } from '../../lib/runner/site-values';
import { hasTool } from '../support/tools';

const SSHD = '/usr/sbin/sshd';
const ready = hasTool('packer') && fs.existsSync(SSHD) && hasTool('sudo') && hasTool('ssh-keygen') && process.geteuid?.() === 0;
const NEEDS = 'packer, /usr/sbin/sshd (openssh-server), sudo, ssh-keygen and root';
const required = process.env.GOLDSMITH_REQUIRE_TOOLS === '1';
if (!ready && !required) process.stderr.write(`SKIPPED packer-over-SSH tests: they need ${NEEDS}\n`);
const describeReady: (name: string, body: () => void) => void = ready
  ? describe
  : required
    ? (name) =>
        describe(name, () => {
          test(`requires ${NEEDS}`, () => {
            throw new Error(`GOLDSMITH_REQUIRE_TOOLS=1 but this host lacks one of: ${NEEDS}`);
          });
        })
    : describe.skip;

const SECRET = `s3cr'et $(id) \`id\` "q" \\ ${randomBytes(6).toString('hex')}`;
const PLAIN = `puppet-${randomBytes(4).toString('hex')}.uib.no`;
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describeReady('packer 1.6.6 over SSH with the runner\'s key, template and environment', () => {
  let tmp: string;
  let port: number;
  let sshd: ChildProcess | undefined;
  let keyFile: string;
  let bundleDir: string;
  let results: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-packer-ssh-'));
    port = await freePort();
    const key = generateSshKeyPair('goldsmith-testimg-20261125T093000Z-0123abcd');
    keyFile = path.join(tmp, 'build-key');
    fs.writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    fs.writeFileSync(path.join(tmp, 'authorized_keys'), `${key.publicKey}\n`, { mode: 0o600 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp, 'host_key')]);
    fs.writeFileSync(
      path.join(tmp, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(tmp, 'host_key')}`,
        `AuthorizedKeysFile ${path.join(tmp, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // OpenSSH's own defaults refuse ssh-rsa (SHA-1) signatures: the build key is ed25519
        'PubkeyAcceptedAlgorithms ssh-ed25519',
        'StrictModes no',
        'UsePAM no',
        'UseDNS no',
        `PidFile ${path.join(tmp, 'sshd.pid')}`,
        '',
      ].join('\n'),
    );
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(tmp, 'sshd_config')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((r) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) {
        this.destroy();
        r(true);
      }).once('error', () => r(false)));
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(REMOTE_DIR, { recursive: true, force: true });

    // the bundle: the rendered template with the null builder, and recording scripts
    results = path.join(tmp, 'results');
    fs.mkdirSync(results);
    bundleDir = path.join(tmp, 'bundle');
    fs.mkdirSync(path.join(bundleDir, 'templates'), { recursive: true });
    fs.mkdirSync(path.join(bundleDir, 'scripts'));
    const template = renderPackerTemplate({
      name: 'site_test',
      customScripts: [],
      variables: [
        { name: 'SITE_SECRET', required: true, secret: true },
        { name: 'SITE_PLAIN', required: true, secret: false },
        { name: 'SITE_OPTIONAL', required: false, secret: true },
      ],
    });
    const shells = template.provisioners.filter((p) => p.script !== undefined);
    const t = {
      ...template,
      builders: [
        {
          type: 'null',
          communicator: 'ssh',
          ssh_host: '127.0.0.1',
          ssh_port: port,
          ssh_username: '{{user `ssh_username`}}',
          ssh_private_key_file: '{{user `ssh_private_key_file`}}',
          ssh_pty: true,
          ssh_timeout: '2m',
        },
      ],
      // the first provisioners (private directory, lib.sh), two scripts, and the removal
      provisioners: [...template.provisioners.slice(0, 2), ...shells.slice(0, 2), template.provisioners.at(-1)],
      'post-processors': [],
    };
    fs.writeFileSync(path.join(bundleDir, 'templates', 'site_test.json'), JSON.stringify(t, null, 2));
    for (const s of requiredScriptFiles([])) {
      const body =
        s === 'lib.sh'
          ? 'LIBMARK=loaded\n'
          : [
              '#!/bin/bash',
              'set -euo pipefail',
              'source "$GOLDSMITH_LIB"',
              `r=${results}/${s}`,
              '{',
              '  echo "uid=$(id -u) template=$GOLDSMITH_TEMPLATE lib=$LIBMARK"',
              `  printf 'secret=%s\\n' "$(printf '%s' "$SITE_SECRET" | sha256sum | cut -d' ' -f1)"`,
              `  printf 'plain=%s\\n' "$SITE_PLAIN"`,
              `  printf 'optional=[%s]\\n' "\${SITE_OPTIONAL-unset}"`,
              '} > "$r.env"',
              'ps -eo args > "$r.ps"',
              `ls -la ${REMOTE_DIR} > "$r.ls"`,
              'echo "the script prints the secret: $SITE_SECRET"',
              '',
            ].join('\n');
      fs.writeFileSync(path.join(bundleDir, 'scripts', s), body, { mode: 0o755 });
    }
  });

  afterAll(() => {
    if (sshd?.pid !== undefined) {
      try {
        process.kill(sshd.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function config(): RunnerConfig {
    return parseRunnerConfig(
      {
        image: 'testimg',
        environment: 'bgo',
        cloud: 'bgo-imagebuilder',
        region: 'bgo',
        upstream: { url: 'https://u.example/', file: 'f.img', checksum_file: 'SHA256SUMS', algorithm: 'sha256' },
        template: 'site_test',
        template_file: 'templates/site_test.json',
        fingerprint: 'a'.repeat(64),
        packer_vars: { ssh_username: 'root', flavor: 'f', network: '0b5c1c4a-8d8a-4c1e-9d8e-2f0e6a9f1a01', security_group: 'sg' },
        site_env: {
          file: '/etc/goldsmith/env/site_test.env',
          variables: [
            { name: 'SITE_SECRET', required: true, secret: true },
            { name: 'SITE_PLAIN', required: true, secret: false },
            { name: 'SITE_OPTIONAL', required: false, secret: true },
          ],
        },
        source_image: { min_ram_mb: 1, min_disk_gb: 1, efi: false },
        output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 1 },
        rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
        paths: { store: '/s', logs: '/l', state: '/st', work: '/w' },
        timeouts_s: { download: 60, packer: 110, convert: 60 },
      },
      'images/testimg.json',
    );
  }

  test('values reach the scripts intact, as root; never on a command line, in the output or on disk; everything removed', async () => {
    const c = config();
    const workDir = path.join(tmp, 'testimg-20261125T093000Z');
    const tmpDir = path.join(workDir, 'packer-tmp');
    fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    const values = new SiteValues(
      new Map([
        ['SITE_SECRET', SECRET],
        ['SITE_PLAIN', PLAIN],
      ]),
      ['SITE_SECRET', 'SITE_OPTIONAL'],
    );
    const args = packerBuildArgs(
      c,
      {
        sourceImage: '0f4e2c3a-1111-4222-8333-944445555666',
        imageName: 'goldsmith-artifact-testimg',
        manifestPath: path.join(workDir, 'packer-manifest.json'),
        sshKeypairName: 'goldsmith-testimg-20261125T093000Z-0123abcd',
        sshPrivateKeyFile: keyFile,
      },
      path.join(bundleDir, 'templates', 'site_test.json'),
    );
    const lines: string[] = [];
    await runPackerBuild('packer', args, packerEnv(c, { PATH: process.env.PATH, HOME: tmp }, { values, tmpDir }), bundleDir, {
      config: c,
      sourceFile: '/dev/null',
      workDir,
      log: (l) => lines.push(l),
      signal: new AbortController().signal,
      siteValues: values,
    }, { timeoutMs: 110_000, killGraceMs: 5_000 });

    for (const script of ['uio-rhel.sh', 'enable_ipv6.sh']) {
      // intact (quotes, $(), backticks, backslash), as root, the optional one empty, lib.sh sourced
      expect(fs.readFileSync(path.join(results, `${script}.env`), 'utf8')).toBe(
        `uid=0 template=site_test lib=loaded\nsecret=${sha(SECRET)}\nplain=${PLAIN}\noptional=[]\n`,
      );
      // no value in any process's argv while the script ran (packer's, sudo's, bash's, sshd's …)
      const ps = fs.readFileSync(path.join(results, `${script}.ps`), 'utf8');
      expect(ps).toMatch(new RegExp(`bash -c \\. ${REMOTE_DIR}/varfile_\\d+\\.sh && exec bash ${REMOTE_DIR}/script_\\d+\\.sh`));
      expect(ps).toContain('packer build -color=false');
      expect(ps).not.toContain(SECRET);
      expect(ps).not.toContain(PLAIN);
      // the upload directory is private, the env var file 0600
      const ls = fs.readFileSync(path.join(results, `${script}.ls`), 'utf8');
      expect(ls).toMatch(/^drwx------ .* \.$/m);
      expect(ls).toMatch(/^-rw------- .* varfile_\d+\.sh$/m);
    }
    // the output: the secret redacted (packer's sensitive-variables and the runner's filter)
    expect(lines).toContain('packer:     null: the script prints the secret: <sensitive>');
    const logged = [...lines, fs.readFileSync(path.join(workDir, 'packer.log'), 'utf8')].join('\n');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(PLAIN);
    // removed: the tmpfs directory with every env var file, and packer's local copies
    expect(fs.existsSync(REMOTE_DIR)).toBe(false);
    expect(fs.readdirSync(tmpDir)).toEqual([]);
    // not left where packer uploads by default on the "VM" (its disk, the image): files in /tmp, /var/tmp
    for (const dir of ['/tmp', '/var/tmp']) {
      const holding = fs.readdirSync(dir).filter((name) => {
        const f = path.join(dir, name);
        const st = fs.lstatSync(f, { throwIfNoEntry: false });
        return st !== undefined && st.isFile() && st.size < 1024 * 1024 && fs.readFileSync(f, 'latin1').includes(SECRET);
      });
      expect({ dir, holding }).toEqual({ dir, holding: [] });
    }
  });
});
