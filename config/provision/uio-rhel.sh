#!/bin/bash
# RHEL only (no-op elsewhere): give the build VM access to Red Hat content so that the later
# scripts can install and upgrade packages. Registers with Red Hat Subscription Management using
# an activation key when RHSM_ORG and RHSM_ACTIVATION_KEY are set; a system that already has
# enabled repositories (e.g. a local mirror baked into the source image) needs neither.
# uio-cleanup.sh unregisters at the end of the build.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

if ! gs_is_rhel; then
  gs_log "not RHEL (${GS_OS_ID}): nothing to do"
  exit 0
fi
if [[ -n "${RHSM_ORG:-}${RHSM_ACTIVATION_KEY:-}" && ( -z "${RHSM_ORG:-}" || -z "${RHSM_ACTIVATION_KEY:-}" ) ]]; then
  gs_die "set both RHSM_ORG and RHSM_ACTIVATION_KEY, or neither"
fi
gs_require_root

if [[ -n "${RHSM_ORG:-}" ]]; then
  if subscription-manager identity >/dev/null 2>&1; then
    gs_log "already registered with RHSM"
  else
    gs_log "registering with RHSM (org $RHSM_ORG)"
    subscription-manager register --org="$RHSM_ORG" --activationkey="$RHSM_ACTIVATION_KEY"
  fi
fi

if [[ -z "$(gs_dnf -q repolist --enabled 2>/dev/null)" ]]; then
  gs_die "RHEL has no enabled repositories: set RHSM_ORG and RHSM_ACTIVATION_KEY (packer variables rhsm_org, rhsm_activation_key) or use a source image with repositories"
fi
gs_log "RHEL repositories are available"
