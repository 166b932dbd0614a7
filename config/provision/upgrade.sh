#!/bin/bash
# Upgrade every installed package to the newest version in the distribution's repositories.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

case "$GS_FAMILY" in
  dnf)
    gs_dnf -y upgrade --refresh
    ;;
  apt)
    gs_apt_update
    gs_apt_get dist-upgrade
    gs_apt_get autoremove --purge
    ;;
esac
gs_log "packages upgraded"
