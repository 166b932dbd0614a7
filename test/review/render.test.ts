// Rendering a review: markdown with a Warnings section first and catalog text only in code spans,
// the `no change` line, and the JSON report (its shape, its committed JSON Schema).
import * as fs from 'fs';
import * as path from 'path';
import { codeSpan, renderMarkdown, renderText } from '../../review/render';
import { DiffReportSchema, diffReportJsonSchema, renderReview, type Review } from '../../review';
import { describeSchedule, parseCronFile } from '../../review/cron';

const EMPTY_BUILDER = { cron: [], cron_settings: [], files: [] };

/** A review with a hostile GOLD name: backticks, HTML, a mention, a link. */
const REVIEW: Review = {
  base: { ref: 'origin/main', commit: '0123456789abcdef0123456789abcdef01234567' },
  head: { config: 'config' },
  changed: true,
  warnings: [
    { environment: 'bgo', kind: 'deletes_image', image: 'ubuntu_2404', build_id: '20260805', name: 'Outdated (Ubuntu 24.04)' },
    { environment: 'bgo', kind: 'renames_image', image: 'ubuntu_2404', name: 'GOLD Ubuntu', names_after: ['GOLD `x` <img src=x> @here [a](b)'] },
  ],
  environments: [
    {
      name: 'bgo',
      status: 'changed',
      images: [
        {
          image: 'ubuntu_2404',
          label: 'GOLD `x` <img src=x> @here [a](b)',
          gold_before: '20261104',
          gold_after: '20261104',
          retired: false,
          no_gold: false,
          releases_after: 2,
          releases: [
            { build_id: '20261202', address: 'openstack_images_image_v2.ubuntu_2404_20261202', change: 'added', after: { name: 'Candidate (Ubuntu)', role: 'candidate', hidden: true }, attributes: [] },
            { build_id: '20260805', address: 'openstack_images_image_v2.ubuntu_2404_20260805', change: 'deleted', before: { name: 'Outdated (Ubuntu 24.04)', role: 'outdated', hidden: true }, attributes: [] },
          ],
          members: [],
        },
      ],
      builder: EMPTY_BUILDER,
      terraform: [],
    },
    { name: 'osl', status: 'unchanged', images: [], builder: EMPTY_BUILDER, terraform: [] },
    { name: 'test_01', status: 'unchanged', images: [], builder: EMPTY_BUILDER, terraform: [] },
  ],
};

test('markdown: warnings first, a section per changed environment, catalog text in code spans', () => {
  expect(renderMarkdown(REVIEW)).toEqual([
    '## goldsmith diff',
    '',
    "Base `origin/main` (`0123456789ab`), head: the working tree's `config`.",
    '',
    '### Warnings',
    '',
    '- **bgo** · deletes Glance image `Outdated (Ubuntu 24.04)` (`ubuntu_2404` `20260805`)',
    '- **bgo** · renames what users boot by name: `GOLD Ubuntu` → ``GOLD `x` <img src=x> @here [a](b)`` (`ubuntu_2404`)',
    '',
    '### bgo',
    '',
    '- ``GOLD `x` <img src=x> @here [a](b)``: new build `20261202` (candidate); `20261104` stays GOLD until it is verified',
    '- deleted: `ubuntu_2404` `20260805`',
    '',
    'No change: osl, test\\_01.',
  ]);
});

test('text: the spec\'s sentences', () => {
  expect(renderText(REVIEW)).toEqual([
    'warning: bgo · deletes Glance image "Outdated (Ubuntu 24.04)" (ubuntu_2404 20260805)',
    'warning: bgo · renames what users boot by name: "GOLD Ubuntu" → "GOLD `x` <img src=x> @here [a](b)" (ubuntu_2404)',
    'bgo · GOLD `x` <img src=x> @here [a](b): new build 20261202 (candidate); 20261104 stays GOLD until it is verified',
    'bgo · deleted: ubuntu_2404 20260805',
    'no change: osl, test_01',
  ]);
});

test('code spans hold any text', () => {
  expect(codeSpan('plain')).toBe('`plain`');
  expect(codeSpan('a`b')).toBe('``a`b``');
  expect(codeSpan('`edge`')).toBe('`` `edge` ``');
  expect(codeSpan('')).toBe('(empty)');
});

test('json: the report parses with its schema, keys sorted, each warning with its sentence', () => {
  const lines = renderReview(REVIEW, 'json');
  const report = DiffReportSchema.parse(JSON.parse(lines.join('\n')));
  expect(report.goldsmith_diff).toBe(1);
  expect(report.warnings.map((w) => w.message)).toEqual([
    'deletes Glance image "Outdated (Ubuntu 24.04)" (ubuntu_2404 20260805)',
    'renames what users boot by name: "GOLD Ubuntu" → "GOLD `x` <img src=x> @here [a](b)" (ubuntu_2404)',
  ]);
  expect(lines[1]).toBe('  "base": {');
});

test('docs/ci/diff-report.schema.json is the current JSON Schema of the report', () => {
  const file = path.join(__dirname, '..', '..', 'docs', 'ci', 'diff-report.schema.json');
  // Regenerate: npm run gen:schemas.
  expect(fs.readFileSync(file, 'utf8')).toBe(diffReportJsonSchema());
});

test('cron lines in words', () => {
  expect(describeSchedule(['40', '9', '*', '*', '3'])).toBe('wed 09:40');
  expect(describeSchedule(['0', '3', '8-14', '*', '*'], '3')).toBe('2nd wed 03:00');
  expect(describeSchedule(['0', '3', '29-35', '*', '*'], '7')).toBe('5th sun 03:00');
  expect(describeSchedule(['*/5', '*', '*', '*', '*'])).toBe('*/5 * * * *');
  const file = parseCronFile('# x\nMAILTO=""\n\n5 4 * * 0 goldsmith /usr/local/bin/goldsmith build rocky_9 --quiet\n');
  expect([...file.settings]).toEqual([['MAILTO', '""']]);
  expect(file.jobs.get('rocky_9')?.when).toBe('sun 04:05');
});
