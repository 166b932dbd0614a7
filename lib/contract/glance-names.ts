// The Glance names of a published image when the catalog gives none.

/** Name of the newest promoted build: `GOLD <display name>`. */
export function goldName(displayName: string): string {
  return `GOLD ${displayName}`;
}

/** Name of an earlier build: `Outdated (<display name>)`. */
export function outdatedName(displayName: string): string {
  return `Outdated (${displayName})`;
}

/** Name of a build waiting to be verified in Glance (hidden): `Candidate (<display name>)`. */
export function candidateName(displayName: string): string {
  return `Candidate (${displayName})`;
}

/** Name of a withdrawn build (hidden, never GOLD again): `Withdrawn (<display name>)`. */
export function withdrawnName(displayName: string): string {
  return `Withdrawn (${displayName})`;
}
