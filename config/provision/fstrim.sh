#!/bin/bash
# Discard unused blocks weekly (fstrim.timer), so thin-provisioned volumes and images stay small.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

if ! gs_unit_exists fstrim.timer; then
  gs_pkg_install util-linux
fi
gs_unit_exists fstrim.timer || gs_die "fstrim.timer not found after installing util-linux"
gs_enable_unit fstrim.timer
gs_log "fstrim.timer enabled"
