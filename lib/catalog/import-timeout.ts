// How long Glance may take to import a release (web-download), from its size: the create timeout
// of its Terraform resource and the age at which promote calls a still-queued candidate failed.

/**
 * 5 minutes plus the file at 20 MiB/s (a 700 MB qcow2: 6 min; a 10 GB raw Windows image: 14 min),
 * instead of the provider's 30 minutes. A failed web-download goes back to `queued`, which the
 * provider keeps waiting on: this is how long a failure takes to show.
 */
export function importTimeoutMinutes(sizeBytes: number): number {
  return 5 + Math.ceil(sizeBytes / (20 * 1024 * 1024) / 60);
}
