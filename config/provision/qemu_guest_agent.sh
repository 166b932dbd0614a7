#!/bin/bash
# Install and enable the QEMU guest agent (images set hw_qemu_guest_agent=yes; Nova uses the
# agent for quiesced snapshots and password injection).
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

gs_pkg_install qemu-guest-agent
gs_enable_unit qemu-guest-agent.service
gs_log "qemu-guest-agent installed"
