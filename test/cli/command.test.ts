// The option parser every command shares (node's util.parseArgs underneath).
import { parseOptions, UsageError } from '../../lib/cli/command';

const SPEC = { config: { type: 'string', short: 'c' }, force: { type: 'boolean' } } as const;

describe('parseOptions', () => {
  test.each([
    [['--config', 'x', 'img'], { values: { config: 'x' }, positionals: ['img'] }],
    [['-c', 'x'], { values: { config: 'x' }, positionals: [] }],
    [['--config=-x', '--force'], { values: { config: '-x', force: true }, positionals: [] }],
    [['a', '--', '--config', '-'], { values: {}, positionals: ['a', '--config', '-'] }],
    [['--config', '-'], { values: { config: '-' }, positionals: [] }],
  ])('%j', (args, expected) => {
    expect(parseOptions('validate', args, SPEC)).toEqual(expected);
  });

  test.each([
    [['--conf', 'x'], 'unknown option `--conf`'],
    [['-z'], 'unknown option `-z`'],
    [['--config'], 'option `--config` needs a value'],
    [['--config', '--force'], 'option `--config` needs a value'],
    [['--force=1'], 'option `--force` takes no value'],
    [['--config', 'x', '-c', 'y'], 'option `--config` given twice'],
  ])('%j is a usage error', (args, message) => {
    let error: unknown;
    try {
      parseOptions('validate', args, SPEC);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ message, command: 'validate' });
  });
});
