// Withdrawing a bad build: it becomes a hidden, withdrawn release and the release before it GOLD again.
import type { Environment, ImageReleases } from '../catalog/model';
import { BuildsFileEditor } from './builds-file';
import { sortedNewestFirst } from '../catalog/release-order';

/** The change `goldsmith withdraw` makes: the new file text and one line for people. */
export interface Withdrawal {
  readonly text: string;
  readonly changed: boolean;
  readonly line: string;
}

/**
 * Withdraws `buildId` (default: the GOLD release) of `image` in the builds file `text`: a released
 * build becomes `state: withdrawn`; a candidate leaves `releases` for `withdrawn_builds`. Refuses
 * (throws one line) when the image has no such release, or when withdrawing the GOLD would leave
 * the image line without a release to be GOLD again.
 */
export function withdrawRelease(environment: Environment, entry: ImageReleases | undefined, text: string | undefined, image: string, buildId?: string): Withdrawal {
  const releases = sortedNewestFirst(entry?.releases ?? []);
  if (releases.length === 0) throw new Error(`${environment.name} has no release of ${image}`);
  const gold = releases.find((r) => r.state === 'released');
  const target = buildId === undefined ? gold : releases.find((r) => r.buildId === buildId);
  if (!target) {
    throw new Error(buildId === undefined ? `${image} has no GOLD release in ${environment.name}: name the build to withdraw` : `${image} has no release ${buildId} in ${environment.name} (${releases.map((r) => r.buildId).join(', ')})`);
  }
  const where = `${environment.name} · ${image}`;
  if (target.state === 'withdrawn') return { text: text ?? '', changed: false, line: `${where}: ${target.buildId} is withdrawn already` };
  let after = '';
  if (target === gold) {
    const previous = releases.find((r) => r !== target && r.state === 'released');
    if (!previous) throw new Error(`${target.buildId} is the only released build of ${image} in ${environment.name}: withdrawing it leaves no GOLD to roll back to (retire the image instead)`);
    after = `; ${previous.buildId} is GOLD again`;
  }
  const editor = new BuildsFileEditor(text);
  if (target.state === 'candidate') {
    // A candidate was never GOLD and may be an import that failed, which Terraform (having tainted
    // it) would re-create at every apply: it leaves Glance, and its build id is remembered.
    editor.removeRelease(image, target.buildId);
    editor.addWithdrawnBuild(image, target.buildId);
    return { text: editor.toString(), changed: true, line: `${where}: candidate ${target.buildId} withdrawn (it leaves Glance; never promoted again)` };
  }
  editor.setState(image, target.buildId, 'withdrawn');
  return { text: editor.toString(), changed: true, line: `${where}: ${target.buildId} withdrawn (hidden, never GOLD again)${after}` };
}
