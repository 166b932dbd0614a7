// Site settings and secrets through a whole build (runBuild with the fake baker, real qemu-img and
// a loopback upstream): read in prepare, handed to the baker, never in the report or the log; a
// missing variable or an unusable env file fails the build at its first step with one line.
import * as fs from 'fs';
import * as path from 'path';
import { runBuild } from '../../lib/runner';
import { describeWithTools } from '../support/tools';
import { FakeBaker } from './fake-baker';
import { createFixture, IMAGE, readReport, runOptions, type Fixture } from './fixture';

const SECRET = 'rhsm-activation-key-0f9e8d';
const ORG = 'uio-org-4711';

describeWithTools(['qemu-img'], 'site settings in a build', () => {
  let fx: Fixture;
  let envFile: string;
  beforeEach(async () => {
    fx = await createFixture();
    const envDir = path.join(fx.root, 'env');
    fs.mkdirSync(envDir, { mode: 0o750 });
    envFile = path.join(envDir, 'uio_rhel.env');
    fs.writeFileSync(path.join(fx.bundleDir, 'templates', 'uio_rhel.json'), '{}\n');
    fx.writeConfig((c) => {
      c.template = 'uio_rhel';
      c.template_file = 'templates/uio_rhel.json';
      c.site_env = {
        file: envFile,
        variables: [
          { name: 'RHSM_ORG', required: true, secret: false },
          { name: 'RHSM_ACTIVATION_KEY', required: true, secret: true },
        ],
      };
    });
  });
  afterEach(async () => {
    await fx.close();
  });

  function logText(): string {
    const logs = fx.config.paths.logs;
    return fs.readdirSync(logs).map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
  }

  function expectNoValues(lines: string[]): void {
    for (const text of [JSON.stringify(readReport(fx)), logText(), lines.join('\n')]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ORG);
    }
  }

  test('the values reach the baker, never the report or the log', async () => {
    fs.writeFileSync(envFile, `# UiO RHEL registration\nRHSM_ORG=${ORG}\nRHSM_ACTIVATION_KEY=${SECRET}\n`, { mode: 0o640 });
    const baker = new FakeBaker();
    const o = runOptions(fx, { baker });
    const report = await runBuild(o);
    expect(report.error).toBeUndefined();
    expect(report.result).toBe('success');
    expect(baker.requests[0].siteValues?.env()).toEqual({ RHSM_ORG: ORG, RHSM_ACTIVATION_KEY: SECRET });
    expect(o.lines).toContain(`site settings from ${envFile}: RHSM_ORG, RHSM_ACTIVATION_KEY`);
    expectNoValues(o.lines);
  });

  test('a missing required variable fails the build at prepare, one line naming it; nothing downloaded or baked', async () => {
    fs.writeFileSync(envFile, `RHSM_ORG=${ORG}\nRHSM_ACTIVATION_KEY=\n`, { mode: 0o640 });
    const baker = new FakeBaker();
    const o = runOptions(fx, { baker });
    const report = await runBuild(o);
    expect(report.result).toBe('failed');
    expect(report.error).toBe(`prepare: site env file ${envFile}: missing required variable RHSM_ACTIVATION_KEY of template uio_rhel`);
    expect(report.steps.map((s) => `${s.name} ${s.result}`)).toEqual(['prepare failed']);
    expect(fx.server.requests).toEqual([]);
    expect(baker.calls).toBe(0);
    expectNoValues(o.lines);
  });

  test('no env file: the build fails at prepare naming the required variables', async () => {
    const report = await runBuild(runOptions(fx));
    expect(report.error).toBe(`prepare: site env file ${envFile} does not exist: template uio_rhel needs RHSM_ORG, RHSM_ACTIVATION_KEY`);
    expect(fx.server.requests).toEqual([]);
  });

  test('a world-readable env file is refused at prepare; its values are not used', async () => {
    fs.writeFileSync(envFile, `RHSM_ORG=${ORG}\nRHSM_ACTIVATION_KEY=${SECRET}\n`, { mode: 0o644 });
    fs.chmodSync(envFile, 0o644);
    const baker = new FakeBaker();
    const o = runOptions(fx, { baker });
    const report = await runBuild(o);
    expect(report.error).toBe(`prepare: site env file ${envFile} is world-readable (mode 0644): make it 0640`);
    expect(baker.calls).toBe(0);
    expectNoValues(o.lines);
  });

  test('a symlinked env file is refused at prepare', async () => {
    const real = path.join(fx.root, 'elsewhere.env');
    fs.writeFileSync(real, `RHSM_ORG=${ORG}\nRHSM_ACTIVATION_KEY=${SECRET}\n`, { mode: 0o600 });
    fs.symlinkSync(real, envFile);
    const report = await runBuild(runOptions(fx));
    expect(report.error).toBe(`prepare: site env file ${envFile} is a symbolic link: it must be a regular file`);
  });

  test('the dry run names the file and the variables, and reads nothing', async () => {
    const o = runOptions(fx, { dryRun: true });
    await runBuild(o);
    expect(o.lines).toContain(`[dry-run] prepare: would read the site settings RHSM_ORG, RHSM_ACTIVATION_KEY from ${envFile}`);
    expect(fs.existsSync(path.join(fx.config.paths.logs, `${IMAGE}-report.json`))).toBe(false);
  });
});
