#!/bin/bash
# Apply security and bug-fix updates automatically on running instances:
# dnf5 automatic (Fedora 41+), dnf-automatic (RHEL family, older Fedora) or unattended-upgrades.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

case "$GS_FAMILY" in
  dnf)
    if gs_is_dnf5; then
      gs_pkg_install dnf5-plugin-automatic
      mkdir -p /etc/dnf
      # dnf5 reads /etc/dnf/automatic.conf over the defaults in /usr/share/dnf5/dnf5-plugins.
      cat >/etc/dnf/automatic.conf <<'CONF'
# goldsmith: install available updates automatically (managed by goldsmith's autopatch.sh)
[commands]
apply_updates = yes
CONF
      timers=(dnf5-automatic.timer dnf-automatic.timer)
    else
      gs_pkg_install dnf-automatic
      # This timer applies updates whatever automatic.conf says.
      timers=(dnf-automatic-install.timer dnf-automatic.timer)
    fi
    enabled=""
    for timer in "${timers[@]}"; do
      if gs_unit_exists "$timer"; then
        gs_enable_unit "$timer"
        enabled="$timer"
        break
      fi
    done
    [[ -n "$enabled" ]] || gs_die "no automatic update timer found (looked for ${timers[*]})"
    gs_log "automatic updates enabled ($enabled)"
    ;;
  apt)
    gs_pkg_install unattended-upgrades
    cat >/etc/apt/apt.conf.d/20auto-upgrades <<'CONF'
// goldsmith: install security updates automatically (managed by goldsmith's autopatch.sh)
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
CONF
    chmod 0644 /etc/apt/apt.conf.d/20auto-upgrades
    gs_enable_unit apt-daily.timer
    gs_enable_unit apt-daily-upgrade.timer
    gs_log "unattended-upgrades enabled"
    ;;
esac
