#!/bin/bash
# RHEL only (no-op elsewhere): undo uio-rhel.sh. Unregisters the build VM from Red Hat
# Subscription Management and removes its identity, so instances register on their own.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

if ! gs_is_rhel; then
  gs_log "not RHEL (${GS_OS_ID}): nothing to do"
  exit 0
fi
gs_require_root

if command -v subscription-manager >/dev/null 2>&1; then
  if subscription-manager identity >/dev/null 2>&1; then
    subscription-manager unregister || gs_log "unregister failed; removing the local identity anyway"
  fi
  subscription-manager clean
fi
rm -rf /var/lib/rhsm/facts/* /var/cache/dnf/*
gs_dnf clean all
gs_log "RHEL subscription data removed"
