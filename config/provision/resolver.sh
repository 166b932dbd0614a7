#!/bin/bash
# Fedora 32-34 only (no-op elsewhere): a workaround for the resolver setup after Fedora 33
# switched to systemd-resolved. Makes sure systemd-resolved runs and /etc/resolv.conf points
# at its stub resolver, so DNS works in instances whatever the cloud image shipped.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

if ! gs_is_fedora || [[ "$GS_OS_MAJOR" != 32 && "$GS_OS_MAJOR" != 33 && "$GS_OS_MAJOR" != 34 ]]; then
  gs_log "not Fedora 32-34 ($GS_OS_ID $GS_OS_VERSION): nothing to do"
  exit 0
fi
gs_require_root

if ! gs_unit_exists systemd-resolved.service; then
  gs_pkg_install systemd-resolved
fi
# Start it before switching, or DNS would break for the rest of the build.
systemctl enable --now systemd-resolved.service
stub=/run/systemd/resolve/stub-resolv.conf
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [[ -s "$stub" ]] && break
  sleep 1
done
[[ -s "$stub" ]] || gs_die "systemd-resolved did not write $stub"
ln -sfn ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf
gs_log "/etc/resolv.conf now points at systemd-resolved"
