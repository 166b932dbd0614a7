// The Glance names of a published image when the catalog gives none.

/** Name of the newest promoted build: `GOLD <display name>`. */
export function goldName(displayName: string): string {
  return `GOLD ${displayName}`;
}

/** Name of an earlier build: `Outdated (<display name>)`. */
export function outdatedName(displayName: string): string {
  return `Outdated (${displayName})`;
}
