#!/bin/bash
# Make sure IPv6 works in the image, for NREC's dual-stack networks: NREC's cloud-init network
# override (every e* interface: DHCPv4, DHCPv6 and router advertisements, in place of the
# datasource's network configuration), IPv6 not disabled by sysctl or on the kernel command line,
# and router advertisements accepted.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

# cloud-init reads cloud.cfg.d/*.cfg in name order, later files winning: this sorts after the
# images' own files. A network key here replaces the datasource's network configuration.
[[ -d /etc/cloud/cloud.cfg.d ]] || gs_die "/etc/cloud/cloud.cfg.d not found: is cloud-init installed?"
cat >/etc/cloud/cloud.cfg.d/99-goldsmith-network.cfg <<'CONF'
# goldsmith: dual-stack networking (managed by goldsmith's enable_ipv6.sh)
network:
  version: 2
  ethernets:
    local_if:
      match:
        name: "e*"
      dhcp4: true
      dhcp6: true
      accept-ra: true
CONF
chmod 0644 /etc/cloud/cloud.cfg.d/99-goldsmith-network.cfg

cat >/etc/sysctl.d/60-goldsmith-ipv6.conf <<'CONF'
# goldsmith: IPv6 enabled (managed by goldsmith's enable_ipv6.sh)
net.ipv6.conf.all.disable_ipv6 = 0
net.ipv6.conf.default.disable_ipv6 = 0
net.ipv6.conf.default.accept_ra = 1
CONF
chmod 0644 /etc/sysctl.d/60-goldsmith-ipv6.conf

# Comment out any drop-in or sysctl.conf line that disables IPv6.
for f in /etc/sysctl.conf /etc/sysctl.d/*.conf; do
  [[ -f "$f" && "$f" != /etc/sysctl.d/60-goldsmith-ipv6.conf ]] || continue
  if grep -Eq '^[[:space:]]*net\.ipv6\.conf\.[a-z0-9_.]+\.disable_ipv6[[:space:]]*=[[:space:]]*1' "$f"; then
    gs_log "re-enabling IPv6 disabled in $f"
    sed -i -E 's/^([[:space:]]*net\.ipv6\.conf\.[a-z0-9_.]+\.disable_ipv6[[:space:]]*=[[:space:]]*1)/# goldsmith: \1/' "$f"
  fi
done

# Drop ipv6.disable=1 from the kernel command line (grub.sh regenerates the boot config).
if [[ -f /etc/default/grub ]] && grep -q 'ipv6\.disable=1' /etc/default/grub; then
  gs_log "removing ipv6.disable=1 from /etc/default/grub"
  sed -i -E 's/[[:space:]]*ipv6\.disable=1//g' /etc/default/grub
fi
if [[ "$GS_FAMILY" == dnf ]] && command -v grubby >/dev/null 2>&1; then
  grubby --update-kernel=ALL --remove-args=ipv6.disable
fi

sysctl -q -p /etc/sysctl.d/60-goldsmith-ipv6.conf || gs_log "sysctl could not apply the settings now; they apply at boot"
gs_log "IPv6 enabled"
