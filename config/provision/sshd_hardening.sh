#!/bin/bash
# SSH server hardening (no-op on RHEL: UiO's CFEngine manages sshd there, and UiO accounts log in
# with passwords). NREC's host key types and key exchange, cipher and MAC lists; no root login,
# no keyboard-interactive, no empty passwords, no X11 forwarding.
# Password login is off by default but left to the user: cloud-init's ssh_pwauth writes
# PasswordAuthentication either into sshd_config.d/50-cloud-init.conf (which sshd reads before the
# main file) or over the line in sshd_config itself, so the default goes into sshd_config, never
# into a drop-in that sshd would read first.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

if gs_is_rhel; then
  gs_log "RHEL: sshd is managed by UiO's CFEngine: nothing to do"
  exit 0
fi
gs_require_root

# sshd keeps the first value it reads for each keyword, so these go into a drop-in that sorts
# before cloud-init's (50-) and the vendors' (50-redhat, 60-cloudimg-settings).
settings='# goldsmith: SSH hardening (managed by goldsmith'"'"'s sshd_hardening.sh)
HostKey /etc/ssh/ssh_host_rsa_key
HostKey /etc/ssh/ssh_host_ed25519_key
KexAlgorithms curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256,umac-128@openssh.com
HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256
PermitRootLogin no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
X11Forwarding no'
password_default='PasswordAuthentication no'

config=/etc/ssh/sshd_config
[[ -f "$config" ]] || gs_die "$config not found: is openssh-server installed?"

# The distribution's own host key and algorithm lines in the main file are commented out: HostKey
# adds up across files, so the distribution's would bring back the ECDSA key.
comment_out_distribution_lines() {
  sed -i -E 's/^[[:space:]]*(HostKey|KexAlgorithms|Ciphers|MACs|HostKeyAlgorithms)[[:space:]]/#&/I' "$config"
}

if grep -Eiq '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/\*\.conf' "$config"; then
  comment_out_distribution_lines
  mkdir -p /etc/ssh/sshd_config.d
  printf '%s\n' "$settings" >/etc/ssh/sshd_config.d/10-goldsmith.conf
  chmod 0600 /etc/ssh/sshd_config.d/10-goldsmith.conf
  gs_log "wrote /etc/ssh/sshd_config.d/10-goldsmith.conf"
elif ! grep -q '^# goldsmith: SSH hardening' "$config"; then
  comment_out_distribution_lines
  tmp="$(mktemp "$config.XXXXXX")"
  { printf '%s\n\n' "$settings"; cat "$config"; } >"$tmp"
  chmod --reference="$config" "$tmp"
  mv "$tmp" "$config"
  gs_log "prepended the settings to $config"
fi

# The password default: replaces the main file's PasswordAuthentication lines, or goes before its
# first Match block (or at the end). cloud-init rewrites this line or overrides it from a drop-in.
if grep -Eiq '^[[:space:]]*PasswordAuthentication[[:space:]]' "$config"; then
  sed -i -E "s/^[[:space:]]*PasswordAuthentication[[:space:]].*/${password_default}/I" "$config"
else
  tmp="$(mktemp "$config.XXXXXX")"
  awk -v line="$password_default" '
    !done && tolower($1) == "match" { print line; done = 1 }
    { print }
    END { if (!done) print line }
  ' "$config" >"$tmp"
  chmod --reference="$config" "$tmp"
  mv "$tmp" "$config"
fi

# EL8 passes the system-wide crypto policy on sshd's command line, over the configuration files:
# opt out, as NREC does (EL9 and later read it from a drop-in that sorts after ours).
if [[ -f /etc/sysconfig/sshd ]]; then
  sed -i -E 's/^#[[:space:]]*(CRYPTO_POLICY=)/\1/' /etc/sysconfig/sshd
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
