// What goldsmith install does, one action at a time: the plan (printed by --dry-run) is a list of
// these, applied in order. Each action carries the change it makes to the install state, applied
// once the action succeeded, so a failure half-way leaves a state that names what is installed.
import type { InstalledEnvStub, InstalledFile, InstalledImage } from '../contract';
import type { DesiredEnvStub, DesiredFile } from './bundle';

/** The install state while it is being changed. */
export interface MutableState {
  state_format: 1;
  environment: string;
  manifest_sha256: string;
  files: Record<string, InstalledFile>;
  env_stubs: Record<string, InstalledEnvStub>;
  images: Record<string, InstalledImage>;
}

/** The state change of an action. */
export type Commit = (state: MutableState) => void;

export type InstallAction =
  /** A bundle or cron file that is not there yet. */
  | { readonly kind: 'install'; readonly path: string; readonly file: DesiredFile; readonly commit: Commit }
  /** A file of an earlier install whose content, mode or owner differs. */
  | { readonly kind: 'update'; readonly path: string; readonly file: DesiredFile; readonly what: string; readonly commit: Commit }
  /** A file already as the bundle has it, not yet recorded: recorded (nothing is written). */
  | { readonly kind: 'adopt'; readonly path: string; readonly commit: Commit }
  /** A site env stub: made only if nothing is there (`install`), or an untouched stub rewritten (`update`). */
  | {
      readonly kind: 'stub';
      readonly path: string;
      readonly stub: DesiredEnvStub;
      readonly content: Buffer;
      /** sha256 the file must still have to be rewritten; undefined: create only. */
      readonly replaceSha256?: string;
      readonly commit: Commit;
    }
  /** Something goldsmith put there that nothing names any more. */
  | { readonly kind: 'remove'; readonly path: string; readonly host: string; readonly why?: string; readonly commit?: Commit }
  /** A path that stays, said once. */
  | { readonly kind: 'keep' | 'leave'; readonly path: string; readonly why: string; readonly commit?: Commit }
  /** Something the operator must know (a new variable for an edited env file). */
  | { readonly kind: 'note'; readonly text: string; readonly commit?: Commit }
  /** A retired image whose build is running: pruned by a later install. */
  | { readonly kind: 'wait'; readonly image: string; readonly text: string; readonly commit?: Commit }
  /** A state change that prints nothing (a retired image done with, a file gone by hand). */
  | { readonly kind: 'record'; readonly commit: Commit };

/** The line an action prints (undefined: none). */
export function actionLine(a: InstallAction): string | undefined {
  switch (a.kind) {
    case 'install':
      return `install ${a.path}`;
    case 'update':
      return `update ${a.path} (${a.what})`;
    case 'adopt':
      return `adopt ${a.path} (already as in the bundle)`;
    case 'stub': {
      const names = a.stub.variables.map((v) => v.name).join(', ');
      return a.replaceSha256 === undefined
        ? `install ${a.path} (site values of template ${a.stub.template} to fill in: ${names})`
        : `update ${a.path} (a stub without values: now lists ${names})`;
    }
    case 'remove':
      return `remove ${a.path}${a.why ? ` (${a.why})` : ''}`;
    case 'keep':
    case 'leave':
      return `${a.kind} ${a.path} (${a.why})`;
    case 'note':
      return `note: ${a.text}`;
    case 'wait':
      return `wait ${a.image}: ${a.text}`;
    case 'record':
      return undefined;
  }
}

/** Counts for the summary line. */
export function summarize(actions: readonly InstallAction[], dryRun: boolean): string {
  const n = (kinds: readonly InstallAction['kind'][], pred: (a: InstallAction) => boolean = () => true) =>
    actions.filter((a) => kinds.includes(a.kind) && pred(a)).length;
  const counts: [string, string, number][] = [
    ['install', 'installed', n(['install']) + n(['stub'], (a) => a.kind === 'stub' && a.replaceSha256 === undefined)],
    ['update', 'updated', n(['update']) + n(['stub'], (a) => a.kind === 'stub' && a.replaceSha256 !== undefined)],
    ['adopt', 'adopted', n(['adopt'])],
    ['remove', 'removed', n(['remove'])],
    ['keep', 'kept', n(['keep'])],
  ];
  const parts = counts.filter(([, , c]) => c > 0).map(([verb, done, c]) => `${dryRun ? verb : done} ${c}`);
  if (parts.length === 0) return 'nothing to do';
  return dryRun ? `dry run: would ${parts.join(', ')}; nothing was changed` : parts.join(', ');
}
