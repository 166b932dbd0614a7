// builder/goldsmith-windows-build, the reference external_command of the windows template. The ssh
// boundary (the Windows build host) cannot run here: fake `ssh` and `scp` on PATH record every call
// and act on a local directory standing in for the host, where a fake `packer` writes the disk.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.resolve(__dirname, '../../builder/goldsmith-windows-build');
let tmp: string;
let bin: string;
let calls: string;
let work: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-winbuild-'));
  bin = path.join(tmp, 'bin');
  work = path.join(tmp, 'work');
  calls = path.join(tmp, 'calls.log');
  fs.mkdirSync(bin);
  fs.mkdirSync(work);
  // The "host": /var/tmp and /opt of the remote live under $tmp/host.
  const host = path.join(tmp, 'host');
  fs.mkdirSync(path.join(host, 'opt/packer-windows/os_pkrvars/windows'), { recursive: true });
  fs.mkdirSync(path.join(host, 'var/tmp'), { recursive: true });
  fs.writeFileSync(path.join(host, 'opt/packer-windows/os_pkrvars/windows/windows-2025-x86_64.pkrvars.hcl'), 'x');
  const map = `sed -e "s#/var/tmp/#${host}/var/tmp/#g; s#/opt/#${host}/opt/#g"`;
  const tool = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  // ssh [opts…] host command: records, then runs the command locally with the host's paths mapped,
  // in a session of its own: like a real remote side, a signal to the local process group misses it.
  tool('ssh', `printf 'ssh %s\\n' "\${*: -1}" >> ${calls}\ncmd=$(printf '%s' "\${*: -1}" | ${map})\nsetsid bash --norc --noprofile -c "$cmd" & wait $!`);
  // scp -q [opts…] -- from to: host:path maps to the host directory.
  tool('scp', `args=("$@"); from=\${args[-2]}; to=\${args[-1]}\nprintf 'scp %s %s\\n' "$from" "$to" >> ${calls}\nm() { case "$1" in *:*) printf '%s' "\${1#*:}" | ${map};; *) printf '%s' "$1";; esac; }\ncp "$(m "$from")" "$(m "$to")"`);
  // packer on the host: writes a 4 KiB "disk" into output_directory, or fails with FAIL_PACKER.
  tool('packer', `[ -z "\${SLOW_PACKER:-}" ] || { echo $$ > ${path.join(tmp, 'packer-running.pid')}; sleep 60; }\n[ -z "\${FAIL_PACKER:-}" ] || { echo "packer: build failed" >&2; exit 1; }\nfor a in "$@"; do case "$a" in output_directory=*) out=\${a#output_directory=};; esac; done\nmkdir -p "$out" && head -c 4096 /dev/zero > "$out/winsrv.raw" && echo '{}' > "$out/packer-manifest.json"`);
  fs.writeFileSync(path.join(work, 'install.iso'), 'iso bytes');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(env: Record<string, string> = {}) {
  return spawnSync(SCRIPT, [], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      GOLDSMITH_IMAGE: 'winsrv_2025',
      GOLDSMITH_ENVIRONMENT: 'bgo',
      GOLDSMITH_SOURCE_FILE: path.join(work, 'install.iso'),
      GOLDSMITH_ARTIFACT_FILE: path.join(work, 'artifact'),
      GOLDSMITH_WORK_DIR: work,
      WINDOWS_BUILD_HOST: 'builder@controller-08.example',
      ...env,
    },
  });
}

const CLEANUP =
  "ssh if [ -s '/var/tmp/REMOTE/packer.pid' ]; then pg=$(cat '/var/tmp/REMOTE/packer.pid'); kill -TERM -- -$pg 2>/dev/null && sleep 5; kill -KILL -- -$pg 2>/dev/null; fi; rm -rf -- '/var/tmp/REMOTE'";
const remoteDirs = () => fs.readdirSync(path.join(tmp, 'host/var/tmp'));
const callLines = () => fs.readFileSync(calls, 'utf8').trim().split('\n').map((l) => l.replace(/goldsmith-winsrv_2025-\d{8}T\d{6}Z-\d+/g, 'REMOTE'));

test('copies the ISO over, runs packer-windows with the version pkrvars, copies the disk back, cleans up', () => {
  const r = run();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(fs.statSync(path.join(work, 'artifact')).size).toBe(4096);
  expect(callLines()).toEqual([
    "ssh mkdir -m 0700 -- '/var/tmp/REMOTE' && test -f '/opt/packer-windows/os_pkrvars/windows/windows-2025-x86_64.pkrvars.hcl'",
    `scp ${path.join(work, 'install.iso')} builder@controller-08.example:/var/tmp/REMOTE/install.iso`,
    "ssh cd '/opt/packer-windows' && { setsid packer build -timestamp-ui -var-file='os_pkrvars/windows/windows-2025-x86_64.pkrvars.hcl' -var 'iso_url=/var/tmp/REMOTE/install.iso' -var 'iso_checksum=none' -var 'output_directory=/var/tmp/REMOTE/output' . & echo $! > '/var/tmp/REMOTE/packer.pid'; wait $!; }",
    "ssh find '/var/tmp/REMOTE/output' -maxdepth 1 -type f ! -name '*.json' -printf '%s %f\\n' | sort -n | tail -n 1 | cut -d' ' -f2",
    `scp builder@controller-08.example:/var/tmp/REMOTE/output/winsrv.raw ${path.join(work, 'artifact')}`,
    CLEANUP,
  ]);
  expect(remoteDirs()).toEqual([]);
});

test('a failed packer run fails the command and still removes the remote work directory', () => {
  const r = run({ FAIL_PACKER: '1' });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('packer: build failed\n');
  expect(fs.existsSync(path.join(work, 'artifact'))).toBe(false);
  expect(callLines()[callLines().length - 1]).toBe(CLEANUP);
  expect(remoteDirs()).toEqual([]);
});

test.each([
  [{ WINDOWS_BUILD_HOST: '' }, 'goldsmith-windows-build: WINDOWS_BUILD_HOST is not set\n'],
  [{ WINDOWS_BUILD_HOST: 'host;touch /tmp/x' }, 'goldsmith-windows-build: WINDOWS_BUILD_HOST must be [user@]host\n'],
  [{ GOLDSMITH_IMAGE: 'ubuntu_2404' }, 'goldsmith-windows-build: image ubuntu_2404: expected winsrv_<year>\n'],
  [{ WINDOWS_PACKER_DIR: "/opt/x'; rm -rf /" }, 'goldsmith-windows-build: WINDOWS_PACKER_DIR must be an absolute path of [A-Za-z0-9._/-]\n'],
])('bad settings are refused before any ssh: %p', (env, message) => {
  const r = run(env);
  expect([r.status, r.stderr]).toEqual([1, message]);
  expect(fs.existsSync(calls)).toBe(false);
});

test('cancelled (SIGTERM to its process group, as the runner does): the remote packer is stopped, its directory removed', async () => {
  const child = spawn(SCRIPT, [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      SLOW_PACKER: '1',
      GOLDSMITH_IMAGE: 'winsrv_2025',
      GOLDSMITH_SOURCE_FILE: path.join(work, 'install.iso'),
      GOLDSMITH_ARTIFACT_FILE: path.join(work, 'artifact'),
      GOLDSMITH_WORK_DIR: work,
      WINDOWS_BUILD_HOST: 'builder@controller-08.example',
    },
  });
  const pidFile = path.join(tmp, 'packer-running.pid');
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') {
    if (Date.now() > deadline) throw new Error('the fake packer never started');
    await new Promise((r) => setTimeout(r, 50));
  }
  const packerPid = Number(fs.readFileSync(pidFile, 'utf8'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  process.kill(-child.pid!, 'SIGTERM');
  expect(await exited).toBe(143);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  expect(alive(packerPid)).toBe(false);
  expect(remoteDirs()).toEqual([]);
  expect(callLines()[callLines().length - 1]).toBe(CLEANUP);
}, 30_000);

