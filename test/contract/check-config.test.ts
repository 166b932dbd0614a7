// checks/<image>.json (CheckConfigSchema) and the Sensu check (SensuCheckConfigSchema): the examples
// of docs/builder-bundle.md are what the code reads and writes.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { sensuCheckFor } from '../../lib/constructs/sensu-check';
import { BundleFileError, parseCheckConfig } from '../../lib/contract';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../docs/builder-bundle.md'), 'utf8');
const monitoring = DOC.slice(DOC.indexOf('## Monitoring'));
const block = (lang: string) => {
  const start = monitoring.indexOf('```' + lang + '\n') + lang.length + 4;
  return monitoring.slice(start, monitoring.indexOf('```', start));
};

test('the check config example of docs/builder-bundle.md parses, frozen', () => {
  const config = parseCheckConfig(JSON.parse(block('json')), 'checks/ubuntu_2404.json');
  expect(config).toMatchObject({ image: 'ubuntu_2404', grace_s: 86400, running_limit_s: 18000, end_of_life: '2029-05-31' });
  expect(Object.isFrozen(config.schedule.slot)).toBe(true);
});

test('the Sensu example of docs/builder-bundle.md is what the bundle writer makes for bgo', () => {
  expect(parse(block('yaml'))).toEqual(JSON.parse(JSON.stringify(sensuCheckFor({ environment: 'bgo', entity: 'bgo-builder-01' }))));
});

test('a check config the schema refuses: one line naming the key', () => {
  const bad = (over: object) => {
    try {
      parseCheckConfig({ ...JSON.parse(block('json')), ...over }, 'checks/x.json');
    } catch (e) {
      expect(e).toBeInstanceOf(BundleFileError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  expect(bad({ running_limit_s: 0 })).toBe('checks/x.json: running_limit_s: must be >= 1, got 0');
  expect(bad({ end_of_life: '31.05.2029' })).toBe('checks/x.json: end_of_life: "31.05.2029" is not a date YYYY-MM-DD');
  expect(bad({ schedule: { enabled: true } })).toBe('checks/x.json: schedule.slot: is missing');
  expect(bad({ extra: 1 })).toBe('checks/x.json: (root): has unknown key extra');
});
