// goldsmith install: makes a builder node match a synthesized builder bundle (docs/builder-bundle.md,
// "Installing a bundle"). The bundle's files go to /etc/goldsmith/bundle, the cron file to
// /etc/cron.d/goldsmith, site env stubs to /etc/goldsmith/env (only where no file is); what the
// new bundle no longer names, and the stored builds and logs of retired images (except what a
// release in Glance names), are removed; nothing else is ever touched. The state file records
// what was installed.
import type { InstallState } from '../contract';
import { summarize, type InstallAction } from './actions';
import { applyPlan } from './apply';
import { loadBundle } from './bundle';
import { groupId, takeInstallLock, type Owners } from './fs-ops';
import { InstallError, InstallRoot } from './paths';
import { mutableState, planInstall, planLines } from './plan';
import { INSTALL_STATE_FILE, readInstallState, writeInstallState } from './state';

export { InstallError, InstallRoot, INSTALL_BUNDLE_DIR, INSTALL_CRON_FILE } from './paths';
export { INSTALL_STATE_FILE, readInstallState } from './state';
export { envStubText } from './env-stub';
export type { InstallAction } from './actions';

export interface InstallOptions {
  /** The synthesized bundle (`cdktf.out/stacks/<env>/builder`). */
  readonly bundleDir: string;
  /** The builder's root directory (default `/`). */
  readonly root?: string;
  /** Print the plan, change nothing. */
  readonly dryRun?: boolean;
  /** Where each line goes. */
  readonly out: (line: string) => void;
  /**
   * Owners of what is written. Default: when running as root, root:root and the build user's group
   * (from `<root>/etc/group`) for the site env files; otherwise none (files keep the installing user).
   */
  readonly owners?: Owners | null;
}

export interface InstallResult {
  /** The actions of the plan (all applied unless a dry run). */
  readonly actions: readonly InstallAction[];
  /** Whether anything on the builder changed (or would, in a dry run). */
  readonly changed: boolean;
  /** The install state afterwards (in a dry run: what it would be). */
  readonly state: InstallState;
}

function asRoot(): boolean {
  return process.geteuid?.() === 0;
}

function ownersFor(root: InstallRoot, buildUser: string, given: Owners | null | undefined): Owners | undefined {
  if (given === null) return undefined;
  if (given !== undefined) return given;
  if (!asRoot()) return undefined;
  return { uid: 0, gid: 0, envGid: groupId(root, buildUser) ?? -1 };
}

/** Installs (or, with `dryRun`, plans) the bundle; throws InstallError (one line) when it cannot. */
export async function installBundle(options: InstallOptions): Promise<InstallResult> {
  const root = new InstallRoot(options.root ?? '/');
  const bundle = loadBundle(options.bundleDir);
  const owners = ownersFor(root, bundle.buildUser, options.owners);
  const dryRun = options.dryRun === true;
  if (!dryRun && root.real === '/' && !asRoot() && options.owners === undefined) {
    throw new InstallError('run it as root (it writes /etc/goldsmith, /etc/cron.d and removes retired builds); --dry-run shows the plan');
  }
  const installLock = dryRun ? undefined : await takeInstallLock(root.host(INSTALL_STATE_FILE));
  if (!dryRun && installLock === undefined) throw new InstallError(`another goldsmith install into ${root.dir} is running`);
  try {
    const previous = readInstallState(root, asRoot());
    const plan = await planInstall(root, bundle, previous, owners, !dryRun);
    try {
      if (owners && owners.envGid < 0 && plan.actions.some((a) => a.kind === 'stub')) {
        throw new InstallError(
          `group ${bundle.buildUser} does not exist on this builder: create the build user first (useradd --system --user-group ${bundle.buildUser}); the site env files are root:${bundle.buildUser} 0640`,
        );
      }
      const changed = plan.actions.some((a) => a.kind !== 'record');
      if (dryRun) {
        for (const line of planLines(plan)) options.out(line);
        options.out(summarize(plan.actions, true));
        return { actions: plan.actions, changed, state: plan.next };
      }
      const state = mutableState(previous, bundle);
      let failure: unknown;
      try {
        applyPlan(root, plan.actions, state, owners, options.out);
      } catch (e) {
        failure = e;
      }
      // what succeeded is recorded, also when an action failed
      if (plan.stateChanges) {
        try {
          writeInstallState(root, state as InstallState, owners);
        } catch (e) {
          failure ??= new InstallError(`cannot write the install state ${INSTALL_STATE_FILE}: ${(e as Error).message}`);
        }
      }
      if (failure !== undefined) throw failure;
      options.out(summarize(plan.actions, false));
      return { actions: plan.actions, changed, state: state as InstallState };
    } finally {
      for (const l of plan.locks) l.close();
    }
  } finally {
    installLock?.close();
  }
}
