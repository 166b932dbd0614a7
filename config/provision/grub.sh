#!/bin/bash
# Boot loader settings for OpenStack, as NREC's: GRUB's menu on the serial port and the screen
# (5 seconds), the kernel console on ttyS0 (Nova's console log) and tty0, no quiet/rhgb/splash;
# then regenerate the GRUB configuration.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_root

# The last console= is /dev/console (systemd's messages): tty0, as on NREC's images.
console_args='console=ttyS0,115200n8 console=tty0'
serial_command='serial --speed=115200 --unit=0 --word=8 --parity=no --stop=1'

# Sets NAME=VALUE in /etc/default/grub: replaces the NAME= line or appends one.
set_grub_var() {
  local name="$1" value="$2"
  if grep -q "^${name}=" /etc/default/grub; then
    sed -i -E "s|^${name}=.*|${name}=${value}|" /etc/default/grub
  else
    printf '%s=%s\n' "$name" "$value" >>/etc/default/grub
  fi
}

case "$GS_FAMILY" in
  dnf)
    if [[ ! -f /etc/default/grub ]]; then
      gs_log "no /etc/default/grub: creating one"
      touch /etc/default/grub
    fi
    # The image's kernel arguments without the console and boot splash ones.
    current="$(
      # shellcheck disable=SC1091
      . /etc/default/grub
      printf '%s %s' "${GRUB_CMDLINE_LINUX-}" "${GRUB_CMDLINE_LINUX_DEFAULT-}"
    )"
    kept=()
    for arg in $current; do
      case "$arg" in
        console=* | quiet | rhgb | splash) ;;
        *)
          [[ "$arg" =~ ^[A-Za-z0-9=,._:/+@%~-]+$ ]] || gs_die "kernel argument '$arg' in /etc/default/grub has characters this script does not rewrite"
          kept+=("$arg")
          ;;
      esac
    done
    set_grub_var GRUB_CMDLINE_LINUX "\"${console_args}${kept[*]:+ ${kept[*]}}\""
    sed -i -E 's/^(GRUB_CMDLINE_LINUX_DEFAULT=.*)$/#\1/' /etc/default/grub
    set_grub_var GRUB_TIMEOUT 5
    set_grub_var GRUB_TIMEOUT_STYLE menu
    set_grub_var GRUB_TERMINAL '"serial console"'
    set_grub_var GRUB_SERIAL_COMMAND "\"${serial_command}\""
    if command -v grubby >/dev/null 2>&1; then
      # BLS entries carry the kernel arguments themselves.
      grubby --update-kernel=ALL --remove-args="console quiet rhgb splash" --args="$console_args"
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
    # A drop-in that sorts after the cloud images' own (Debian's 15_timeout.cfg, Ubuntu's
    # 50-cloudimg-settings.cfg) and rewrites the kernel arguments whenever GRUB's
    # configuration is generated (also by later kernel updates).
    {
      cat <<CONF
# goldsmith: serial console boot settings (managed by goldsmith's grub.sh)
GRUB_TIMEOUT=5
GRUB_TIMEOUT_STYLE=menu
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="${serial_command}"
CONF
      if [[ "$GS_OS_ID" == ubuntu ]]; then
        printf 'GRUB_RECORDFAIL_TIMEOUT=0\n'
      fi
      cat <<'CONF'
goldsmith_args=""
for goldsmith_arg in $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT; do
  case "$goldsmith_arg" in
    console=* | quiet | rhgb | splash) ;;
    *) goldsmith_args="$goldsmith_args $goldsmith_arg" ;;
  esac
done
CONF
      cat <<CONF
GRUB_CMDLINE_LINUX="${console_args}\$goldsmith_args"
CONF
      cat <<'CONF'
GRUB_CMDLINE_LINUX_DEFAULT=""
unset goldsmith_arg goldsmith_args
CONF
    } >/etc/default/grub.d/90-goldsmith.cfg
    chmod 0644 /etc/default/grub.d/90-goldsmith.cfg
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
