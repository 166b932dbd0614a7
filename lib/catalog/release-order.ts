// Which of two builds of an image is newer: by date, then by the same-day sequence of the build id.
import type { Release } from './model';

/** The same-day sequence of a build id: `20261104` → 1, `20261104-2` / `20261104.2` → 2; other ids → 1. */
function sequence(buildId: string): number {
  const m = /^\d{8}[-.](\d+)$/.exec(buildId);
  return m ? Number(m[1]) : 1;
}

/** Negative when `a` is newer than `b` (sorts newest first), positive when older, 0 when equal. */
export function newestFirst(a: Pick<Release, 'date' | 'buildId'>, b: Pick<Release, 'date' | 'buildId'>): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  const bySequence = sequence(b.buildId) - sequence(a.buildId);
  if (bySequence !== 0) return bySequence;
  return a.buildId === b.buildId ? 0 : a.buildId < b.buildId ? 1 : -1;
}

/** The releases sorted newest first (a copy). */
export function sortedNewestFirst<T extends Pick<Release, 'date' | 'buildId'>>(releases: readonly T[]): T[] {
  return [...releases].sort(newestFirst);
}
