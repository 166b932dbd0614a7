import { Testing } from 'cdktf';
import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from '../../lib/catalog/model';
import { WEEK_MINUTES, weeklyDistance } from '../../lib/catalog/schedule-plan';
import {
  BuildSchedule,
  BuildScheduleProps,
  ScheduledImage,
  cronEscape,
  shellQuote,
} from '../../lib/constructs/build-schedule';

function schedule(props: Partial<BuildScheduleProps> & { images: readonly ScheduledImage[] }): BuildSchedule {
  return new BuildSchedule(Testing.app(), 'schedule', { environment: 'bgo', ...props });
}

function img(name: string, s: Partial<Schedule> = {}): ScheduledImage {
  return { name, schedule: { enabled: true, ...s } };
}

function slot(b: BuildSchedule, image: string): number {
  const e = b.entryFor(image);
  return e.weekday * 1440 + e.hour * 60 + e.minute;
}

/** The cron lines (no comments, no environment lines, no blank lines). */
function cronLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
}

const HEADER = [
  '# /etc/cron.d/goldsmith: GOLD image builds of environment bgo',
  '# managed by goldsmith, do not edit (generated from the catalog)',
  "# times are the builder's local time; builds start at least 30 minutes apart",
  'MAILTO=""',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  'SHELL=/bin/sh',
  '',
];

describe('BuildSchedule', () => {
  test('explicit times produce exact lines', () => {
    const b = schedule({
      images: [
        img('ubuntu_2404', { weekday: 3, hour: 9, minute: 40 }),
        img('almalinux9', { weekday: 0, hour: 3, minute: 30 }),
      ],
    });
    expect(b.cronFileText).toBe(
      [
        ...HEADER,
        '30 3 * * 0 goldsmith /usr/local/bin/goldsmith build almalinux9 --bundle /etc/goldsmith/bundle --quiet',
        '40 9 * * 3 goldsmith /usr/local/bin/goldsmith build ubuntu_2404 --bundle /etc/goldsmith/bundle --quiet',
        '',
      ].join('\n'),
    );
    expect(b.entryFor('ubuntu_2404')).toEqual({
      image: 'ubuntu_2404',
      enabled: true,
      weekday: 3,
      hour: 9,
      minute: 40,
      autoFields: [],
      cronSchedule: '40 9 * * 3',
      command: '/usr/local/bin/goldsmith build ubuntu_2404 --bundle /etc/goldsmith/bundle --quiet',
      line: '40 9 * * 3 goldsmith /usr/local/bin/goldsmith build ubuntu_2404 --bundle /etc/goldsmith/bundle --quiet',
    });
  });

  test('user, paths, gap, mailto and environment variables are configurable', () => {
    const b = schedule({
      images: [img('debian12', { weekday: 1, hour: 0, minute: 0 })],
      user: 'imagebuilder',
      bundlePath: '/srv/goldsmith/bundle',
      goldsmithPath: '/opt/goldsmith/bin/goldsmith',
      minGapMinutes: 45,
      mailto: 'ops@example.org',
      environmentVariables: { OS_CLIENT_CONFIG_FILE: '/etc/openstack/clouds.yaml', PATH: '/opt/goldsmith/bin:/usr/bin:/bin' },
    });
    expect(b.cronFileText).toBe(
      [
        '# /etc/cron.d/goldsmith: GOLD image builds of environment bgo',
        '# managed by goldsmith, do not edit (generated from the catalog)',
        "# times are the builder's local time; builds start at least 45 minutes apart",
        'MAILTO=ops@example.org',
              'OS_CLIENT_CONFIG_FILE=/etc/openstack/clouds.yaml',
        'PATH=/opt/goldsmith/bin:/usr/bin:/bin',
        'SHELL=/bin/sh',
        '',
        '0 0 * * 1 imagebuilder /opt/goldsmith/bin/goldsmith build debian12 --bundle /srv/goldsmith/bundle --quiet',
        '',
      ].join('\n'),
    );
  });

  test('staggering is deterministic and explicit times never move', () => {
    const images = [
      img('ubuntu_2404', { weekday: 3, hour: 9, minute: 40 }),
      img('debian12'),
      img('fedora_43', { hour: 18 }),
      img('rockylinux9', { weekday: 5 }),
    ];
    const a = schedule({ images });
    const b = schedule({ images: [...images].reverse() });
    expect(b.cronFileText).toBe(a.cronFileText);
    expect(a.entryFor('debian12').autoFields).toEqual(['weekday', 'hour', 'minute']);
    expect(a.entryFor('fedora_43').hour).toBe(18);
    expect(a.entryFor('fedora_43').autoFields).toEqual(['weekday', 'minute']);
    expect(a.entryFor('rockylinux9').weekday).toBe(5);
    for (const e of a.entries) if (e.autoFields.includes('minute')) expect(e.minute % 5).toBe(0);

    const c = schedule({ images: [...images, img('zzz_unrelated'), img('aaa_unrelated', { weekday: 1, hour: 1, minute: 1 })] });
    expect(c.entryFor('ubuntu_2404').line).toBe(a.entryFor('ubuntu_2404').line);
    expect(c.entryFor('ubuntu_2404').cronSchedule).toBe('40 9 * * 3');
    // The same inputs in another construct tree give the same file.
    expect(schedule({ images }).cronFileText).toBe(a.cronFileText);
  });

  test('an automatic time moves off a taken slot to the next free one', () => {
    const alone = schedule({ images: [img('centos_stream9')] });
    const s = slot(alone, 'centos_stream9');
    const w = Math.floor(s / 1440);
    const h = Math.floor((s % 1440) / 60);
    const m = s % 60;
    const crowded = schedule({ images: [img('centos_stream9'), img('blocker', { weekday: w, hour: h, minute: m })] });
    const moved = slot(crowded, 'centos_stream9');
    expect(weeklyDistance(moved, s)).toBeGreaterThanOrEqual(30);
    // Searching forward in 5-minute steps, the first free slot is exactly 30 minutes later.
    expect((moved - s + WEEK_MINUTES) % WEEK_MINUTES).toBe(30);
  });

  test('60 images with automatic times: no two builds within 30 minutes on the weekly timeline', () => {
    const images = Array.from({ length: 60 }, (_, i) => img(`image_${String(i).padStart(2, '0')}`));
    // Some partially fixed ones and a few explicit ones too.
    images.push(img('hour_fixed_a', { hour: 3 }), img('hour_fixed_b', { hour: 3 }), img('day_fixed', { weekday: 0 }));
    images.push(img('explicit_a', { weekday: 6, hour: 23, minute: 50 }), img('explicit_b', { weekday: 2, hour: 12, minute: 0 }));
    const b = schedule({ images });
    const slots = b.entries.map((e) => ({ name: e.image, t: e.weekday * 1440 + e.hour * 60 + e.minute }));
    expect(slots).toHaveLength(65);
    for (let i = 0; i < slots.length; i++) {
      for (let j = i + 1; j < slots.length; j++) {
        const d = weeklyDistance(slots[i].t, slots[j].t);
        if (d < 30) throw new Error(`${slots[i].name} and ${slots[j].name} are ${d} minutes apart`);
      }
    }
    expect(b.entryFor('hour_fixed_a').hour).toBe(3);
    expect(b.entryFor('hour_fixed_b').hour).toBe(3);
    expect(b.entryFor('day_fixed').weekday).toBe(0);
    expect(cronLines(b.cronFileText)).toHaveLength(65);
  });

  test('two explicit times within the gap are an error naming both images', () => {
    expect(() =>
      schedule({
        images: [img('almalinux9', { weekday: 3, hour: 3, minute: 30 }), img('almalinux10', { weekday: 3, hour: 3, minute: 45 })],
      }),
    ).toThrow(
      'build schedule bgo: images almalinux10 (wed 03:45) and almalinux9 (wed 03:30) are scheduled 15 minutes apart; ' +
        'builds on one builder must be at least 30 minutes apart',
    );
    // The gap wraps around from Saturday night to Sunday morning.
    expect(() =>
      schedule({ images: [img('sat_late', { weekday: 6, hour: 23, minute: 50 }), img('sun_early', { weekday: 0, hour: 0, minute: 10 })] }),
    ).toThrow(/images sat_late \(sat 23:50\) and sun_early \(sun 00:10\) are scheduled 20 minutes apart/);
    // Exactly the gap apart is allowed.
    expect(() =>
      schedule({ images: [img('a', { weekday: 1, hour: 1, minute: 0 }), img('b', { weekday: 1, hour: 1, minute: 30 })] }),
    ).not.toThrow();
    // A disabled image takes no slot.
    expect(() =>
      schedule({
        images: [img('a', { weekday: 1, hour: 1, minute: 0 }), img('b', { weekday: 1, hour: 1, minute: 5, enabled: false })],
      }),
    ).not.toThrow();
  });

  test('no free slot is an error', () => {
    // A 720-minute gap leaves room for 14 builds a week; all on one weekday leaves room for 2.
    const images = ['a', 'b', 'c'].map((n) => img(n, { weekday: 2 }));
    expect(() => schedule({ images, minGapMinutes: 720 })).toThrow(
      /no free time for image c: every time matching its schedule is within 720 minutes of another build/,
    );
  });

  test('windows monthly on the 2nd wednesday at 03:00', () => {
    const b = schedule({
      images: [img('winsrv_2025', { weekday: 3, hour: 3, minute: 0, weekOfMonth: 2 }), img('winsrv_2022', { weekday: 4, weekOfMonth: 5, hour: 5, minute: 0 })],
    });
    expect(cronLines(b.cronFileText)).toEqual([
      '0 5 29-31 * * goldsmith [ "$(date +\\%u)" = "4" ] && /usr/local/bin/goldsmith build winsrv_2022 --bundle /etc/goldsmith/bundle --quiet',
      '0 3 8-14 * * goldsmith [ "$(date +\\%u)" = "3" ] && /usr/local/bin/goldsmith build winsrv_2025 --bundle /etc/goldsmith/bundle --quiet',
    ]);
    // Literally a backslash before the percent sign, and no unescaped percent sign anywhere.
    expect(b.cronFileText).toContain('$(date +\\%u)');
    expect(b.cronFileText).not.toMatch(/[^\\]%/);

    const runs = b.nextRuns('winsrv_2025', new Date('2027-01-01T00:00:00Z'), 12);
    expect(runs).toHaveLength(12);
    expect(runs.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2027-01-13', '2027-02-10', '2027-03-10', '2027-04-14', '2027-05-12', '2027-06-09',
      '2027-07-14', '2027-08-11', '2027-09-08', '2027-10-13', '2027-11-10', '2027-12-08',
    ]);
    for (const d of runs) {
      expect(d.getUTCFullYear()).toBe(2027);
      expect(d.getUTCDay()).toBe(3);
      expect(d.getUTCDate()).toBeGreaterThanOrEqual(8);
      expect(d.getUTCDate()).toBeLessThanOrEqual(14);
      expect(d.getUTCHours()).toBe(3);
      expect(d.getUTCMinutes()).toBe(0);
    }
    // 5th Thursday: only months that have one (2027: Apr, Jul, Sep, Dec).
    const fifth = b.nextRuns('winsrv_2022', new Date('2027-01-01T00:00:00Z'), 4).map((d) => d.toISOString().slice(0, 10));
    expect(fifth).toEqual(['2027-04-29', '2027-07-29', '2027-09-30', '2027-12-30']);
  });

  test('a monthly build takes part in the gap check every week', () => {
    expect(() =>
      schedule({
        images: [
          img('winsrv_2025', { weekday: 3, hour: 3, minute: 0, weekOfMonth: 2 }),
          img('almalinux9', { weekday: 3, hour: 3, minute: 20 }),
        ],
      }),
    ).toThrow(/images almalinux9 \(wed 03:20\) and winsrv_2025 \(wed 03:00\)/);
  });

  test('weekly nextRuns come from cron-parser', () => {
    const b = schedule({ images: [img('ubuntu_2404', { weekday: 3, hour: 9, minute: 40 })] });
    const runs = b.nextRuns('ubuntu_2404', new Date('2026-11-25T09:40:00Z'), 3).map((d) => d.toISOString());
    expect(runs).toEqual(['2026-12-02T09:40:00.000Z', '2026-12-09T09:40:00.000Z', '2026-12-16T09:40:00.000Z']);
    expect(b.nextRuns('ubuntu_2404', new Date('2026-11-25T00:00:00Z'), 1, 'Europe/Oslo').map((d) => d.toISOString())).toEqual([
      '2026-11-25T08:40:00.000Z',
    ]);
    expect(() => b.nextRuns('nope', new Date(), 1)).toThrow('build schedule bgo: no image "nope" on this builder');
  });

  test('every line parses with cron-parser', () => {
    const images = Array.from({ length: 20 }, (_, i) => img(`img_${i}`));
    images.push(img('winsrv_2025', { weekday: 3, hour: 3, minute: 0, weekOfMonth: 2 }));
    const b = schedule({ images });
    const lines = cronLines(b.cronFileText);
    expect(lines).toHaveLength(21);
    for (const line of lines) {
      const fields = line.split(' ').slice(0, 5).join(' ');
      expect(() => CronExpressionParser.parse(fields)).not.toThrow();
      expect(line.split(' ')[5]).toBe('goldsmith');
    }
  });

  test('bad image names are rejected', () => {
    for (const name of ['Ubuntu', 'ubuntu-2404', 'x; rm -rf /', '', 'a b', 'ubuntu\n* * * * * root sh']) {
      expect(() => schedule({ images: [img(name)] })).toThrow(`build schedule bgo: image name must match [a-z0-9_]+, got ${JSON.stringify(name)}`);
    }
    expect(() => schedule({ images: [img('a'), img('a')] })).toThrow('build schedule bgo: image a is listed twice');
  });

  test('bad props are rejected with concrete messages', () => {
    expect(() => schedule({ images: [img('a', { hour: 24 })] })).toThrow(
      'build schedule bgo: image a: schedule: .hour must be an integer between 0 and 23, got 24',
    );
    expect(() => schedule({ images: [img('a', { weekday: 7 })] })).toThrow(/\.weekday must be an integer between 0 and 6, got 7/);
    expect(() => schedule({ images: [img('a', { minute: 1.5 })] })).toThrow(/\.minute must be an integer between 0 and 59/);
    expect(() => schedule({ images: [img('a', { weekOfMonth: 2 })] })).toThrow(/week_of_month needs a weekday/);
    expect(() => schedule({ images: [img('a', { weekday: 1, weekOfMonth: 6 })] })).toThrow(/week_of_month must be an integer between 1 and 5/);
    expect(() => schedule({ images: [], environment: 'BGO' })).toThrow(/environment name must match/);
    expect(() => schedule({ images: [], user: 'root; x' })).toThrow(/user must match/);
    expect(() => schedule({ images: [], bundlePath: 'relative/bundle' })).toThrow(/bundle path must be an absolute path/);
    expect(() => schedule({ images: [], goldsmithPath: '/usr/bin/../bin/goldsmith' })).toThrow(/goldsmith path must be an absolute path/);
    expect(() => schedule({ images: [], bundlePath: '/etc/gold smith' })).toThrow(/bundle path must be an absolute path/);
    expect(() => schedule({ images: [], minGapMinutes: 0 })).toThrow(/minimum gap \(minutes\) must be an integer between 1 and 720/);
    expect(() => schedule({ images: [], environmentVariables: { 'bad-name': 'x' } })).toThrow(/environment variable name "bad-name"/);
    expect(() => schedule({ images: [], environmentVariables: { FOO: 'a\nb' } })).toThrow(/environment variable FOO must be a string without control characters/);
    expect(() => schedule({ images: [], environmentVariables: { MAILTO: 'x' } })).toThrow(/set MAILTO with the mailto prop/);
  });

  test('a disabled image gets no line', () => {
    const b = schedule({
      images: [img('ubuntu_2404', { weekday: 3, hour: 9, minute: 40 }), img('debian11', { weekday: 3, hour: 9, minute: 40, enabled: false })],
    });
    expect(cronLines(b.cronFileText)).toEqual([
      '40 9 * * 3 goldsmith /usr/local/bin/goldsmith build ubuntu_2404 --bundle /etc/goldsmith/bundle --quiet',
    ]);
    expect(b.cronFileText).not.toContain('debian11');
    expect(b.entryFor('debian11').enabled).toBe(false);
    expect(b.entryFor('debian11').line).toBeUndefined();
    expect(b.nextRuns('debian11', new Date('2027-01-01T00:00:00Z'), 3)).toEqual([]);
  });

  test('shellQuote and cronEscape', () => {
    expect(shellQuote('/usr/local/bin/goldsmith')).toBe('/usr/local/bin/goldsmith');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$(x)')).toBe("'$(x)'");
    expect(cronEscape('date +%u %H')).toBe('date +\\%u \\%H');
  });

  test('weeklyDistance wraps around the week', () => {
    expect(weeklyDistance(0, WEEK_MINUTES - 10)).toBe(10);
    expect(weeklyDistance(100, 40)).toBe(60);
    expect(weeklyDistance(0, WEEK_MINUTES / 2)).toBe(WEEK_MINUTES / 2);
  });
});
