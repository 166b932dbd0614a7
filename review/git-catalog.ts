// The base side of a review: the catalog directory as committed at a git ref, copied out of the
// repository into a directory of ours, without touching the index, the working tree or HEAD
// (a throw-away index file: `git read-tree <commit>:<dir>`, then `git checkout-index --prefix`).
import execa from 'execa';
import * as fs from 'fs';
import * as path from 'path';
import { oneLine } from '../lib/common';
import { ReviewError } from './errors';

/** A catalog directory extracted from git. */
export interface CommittedCatalog {
  /** Absolute path of the extracted catalog directory (below `into`). */
  readonly dir: string;
  /** The directory `dir`'s display paths are relative to (`into`): `<root>/<config path>`. */
  readonly root: string;
  /** Full commit id the ref resolved to. */
  readonly commit: string;
  /** Path of the catalog directory inside the repository (`config`, `''` for the top). */
  readonly pathInRepo: string;
}

/** A git command's limit: these are local, small operations. */
const GIT_TIMEOUT_MS = 60_000;

/**
 * Copies the directory that `configDir` (a directory of a git working tree) was at `ref` into
 * `<into>/<path in repo>` (`into` is created, with a temporary `<into>.index` beside it: the
 * caller removes both, e.g. by removing their parent). Throws ReviewError with one line (naming
 * the directory as `shownDir`) when `configDir` is not in a git repository, `ref` names no
 * commit, or the directory does not exist at `ref`.
 */
export async function extractCatalogAt(ref: string, configDir: string, into: string, shownDir: string = configDir): Promise<CommittedCatalog> {
  if (ref === '' || ref.startsWith('-')) throw new ReviewError(`base ref \`${ref}\` is not a ref`);
  let real: string;
  try {
    real = fs.realpathSync(configDir);
  } catch {
    throw new ReviewError(`config directory ${shownDir} does not exist`);
  }
  const top = await git(real, ['rev-parse', '--show-toplevel'], () => `${shownDir} is not in a git repository`);
  const pathInRepo = path.relative(fs.realpathSync(top), real).split(path.sep).join('/');
  if (pathInRepo.startsWith('..')) throw new ReviewError(`${shownDir} is not in a git repository`);
  const missing = `base ref \`${ref}\` does not exist`;
  let commit: string;
  try {
    commit = await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], () => missing);
  } catch (e) {
    const shallow = await git(top, ['rev-parse', '--is-shallow-repository'], () => missing).catch(() => 'false');
    throw shallow === 'true' ? new ReviewError(`${missing} (a shallow clone: fetch the base, or clone with full history)`) : e;
  }
  const shown = pathInRepo === '' ? 'the repository top' : pathInRepo;
  const kind = await git(top, ['cat-file', '-t', `${commit}:${pathInRepo}`], () => `${shown} does not exist at ${ref}`);
  if (kind !== 'tree') throw new ReviewError(`${shown} is not a directory at ${ref}`);

  fs.mkdirSync(into, { recursive: true });
  const dir = path.join(into, ...pathInRepo.split('/').filter((p) => p !== ''));
  // The throw-away index lives beside `into`, never inside the catalog copy.
  const env = { ...process.env, GIT_INDEX_FILE: `${path.resolve(into)}.index` };
  const failed = () => `cannot copy ${shown} out of ${ref}`;
  try {
    await git(top, ['read-tree', `${commit}:${pathInRepo}`], failed, { env, detail: true });
    await git(top, ['checkout-index', '--all', '--force', `--prefix=${dir}${path.sep}`], failed, { env, detail: true });
  } finally {
    fs.rmSync(env.GIT_INDEX_FILE, { force: true });
  }
  fs.mkdirSync(dir, { recursive: true }); // an empty tree checks out nothing
  return { dir, root: into, commit, pathInRepo };
}

interface GitOptions {
  /** The complete environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Append git's first error line to the failure (for failures we do not expect). @default false */
  readonly detail?: boolean;
}

/** Runs git in `cwd`: its trimmed stdout, or ReviewError(`failure()`) when it fails. */
async function git(cwd: string, args: readonly string[], failure: () => string, options: GitOptions = {}): Promise<string> {
  let result: execa.ExecaReturnValue;
  try {
    result = await execa('git', [...args], {
      cwd,
      env: { ...(options.env ?? process.env), LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' },
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: GIT_TIMEOUT_MS,
    });
  } catch (e) {
    throw new ReviewError(`cannot run git: ${oneLine(e)}`);
  }
  if (result.failed && typeof result.exitCode !== 'number') {
    // Not started (git not installed), killed or timed out: execa's own one-line account.
    throw new ReviewError(`cannot run git: ${oneLine((result as Partial<execa.ExecaError>).shortMessage ?? result.stderr)}`);
  }
  if (result.exitCode !== 0) {
    const why = result.stderr.split('\n').find((line) => line.trim() !== '')?.replace(/^(fatal|error): /, '');
    throw new ReviewError(options.detail && why ? `${failure()}: ${oneLine(why, 200)}` : failure());
  }
  return result.stdout.trim();
}
