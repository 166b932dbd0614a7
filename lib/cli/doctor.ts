// goldsmith doctor [--bundle DIR] [--user NAME]: is this host ready to build? One line per finding.
import * as path from 'path';
import { DEFAULT_BUNDLE_DIR } from '../contract';
import { runDoctor } from '../runner/doctor';
import { CliIo, Command, parseOptions, UsageError } from './command';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check that this builder host can run the bundle’s builds',
  help: [
    'usage: goldsmith doctor [--bundle DIR] [--user NAME]',
    '',
    'Checks what `goldsmith build` needs on a builder: Node.js 22 or newer, packer (with the openstack',
    'plugin for packer 1.10 and newer), qemu-img, the build user, every runner config of the bundle',
    '(against its manifest), the directories they name (present, owned by the build user, not',
    'world-writable; the store readable by the web server), their clouds.yaml entries, and the',
    'private CA file in NODE_EXTRA_CA_CERTS when set. Run it as the build user.',
    '',
    'options:',
    `  --bundle DIR   the installed builder bundle (default: ${DEFAULT_BUNDLE_DIR})`,
    '  --user NAME    the user the cron lines run as (default: goldsmith)',
    '  -h, --help     show this help',
    '',
    'Prints `ok: …` lines on stdout and one line per problem on stderr.',
    'exit codes: 0 ready, 1 problems found, 2 bad command line',
  ].join('\n'),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions('doctor', args, {
      bundle: { type: 'string' },
      user: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument \`${positionals[0]}\``, 'doctor');
    const findings = await runDoctor({
      bundleDir: path.resolve(io.cwd, String(values.bundle ?? DEFAULT_BUNDLE_DIR)),
      env: io.env as NodeJS.ProcessEnv,
      ...(values.user !== undefined ? { user: String(values.user) } : {}),
    });
    for (const f of findings) (f.ok ? io.out : io.err)(f.ok ? `ok: ${f.line}` : `goldsmith doctor: ${f.line}`);
    return findings.every((f) => f.ok) ? 0 : 1;
  },
};
