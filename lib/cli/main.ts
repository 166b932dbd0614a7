// The goldsmith dispatcher: `goldsmith <command> [options]`, `goldsmith help [command]`, `--help`,
// `--version`.
import * as fs from 'fs';
import * as path from 'path';
import { CatalogError, formatProblems } from '../catalog/errors';
import { CliIo, Command, UsageError } from './command';
import { COMMANDS } from './commands';

export { UsageError } from './command';
export type { CliIo, Command } from './command';

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'usage: goldsmith <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this help, or \`goldsmith help <command>\``,
    '',
    'options: -h, --help (this help), -V, --version (the version of goldsmith)',
    'run `goldsmith <command> --help` for the options of a command.',
  ].join('\n');
}

/** `goldsmith <version>`, from the package.json beside lib/ (source) or dist/ (compiled). */
export function versionLine(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'goldsmith') return `goldsmith ${pkg.version}`;
    } catch {
      // not here: look one directory up
    }
  }
  return 'goldsmith (unknown version)';
}

/**
 * Writes lines to a stream until its reader goes away (`goldsmith --help | head -1`): then the
 * rest is dropped instead of crashing with EPIPE, and a running build still finishes and cleans up.
 */
function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let open = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    open = false;
  });
  return (line) => {
    if (open) stream.write(`${line}\n`);
  };
}

/** The default io: process streams, current directory and environment. */
export function processIo(): CliIo {
  return {
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Runs goldsmith with `argv` (without node and script); returns the exit code. Never throws. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const find = (name: string) => commands.find((c) => c.name === name);
  const printLines = (write: (l: string) => void, text: string) => text.split('\n').forEach((l) => write(l));
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      printLines(io.err, usage(commands));
      return 2;
    }
    if (first === '--version' || first === '-V') {
      io.out(versionLine());
      return 0;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      if (topic === undefined) {
        printLines(io.out, usage(commands));
        return 0;
      }
      const command = find(topic);
      if (!command) throw new UsageError(`unknown command \`${topic}\``);
      printLines(io.out, command.help);
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option \`${first}\``);
    const command = find(first);
    if (!command) throw new UsageError(`unknown command \`${first}\``);
    if (rest.includes('--help') || rest.includes('-h')) {
      const end = rest.indexOf('--');
      const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
      if (end < 0 || helpAt < end) {
        printLines(io.out, command.help);
        return 0;
      }
    }
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      const helpCmd = e.command ? `goldsmith ${e.command} --help` : 'goldsmith --help';
      io.err(`goldsmith${e.command ? ` ${e.command}` : ''}: ${e.message} (see \`${helpCmd}\`)`);
      return 2;
    }
    if (e instanceof CatalogError) {
      for (const line of formatProblems(e.problems, io.cwd)) io.err(line);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`goldsmith: ${message.split('\n')[0]}`);
    if (io.env.GOLDSMITH_DEBUG === '1' && e instanceof Error && e.stack) printLines(io.err, e.stack);
    return 1;
  }
}
