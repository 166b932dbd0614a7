// What a goldsmith CLI command is, and the small option parser the commands share.

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
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `--name value`, `--name=value`, `-s value` and boolean `--flag`; `--` ends options.
 * Unknown options, missing values and repeated string options throw UsageError.
 */
export function parseOptions(
  command: string,
  args: readonly string[],
  spec: Readonly<Record<string, OptionSpec>>,
): ParsedArgs {
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).flatMap(([n, s]) => (s.short ? [[s.short, n] as const] : [])));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      if (!Object.prototype.hasOwnProperty.call(spec, name)) name = undefined;
    } else if (arg.length === 2) {
      name = byShort.get(arg.slice(1));
    }
    if (name === undefined) throw new UsageError(`unknown option \`${arg}\``, command);
    const s = spec[name];
    if (s.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option \`--${name}\` takes no value`, command);
      values[name] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-') && value !== '-')) {
      throw new UsageError(`option \`--${name}\` needs a value`, command);
    }
    if (values[name] !== undefined) throw new UsageError(`option \`--${name}\` given twice`, command);
    values[name] = value;
  }
  return { values, positionals };
}
