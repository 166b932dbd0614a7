// The install state file (lib/contract/install-state.ts): read through its schema and trusted
// only when root alone can have written it (it decides what root removes); written atomically.
import * as fs from 'fs';
import * as path from 'path';
import { canonicalJson } from '../common';
import {
  BundleFileError,
  DEFAULT_INSTALL_STATE_FILE,
  InstallStateSchema,
  parseContractJson,
  type InstallState,
} from '../contract';
import { writeAtomic, type Owners } from './fs-ops';
import { InstallError, isEnvStubTarget, isInstallTarget, type InstallRoot } from './paths';

export const INSTALL_STATE_FILE = DEFAULT_INSTALL_STATE_FILE;

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * The state of the last install into `root`, or undefined when there was none. When running as
 * root (`asRoot`), the file must be root's and neither it nor its directory writable by others.
 */
export function readInstallState(root: InstallRoot, asRoot: boolean): InstallState | undefined {
  const host = root.host(INSTALL_STATE_FILE);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(host);
  } catch {
    return undefined;
  }
  const where = `install state ${INSTALL_STATE_FILE}`;
  if (!st.isFile()) throw new InstallError(`${where} is not a regular file`);
  if (asRoot) {
    const dir = fs.statSync(path.dirname(host));
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) throw new InstallError(`${where} must be owned by root and writable by root only (mode ${octal(st.mode)}, uid ${st.uid})`);
    if (dir.uid !== 0 || (dir.mode & 0o022) !== 0) throw new InstallError(`${where}: its directory must be owned by root and writable by root only`);
  }
  let state: InstallState;
  try {
    state = parseContractJson(InstallStateSchema, fs.readFileSync(host, 'utf8'), INSTALL_STATE_FILE);
  } catch (e) {
    if (e instanceof BundleFileError) throw new InstallError(`install state ${e.message}`);
    throw e;
  }
  for (const p of Object.keys(state.files)) {
    if (!isInstallTarget(p)) throw new InstallError(`${where} names ${p}, which goldsmith install never installs: refused`);
  }
  for (const p of Object.keys(state.env_stubs)) {
    if (!isEnvStubTarget(p)) throw new InstallError(`${where} names ${p}, which is not a site env file: refused`);
  }
  return state;
}

/** The state as its file's text (canonical JSON: the same state, the same bytes). */
export function installStateText(state: InstallState): string {
  return canonicalJson(state);
}

/** Writes the state file atomically (root:root 0644 in a 0755 directory when `owners`). */
export function writeInstallState(root: InstallRoot, state: InstallState, owners: Owners | undefined): void {
  const text = installStateText(InstallStateSchema.parse(state) as InstallState);
  writeAtomic(root, INSTALL_STATE_FILE, Buffer.from(text), 0o644, owners ? { uid: owners.uid, gid: owners.gid } : undefined, owners);
}
