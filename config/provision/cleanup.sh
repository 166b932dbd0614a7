#!/bin/bash
# Make the image generic: no machine identity, SSH host keys, authorized keys, cloud-init state,
# DHCP leases, shell history, logs or package caches from the build. Runs last but for uio-cleanup.sh.
# packer's SSH session stays open, so removing the build user's key here is safe.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

case "$GS_FAMILY" in
  dnf)
    gs_dnf -y autoremove || gs_log "autoremove failed (ignored)"
    gs_dnf clean all
    rm -rf /var/cache/dnf/* /var/cache/yum/*
    ;;
  apt)
    gs_apt_get autoremove --purge
    apt-get clean
    rm -rf /var/lib/apt/lists/*
    ;;
esac

# cloud-init runs again on the first boot of every instance.
if command -v cloud-init >/dev/null 2>&1; then
  cloud-init clean --logs
fi
rm -rf /var/lib/cloud/instances/* /var/lib/cloud/instance

# systemd creates a new machine-id on first boot when the file is empty.
truncate -s 0 /etc/machine-id
if [[ -f /var/lib/dbus/machine-id && ! -L /var/lib/dbus/machine-id ]]; then
  rm -f /var/lib/dbus/machine-id
fi
rm -f /var/lib/systemd/random-seed /var/lib/systemd/credential.secret

# New host keys on first boot (cloud-init or sshd-keygen).
rm -f /etc/ssh/ssh_host_*

# No keys from the build (packer's temporary key pair) and no shell history.
rm -f /root/.ssh/authorized_keys /root/.bash_history /root/.lesshst /root/.viminfo
for home in /home/*; do
  [[ -d "$home" ]] || continue
  rm -f "$home/.ssh/authorized_keys" "$home/.bash_history" "$home/.lesshst" "$home/.viminfo"
done

# DHCP leases of the build network.
rm -f /var/lib/dhclient/* /var/lib/dhcp/*.leases /var/lib/systemd/network/*.lease
rm -f /var/lib/NetworkManager/*.lease /var/lib/NetworkManager/secret_key

# Logs: keep the files (some daemons expect them), drop their contents and rotated copies.
if command -v journalctl >/dev/null 2>&1; then
  journalctl --rotate >/dev/null 2>&1 || true
  journalctl --vacuum-time=1s >/dev/null 2>&1 || true
fi
rm -rf /var/log/journal/*/*
find /var/log -type f \( -name '*.gz' -o -name '*.xz' -o -name '*.old' -o -regex '.*\.[0-9]+' \) -delete
find /var/log -type f -exec truncate -s 0 {} +
rm -rf /var/tmp/*

sync
if command -v fstrim >/dev/null 2>&1; then
  fstrim -av || gs_log "fstrim not supported here (ignored)"
fi
gs_log "image cleaned"
