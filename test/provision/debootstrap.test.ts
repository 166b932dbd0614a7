// The provisioning scripts, run for real in a Debian 12 (bookworm) root made by debootstrap.
//
// apt family: the default template's whole sequence (config/templates.yaml custom scripts, then
// the standard sequence) runs in the root with chroot, the way the packer template runs it on a
// build VM (library upload, env var file, root bash), against Debian's real mirror; the tests
// then check what the image contains. One piece is a double: grub-probe, because a chroot has no
// boot disk for it to probe (update-grub and grub-mkconfig are real, and a placeholder kernel file
// gives them a menu entry to write).
//
// dnf family: TEST DOUBLE. No RHEL, Satellite, UiO, EPEL, NVIDIA or Puppet repository or server
// can be reached from here, so the RHEL family's tools (dnf, rpm, subscription-manager, curl,
// grubby, grub2-mkconfig, dracut, …) are replaced by test/fixtures/provision-dnf-double/fake,
// which records every call and fakes what the packages would install. The scripts run in the same
// kind of Debian root with a RHEL or AlmaLinux os-release; systemctl, sshd, cloud-init and the
// file system are real. What is checked there is the scripts' behaviour (calls, files, units),
// not that RHEL's repositories work.
//
// Needs root (debootstrap, chroot, overlay mounts) and debootstrap: skipped with a visible line
// otherwise, a failure with GOLDSMITH_REQUIRE_TOOLS=1. The first run makes the root with
// debootstrap (minutes) and caches it under node_modules/.cache/goldsmith/ (test/provision/debian-root.ts).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { provisioningSequence } from '../../lib/constructs/packer-template';
import { describeWithTools } from '../support/tools';
import { debianRoots, filesContaining, inRoot, ROOT_PATH, runSequence, type DebianRoots, type ScriptRun } from './debian-root';

const REPO = path.resolve(__dirname, '../..');
const SCRIPT_DIR = path.join(REPO, 'config/provision');
const DOUBLE = path.join(REPO, 'test/fixtures/provision-dnf-double/fake');
const TEMPLATES = (YAML.parse(fs.readFileSync(path.join(REPO, 'config/templates.yaml'), 'utf8')) as {
  templates: Record<string, { custom_scripts?: string[] }>;
}).templates;

/** The scripts a template runs, as its packer template does. */
function sequenceOf(template: string): string[] {
  return provisioningSequence(TEMPLATES[template]!.custom_scripts ?? []);
}

// debootstrap lives in /usr/sbin, which a non-login PATH may lack.
for (const dir of ['/usr/sbin', '/sbin']) {
  if (!(process.env.PATH ?? '').split(':').includes(dir)) process.env.PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:${dir}`;
}

/** describeWithTools, and root: skipped visibly when not root, failing with GOLDSMITH_REQUIRE_TOOLS=1. */
function describeAsRoot(name: string, body: () => void): void {
  const uid = process.getuid?.();
  if (uid === 0) {
    describeWithTools(['debootstrap', 'chroot', 'mount', 'umount', 'tar', 'grep'], name, body);
    return;
  }
  if (process.env.GOLDSMITH_REQUIRE_TOOLS === '1') {
    describe(name, () => {
      test('requires root', () => {
        throw new Error(`GOLDSMITH_REQUIRE_TOOLS=1 but the tests run as uid ${uid}: debootstrap, chroot and mount need root`);
      });
    });
    return;
  }
  process.stderr.write(`SKIPPED "${name}": needs root for debootstrap, chroot and mount (uid ${uid})\n`);
  describe.skip(name, body);
}

const write = (file: string, text: string, mode?: number) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, mode === undefined ? {} : { mode });
  if (mode !== undefined) fs.chmodSync(file, mode);
};
const mode = (file: string) => (fs.statSync(file).mode & 0o7777).toString(8);
const exists = (file: string) => {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
};
/** Symbolic link target of an enabled unit, or undefined (/lib is /usr/lib: merged /usr). */
const wants = (root: string, target: string, unit: string) => {
  const link = path.join(root, 'etc/systemd/system', `${target}.wants`, unit);
  return exists(link) ? fs.readlinkSync(link).replace(/^\/lib\//, '/usr/lib/') : undefined;
};
/** Every run's status; the stderr tail of a failed one. */
const outcome = (runs: readonly ScriptRun[]) => ({
  statuses: runs.map((r) => [r.script, r.status]),
  failed: runs.filter((r) => r.status !== 0).map((r) => `${r.script}: ${r.stderr.slice(-1500)}`),
});

/** `sshd -T` as a map (keyword -> values), with a throwaway host key outside /etc/ssh. */
function sshdEffective(root: string): Map<string, string[]> {
  fs.mkdirSync(path.join(root, 'run/sshd'), { recursive: true });
  const key = path.join(root, 'run/goldsmith-test-hostkey');
  if (!exists(key)) {
    const r = inRoot(root, ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', '/run/goldsmith-test-hostkey']);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  const r = inRoot(root, ['/usr/sbin/sshd', '-T', '-h', '/run/goldsmith-test-hostkey']);
  if (r.status !== 0) throw new Error(`sshd -T: ${r.stderr}`);
  const map = new Map<string, string[]>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [k, ...v] = line.split(' ');
    map.set(k!, [...(map.get(k!) ?? []), v.join(' ')]);
  }
  return map;
}

/** cloud-init's own code for `ssh_pwauth` (cc_set_passwords.handle_ssh_pwauth writes through it). */
function cloudInitSshPwauth(root: string, value: 'yes' | 'no'): void {
  const r = inRoot(root, ['python3', '-c', `from cloudinit import ssh_util; ssh_util.update_ssh_config({"PasswordAuthentication": "${value}"})`]);
  if (r.status !== 0) throw new Error(r.stderr);
}

const HARDENING = [
  'KexAlgorithms curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256',
  'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr',
  'MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256,umac-128@openssh.com',
  'HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256',
];
const DROP_IN = [
  "# goldsmith: SSH hardening (managed by goldsmith's sshd_hardening.sh)",
  'HostKey /etc/ssh/ssh_host_rsa_key',
  'HostKey /etc/ssh/ssh_host_ed25519_key',
  ...HARDENING,
  'PermitRootLogin no',
  'KbdInteractiveAuthentication no',
  'PermitEmptyPasswords no',
  'X11Forwarding no',
].join('\n');
/** What `sshd -T` must say (keywords lower case, as sshd prints them). */
const EFFECTIVE = {
  kexalgorithms: ['curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256'],
  ciphers: ['chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr'],
  macs: ['hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256,umac-128@openssh.com'],
  hostkeyalgorithms: ['ssh-ed25519,rsa-sha2-512,rsa-sha2-256'],
  hostkey: ['/run/goldsmith-test-hostkey', '/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ed25519_key'],
  permitrootlogin: ['no'],
  passwordauthentication: ['no'],
  kbdinteractiveauthentication: ['no'],
  permitemptypasswords: ['no'],
  x11forwarding: ['no'],
};
const pick = (m: Map<string, string[]>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, m.get(k)]));

const NETWORK_CFG = `# goldsmith: dual-stack networking (managed by goldsmith's enable_ipv6.sh)
network:
  version: 2
  ethernets:
    local_if:
      match:
        name: "e*"
      dhcp4: true
      dhcp6: true
      accept-ra: true
`;
const NETWORK = {
  version: 2,
  ethernets: { local_if: { match: { name: 'e*' }, dhcp4: true, dhcp6: true, 'accept-ra': true } },
};
const SERIAL = 'serial --speed=115200 --unit=0 --word=8 --parity=no --stop=1';
const REPORT_URL = 'https://report.example.org';

/** A unit file report.sh writes. */
const REPORT_TIMER = `# goldsmith: NREC's report (managed by goldsmith's report.sh)
[Unit]
Description=Report to the NREC report API 15 minutes after boot and every 12 hours

[Timer]
OnBootSec=15min
OnUnitActiveSec=12h
Persistent=true

[Install]
WantedBy=timers.target
`;
const REPORT_SERVICE = `# goldsmith: NREC's report (managed by goldsmith's report.sh)
[Unit]
Description=Report to the NREC report API
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/report_wrapper
TimeoutStartSec=30min
`;
const reportWrapper = (platform: string, major: string) => `#!/bin/bash
# goldsmith: downloads and runs NREC's report client (managed by goldsmith's report.sh)
set -euo pipefail
curl -fsS --retry 3 --connect-timeout 30 --max-time 300 --proto '=https' -o /usr/local/sbin/report.new '${REPORT_URL}/downloads/${platform}/${major}/v1/report'
chmod 0755 /usr/local/sbin/report.new
mv -f /usr/local/sbin/report.new /usr/local/sbin/report
exec /usr/local/sbin/report
`;

/** grub-probe double (a chroot has no boot disk): fixed answers for a BIOS disk /dev/vda1, ext4. */
const GRUB_PROBE = `#!/bin/sh
# goldsmith test double of grub-probe: a chroot has no boot disk to probe
target=""
for a in "$@"; do case "$a" in --target=*) target="\${a#--target=}" ;; -t) target=next ;; *) [ "$target" = next ] && target="$a" ;; esac; done
case "$target" in
  device) echo /dev/vda1 ;;
  fs) echo ext2 ;;
  fs_uuid) echo 0b6e4c8d-2c5e-4a8f-9f35-6a1f2d3c4b5a ;;
  partuuid) echo 12345678-01 ;;
  abstraction) ;;
  partmap) echo msdos ;;
  drive) echo '(hd0,msdos1)' ;;
  compatibility_hint) echo hd0,msdos1 ;;
  hints_string) echo '--hint-bios=hd0,msdos1' ;;
  disk) echo /dev/vda ;;
  *) echo "grub-probe double: unknown target '$target'" >&2; exit 1 ;;
esac
`;

describeAsRoot('provisioning in a Debian 12 root (debootstrap)', () => {
  let roots: DebianRoots;
  beforeAll(() => {
    roots = debianRoots(REPO, (line) => process.stderr.write(`debootstrap test: ${line}\n`));
  }, 45 * 60_000);
  afterAll(() => roots?.cleanup(), 300_000);

  describe('apt family: the default template, for real', () => {
    let root: string;
    let runs: ScriptRun[];
    const f = (p: string) => path.join(root, p);

    beforeAll(() => {
      root = roots.newRoot('apt');
      // The image as a Debian cloud image has it (what grub-pc's postinst and the cloud build
      // make), plus the traces of a build the scripts must remove.
      fs.rmSync(f('etc/resolv.conf'), { force: true });
      fs.copyFileSync('/etc/resolv.conf', f('etc/resolv.conf'));
      const grub = fs
        .readFileSync(f('usr/share/grub/default/grub'), 'utf8')
        .replace(/^GRUB_CMDLINE_LINUX=.*$/m, 'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0"');
      write(f('etc/default/grub'), grub);
      write(f('etc/default/grub.d/15_timeout.cfg'), 'GRUB_TIMEOUT=0\n');
      fs.renameSync(f('usr/sbin/grub-probe'), f('usr/sbin/grub-probe.real'));
      write(f('usr/sbin/grub-probe'), GRUB_PROBE, 0o755);
      write(f('boot/vmlinuz-6.1.0-99-cloud-amd64'), ''); // a placeholder kernel for 10_linux
      fs.mkdirSync(f('boot/grub'), { recursive: true });
      write(f('etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
      write(f('var/lib/dbus/machine-id'), '0123456789abcdef0123456789abcdef\n');
      write(f('var/lib/systemd/random-seed'), 'seed');
      for (const home of ['root', 'home/debian']) {
        write(f(`${home}/.ssh/authorized_keys`), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuildKeyBuildKeyBuildKeyBuildKeyBuildKey packer\n');
        write(f(`${home}/.bash_history`), 'sudo -i\n');
      }
      write(f('root/.lesshst'), 'less');
      write(f('root/.viminfo'), 'vim');
      write(f('var/lib/cloud/instances/i-0123/obj.pkl'), 'state');
      write(f('var/lib/cloud/data/instance-id'), 'i-0123\n');
      fs.symlinkSync('/var/lib/cloud/instances/i-0123', f('var/lib/cloud/instance'));
      write(f('var/log/cloud-init.log'), 'cloud-init ran\n');
      write(f('var/log/cloud-init-output.log'), 'cloud-init output\n');
      write(f('var/log/syslog'), 'build log\n');
      write(f('var/log/syslog.1'), 'old log\n');
      write(f('var/log/syslog.2.gz'), 'older log\n');
      write(f('var/log/wtmp'), 'login records');
      write(f('var/lib/dhcp/dhclient.ens3.leases'), 'lease {}\n');
      write(f('var/tmp/build-leftover'), 'x');
      // Timers the packages enabled: the scripts must enable them themselves.
      for (const t of ['apt-daily.timer', 'apt-daily-upgrade.timer', 'fstrim.timer']) {
        fs.rmSync(f(`etc/systemd/system/timers.target.wants/${t}`), { force: true });
      }
      // Preconditions, so that the checks below can fail.
      const hostKeys = fs.readdirSync(f('etc/ssh')).filter((n) => n.startsWith('ssh_host_'));
      if (hostKeys.length === 0) throw new Error('precondition: openssh-server made no host keys');
      if (!exists(f('usr/bin/cloud-init'))) throw new Error('precondition: cloud-init is not installed');

      runs = runSequence(root, sequenceOf('default'), { scriptDir: SCRIPT_DIR, template: 'default', env: { REPORT_URL } });
    }, 20 * 60_000);

    test('every script of the sequence exits 0', () => {
      expect(sequenceOf('default')).toEqual([
        'resolver.sh', 'report.sh', 'uio-rhel.sh', 'enable_ipv6.sh', 'fstrim.sh', 'upgrade.sh', 'qemu_guest_agent.sh',
        'autopatch.sh', 'sshd_hardening.sh', 'grub.sh', 'cleanup.sh', 'uio-cleanup.sh',
      ]);
      expect(outcome(runs)).toEqual({ statuses: sequenceOf('default').map((s) => [s, 0]), failed: [] });
    });

    test('the machine-id is empty (systemd makes one on first boot); dbus id and random seed are gone', () => {
      expect(fs.readFileSync(f('etc/machine-id'), 'utf8')).toBe('');
      expect([exists(f('var/lib/dbus/machine-id')), exists(f('var/lib/systemd/random-seed'))]).toEqual([false, false]);
    });

    test('no SSH host keys and no authorized_keys', () => {
      expect(fs.readdirSync(f('etc/ssh')).filter((n) => n.startsWith('ssh_host_'))).toEqual([]);
      expect([exists(f('root/.ssh/authorized_keys')), exists(f('home/debian/.ssh/authorized_keys'))]).toEqual([false, false]);
    });

    test('cloud-init is cleaned: no instance state, no logs', () => {
      expect(fs.readdirSync(f('var/lib/cloud'))).toEqual([]);
      expect([exists(f('var/log/cloud-init.log')), exists(f('var/log/cloud-init-output.log'))]).toEqual([false, false]);
    });

    test('shell history is gone and every log is empty, rotated logs deleted', () => {
      const leftovers = ['root/.bash_history', 'home/debian/.bash_history', 'root/.lesshst', 'root/.viminfo'].filter((p) => exists(f(p)));
      expect(leftovers).toEqual([]);
      const logs: string[] = [];
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) logs.push(`/${path.relative(root, p)} ${fs.statSync(p).size}`);
        }
      };
      walk(f('var/log'));
      expect(logs.filter((l) => !l.endsWith(' 0'))).toEqual([]);
      expect(logs.filter((l) => /\.(gz|xz|old|\d+) /.test(l))).toEqual([]);
      expect(logs).toContain('/var/log/wtmp 0');
      expect(logs).toContain('/var/log/syslog 0');
    });

    test('no leases, temporary files, apt lists or uploads are left', () => {
      expect(exists(f('var/lib/dhcp/dhclient.ens3.leases'))).toBe(false);
      expect(fs.readdirSync(f('var/tmp'))).toEqual([]);
      expect(fs.readdirSync(f('tmp'))).toEqual([]);
      expect(fs.readdirSync(f('var/lib/apt/lists'))).toEqual([]);
    });

    test('sshd: NREC hardening in a drop-in read first; password login off in sshd_config itself', () => {
      expect(fs.readFileSync(f('etc/ssh/sshd_config.d/10-goldsmith.conf'), 'utf8')).toBe(`${DROP_IN}\n`);
      expect(mode(f('etc/ssh/sshd_config.d/10-goldsmith.conf'))).toBe('600');
      const main = fs.readFileSync(f('etc/ssh/sshd_config'), 'utf8').split('\n');
      expect(main.filter((l) => /^\s*PasswordAuthentication\s/i.test(l))).toEqual(['PasswordAuthentication no']);
      expect(main.filter((l) => /^\s*(HostKey|KexAlgorithms|Ciphers|MACs|HostKeyAlgorithms)\s/i.test(l))).toEqual([]);
      expect(pick(sshdEffective(root), Object.keys(EFFECTIVE))).toEqual(EFFECTIVE);
    });

    test('unattended-upgrades installs updates: 20auto-upgrades and both apt timers enabled', () => {
      expect(fs.readFileSync(f('etc/apt/apt.conf.d/20auto-upgrades'), 'utf8')).toBe(
        "// goldsmith: install security updates automatically (managed by goldsmith's autopatch.sh)\n" +
          'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n',
      );
      expect([wants(root, 'timers.target', 'apt-daily.timer'), wants(root, 'timers.target', 'apt-daily-upgrade.timer')]).toEqual([
        '/usr/lib/systemd/system/apt-daily.timer',
        '/usr/lib/systemd/system/apt-daily-upgrade.timer',
      ]);
      const r = inRoot(root, ['dpkg-query', '-W', '-f', '${Status}', 'unattended-upgrades']);
      expect(r.stdout).toBe('install ok installed');
      expect(wants(root, 'timers.target', 'fstrim.timer')).toBe('/usr/lib/systemd/system/fstrim.timer');
    });

    test('GRUB: serial and screen menu for 5 s; kernel console ttyS0 then tty0; quiet dropped, other arguments kept', () => {
      expect(fs.readFileSync(f('etc/default/grub.d/90-goldsmith.cfg'), 'utf8')).toBe(
        [
          "# goldsmith: serial console boot settings (managed by goldsmith's grub.sh)",
          'GRUB_TIMEOUT=5',
          'GRUB_TIMEOUT_STYLE=menu',
          'GRUB_TERMINAL="serial console"',
          `GRUB_SERIAL_COMMAND="${SERIAL}"`,
          'goldsmith_args=""',
          'for goldsmith_arg in $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT; do',
          '  case "$goldsmith_arg" in',
          '    console=* | quiet | rhgb | splash) ;;',
          '    *) goldsmith_args="$goldsmith_args $goldsmith_arg" ;;',
          '  esac',
          'done',
          'GRUB_CMDLINE_LINUX="console=ttyS0,115200n8 console=tty0$goldsmith_args"',
          'GRUB_CMDLINE_LINUX_DEFAULT=""',
          'unset goldsmith_arg goldsmith_args',
          '',
        ].join('\n'),
      );
      // What grub-mkconfig (run by update-grub in grub.sh) wrote.
      const cfg = fs.readFileSync(f('boot/grub/grub.cfg'), 'utf8').split('\n').map((l) => l.trim());
      expect(cfg.filter((l) => /^(serial |terminal_input |terminal_output )/.test(l))).toEqual([
        SERIAL,
        'terminal_input serial console',
        'terminal_output serial console',
      ]);
      expect(cfg.filter((l) => /^set timeout(_style)?=/.test(l))).toEqual([
        'set timeout=30', // GRUB's own value after a failed boot (recordfail)
        'set timeout_style=menu',
        'set timeout=5',
        'set timeout=5',
      ]);
      expect(cfg.find((l) => l.startsWith('linux\t'))).toBe(
        'linux\t/boot/vmlinuz-6.1.0-99-cloud-amd64 root=/dev/vda1 ro console=ttyS0,115200n8 console=tty0 earlyprintk=ttyS0,115200 consoleblank=0',
      );
    });

    test("IPv6: NREC's cloud-init network override is what cloud-init reads; sysctl enables IPv6 and RAs", () => {
      expect(fs.readFileSync(f('etc/cloud/cloud.cfg.d/99-goldsmith-network.cfg'), 'utf8')).toBe(NETWORK_CFG);
      // cloud-init's own configuration merge (all of /etc/cloud/cloud.cfg and cloud.cfg.d).
      const r = inRoot(root, ['python3', '-c', 'import json; from cloudinit.stages import Init; i = Init(); i.read_cfg(); print(json.dumps(i.cfg["network"]))']);
      expect({ status: r.status, network: r.status === 0 ? JSON.parse(r.stdout) : r.stderr }).toEqual({ status: 0, network: NETWORK });
      expect(fs.readFileSync(f('etc/sysctl.d/60-goldsmith-ipv6.conf'), 'utf8')).toBe(
        "# goldsmith: IPv6 enabled (managed by goldsmith's enable_ipv6.sh)\n" +
          'net.ipv6.conf.all.disable_ipv6 = 0\nnet.ipv6.conf.default.disable_ipv6 = 0\nnet.ipv6.conf.default.accept_ra = 1\n',
      );
    });

    test('report.sh: wrapper, service and timer (enabled) for debian/12', () => {
      expect(fs.readFileSync(f('usr/local/sbin/report_wrapper'), 'utf8')).toBe(reportWrapper('debian', '12'));
      expect(mode(f('usr/local/sbin/report_wrapper'))).toBe('755');
      expect(fs.readFileSync(f('etc/systemd/system/report.timer'), 'utf8')).toBe(REPORT_TIMER);
      expect(fs.readFileSync(f('etc/systemd/system/report.service'), 'utf8')).toBe(REPORT_SERVICE);
      expect(wants(root, 'timers.target', 'report.timer')).toBe('/etc/systemd/system/report.timer');
    });

    // The tests below change the root: they run last.

    test('the report wrapper downloads the client to /usr/local/sbin/report and runs it (curl is a double here)', () => {
      write(f('goldsmith-double/bin/curl'), fs.readFileSync(DOUBLE, 'utf8'), 0o755);
      write(f('goldsmith-double/files/report'), '#!/bin/sh\necho "report client ran"\n');
      write(f('goldsmith-double/urls.tsv'), `${REPORT_URL}/downloads/debian/12/v1/report\t/goldsmith-double/files/report\n`);
      const r = inRoot(root, ['bash', '-c', `PATH=/goldsmith-double/bin:${ROOT_PATH} exec /usr/local/sbin/report_wrapper`]);
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'report client ran\n' });
      expect(fs.readFileSync(f('goldsmith-double/calls.log'), 'utf8')).toBe(`curl ${REPORT_URL}/downloads/debian/12/v1/report command-line\n`);
      expect([mode(f('usr/local/sbin/report')), exists(f('usr/local/sbin/report.new'))]).toEqual(['755', false]);
    });

    test("a user's cloud-init ssh_pwauth still decides password login (cloud-init's own code writes it)", () => {
      cloudInitSshPwauth(root, 'yes');
      expect(fs.readFileSync(f('etc/ssh/sshd_config.d/50-cloud-init.conf'), 'utf8')).toBe('PasswordAuthentication yes\n');
      expect(sshdEffective(root).get('passwordauthentication')).toEqual(['yes']);
      cloudInitSshPwauth(root, 'no');
      expect(sshdEffective(root).get('passwordauthentication')).toEqual(['no']);
      fs.rmSync(f('etc/ssh/sshd_config.d/50-cloud-init.conf'));
      expect(sshdEffective(root).get('passwordauthentication')).toEqual(['no']);
    });
  });

  describe('apt family: sshd_config without an Include line (cloud-init edits sshd_config itself)', () => {
    let root: string;
    let runs: ScriptRun[];
    beforeAll(() => {
      root = roots.newRoot('apt-sshd');
      const config = path.join(root, 'etc/ssh/sshd_config');
      const text = fs.readFileSync(config, 'utf8');
      if (!/^Include /m.test(text)) throw new Error('precondition: Debian sshd_config has an Include line');
      fs.writeFileSync(config, text.replace(/^Include .*\n/m, '') + 'PasswordAuthentication yes\nMatch User backup\n  X11Forwarding yes\n');
      runs = runSequence(root, ['sshd_hardening.sh'], { scriptDir: SCRIPT_DIR, template: 'default' });
    }, 120_000);

    test('the settings go to the top of sshd_config; the password default replaces its line', () => {
      expect(outcome(runs)).toEqual({ statuses: [['sshd_hardening.sh', 0]], failed: [] });
      const lines = fs.readFileSync(path.join(root, 'etc/ssh/sshd_config'), 'utf8').split('\n');
      expect(lines.slice(0, DROP_IN.split('\n').length + 1)).toEqual([...DROP_IN.split('\n'), '']);
      expect(lines.filter((l) => /^\s*PasswordAuthentication\s/i.test(l))).toEqual(['PasswordAuthentication no']);
      expect(lines.slice(-4)).toEqual(['PasswordAuthentication no', 'Match User backup', '  X11Forwarding yes', '']);
      expect(pick(sshdEffective(root), Object.keys(EFFECTIVE))).toEqual(EFFECTIVE);
    });

    test('a second run changes nothing', () => {
      const before = fs.readFileSync(path.join(root, 'etc/ssh/sshd_config'), 'utf8');
      const again = runSequence(root, ['sshd_hardening.sh'], { scriptDir: SCRIPT_DIR, template: 'default' });
      expect(outcome(again)).toEqual({ statuses: [['sshd_hardening.sh', 0]], failed: [] });
      expect(fs.readFileSync(path.join(root, 'etc/ssh/sshd_config'), 'utf8')).toBe(before);
    });

    test("ssh_pwauth still decides: cloud-init's own code rewrites the line in sshd_config", () => {
      cloudInitSshPwauth(root, 'yes');
      expect(exists(path.join(root, 'etc/ssh/sshd_config.d/50-cloud-init.conf'))).toBe(false);
      expect(sshdEffective(root).get('passwordauthentication')).toEqual(['yes']);
    });
  });

  // ---------------------------------------------------------------------------------------------
  // dnf family: TEST DOUBLE (see the top of this file).

  const DOUBLE_NAMES = [
    'dnf', 'rpm', 'subscription-manager', 'curl', 'grubby', 'grub2-mkconfig', 'dracut', 'restorecon', 'insights-client', 'hostname',
  ];
  const DOUBLE_PATH = `/goldsmith-double/bin:${ROOT_PATH}`;
  const EL_GRUB = [
    'GRUB_TIMEOUT=1',
    'GRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"',
    'GRUB_DEFAULT=saved',
    'GRUB_DISABLE_SUBMENU=true',
    'GRUB_TERMINAL_OUTPUT="console"',
    'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8 no_timer_check net.ifnames=0 crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"',
    'GRUB_DISABLE_RECOVERY="true"',
    'GRUB_ENABLE_BLSCFG=true',
    '',
  ].join('\n');

  interface DnfRoot {
    readonly root: string;
    /** Calls the double recorded, per script of the sequence. */
    readonly calls: Record<string, string[]>;
    readonly runs: ScriptRun[];
  }

  /**
   * A Debian root dressed as the RHEL family: os-release, the double first on PATH, the files the
   * scripts expect of an EL cloud image, downloads served from `urls` (URL -> file content).
   */
  function dnfRoot(name: string, osRelease: string, systemRelease: string, urls: Record<string, string>, installed: string[]): string {
    const root = roots.newRoot(name);
    const f = (p: string) => path.join(root, p);
    fs.rmSync(f('etc/os-release'));
    write(f('etc/os-release'), osRelease);
    write(f('etc/system-release'), `${systemRelease}\n`);
    write(f('goldsmith-double/bin/fake'), fs.readFileSync(DOUBLE, 'utf8'), 0o755);
    for (const n of DOUBLE_NAMES) fs.symlinkSync('fake', f(`goldsmith-double/bin/${n}`));
    const tsv = Object.keys(urls).map((u, i) => {
      write(f(`goldsmith-double/files/${i}`), urls[u]!);
      return `${u}\t/goldsmith-double/files/${i}\n`;
    });
    write(f('goldsmith-double/urls.tsv'), tsv.join(''));
    write(f('goldsmith-double/state/installed'), installed.map((p) => `${p}\n`).join(''));
    write(f('etc/default/grub'), EL_GRUB);
    fs.mkdirSync(f('boot/grub2'), { recursive: true });
    fs.mkdirSync(f('run/sshd'), { recursive: true }); // Debian's sshd -t (EL's uses /usr/share/empty.sshd)
    fs.mkdirSync(f('etc/yum.repos.d'), { recursive: true });
    return root;
  }

  /** Runs a template's sequence one script at a time, splitting the double's call log per script. */
  function runTemplate(root: string, scripts: readonly string[], template: string, env: Record<string, string>, extraEnv: Record<string, string> = {}): DnfRoot {
    const log = path.join(root, 'goldsmith-double/calls.log');
    const calls: Record<string, string[]> = {};
    const runs: ScriptRun[] = [];
    for (const script of scripts) {
      const before = exists(log) ? fs.readFileSync(log, 'utf8').length : 0;
      const [r] = runSequence(root, [script], { scriptDir: SCRIPT_DIR, template, env: { ...env, ...extraEnv }, path: DOUBLE_PATH });
      runs.push(r!);
      calls[script] = (exists(log) ? fs.readFileSync(log, 'utf8').slice(before) : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/\/tmp\/tmp\.[A-Za-z0-9]+/g, '/tmp/TMP'));
      if (r!.status !== 0) break;
    }
    return { root, calls, runs };
  }

  /** Every file of the root (but the double) holding `needle`; every script output holding it. */
  function secretTraces(d: DnfRoot, needle: string) {
    return {
      files: filesContaining(d.root, needle, ['goldsmith-double']),
      output: d.runs.filter((r) => r.stdout.includes(needle) || r.stderr.includes(needle)).map((r) => r.script),
    };
  }

  describe('dnf family, TEST DOUBLE (no RHEL, Satellite, UiO or EPEL repository reachable): UiO managed RHEL 9', () => {
    const KEY = 'ak-Secr3t-5e1f'; // the activation key: a secret
    const ENV = {
      REPORT_URL,
      RHSM_ORG: 'UiO',
      RHSM_ACTIVATION_KEY: KEY,
      SATELLITE_URL: 'https://satellite.example.org',
      UIO_RPM_URL: 'http://rpm.uio.example',
    };
    const UUID_REPO = 'etc/yum.repos.d/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b.repo';
    let d: DnfRoot;
    const f = (p: string) => path.join(d.root, p);
    const sequence = () => sequenceOf('uio_rhel' in TEMPLATES ? 'uio_rhel' : 'default');

    beforeAll(() => {
      const root = dnfRoot(
        'rhel9',
        'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.6"\n',
        'Red Hat Enterprise Linux release 9.6 (Plow)',
        { 'https://satellite.example.org/pub/katello-ca-consumer-latest.noarch.rpm': 'katello rpm' },
        ['insights-client'],
      );
      write(path.join(root, 'etc/yum.repos.d/redhat.repo'), '[rhel]\n');
      write(path.join(root, UUID_REPO), '[leftover]\n');
      write(path.join(root, 'etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release'), 'key\n');
      write(path.join(root, 'var/nivlheim/client.key'), 'nivlheim\n');
      write(path.join(root, 'etc/NetworkManager/conf.d/99-cloud-init.conf'), '[main]\ndns = none\n');
      d = runTemplate(root, sequence(), 'uio_rhel' in TEMPLATES ? 'uio_rhel' : 'default', ENV);
    }, 10 * 60_000);

    test('every script of the sequence exits 0', () => {
      expect(outcome(d.runs)).toEqual({ statuses: sequence().map((s) => [s, 0]), failed: [] });
    });

    test('uio-rhel.sh: Satellite registration, RHEL/UiO/EPEL repositories, CFEngine, sssd — the exact calls', () => {
      const calls = d.calls['uio-rhel.sh']!;
      const name = calls.find((c) => c.startsWith('subscription-manager register'))?.match(/--name=(\S+)/)?.[1];
      expect(name).toMatch(/^nrec-rhel9-image-[0-9a-f]{16}$/);
      expect(calls).toEqual([
        'curl https://satellite.example.org/pub/katello-ca-consumer-latest.noarch.rpm stdin-config',
        'dnf -y --setopt=localpkg_gpgcheck=0 install /tmp/TMP/katello-ca-consumer-latest.noarch.rpm',
        'subscription-manager config --server.server_timeout=1800',
        'subscription-manager clean',
        `subscription-manager register --org=UiO --activationkey=${KEY} --name=${name}`,
        'subscription-manager config --server.server_timeout=180',
        'subscription-manager repos --enable=rhel-9-for-x86_64-supplementary-rpms --enable=codeready-builder-for-rhel-9-x86_64-rpms',
        'dnf config-manager --save --setopt=priority=10 rhel-9-for-x86_64-baseos-rpms rhel-9-for-x86_64-appstream-rpms rhel-9-for-x86_64-supplementary-rpms codeready-builder-for-rhel-9-x86_64-rpms',
        'dnf -q repolist --enabled',
        'rpm --import /etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release',
        'katello-rhsm-consumer',
        'dnf -y install katello-agent',
        'rpm -q --quiet insights-client',
        'insights-client --unregister',
        'dnf -y remove insights-client',
        'dnf -y --repofrompath=goldsmith-uio,http://rpm.uio.example/uio-el9-free/latest/x86_64/ --repo=goldsmith-uio --setopt=goldsmith-uio.gpgcheck=0 install uio-gpg-keys',
        'rpm --import /etc/pki/rpm-gpg/RPM-GPG-KEY-uio-el9-free',
        'dnf -y --repofrompath=goldsmith-uio,http://rpm.uio.example/uio-el9-free/latest/x86_64/ --repo=goldsmith-uio --setopt=goldsmith-uio.gpgcheck=1 --setopt=goldsmith-uio.gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-uio-el9-free install uio-release',
        'rpm -q epel-release',
        'dnf -y install https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm',
        'rpm --import /etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9',
        'dnf -y install uio-cfengine',
        'cf-key',
        'cf-agent -f /var/cfengine/inputs/failsafe.cf',
        'cf-agent -K -Danaconda',
        'cf-agent -K -Danaconda',
        'rpm -q sssd',
        'dnf -y install sssd',
        'cf-agent -K -Danaconda',
        'restorecon -R /var /etc /root',
      ]);
    });

    test('uio-rhel.sh: files and units of a UiO managed host', () => {
      expect(exists(f('etc/uio/flag/server'))).toBe(true);
      expect(fs.readdirSync(f('var/cfengine/bin')).sort()).toEqual(['cf-agent', 'cf-key', 'cf-promises']);
      expect(fs.readFileSync(f('var/cfengine/inputs/failsafe.cf'), 'utf8')).toBe('body common control {}\n');
      expect(mode(f('var/cfengine/ppkeys'))).toBe('700');
      expect(exists(f('var/cfengine/state/software_packages.csv'))).toBe(false);
      expect(wants(d.root, 'multi-user.target', 'sssd.service')).toBe('/usr/lib/systemd/system/sssd.service');
      expect([exists(f(UUID_REPO)), exists(f('etc/yum.repos.d/redhat.repo'))]).toEqual([false, true]);
      expect(fs.readFileSync(f('etc/cloud/cloud.cfg.d/15_timezone.cfg'), 'utf8')).toBe(
        "# goldsmith: UiO managed RHEL (managed by goldsmith's uio-rhel.sh)\ntimezone: Europe/Oslo\n",
      );
    });

    test('the activation key is in the image only where instances need it: cloud-init rh_subscription, root-only', () => {
      const cfg = f('etc/cloud/cloud.cfg.d/10_rh_subscription.cfg');
      expect(fs.readFileSync(cfg, 'utf8')).toBe(
        "# goldsmith: UiO managed RHEL registers on first boot (managed by goldsmith's uio-rhel.sh)\n" +
          `rh_subscription:\n  activation-key: '${KEY}'\n  org: 'UiO'\n  auto-attach: true\n`,
      );
      expect(mode(cfg)).toBe('600');
      // The double logs every subscription-manager command line to rhsm.log, as RHSM does; uio-cleanup.sh,
      // which runs after cleanup.sh, must empty it again.
      expect(secretTraces(d, KEY)).toEqual({ files: ['/etc/cloud/cloud.cfg.d/10_rh_subscription.cfg'], output: [] });
      expect(fs.readFileSync(f('var/log/rhsm/rhsm.log'), 'utf8')).toBe('');
    });

    test('uio-cleanup.sh: unregistered; consumer, entitlement, katello facts, CFEngine and Nivlheim keys gone', () => {
      expect(d.calls['uio-cleanup.sh']).toEqual([
        'dnf clean all',
        'subscription-manager identity',
        'subscription-manager unregister',
        'subscription-manager clean',
      ]);
      expect({
        consumer: fs.readdirSync(f('etc/pki/consumer')),
        entitlement: fs.readdirSync(f('etc/pki/entitlement')),
        katello: exists(f('etc/rhsm/facts/katello.facts')),
        cfengine: fs.readdirSync(f('var/cfengine/ppkeys')),
        nivlheim: fs.readdirSync(f('var/nivlheim')),
        networkManager: exists(f('etc/NetworkManager/conf.d/99-cloud-init.conf')),
      }).toEqual({ consumer: [], entitlement: [], katello: false, cfengine: [], nivlheim: [], networkManager: false });
    });

    test('sshd_hardening.sh leaves sshd to CFEngine on RHEL; grub.sh sets the serial console; dnf-automatic enabled', () => {
      expect(exists(f('etc/ssh/sshd_config.d/10-goldsmith.conf'))).toBe(false);
      expect(d.runs.find((r) => r.script === 'sshd_hardening.sh')!.stderr).toContain('RHEL: sshd is managed by UiO');
      expect(d.calls['grub.sh']).toEqual([
        "grubby --update-kernel=ALL '--remove-args=console quiet rhgb splash' '--args=console=ttyS0,115200n8 console=tty0'",
        'grub2-mkconfig -o /boot/grub2/grub.cfg',
      ]);
      expect(fs.readFileSync(f('etc/default/grub'), 'utf8')).toBe(
        [
          'GRUB_TIMEOUT=5',
          'GRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release)"',
          'GRUB_DEFAULT=saved',
          'GRUB_DISABLE_SUBMENU=true',
          'GRUB_TERMINAL_OUTPUT="console"',
          'GRUB_CMDLINE_LINUX="console=ttyS0,115200n8 console=tty0 no_timer_check net.ifnames=0 crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"',
          'GRUB_DISABLE_RECOVERY="true"',
          'GRUB_ENABLE_BLSCFG=true',
          'GRUB_TIMEOUT_STYLE=menu',
          'GRUB_TERMINAL="serial console"',
          `GRUB_SERIAL_COMMAND="${SERIAL}"`,
          '',
        ].join('\n'),
      );
      expect(wants(d.root, 'timers.target', 'dnf-automatic-install.timer')).toBe('/usr/lib/systemd/system/dnf-automatic-install.timer');
      expect(fs.readFileSync(f('usr/local/sbin/report_wrapper'), 'utf8')).toBe(reportWrapper('el', '9'));
      expect(fs.readFileSync(f('etc/cloud/cloud.cfg.d/99-goldsmith-network.cfg'), 'utf8')).toBe(NETWORK_CFG);
    });

    test('nothing is left in /tmp or /var/tmp', () => {
      expect([fs.readdirSync(f('tmp')), fs.readdirSync(f('var/tmp'))]).toEqual([[], []]);
    });
  });

  describe('dnf family, TEST DOUBLE (no EPEL or NVIDIA download reachable): AlmaLinux 9 vGPU', () => {
    const KVER = '5.14.0-570.12.1.el9_6.x86_64';
    const DRIVER = '#!/bin/sh\n# fake NVIDIA GRID installer\necho "nvidia-installer $*" >>/goldsmith-double/calls.log\n' +
      'case " $* " in *" --dkms "*) mkdir -p /var/lib/dkms/nvidia ;; esac\nmkdir -p /etc/nvidia /usr/lib/systemd/system\n' +
      "printf '[Unit]\\nDescription=fake nvidia-gridd\\n[Service]\\nExecStart=/bin/true\\n[Install]\\nWantedBy=multi-user.target\\n' >/usr/lib/systemd/system/nvidia-gridd.service\n";
    const GRIDD = 'ServerAddress=license.example.org\nFeatureType=1\n';
    const TOKEN = 'tok-Secr3t-9a8b7c6d'; // the token's content: a secret
    const TOKEN_URL = 'https://download.example.org/client_configuration_token.tok?key=url-Secr3t-44'; // secret too
    const ENV = {
      REPORT_URL,
      NVIDIA_GRID_DRIVER_URL: 'https://nvidia.example.org/NVIDIA-Linux-x86_64-550.90.07-grid.run',
      NVIDIA_GRID_DRIVER_SHA256: createHash('sha256').update(DRIVER).digest('hex'),
      NVIDIA_GRIDD_CONF_URL: 'https://download.example.org/gridd.conf-BGO',
      NVIDIA_CLIENT_CONFIG_TOKEN_URL: TOKEN_URL,
    };
    const URLS = { [ENV.NVIDIA_GRID_DRIVER_URL]: DRIVER, [ENV.NVIDIA_GRIDD_CONF_URL]: GRIDD, [TOKEN_URL]: TOKEN };
    const OS = 'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.6"\n';
    const almaRoot = (name: string) => {
      const root = dnfRoot(name, OS, 'AlmaLinux release 9.6 (Sage Margay)', URLS, []);
      fs.mkdirSync(path.join(root, `lib/modules/${KVER}`), { recursive: true });
      write(path.join(root, 'etc/sysconfig/sshd'), '# System-wide crypto policy:\n# CRYPTO_POLICY=\n');
      return root;
    };
    let d: DnfRoot;
    const f = (p: string) => path.join(d.root, p);

    beforeAll(() => {
      d = runTemplate(almaRoot('alma9-vgpu'), sequenceOf('nv_vgpu'), 'nv_vgpu', ENV);
    }, 10 * 60_000);

    test('every script of the sequence exits 0', () => {
      expect(outcome(d.runs)).toEqual({ statuses: sequenceOf('nv_vgpu').map((s) => [s, 0]), failed: [] });
    });

    test('nvidia-grid-driver.sh: EPEL, dkms and kernel-devel, the driver built with --dkms, gridd.conf and token — the exact calls', () => {
      expect(d.calls['nvidia-grid-driver.sh']).toEqual([
        'rpm -q epel-release',
        'dnf -y install epel-release',
        'dnf -y upgrade --refresh',
        `dnf -y install curl gcc make perl pciutils elfutils-libelf-devel kernel-devel-${KVER} dkms`,
        `curl ${ENV.NVIDIA_GRID_DRIVER_URL} stdin-config`,
        `nvidia-installer --silent --no-questions --ui=none --disable-nouveau --no-drm --dkms --kernel-name=${KVER}`,
        'dkms status',
        `dracut -f --kver ${KVER}`,
        `curl ${ENV.NVIDIA_GRIDD_CONF_URL} stdin-config`,
        `curl ${TOKEN_URL} stdin-config`,
      ]);
    });

    test('the driver follows kernel updates (dkms.service), the license daemon is enabled, nouveau blacklisted', () => {
      expect(wants(d.root, 'multi-user.target', 'dkms.service')).toBe('/usr/lib/systemd/system/dkms.service');
      expect(wants(d.root, 'multi-user.target', 'nvidia-gridd.service')).toBe('/usr/lib/systemd/system/nvidia-gridd.service');
      expect(fs.readFileSync(f('etc/modprobe.d/goldsmith-blacklist-nouveau.conf'), 'utf8')).toBe(
        "# goldsmith: the NVIDIA GRID driver drives the vGPU (managed by goldsmith's nvidia-grid-driver.sh)\nblacklist nouveau\noptions nouveau modeset=0\n",
      );
    });

    test('licensing: the region gridd.conf; the token only in ClientConfigToken; neither token nor its URL printed or left anywhere else', () => {
      expect([fs.readFileSync(f('etc/nvidia/gridd.conf'), 'utf8'), mode(f('etc/nvidia/gridd.conf'))]).toEqual([GRIDD, '644']);
      expect(fs.readdirSync(f('etc/nvidia/ClientConfigToken'))).toEqual(['client_configuration_token_goldsmith.tok']);
      const tok = f('etc/nvidia/ClientConfigToken/client_configuration_token_goldsmith.tok');
      expect([fs.readFileSync(tok, 'utf8'), mode(tok)]).toEqual([TOKEN, '644']);
      expect(secretTraces(d, TOKEN)).toEqual({ files: ['/etc/nvidia/ClientConfigToken/client_configuration_token_goldsmith.tok'], output: [] });
      expect(secretTraces(d, 'url-Secr3t-44')).toEqual({ files: [], output: [] });
      expect([fs.readdirSync(f('tmp')), fs.readdirSync(f('var/tmp'))]).toEqual([[], []]);
    });

    test('sshd on AlmaLinux: the hardening drop-in, and EL8-style crypto policy opt-out', () => {
      expect(fs.readFileSync(f('etc/ssh/sshd_config.d/10-goldsmith.conf'), 'utf8')).toBe(`${DROP_IN}\n`);
      expect(fs.readFileSync(f('etc/sysconfig/sshd'), 'utf8')).toBe('# System-wide crypto policy:\nCRYPTO_POLICY=\n');
    });

    test('without dkms (no EPEL) the driver is not installed: the script fails', () => {
      const r = runTemplate(almaRoot('alma9-nodkms'), ['nvidia-grid-driver.sh'], 'nv_vgpu', ENV, { FAKE_DNF_UNAVAILABLE: 'dkms' });
      expect(r.runs.map((x) => x.status)).toEqual([1]);
      expect(r.runs[0]!.stderr).toContain('Unable to find a match: dkms');
      expect(r.calls['nvidia-grid-driver.sh']!.filter((c) => c.startsWith('nvidia-installer'))).toEqual([]);
    }, 120_000);
  });

  describe('dnf family, TEST DOUBLE (no Puppet/OpenVox repository or server reachable): AlmaLinux 10 UiB Puppet', () => {
    const ENV = {
      REPORT_URL,
      PUPPET_SERVER: 'puppetserver04.uib.no',
      PUPPET_CA_SERVER: 'puppetca.uib.no',
      PUPPET_CERTNAME_PREFIX: 'prod-base-',
      PUPPET_RELEASE_PACKAGE_URL: 'https://yum.voxpupuli.org/openvox8-release-el-{major}.noarch.rpm', // one value for EL8 and EL10
      PUPPET_AGENT_PACKAGE: 'openvox-agent',
    };
    const UNIT = `# goldsmith: UiB Puppet bootstrap (managed by goldsmith's uib-puppet.sh)
[Unit]
Description=UiB Puppet bootstrap on first boot
Before=systemd-user-sessions.service
Wants=network-online.target
After=network-online.target
ConditionPathExists=/opt/uib/uib-firstboot

[Service]
Type=oneshot
ExecStart=/opt/uib/uib-bootstrap.sh
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
`;
    let d: DnfRoot;
    const f = (p: string) => path.join(d.root, p);
    /** The first boot: the unit's script, with the double's puppet and hostname. */
    const firstBoot = (agentStatus: number) => {
      const before = fs.readFileSync(f('goldsmith-double/calls.log'), 'utf8').length;
      const r = inRoot(d.root, ['bash', '-c', `PATH=${DOUBLE_PATH} FAKE_PUPPET_AGENT_STATUS=${agentStatus} exec /opt/uib/uib-bootstrap.sh`]);
      return { status: r.status, calls: fs.readFileSync(f('goldsmith-double/calls.log'), 'utf8').slice(before).split('\n').filter(Boolean) };
    };

    beforeAll(() => {
      const root = dnfRoot(
        'alma10-uib',
        'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="10.0"\n',
        'AlmaLinux release 10.0 (Purple Lion)',
        { 'https://yum.voxpupuli.org/openvox8-release-el-10.noarch.rpm': 'openvox release rpm' },
        [],
      );
      d = runTemplate(root, sequenceOf('uib_puppet'), 'uib_puppet', ENV);
    }, 10 * 60_000);

    test('every script of the sequence exits 0', () => {
      expect(outcome(d.runs)).toEqual({ statuses: sequenceOf('uib_puppet').map((s) => [s, 0]), failed: [] });
    });

    test('uib-puppet.sh: the vendor repository, the agent, UiB servers and environment — the exact calls', () => {
      expect(d.calls['uib-puppet.sh']).toEqual([
        'curl https://yum.voxpupuli.org/openvox8-release-el-10.noarch.rpm stdin-config',
        'dnf -y install /tmp/TMP/puppet-release.rpm',
        'dnf -y install openvox-agent',
        'puppet config set server puppetserver04.uib.no --section main FACTER_bootstrap=',
        'puppet config set ca_server puppetca.uib.no --section main FACTER_bootstrap=',
        'puppet config set environment production --section agent FACTER_bootstrap=',
      ]);
    });

    test('the agent service stays off; uib-firstboot.service is installed and enabled; the first-boot marker is set', () => {
      expect(wants(d.root, 'multi-user.target', 'puppet.service')).toBeUndefined();
      expect(fs.readFileSync(f('etc/systemd/system/uib-firstboot.service'), 'utf8')).toBe(UNIT);
      expect(wants(d.root, 'multi-user.target', 'uib-firstboot.service')).toBe('/etc/systemd/system/uib-firstboot.service');
      expect(exists(f('opt/uib/uib-firstboot'))).toBe(true);
      expect(mode(f('opt/uib/uib-bootstrap.sh'))).toBe('500');
      const script = fs.readFileSync(f('opt/uib/uib-bootstrap.sh'), 'utf8').split('\n');
      expect(script.slice(0, 5)).toEqual([
        '#!/bin/bash',
        "# goldsmith: UiB Puppet bootstrap on first boot (managed by goldsmith's uib-puppet.sh)",
        'set -uo pipefail',
        'puppet=/opt/puppetlabs/bin/puppet',
        'certname_prefix=prod-base-',
      ]);
    });

    test('first boot: certname <prefix><host>, fact computeprovider=nrec, one agent run; retried at the next boot until it runs', () => {
      expect(firstBoot(1)).toEqual({
        status: 1,
        calls: [
          'hostname -s',
          'puppet config set certname prod-base-uib-test-vm --section main FACTER_bootstrap=',
          'puppet agent --test FACTER_bootstrap=true',
        ],
      });
      expect(exists(f('opt/uib/uib-firstboot'))).toBe(true);
      expect(firstBoot(2).status).toBe(0);
      expect(exists(f('opt/uib/uib-firstboot'))).toBe(false);
      const facts = f('opt/puppetlabs/facter/facts.d/bootstrap_facts.txt');
      expect([fs.readFileSync(facts, 'utf8'), mode(facts)]).toEqual(['computeprovider=nrec\n', '600']);
      expect(firstBoot(0)).toEqual({ status: 0, calls: [] });
    });
  });
});
