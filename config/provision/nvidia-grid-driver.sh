#!/bin/bash
# Install the NVIDIA GRID (vGPU guest) driver from the .run installer at NVIDIA_GRID_DRIVER_URL
# (the driver is licensed: goldsmith never downloads it from a fixed place). Optional
# NVIDIA_GRID_DRIVER_SHA256 verifies the download. The system is brought up to date first and the
# driver built for the newest installed kernel (the one the image boots); with DKMS available it
# is rebuilt for later kernels too. Licensing (gridd.conf or a client configuration token) is left
# to the instances.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

url="${NVIDIA_GRID_DRIVER_URL:-}"
[[ -n "$url" ]] || gs_die "NVIDIA_GRID_DRIVER_URL is not set: set the packer variable nvidia_grid_driver_url or the environment variable NVIDIA_GRID_DRIVER_URL of the build runner to the URL of the NVIDIA GRID .run installer"
case "$url" in
  https://* | http://* | file://*) ;;
  *) gs_die "NVIDIA_GRID_DRIVER_URL must be an http(s) or file URL, got '$url'" ;;
esac
sha256="${NVIDIA_GRID_DRIVER_SHA256:-}"
if [[ -n "$sha256" && ! "$sha256" =~ ^[0-9a-fA-F]{64}$ ]]; then
  gs_die "NVIDIA_GRID_DRIVER_SHA256 must be 64 hex digits"
fi
gs_require_root

case "$GS_FAMILY" in
  dnf)
    gs_dnf -y upgrade --refresh
    kver="$(gs_newest_kernel)"
    gs_pkg_install curl gcc make perl elfutils-libelf-devel "kernel-devel-$kver"
    # DKMS comes from EPEL on the RHEL family; build without it when it is not available.
    gs_pkg_install dkms || gs_log "dkms not available: the driver is built for $kver only"
    ;;
  apt)
    gs_apt_update
    gs_apt_get dist-upgrade
    kver="$(gs_newest_kernel)"
    gs_pkg_install curl ca-certificates build-essential pkg-config "linux-headers-$kver" dkms
    ;;
esac

# nouveau must not claim the device.
cat >/etc/modprobe.d/goldsmith-blacklist-nouveau.conf <<'CONF'
# goldsmith: the NVIDIA GRID driver drives the vGPU (managed by goldsmith's nvidia-grid-driver.sh)
blacklist nouveau
options nouveau modeset=0
CONF

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
installer="$workdir/nvidia-grid.run"
gs_log "downloading the driver from ${url%%\?*}"
curl -fsSL --retry 3 --retry-delay 5 -o "$installer" "$url"
if [[ -n "$sha256" ]]; then
  printf '%s  %s\n' "$sha256" "$installer" | sha256sum -c --quiet - || gs_die "checksum of the driver does not match NVIDIA_GRID_DRIVER_SHA256"
fi

args=(--silent --no-questions --ui=none --disable-nouveau --kernel-name="$kver")
if command -v dkms >/dev/null 2>&1; then
  args+=(--dkms)
fi
gs_log "installing the driver for kernel $kver"
sh "$installer" "${args[@]}"

if command -v dracut >/dev/null 2>&1; then
  dracut -f --kver "$kver"
elif command -v update-initramfs >/dev/null 2>&1; then
  update-initramfs -u -k "$kver"
fi
if gs_unit_exists nvidia-gridd.service; then
  gs_enable_unit nvidia-gridd.service
fi
gs_log "NVIDIA GRID driver installed"
