// Carries out an install plan, action by action, each atomic; the state records every action that
// succeeded, also when a later one fails (the next install then finishes the job).
import { oneLine } from '../common';
import { actionLine, type InstallAction, type MutableState } from './actions';
import { createIfAbsent, observe, removePath, writeAtomic, type Owners } from './fs-ops';
import { InstallError, type InstallRoot } from './paths';

/** Site env files: root:<build group> 0640 (the runner reads them through its group, cannot change them). */
export const ENV_FILE_MODE = 0o640;

/** Does one action; false when it turned out not to apply (a file appeared or changed meanwhile): nothing recorded. */
function apply(root: InstallRoot, a: InstallAction, owners: Owners | undefined): boolean {
  const rootOwner = owners ? { uid: owners.uid, gid: owners.gid } : undefined;
  switch (a.kind) {
    case 'install':
    case 'update':
      writeAtomic(root, a.path, a.file.content, a.file.mode, rootOwner, owners);
      return true;
    case 'stub': {
      const owner = owners ? { uid: owners.uid, gid: owners.envGid } : undefined;
      if (a.replaceSha256 === undefined) return createIfAbsent(root, a.path, a.content, ENV_FILE_MODE, owner, owners);
      const now = observe(root.host(a.path));
      if (now.type !== 'file' || now.sha256 !== a.replaceSha256) return false; // edited meanwhile: never rewritten
      writeAtomic(root, a.path, a.content, ENV_FILE_MODE, owner, owners);
      return true;
    }
    case 'remove':
      removePath(a.host);
      return true;
    default:
      return true;
  }
}

/**
 * Applies `actions` in order, printing each action's line once done. `state` (mutable) receives
 * each action's change after it succeeded; on a failure the error names the action and how much
 * was done, and `state` holds exactly the successful part.
 */
export function applyPlan(root: InstallRoot, actions: readonly InstallAction[], state: MutableState, owners: Owners | undefined, out: (line: string) => void): void {
  let done = 0;
  for (const a of actions) {
    let applied: boolean;
    try {
      applied = apply(root, a, owners);
    } catch (e) {
      const what = actionLine(a) ?? 'recording the install state';
      const detail = e instanceof InstallError ? e.message : oneLine(e);
      throw new InstallError(`${what}: ${detail} (${done} of ${actions.length} actions done; run it again)`);
    }
    if (!applied) continue;
    a.commit?.(state);
    const line = actionLine(a);
    if (line !== undefined) out(line);
    done++;
  }
}
