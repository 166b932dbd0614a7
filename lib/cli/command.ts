// What a goldsmith CLI command is, and the option parser the commands share.
import { parseArgs } from 'util';
import { oneLine } from '../common';

/** Where a command writes; injectable so tests run commands in-process. */
export interface CliIo {
  /** Writes one line (a newline is appended) to stdout. */
  readonly out: (line: string) => void;
  /** Writes one line (a newline is appended) to stderr. */
  readonly err: (line: string) => void;
  /** Directory relative paths are resolved against (process.cwd()). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A subcommand: `goldsmith <name> [args]`. Add one by writing a module in lib/cli/ and listing it in commands.ts. */
export interface Command {
  readonly name: string;
  /** One line for `goldsmith --help`. */
  readonly summary: string;
  /** Full help text for `goldsmith <name> --help` (first line: usage). */
  readonly help: string;
  /** Runs the command; returns the exit code. Throws UsageError for bad arguments. */
  run(args: readonly string[], io: CliIo): number | Promise<number>;
}

/** Bad command line: reported as one line plus a usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Command whose help the hint points to. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** A string option that may be given more than once: its value is the list. */
  readonly multiple?: boolean;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `--name value`, `--name=value`, `-s value` and boolean `--flag`; `--` ends options
 * (node's util.parseArgs). Unknown options, missing values, values given to a flag and repeated
 * string options throw UsageError.
 */
export function parseOptions(
  command: string,
  args: readonly string[],
  spec: Readonly<Record<string, OptionSpec>>,
): ParsedArgs {
  let tokens: ReturnType<typeof parseArgs>['tokens'];
  try {
    ({ tokens } = parseArgs({ args: [...args], options: spec, allowPositionals: true, strict: false, tokens: true }));
  } catch (e) {
    throw new UsageError(oneLine(e), command);
  }
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens ?? []) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const s = Object.prototype.hasOwnProperty.call(spec, token.name) ? spec[token.name] : undefined;
    if (s === undefined) throw new UsageError(`unknown option \`${token.rawName}\``, command);
    if (s.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option \`--${token.name}\` takes no value`, command);
      values[token.name] = true;
      continue;
    }
    // Without a value, or with the next option taken as its value (`--config --verbose`).
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value !== '-')) {
      throw new UsageError(`option \`--${token.name}\` needs a value`, command);
    }
    if (s.multiple) {
      values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), token.value];
      continue;
    }
    if (values[token.name] !== undefined) throw new UsageError(`option \`--${token.name}\` given twice`, command);
    values[token.name] = token.value;
  }
  return { values, positionals };
}
