#!/bin/bash
# RHEL only (no-op elsewhere): undo what uio-rhel.sh left of the build VM. Unregisters it from the
# Satellite and removes its identity (consumer and entitlement certificates, katello facts), the
# CFEngine and Nivlheim keys it made, and the RHSM logs, so that every instance registers and
# makes its keys on its own. Runs last, after cleanup.sh.
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

gs_dnf clean all
if command -v subscription-manager >/dev/null 2>&1; then
  if subscription-manager identity >/dev/null 2>&1; then
    subscription-manager unregister || gs_log "unregister failed; removing the local identity anyway"
  fi
  subscription-manager clean
fi
rm -rf /etc/pki/consumer/* /etc/pki/entitlement/* /etc/rhsm/facts/katello.facts /var/lib/rhsm/facts/*
rm -rf /var/cache/dnf/*

# CFEngine's host key pair and Nivlheim's client state are made again on each instance.
rm -f /var/cfengine/ppkeys/localhost.*
rm -rf /var/nivlheim/*

# Let NetworkManager write /etc/resolv.conf on instances (cloud-init's build-time setting).
rm -f /etc/NetworkManager/conf.d/99-cloud-init.conf

# subscription-manager logged this build after cleanup.sh ran.
if [[ -d /var/log/rhsm ]]; then
  find /var/log/rhsm -type f \( -name '*.gz' -o -regex '.*\.[0-9]+' \) -delete
  find /var/log/rhsm -type f -exec truncate -s 0 {} +
fi
gs_log "RHEL registration and UiO management keys removed"
