// Which releases `keep_outdated` lets go: the rule promote applies (synth keeps every listed release).
import type { Release } from '../catalog/model';
import { sortedNewestFirst } from '../catalog/release-order';

/**
 * Releases retention drops from an image line, newest first. Kept: the GOLD (the newest `released`
 * build; for a retired line, its newest release), everything newer than it (candidates, a just
 * withdrawn build) and the `keepOutdated` newest `released` builds older than it. Dropped: older
 * `released` builds beyond those, and withdrawn or stale candidate builds older than the GOLD.
 * Nothing is dropped from a line without a GOLD.
 */
export function releasesBeyondRetention(releases: readonly Release[], keepOutdated: number, retired: boolean): Release[] {
  const sorted = sortedNewestFirst(releases);
  const goldIndex = retired ? 0 : sorted.findIndex((r) => r.state === 'released');
  if (goldIndex < 0 || sorted.length === 0) return [];
  let outdated = 0;
  return sorted.slice(goldIndex + 1).filter((release) => {
    if (release.state !== 'released' && !retired) return true;
    if (release.state === 'withdrawn') return true;
    outdated += 1;
    return outdated > keepOutdated;
  });
}
