// ExternalBaker with small real shell scripts as the external command (the real one drives
// packer-windows on a controller over ssh, which these tests cannot reach).

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXTERNAL_ARTIFACT, ExternalBaker, externalEnv, type ExternalBakerOptions } from '../../lib/runner/external-baker';
import { parseRunnerConfig, type RunnerConfig } from '../../lib/contract';
import { SiteValues } from '../../lib/runner/site-values';
import { errorOf, pidGone } from './fixture';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goldsmith-external-baker-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

function config(argv: string[], packerTimeoutS = 60): RunnerConfig {
  return parseRunnerConfig(
    {
      image: 'windows_2022',
      environment: 'bgo',
      cloud: 'bgo-imagebuilder',
      region: 'bgo',
      upstream: { url: 'https://upstream.invalid/iso/', file: 'server2022.iso', checksum_file: 'SHA256SUMS', algorithm: 'sha256' },
      template: 'windows',
      external_command: argv,
      fingerprint: 'b'.repeat(64),
      packer_vars: {},
      source_image: { min_ram_mb: 4096, min_disk_gb: 40, efi: true, properties: {} },
      output: { disk_format: 'qcow2', compression: 'zlib', keep_builds: 2 },
      rebuild: { policy: 'periodic', slot: { weekday: 0, hour: 0, minute: 0 } },
      paths: { store: '/s', logs: '/l', state: '/st', work: '/w' },
      timeouts_s: { download: 60, packer: packerTimeoutS, convert: 60 },
    },
    'images/windows_2022.json',
  );
}

interface Run {
  workDir: string;
  sourceFile: string;
  lines: string[];
}

function newRun(): Run {
  const workDir = fs.mkdtempSync(path.join(tmp, 'work-'));
  const sourceFile = path.join(workDir, 'server2022.iso');
  fs.writeFileSync(sourceFile, 'ISO bytes\n'.repeat(1000));
  return { workDir, sourceFile, lines: [] };
}

function bake(run: Run, c: RunnerConfig, opts: ExternalBakerOptions = {}, signal = new AbortController().signal) {
  return new ExternalBaker(opts).bake({ config: c, sourceFile: run.sourceFile, workDir: run.workDir, log: (l) => run.lines.push(l), signal });
}

describe('ExternalBaker', () => {
  test('success: argv without a shell, the contract environment, cwd, every line logged, artifact returned', async () => {
    const cmd = script(
      'build-ok.sh',
      [
        'echo "args: $#|$1|$2"',
        'echo "image=$GOLDSMITH_IMAGE env=$GOLDSMITH_ENVIRONMENT cp=$CHECKPOINT_DISABLE"',
        'echo "work=$GOLDSMITH_WORK_DIR pwd=$(pwd)"',
        'echo "to stderr" >&2',
        'cp "$GOLDSMITH_SOURCE_FILE" "$GOLDSMITH_ARTIFACT_FILE"',
      ].join('\n'),
    );
    const run = newRun();
    const result = await bake(run, config([cmd, 'two words', '$HOME;touch pwned']), { env: { PATH: process.env.PATH } });
    expect(result).toEqual({ artifactFile: path.join(run.workDir, EXTERNAL_ARTIFACT), toolVersions: {} });
    expect(fs.readFileSync(result.artifactFile).equals(fs.readFileSync(run.sourceFile))).toBe(true);
    const real = fs.realpathSync(run.workDir);
    // stdout and stderr are separate pipes: their relative order is not fixed
    expect(run.lines[0]).toBe(`running ${cmd} "two words" "$HOME;touch pwned" (cwd ${run.workDir}, timeout 60 s)`);
    expect(run.lines[run.lines.length - 1]).toBe(`build-ok.sh: finished, artifact ${EXTERNAL_ARTIFACT} (${fs.statSync(run.sourceFile).size} bytes)`);
    expect(run.lines.slice(1, -1).sort()).toEqual(
      [
        'build-ok.sh: args: 2|two words|$HOME;touch pwned',
        'build-ok.sh: image=windows_2022 env=bgo cp=1',
        `build-ok.sh: work=${run.workDir} pwd=${real}`,
        'build-ok.sh: to stderr',
      ].sort(),
    );
    expect(fs.existsSync(path.join(run.workDir, 'pwned'))).toBe(false);
  });

  test('externalEnv: base plus the contract variables (absolute paths)', () => {
    const c = config(['/bin/true']);
    expect(externalEnv({ config: c, sourceFile: '/w/x/src.iso', workDir: '/w/x' }, { PATH: '/bin', GOLDSMITH_IMAGE: 'other' })).toEqual({
      PATH: '/bin',
      GOLDSMITH_IMAGE: 'windows_2022',
      GOLDSMITH_ENVIRONMENT: 'bgo',
      GOLDSMITH_SOURCE_FILE: '/w/x/src.iso',
      GOLDSMITH_ARTIFACT_FILE: `/w/x/${EXTERNAL_ARTIFACT}`,
      GOLDSMITH_WORK_DIR: '/w/x',
      CHECKPOINT_DISABLE: '1',
    });
  });

  test('failure: non-zero exit is one line with the exit code and the last output line', async () => {
    const cmd = script('build-fail.sh', 'echo "==> connecting to controller"\necho "ssh: connect to host ctl port 22: Connection refused" >&2\nexit 3');
    const run = newRun();
    const msg = await errorOf(bake(run, config([cmd])));
    expect(msg).toBe(`${cmd} failed (exit 3): ssh: connect to host ctl port 22: Connection refused`);
    expect(run.lines).toContain('build-fail.sh: ==> connecting to controller');
  });

  test('exit 0 without an artifact, or with an empty one, fails', async () => {
    const none = script('build-none.sh', 'echo done');
    const run = newRun();
    expect(await errorOf(bake(run, config([none])))).toBe(`${none} exited 0 but wrote no artifact (${path.join(run.workDir, EXTERNAL_ARTIFACT)})`);
    const empty = script('build-empty.sh', ': > "$GOLDSMITH_ARTIFACT_FILE"');
    expect(await errorOf(bake(run, config([empty])))).toBe(`${empty} exited 0 but the artifact ${path.join(run.workDir, EXTERNAL_ARTIFACT)} is empty`);
  });

  test('a stale artifact of an earlier attempt is removed before the command runs', async () => {
    const none = script('build-none2.sh', 'exit 0');
    const run = newRun();
    fs.writeFileSync(path.join(run.workDir, EXTERNAL_ARTIFACT), 'stale');
    expect(await errorOf(bake(run, config([none])))).toMatch(/wrote no artifact/);
  });

  test('command not found / not executable: one line', async () => {
    const run = newRun();
    expect(await errorOf(bake(run, config([path.join(tmp, 'does-not-exist')])))).toBe(`cannot run ${path.join(tmp, 'does-not-exist')}: not found`);
    const noexec = path.join(tmp, 'noexec.sh');
    fs.writeFileSync(noexec, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    expect(await errorOf(bake(run, config([noexec])))).toBe(`cannot run ${noexec}: permission denied`);
  });

  test('timeout: SIGTERM to the process group (children too), then SIGKILL after the grace', async () => {
    const run = newRun();
    const pids = path.join(run.workDir, 'pids');
    // The script ignores SIGTERM (so only SIGKILL ends it); its child sleep gets the group's SIGTERM.
    const cmd = script('build-hang.sh', `trap 'echo got TERM' TERM\nsleep 30 &\necho "$$ $!" > "${pids}"\necho started\nwhile :; do wait; done`);
    const t0 = Date.now();
    const msg = await errorOf(bake(run, config([cmd]), { timeoutMs: 500, killGraceMs: 700 }));
    expect(msg).toBe(`${cmd} timed out after 0.5 s`);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(run.lines).toContain('build-hang.sh: timed out after 0.5 s, sending SIGTERM');
    expect(run.lines).toContain('build-hang.sh: got TERM');
    expect(run.lines).toContain('build-hang.sh: still running 1 s after SIGTERM, sending SIGKILL');
    const [sh, sleeper] = fs.readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(pidGone(sh)).toBe(true);
    expect(pidGone(sleeper)).toBe(true);
  });

  test('timeout defaults to timeouts_s.packer', async () => {
    const run = newRun();
    const cmd = script('build-slow.sh', 'exec sleep 30');
    const msg = await errorOf(bake(run, config([cmd], 0.3)));
    expect(msg).toBe(`${cmd} timed out after 0.3 s`);
  });

  test('cancel: the signal stops the command with SIGTERM', async () => {
    const run = newRun();
    const cmd = script('build-cancel.sh', 'echo started\nexec sleep 30');
    const ac = new AbortController();
    const p = bake(run, config([cmd]), { killGraceMs: 5_000 }, ac.signal);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (run.lines.includes('build-cancel.sh: started')) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    const t0 = Date.now();
    ac.abort();
    expect(await errorOf(p)).toBe(`${cmd} cancelled`);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(run.lines).toContain('build-cancel.sh: build cancelled, sending SIGTERM');
    expect(run.lines.some((l) => /SIGKILL/.test(l))).toBe(false);
  });

  test('an already aborted signal: nothing runs', async () => {
    const run = newRun();
    const marker = path.join(run.workDir, 'ran');
    const cmd = script('build-marker.sh', `touch "${marker}"`);
    const ac = new AbortController();
    ac.abort();
    expect(await errorOf(bake(run, config([cmd]), {}, ac.signal))).toBe('bake cancelled');
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('ExternalBaker with site settings', () => {
  test('the values in the command\'s environment under their own names (declared, unset ones not inherited); secrets redacted from its output', async () => {
    const secret = 'winbuild-token-5a4b3c';
    const cmd = script(
      'build-site.sh',
      [
        'echo "token=$WINDOWS_BUILD_TOKEN host=$WINDOWS_BUILD_HOST optional=${WINDOWS_OPTIONAL-unset}"',
        'cp "$GOLDSMITH_SOURCE_FILE" "$GOLDSMITH_ARTIFACT_FILE"',
      ].join('\n'),
    );
    const c = parseRunnerConfig(
      {
        ...JSON.parse(JSON.stringify(config([cmd]))),
        site_env: {
          file: '/etc/goldsmith/env/windows.env',
          variables: [
            { name: 'WINDOWS_BUILD_TOKEN', required: true, secret: true },
            { name: 'WINDOWS_BUILD_HOST', required: true, secret: false },
            { name: 'WINDOWS_OPTIONAL', required: false, secret: false },
          ],
        },
      },
      'images/windows_2022.json',
    );
    const siteValues = new SiteValues(
      new Map([
        ['WINDOWS_BUILD_TOKEN', secret],
        ['WINDOWS_BUILD_HOST', 'win-build-01'],
      ]),
      ['WINDOWS_BUILD_TOKEN'],
    );
    const run = newRun();
    const base = { PATH: process.env.PATH, WINDOWS_OPTIONAL: 'inherited from the runner' };
    expect(externalEnv({ config: c, sourceFile: run.sourceFile, workDir: run.workDir, siteValues }, base)).toMatchObject({
      WINDOWS_BUILD_TOKEN: secret,
      WINDOWS_BUILD_HOST: 'win-build-01',
    });
    await new ExternalBaker({ env: base }).bake({ config: c, sourceFile: run.sourceFile, workDir: run.workDir, log: (l) => run.lines.push(l), signal: new AbortController().signal, siteValues });
    expect(run.lines).toContain('build-site.sh: token=<sensitive> host=win-build-01 optional=unset');
    expect(run.lines.join('\n')).not.toContain(secret);
    expect(run.lines.find((l) => l.startsWith('running '))).not.toContain(secret);
  });
});
