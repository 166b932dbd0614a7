#!/bin/bash
# Key-only SSH: no root login, no passwords, no keyboard-interactive, no X11 forwarding.
# Uses a drop-in that sorts before cloud-init's and the vendors' (sshd keeps the first value it
# reads); on sshd configs without an Include line the settings go to the top of sshd_config.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

settings='# goldsmith: SSH hardening (managed by goldsmith'"'"'s sshd_hardening.sh)
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
X11Forwarding no'

config=/etc/ssh/sshd_config
[[ -f "$config" ]] || gs_die "$config not found: is openssh-server installed?"

if grep -Eiq '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/\*\.conf' "$config"; then
  mkdir -p /etc/ssh/sshd_config.d
  printf '%s\n' "$settings" >/etc/ssh/sshd_config.d/10-goldsmith.conf
  chmod 0600 /etc/ssh/sshd_config.d/10-goldsmith.conf
  gs_log "wrote /etc/ssh/sshd_config.d/10-goldsmith.conf"
elif ! grep -q '^# goldsmith: SSH hardening' "$config"; then
  tmp="$(mktemp "$config.XXXXXX")"
  { printf '%s\n\n' "$settings"; cat "$config"; } >"$tmp"
  chmod --reference="$config" "$tmp"
  mv "$tmp" "$config"
  gs_log "prepended the settings to $config"
fi

sshd_bin="$(command -v sshd || echo /usr/sbin/sshd)"
# Socket-activated sshd (Ubuntu) may not have created its privilege separation directory yet.
if [[ "$GS_FAMILY" == apt && ! -d /run/sshd ]]; then
  mkdir -p /run/sshd
  chmod 0755 /run/sshd
fi
# -t checks the syntax; host keys may be absent at this point, so point it at a throwaway key.
keydir="$(mktemp -d)"
ssh-keygen -q -t ed25519 -N '' -f "$keydir/key"
"$sshd_bin" -t -h "$keydir/key" || { rm -rf "$keydir"; gs_die "sshd rejects the configuration"; }
rm -rf "$keydir"
gs_log "sshd configuration is valid"
