// MonitoringCheck: checks/<image>.json of a live image, its defaults from the schedule and the
// runner's timeouts, its validation, and GoldImage composing it (live images with build parts only).
import { Testing, TerraformStack } from 'cdktf';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { GoldImage, MonitoringCheck, type MonitoringCheckProps } from '../../lib/constructs';
import { BuildSchedule } from '../../lib/constructs/build-schedule';
import { isParsedCheckConfig } from '../../lib/constructs/monitoring-check';
import { CheckConfigSchema, defaultRunningLimitS, DEFAULT_RUNNER_TIMEOUTS } from '../../lib/contract';
import { HEX64, UBUNTU_RELEASES, imageReleases, makeEnvironment, makeImage } from '../fixtures/model';

const PATHS = { logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' };
const PROPS: MonitoringCheckProps = {
  image: 'ubuntu_2404',
  environment: 'bgo',
  slot: { weekday: 3, hour: 9, minute: 40 },
  paths: PATHS,
};

function make(props: Partial<MonitoringCheckProps> = {}): MonitoringCheck {
  return new MonitoringCheck(Testing.app(), 'check', { ...PROPS, ...props });
}

describe('MonitoringCheck', () => {
  test('defaults: enabled, one day of grace, the step timeouts plus an hour, 90 days of eol warning, no end of life', () => {
    const check = make();
    expect(check.fileName).toBe('checks/ubuntu_2404.json');
    expect(check.image).toBe('ubuntu_2404');
    expect(check.checkConfig).toEqual({
      environment: 'bgo',
      eol_warning_days: 90,
      grace_s: 86400,
      image: 'ubuntu_2404',
      paths: { logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' },
      running_limit_s: 18000,
      schedule: { enabled: true, slot: { hour: 9, minute: 40, weekday: 3 } },
    });
    // Key-sorted, checked by the contract, frozen, and known to the bundle writer as parsed.
    expect(Object.keys(check.checkConfig)).toEqual([...Object.keys(check.checkConfig)].sort());
    expect(CheckConfigSchema.safeParse(check.checkConfig).success).toBe(true);
    expect(Object.isFrozen(check.checkConfig.schedule.slot)).toBe(true);
    expect(isParsedCheckConfig(check.checkConfig)).toBe(true);
    expect(defaultRunningLimitS(DEFAULT_RUNNER_TIMEOUTS)).toBe(18000);
  });

  test('a monthly, disabled image with an end of life, longer timeouts and its own thresholds', () => {
    const check = make({
      image: 'winsrv_2025',
      slot: { weekday: 3, hour: 3, minute: 0, week_of_month: 2 },
      enabled: false,
      endOfLife: '2034-10-10',
      timeoutsS: { download: 7200, packer: 14400, convert: 3600 },
      eolWarningDays: 180,
    });
    expect(check.checkConfig).toEqual({
      end_of_life: '2034-10-10',
      environment: 'bgo',
      eol_warning_days: 180,
      grace_s: 86400,
      image: 'winsrv_2025',
      paths: PATHS,
      running_limit_s: 28800,
      schedule: { enabled: false, slot: { hour: 3, minute: 0, week_of_month: 2, weekday: 3 } },
    });
    expect(make({ runningLimitS: 3600, graceS: 7200 }).checkConfig).toMatchObject({ running_limit_s: 3600, grace_s: 7200 });
  });

  test('refuses what goldsmith check could not use, one lower-case line naming the image', () => {
    expect(() => make({ image: 'Bad-Name' })).toThrow('monitoring check: image name must match [a-z0-9_]+, got "Bad-Name"');
    expect(() => make({ environment: 'Bad Env' })).toThrow('monitoring check ubuntu_2404: environment name must match [a-z0-9][a-z0-9_-]*, got "Bad Env"');
    expect(() => make({ graceS: 0 })).toThrow('monitoring check ubuntu_2404: grace (seconds) must be a whole number >= 1, got 0');
    expect(() => make({ runningLimitS: 1.5 })).toThrow('monitoring check ubuntu_2404: running limit (seconds) must be a whole number >= 1, got 1.5');
    expect(() => make({ eolWarningDays: -1 })).toThrow('monitoring check ubuntu_2404: end of life warning (days) must be a whole number >= 0, got -1');
    expect(() => make({ graceS: 3600 })).toThrow(
      'monitoring check ubuntu_2404: grace 3600 s is shorter than the running limit 18000 s (a run may take that long)',
    );
    expect(() => make({ endOfLife: '2029-02-30' })).toThrow('monitoring check ubuntu_2404: checks/ubuntu_2404.json: end_of_life: "2029-02-30" is not a calendar day');
    expect(() => make({ paths: { logs: 'relative', state: '/var/lib/goldsmith' } })).toThrow(
      'monitoring check ubuntu_2404: checks/ubuntu_2404.json: paths.logs: must be an absolute path, got "relative"',
    );
    expect(() => make({ slot: { weekday: 7, hour: 9, minute: 40 } })).toThrow(/^monitoring check ubuntu_2404: checks\/ubuntu_2404.json: schedule.slot.weekday: must be <= 6, got 7$/);
  });
});

describe('GoldImage composes the MonitoringCheck of a live image', () => {
  function goldImages() {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new OpenstackProvider(stack, 'openstack', { cloud: 'bgo-imagebuilder', region: 'bgo' });
    const image = makeImage({ endOfLife: '2029-05-31' });
    const environment = makeEnvironment({ images: ['ubuntu_2404'] });
    const schedule = new BuildSchedule(stack, 'schedule', { environment: 'bgo', images: [{ name: image.name, schedule: image.schedule }] });
    const live = new GoldImage(stack, 'ubuntu_2404', {
      name: 'ubuntu_2404',
      image,
      environment,
      releases: imageReleases('ubuntu_2404', UBUNTU_RELEASES),
      build: { template: { name: 'default', file: 'templates/default.json', sha256: HEX64 }, scriptsSha: {}, schedule },
    });
    const retired = new GoldImage(stack, 'debian11', {
      name: 'debian11',
      environment,
      releases: imageReleases('debian11', UBUNTU_RELEASES.map((r) => ({ ...r, file: r.file.replace('ubuntu_2404', 'debian11') }))),
    });
    return { stack, live, retired };
  }

  test('one definition drives both: the check judges the runner config’s slot, directories and timeouts, with the catalog’s end of life', () => {
    const { live } = goldImages();
    const check = live.monitoringCheck!;
    expect(check.node.path).toBe('test/ubuntu_2404/monitoring-check');
    expect(check.checkConfig).toEqual({
      end_of_life: '2029-05-31',
      environment: 'bgo',
      eol_warning_days: 90,
      grace_s: 86400,
      image: 'ubuntu_2404',
      paths: { logs: '/var/log/goldsmith', state: '/var/lib/goldsmith' },
      running_limit_s: 18000,
      schedule: { enabled: true, slot: { hour: 9, minute: 40, weekday: 3 } },
    });
    expect(check.checkConfig.schedule.slot).toEqual(live.runnerConfig!.rebuild.slot);
  });

  test('a retired image (and one without build parts) has no check, and no Terraform comes from a check', () => {
    const { stack, retired } = goldImages();
    expect(retired.monitoringCheck).toBeUndefined();
    const parsed = JSON.parse(Testing.synth(stack)) as { resource: Record<string, unknown> };
    expect(Object.keys(parsed.resource)).toEqual(['openstack_images_image_v2']);
  });
});
