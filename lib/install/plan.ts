// The plan of an install: the bundle's files against what is on the builder and what the previous
// install recorded → the actions, in the order they are applied, and the state afterwards.
//
// Order: new and changed bundle files (manifest.json last of them, so a build reading the manifest
// finds every file it names), the site env stubs, the cron file (a new image's line only once its
// runner config is there), then what nothing names any more (runner configs, templates, scripts,
// checks of removed images), then retired images' stored files.
import type * as net from 'net';
import { cmp, sha256Hex } from '../common';
import { INSTALL_STATE_FORMAT, type InstallState, type InstalledImage } from '../contract';
import { actionLine, type InstallAction, type MutableState } from './actions';
import type { DesiredFile, LoadedBundle } from './bundle';
import { envStubText } from './env-stub';
import { observe, takeBuildLock, type Owners } from './fs-ops';
import { InstallError, type InstallRoot } from './paths';
import { planRetired } from './retire';

export interface InstallPlan {
  readonly actions: readonly InstallAction[];
  /** The state once every action succeeded. */
  readonly next: InstallState;
  /** Whether the state file changes. */
  readonly stateChanges: boolean;
  /** Build locks of retired images, held while their files are removed; close them when done. */
  readonly locks: readonly net.Server[];
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function emptyState(bundle: LoadedBundle): MutableState {
  const manifest = bundle.files.find((f) => f.rel === 'manifest.json') as DesiredFile;
  return { state_format: INSTALL_STATE_FORMAT, environment: bundle.environment, manifest_sha256: manifest.sha256, files: {}, env_stubs: {}, images: {} };
}

/** A mutable deep copy of a state. */
export function mutableState(state: InstallState | undefined, bundle: LoadedBundle): MutableState {
  return state === undefined ? emptyState(bundle) : (JSON.parse(JSON.stringify(state)) as MutableState);
}

function fileActions(root: InstallRoot, file: DesiredFile, previous: InstallState | undefined, owners: Owners | undefined): InstallAction[] {
  const record = (s: MutableState) => {
    s.files[file.path] = { kind: file.kind, sha256: file.sha256, mode: file.mode };
  };
  const obs = observe(root.host(file.path));
  const ours = previous?.files[file.path] !== undefined;
  if (obs.type === 'absent') return [{ kind: 'install', path: file.path, file, commit: record }];
  if (obs.type !== 'file') {
    throw new InstallError(`${file.path} is a ${obs.type === 'dir' ? 'directory' : obs.type === 'symlink' ? 'symbolic link' : 'special file'}, not a file goldsmith installed: move it away first`);
  }
  const what: string[] = [];
  if (obs.sha256 !== file.sha256) {
    if (!ours) {
      throw new InstallError(`${file.path} exists, differs from the bundle's ${file.rel} and was not installed by goldsmith install: move it away first`);
    }
    what.push('content');
  }
  if (obs.mode !== file.mode) what.push(`mode ${octal(obs.mode)} → ${octal(file.mode)}`);
  if (owners && (obs.uid !== owners.uid || obs.gid !== owners.gid)) what.push(`owner ${obs.uid}:${obs.gid} → ${owners.uid}:${owners.gid}`);
  if (what.length > 0) return [{ kind: 'update', path: file.path, file, what: what.join(', '), commit: record }];
  const recorded = previous?.files[file.path];
  if (!ours) return [{ kind: 'adopt', path: file.path, commit: record }];
  if (recorded?.sha256 !== file.sha256 || recorded.mode !== file.mode || recorded.kind !== file.kind) return [{ kind: 'record', commit: record }];
  return [];
}

/** The env stubs the bundle calls for (`made`) and those of the previous install it no longer does (`pruned`). */
function stubActions(root: InstallRoot, bundle: LoadedBundle, previous: InstallState | undefined): { made: InstallAction[]; pruned: InstallAction[] } {
  const actions: InstallAction[] = [];
  const pruned: InstallAction[] = [];
  const wanted = new Set(bundle.envStubs.map((s) => s.path));
  for (const stub of bundle.envStubs) {
    const content = Buffer.from(envStubText(stub.template, stub.variables));
    const sha = sha256Hex(content);
    const names = stub.variables.map((v) => v.name);
    const record = (s: MutableState) => {
      s.env_stubs[stub.path] = { template: stub.template, sha256: sha, variables: names };
    };
    const obs = observe(root.host(stub.path));
    const prev = previous?.env_stubs[stub.path];
    if (obs.type === 'absent') {
      actions.push({ kind: 'stub', path: stub.path, stub, content, commit: record });
    } else if (prev !== undefined && obs.type === 'file' && obs.sha256 === prev.sha256) {
      // still the stub this install wrote: nobody has entered a value, it may be rewritten
      if (obs.sha256 !== sha) actions.push({ kind: 'stub', path: stub.path, stub, content, replaceSha256: obs.sha256, commit: record });
    } else if (prev !== undefined) {
      // edited (it holds values): never rewritten; new variables are named once
      const added = names.filter((n) => !prev.variables.includes(n));
      const commit = (s: MutableState) => {
        s.env_stubs[stub.path] = { ...prev, variables: names };
      };
      if (added.length > 0) {
        actions.push({
          kind: 'note',
          text: `${stub.path} holds site values and is not rewritten: template ${stub.template} now also declares ${added.join(', ')} (add ${added.length > 1 ? 'them' : 'it'} by hand)`,
          commit,
        });
      } else if (prev.variables.join('\0') !== names.join('\0')) {
        actions.push({ kind: 'record', commit });
      }
    }
    // a file the operator made: never touched, never recorded
  }
  for (const [p, prev] of Object.entries(previous?.env_stubs ?? {}).sort((a, b) => cmp(a[0], b[0]))) {
    if (wanted.has(p)) continue;
    const forget = (s: MutableState) => {
      delete s.env_stubs[p];
    };
    const obs = observe(root.host(p));
    if (obs.type === 'file' && obs.sha256 === prev.sha256) {
      pruned.push({ kind: 'remove', path: p, host: root.host(p), why: `a stub without values; no image uses template ${prev.template} any more`, commit: forget });
    } else if (obs.type === 'absent') {
      pruned.push({ kind: 'record', commit: forget });
    } else {
      pruned.push({ kind: 'leave', path: p, why: `holds site values; no image uses template ${prev.template} any more`, commit: forget });
    }
  }
  return { made: actions, pruned };
}

function removalActions(root: InstallRoot, bundle: LoadedBundle, previous: InstallState | undefined): InstallAction[] {
  const wanted = new Set(bundle.files.map((f) => f.path));
  const actions: InstallAction[] = [];
  for (const p of Object.keys(previous?.files ?? {}).sort(cmp)) {
    if (wanted.has(p)) continue;
    const forget = (s: MutableState) => {
      delete s.files[p];
    };
    const obs = observe(root.host(p));
    // A file changed by hand since it was installed is not goldsmith's to delete: left, and said so.
    if (obs.type === 'file' && obs.sha256 !== previous!.files[p].sha256) {
      actions.push({ kind: 'leave', path: p, why: 'changed since goldsmith installed it: left in place', commit: forget });
    } else if (obs.type === 'file') actions.push({ kind: 'remove', path: p, host: root.host(p), commit: forget });
    else if (obs.type === 'absent') actions.push({ kind: 'record', commit: forget });
    else actions.push({ kind: 'leave', path: p, why: `no longer a regular file: not goldsmith's any more`, commit: forget });
  }
  return actions;
}

async function retiredActions(
  root: InstallRoot,
  bundle: LoadedBundle,
  previous: InstallState | undefined,
  holdLocks: boolean,
  locks: net.Server[],
): Promise<InstallAction[]> {
  const actions: InstallAction[] = [];
  for (const [name, image] of Object.entries(previous?.images ?? {}).sort((a, b) => cmp(a[0], b[0]))) {
    if (bundle.images.has(name)) continue;
    // The builds file decides (manifest retired_files); a bundle without the field: what the image's
    // last runner config listed as named by releases (a retired image gets no new releases).
    const keep = bundle.retiredFiles !== undefined ? (bundle.retiredFiles.get(name) ?? []) : image.keep_files;
    const lock = await takeBuildLock(root.hostDir(image.paths.state), name);
    if (lock === undefined) {
      const waiting: InstalledImage = { ...image, retired: true };
      actions.push({
        kind: 'wait',
        image: name,
        text: 'a build of it is running: its stored builds and logs are removed by the next install',
        commit: (s) => {
          s.images[name] = waiting;
        },
      });
      continue;
    }
    if (holdLocks) locks.push(lock);
    else lock.close();
    const { actions: own, next } = planRetired(root, name, image, keep);
    actions.push(...own, {
      kind: 'record',
      commit: (s) => {
        if (next === undefined) delete s.images[name];
        else s.images[name] = next;
      },
    });
  }
  return actions;
}

/**
 * The plan of installing `bundle` into `root` over `previous`. `holdLocks`: keep the build locks
 * of retired images (a real run; a dry run releases them at once).
 */
export async function planInstall(
  root: InstallRoot,
  bundle: LoadedBundle,
  previous: InstallState | undefined,
  owners: Owners | undefined,
  holdLocks: boolean,
): Promise<InstallPlan> {
  if (previous !== undefined && previous.environment !== bundle.environment) {
    throw new InstallError(
      `this builder has the bundle of environment ${previous.environment}, not ${bundle.environment}: refusing (installing it would retire every image of ${previous.environment})`,
    );
  }
  const locks: net.Server[] = [];
  try {
    const manifest = bundle.files.find((f) => f.rel === 'manifest.json') as DesiredFile;
    const cron = bundle.files.find((f) => f.kind === 'cron') as DesiredFile;
    const others = bundle.files.filter((f) => f !== manifest && f !== cron);
    const stubs = stubActions(root, bundle, previous);
    const actions: InstallAction[] = [
      ...others.flatMap((f) => fileActions(root, f, previous, owners)),
      ...fileActions(root, manifest, previous, owners),
      ...stubs.made,
      ...fileActions(root, cron, previous, owners),
      ...removalActions(root, bundle, previous),
      ...stubs.pruned,
    ];
    // images of the bundle, recorded with the files above
    actions.push({
      kind: 'record',
      commit: (s) => {
        for (const image of bundle.images.values()) {
          s.images[image.name] = { template: image.template, paths: { ...image.paths }, keep_files: [...image.keepFiles] };
        }
        s.environment = bundle.environment;
        s.manifest_sha256 = manifest.sha256;
      },
    });
    actions.push(...(await retiredActions(root, bundle, previous, holdLocks, locks)));
    const next = mutableState(previous, bundle);
    for (const a of actions) a.commit?.(next);
    const stateChanges = previous === undefined || JSON.stringify(sortDeep(next)) !== JSON.stringify(sortDeep(previous));
    return { actions, next, stateChanges, locks };
  } catch (e) {
    for (const l of locks) l.close();
    throw e;
  }
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort(cmp).map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** The lines the plan prints, in order. */
export function planLines(plan: InstallPlan): string[] {
  return plan.actions.flatMap((a) => {
    const line = actionLine(a);
    return line === undefined ? [] : [line];
  });
}
