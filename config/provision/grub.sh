#!/bin/bash
# Boot loader settings for OpenStack: a short menu timeout and the serial console (Nova's console
# log reads ttyS0), then regenerate the GRUB configuration.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

console_args=('console=tty0' 'console=ttyS0,115200n8')

if [[ -f /etc/default/grub ]]; then
  if grep -q '^GRUB_TIMEOUT=' /etc/default/grub; then
    sed -i -E 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=1/' /etc/default/grub
  else
    printf 'GRUB_TIMEOUT=1\n' >>/etc/default/grub
  fi
fi

case "$GS_FAMILY" in
  dnf)
    if command -v grubby >/dev/null 2>&1; then
      # BLS entries carry the kernel arguments; grubby edits them and /etc/default/grub.
      grubby --update-kernel=ALL --args="${console_args[*]}"
    fi
    if [[ -f /etc/default/grub ]]; then
      for arg in "${console_args[@]}"; do
        grep -Eq "^GRUB_CMDLINE_LINUX=.*[\" ]${arg}[\" ]" /etc/default/grub ||
          sed -i -E "s/^GRUB_CMDLINE_LINUX=\"(.*)\"/GRUB_CMDLINE_LINUX=\"\1 ${arg}\"/" /etc/default/grub
      done
    fi
    mkconfig="$(command -v grub2-mkconfig || true)"
    [[ -n "$mkconfig" ]] || gs_die "grub2-mkconfig not found"
    # EL9+ and Fedora keep the real config in /boot/grub2 also on UEFI (the ESP file is a stub);
    # EL8 on UEFI reads the ESP copy.
    targets=(/boot/grub2/grub.cfg)
    if [[ "$GS_OS_MAJOR" == 8 && "$GS_OS_ID" != fedora ]]; then
      for cfg in /boot/efi/EFI/*/grub.cfg; do
        if [[ -f "$cfg" ]]; then
          targets+=("$cfg")
        fi
      done
    fi
    for cfg in "${targets[@]}"; do
      if [[ -d "$(dirname "$cfg")" ]]; then
        "$mkconfig" -o "$cfg"
      fi
    done
    ;;
  apt)
    mkdir -p /etc/default/grub.d
    # Sorts after the cloud images' own drop-ins (e.g. Ubuntu's 50-cloudimg-settings.cfg).
    cat >/etc/default/grub.d/90-goldsmith.cfg <<'CONF'
# goldsmith: boot settings (managed by goldsmith's grub.sh)
GRUB_TIMEOUT=1
case " $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT " in
  *" console=ttyS0"*) ;;
  *) GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX console=tty0 console=ttyS0,115200n8" ;;
esac
CONF
    if command -v update-grub >/dev/null 2>&1; then
      update-grub
    elif command -v grub-mkconfig >/dev/null 2>&1; then
      grub-mkconfig -o /boot/grub/grub.cfg
    else
      gs_die "neither update-grub nor grub-mkconfig found"
    fi
    ;;
esac
gs_log "boot configuration regenerated"
