// The site env file of a template (runner config `site_env.file`, default
// /etc/goldsmith/env/<template>.env): the values of the variables templates.yaml declares, read in
// the prepare step. Format (docs/builder-bundle.md):
//
//   # comment                 blank lines and lines whose first non-blank character is # are ignored
//   NAME=value                NAME [A-Z][A-Z0-9_]* at the line start, `=` right after it; the value
//                             is the rest of the line, literally: no quotes removed, no escapes, no
//                             $ expansion, no `export`, no trailing comment; `NAME=` means unset
//
// The file is opened without following a symlink and must be a regular file owned by root (or the
// runner's own user), neither group- nor world-writable nor world-readable (root:goldsmith 0640),
// in a directory that is not group- or world-writable. Every problem is one line naming the file,
// the line and the variable, never a value.
import * as fs from 'fs';
import * as path from 'path';
import { SITE_VARIABLE_NAME, type RunnerConfig } from '../contract';
import { SiteValues } from './site-values';

/** The runner config's `site_env`. */
export type RunnerSiteEnv = NonNullable<RunnerConfig['site_env']>;

/** Largest env file read. */
export const MAX_SITE_ENV_BYTES = 64 * 1024;

/** A site env file that cannot be used, or a required variable without a value. */
export class SiteEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteEnvError';
  }
}

/** What was read: the values, and notes for the build log (names only). */
export interface SiteEnvRead {
  readonly values: SiteValues;
  readonly notes: readonly string[];
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** The file's bytes, after the checks on the file and its directory; undefined when it does not exist. */
function readChecked(file: string, uid: number): Buffer | undefined {
  const where = `site env file ${file}`;
  const dir = fs.statSync(path.dirname(file), { throwIfNoEntry: false });
  if (dir === undefined) return undefined;
  if ((dir.mode & 0o022) !== 0 && (dir.mode & 0o1000) === 0) {
    throw new SiteEnvError(`${where}: its directory is group- or world-writable (mode ${octal(dir.mode)}): make it 0755 or 0750, owned by root`);
  }
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new SiteEnvError(`${where} is a symbolic link: it must be a regular file`);
    if (code === 'EACCES') throw new SiteEnvError(`${where} cannot be read by the runner's user (uid ${uid}): make it root:<runner group> 0640`);
    throw new SiteEnvError(`${where} cannot be opened: ${code ?? 'error'}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SiteEnvError(`${where} is not a regular file`);
    if (st.uid !== 0 && st.uid !== uid) throw new SiteEnvError(`${where} is owned by uid ${st.uid}: it must be owned by root (or the runner's own user)`);
    if ((st.mode & 0o022) !== 0) throw new SiteEnvError(`${where} is group- or world-writable (mode ${octal(st.mode)}): make it 0640`);
    if ((st.mode & 0o004) !== 0) throw new SiteEnvError(`${where} is world-readable (mode ${octal(st.mode)}): make it 0640`);
    if (st.size > MAX_SITE_ENV_BYTES) throw new SiteEnvError(`${where} is larger than ${MAX_SITE_ENV_BYTES / 1024} KiB`);
    const buf = Buffer.alloc(MAX_SITE_ENV_BYTES + 1);
    let n = 0;
    for (let r; n < buf.length && (r = fs.readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > MAX_SITE_ENV_BYTES) throw new SiteEnvError(`${where} is larger than ${MAX_SITE_ENV_BYTES / 1024} KiB`);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Why the value of `name` is refused (never quoting it), or undefined. */
function valueProblem(value: string): string | undefined {
  if (/[\x00-\x1f\x7f]/.test(value)) return 'contains a control character';
  if (value.includes('{{') || value.includes('}}')) return 'contains {{ or }} (packer would evaluate it)';
  if (/^\s|\s$/u.test(value)) return 'starts or ends with white space';
  if (/^(["']).*\1$/s.test(value) && value.length >= 2) return 'is in quotes: quotes are not removed, write the value without them';
  return undefined;
}

/** Parses the file's text: name → value (empty values included), with the line of each. */
function parse(text: string, where: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw.includes('\r')) throw new SiteEnvError(`${where}: line ${n} has a carriage return: use Unix line ends`);
    if (/^[ \t]*(#|$)/.test(raw)) return;
    const eq = raw.indexOf('=');
    const name = eq > 0 ? raw.slice(0, eq) : '';
    if (!SITE_VARIABLE_NAME.test(name)) {
      throw new SiteEnvError(`${where}: line ${n} is not NAME=value (NAME [A-Z][A-Z0-9_]* at the start of the line, no export, no spaces before =)`);
    }
    const value = raw.slice(eq + 1);
    const problem = valueProblem(value);
    if (problem) throw new SiteEnvError(`${where}: line ${n}: the value of ${name} ${problem}`);
    const earlier = out.get(name);
    if (earlier) throw new SiteEnvError(`${where}: line ${n}: ${name} is given twice (also line ${earlier.line})`);
    out.set(name, { value, line: n });
  });
  return out;
}

/**
 * The values of `siteEnv.variables` from `siteEnv.file`. Throws a one-line SiteEnvError for an
 * unusable file and for required variables without a value (naming each). `uid` is the runner's
 * user (default: the process's effective uid).
 */
export function readSiteEnv(siteEnv: RunnerSiteEnv, template: string, uid: number = process.geteuid?.() ?? -1): SiteEnvRead {
  const where = `site env file ${siteEnv.file}`;
  const required = siteEnv.variables.filter((v) => v.required).map((v) => v.name);
  const bytes = readChecked(siteEnv.file, uid);
  if (bytes === undefined) {
    if (required.length > 0) {
      throw new SiteEnvError(`${where} does not exist: template ${template} needs ${required.join(', ')}`);
    }
    return { values: new SiteValues(new Map()), notes: [`no ${where}: the optional variables ${siteEnv.variables.map((v) => v.name).join(', ')} are not set`] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SiteEnvError(`${where} is not valid UTF-8`);
  } finally {
    bytes.fill(0);
  }
  const given = parse(text, where);
  const declared = new Set(siteEnv.variables.map((v) => v.name));
  const notes: string[] = [];
  for (const [name, { line }] of given) {
    if (!declared.has(name)) notes.push(`${where}: line ${line}: ${name} is not a variable of template ${template}: ignored`);
  }
  const missing = required.filter((name) => (given.get(name)?.value ?? '') === '');
  if (missing.length > 0) {
    throw new SiteEnvError(`${where}: missing required variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of template ${template}`);
  }
  const values = new Map<string, string>();
  const unset: string[] = [];
  for (const v of siteEnv.variables) {
    const value = given.get(v.name)?.value ?? '';
    if (value === '') unset.push(v.name);
    else values.set(v.name, value);
  }
  const secrets = siteEnv.variables.filter((v) => v.secret).map((v) => v.name);
  notes.push(`site settings from ${siteEnv.file}: ${[...values.keys()].join(', ') || 'none'}${unset.length ? ` (not set: ${unset.join(', ')})` : ''}`);
  return { values: new SiteValues(values, secrets), notes };
}
