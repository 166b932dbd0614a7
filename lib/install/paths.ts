// Where `goldsmith install` puts things on a builder, which paths it may ever write or remove, and
// the host path of a builder path under `--root` (never one that leaves the root through a symlink).
import * as fs from 'fs';
import * as path from 'path';
import {
  DEFAULT_BUNDLE_DIR,
  DEFAULT_SITE_ENV_DIR,
  IMAGE_NAME,
  INSTALLED_CRON_FILE,
  SCRIPT_NAME,
  TEMPLATE_NAME,
} from '../contract';

/** A bundle that cannot be installed, a refused path, a state file that cannot be trusted: one line. */
export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstallError';
  }
}

/** The installed bundle (what `goldsmith build` reads by default). */
export const INSTALL_BUNDLE_DIR = DEFAULT_BUNDLE_DIR;
/** The cron.d file. */
export const INSTALL_CRON_FILE = INSTALLED_CRON_FILE;

/** File names of Sensu Go check definitions in the bundle's `sensu/` (no directories, no leading dot). */
export const SENSU_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** The builder path of bundle file `rel` (`templates/default.json`). */
export function bundleTarget(rel: string): string {
  return `${INSTALL_BUNDLE_DIR}/${rel}`;
}

/** Whether `rel` is a bundle file name goldsmith install installs. */
export function isBundleFile(rel: string): boolean {
  const slash = rel.indexOf('/');
  if (slash < 0) return rel === 'manifest.json';
  const dir = rel.slice(0, slash);
  const name = rel.slice(slash + 1);
  const json = name.endsWith('.json') ? name.slice(0, -5) : undefined;
  switch (dir) {
    case 'templates':
      return json !== undefined && TEMPLATE_NAME.test(json);
    case 'images':
    case 'checks':
      return json !== undefined && IMAGE_NAME.test(json);
    case 'scripts':
      return SCRIPT_NAME.test(name);
    case 'sensu':
      return SENSU_FILE_NAME.test(name);
    default:
      return false;
  }
}

/** Whether goldsmith install can have installed a file at builder path `p` (a state entry is checked with it). */
export function isInstallTarget(p: string): boolean {
  if (p === INSTALL_CRON_FILE) return true;
  const prefix = `${INSTALL_BUNDLE_DIR}/`;
  return p.startsWith(prefix) && isBundleFile(p.slice(prefix.length));
}

/** The site env file of `template`: `/etc/goldsmith/env/<template>.env`, the only place a stub is made. */
export function envStubTarget(template: string): string {
  return `${DEFAULT_SITE_ENV_DIR}/${template}.env`;
}

/** Whether builder path `p` is a site env file goldsmith install may have made. */
export function isEnvStubTarget(p: string): boolean {
  const dir = `${DEFAULT_SITE_ENV_DIR}/`;
  return p.startsWith(dir) && /^[a-z0-9_]+\.env$/.test(p.slice(dir.length));
}

function inside(real: string, root: string): boolean {
  return root === '/' ? real.startsWith('/') : real === root || real.startsWith(`${root}/`);
}

/** The `--root` directory: builder paths below it, and the check that none leaves it. */
export class InstallRoot {
  /** The root as given (absolute). */
  readonly dir: string;
  /** Its real path. */
  readonly real: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    let st: fs.Stats;
    try {
      st = fs.statSync(this.dir);
    } catch (e) {
      throw new InstallError(`--root ${this.dir}: ${(e as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
    }
    if (!st.isDirectory()) throw new InstallError(`--root ${this.dir} is not a directory`);
    this.real = fs.realpathSync(this.dir);
  }

  /**
   * The host path of builder path `p` (absolute, as the builder sees it), after checking that its
   * deepest existing directory, symlinks resolved, is inside the root. The last component itself
   * is not followed (callers lstat it).
   */
  host(p: string): string {
    if (!p.startsWith('/') || path.posix.normalize(p) !== p) throw new InstallError(`${p}: not an absolute, normalized path`);
    const host = path.join(this.real, p);
    let dir = path.dirname(host);
    for (;;) {
      let real: string | undefined;
      try {
        real = fs.realpathSync(dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new InstallError(`${p}: ${code ?? 'cannot be resolved'}`);
      }
      if (real !== undefined) {
        if (!inside(real, this.real)) {
          throw new InstallError(`${p}: ${path.relative(this.real, dir) || '.'} leads out of ${this.dir} (a symbolic link): refused`);
        }
        return host;
      }
      if (dir === this.real) return host;
      dir = path.dirname(dir);
    }
  }

  /** The host path of builder directory `dir`, checked as `host` checks a file's directory. */
  hostDir(dir: string): string {
    return path.dirname(this.host(path.posix.join(dir, '.goldsmith-install-probe')));
  }

  /** The builder path of a host path below the root (for messages). */
  builder(host: string): string {
    return `/${path.relative(this.real, host)}`;
  }
}
