#!/bin/bash
# Install the NVIDIA GRID (vGPU guest) driver, built with DKMS so that it is rebuilt for every
# kernel the automatic updates (autopatch.sh) install later, and configure its licensing.
#   NVIDIA_GRID_DRIVER_URL          the .run installer (licensed: never a fixed place)
#   NVIDIA_GRID_DRIVER_SHA256       optional: sha256 of the installer
#   NVIDIA_GRIDD_CONF_URL           gridd.conf of the region (license server, feature type);
#                                   NREC: nrec-resources/files/nvidia-vgpu/gridd.conf-{BGO,OSL}
#   NVIDIA_CLIENT_CONFIG_TOKEN_URL  optional, secret: the client configuration token of the
#                                   region's license service. Written into the image (the driver
#                                   needs it to get a license): /etc/nvidia/ClientConfigToken/
# DKMS comes from EPEL on RHEL and its rebuilds (RHEL, Alma, Rocky, CentOS), from the distribution
# elsewhere; the kernel headers come as the package that follows kernel updates.
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_env NVIDIA_GRID_DRIVER_URL NVIDIA_GRIDD_CONF_URL
url="${NVIDIA_GRID_DRIVER_URL:-}"
gs_check_url NVIDIA_GRID_DRIVER_URL "https http file"
sha256="${NVIDIA_GRID_DRIVER_SHA256:-}"
if [[ -n "$sha256" && ! "$sha256" =~ ^[0-9a-fA-F]{64}$ ]]; then
  gs_die "NVIDIA_GRID_DRIVER_SHA256 must be 64 hex digits"
fi
gridd_conf_url="${NVIDIA_GRIDD_CONF_URL:-}"
gs_check_url NVIDIA_GRIDD_CONF_URL "https http file"
token_url="${NVIDIA_CLIENT_CONFIG_TOKEN_URL:-}"
if [[ -n "$token_url" ]]; then
  gs_check_url NVIDIA_CLIENT_CONFIG_TOKEN_URL "https file"
fi
gs_require_root

case "$GS_FAMILY" in
  dnf)
    gs_enable_epel
    gs_dnf -y upgrade --refresh
    kver="$(gs_newest_kernel)"
    # kernel-devel is install-only: every kernel update brings its own, which DKMS builds against.
    gs_pkg_install curl gcc make perl pciutils elfutils-libelf-devel "kernel-devel-$kver" dkms
    ;;
  apt)
    gs_apt_update
    gs_apt_get dist-upgrade
    kver="$(gs_newest_kernel)"
    # The headers metapackage of each installed kernel flavour (linux-image-cloud-amd64 ->
    # linux-headers-cloud-amd64, linux-image-virtual -> linux-headers-virtual), so that kernel
    # updates bring their headers and DKMS can rebuild the driver.
    headers=()
    images="$(dpkg-query -W -f '${Package} ${db:Status-Status}\n' 'linux-image-*' 2>/dev/null || true)"
    while read -r pkg status; do
      [[ "$status" == installed ]] || continue
      flavour="${pkg#linux-image-}"
      [[ "$flavour" =~ ^[0-9] || "$flavour" == unsigned-* ]] && continue
      headers+=("linux-headers-$flavour")
    done <<<"$images"
    [[ ${#headers[@]} -gt 0 ]] || gs_die "no kernel metapackage (linux-image-<flavour>) installed: DKMS could not follow kernel updates"
    gs_pkg_install curl ca-certificates build-essential pkg-config pciutils dkms "linux-headers-$kver" "${headers[@]}"
    ;;
esac

# nouveau must not claim the device.
install -d -m 0755 /etc/modprobe.d
cat >/etc/modprobe.d/goldsmith-blacklist-nouveau.conf <<'CONF'
# goldsmith: the NVIDIA GRID driver drives the vGPU (managed by goldsmith's nvidia-grid-driver.sh)
blacklist nouveau
options nouveau modeset=0
CONF

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
installer="$workdir/nvidia-grid.run"
# The URL may carry a download token: it is never printed.
gs_log "downloading the driver"
gs_download "$url" "$installer"
if [[ -n "$sha256" ]]; then
  printf '%s  %s\n' "$sha256" "$installer" | sha256sum -c --quiet - || gs_die "checksum of the driver does not match NVIDIA_GRID_DRIVER_SHA256"
fi

gs_log "installing the driver for kernel $kver (DKMS)"
sh "$installer" --silent --no-questions --ui=none --disable-nouveau --no-drm --dkms --kernel-name="$kver"
rm -f "$installer"
dkms_status="$(dkms status 2>/dev/null || true)"
grep -qi '^nvidia' <<<"$dkms_status" || gs_die "the driver is not registered with DKMS: it would not survive kernel updates"
# EL's dkms builds missing modules at boot (dkms.service); Debian's and Ubuntu's in kernel hooks.
if gs_unit_exists dkms.service; then
  gs_enable_unit dkms.service
fi

if command -v dracut >/dev/null 2>&1; then
  dracut -f --kver "$kver"
elif command -v update-initramfs >/dev/null 2>&1; then
  update-initramfs -u -k "$kver"
fi

# Licensing: the region's gridd.conf and, where its license service uses one, the client
# configuration token (NVIDIA: readable, 0744; here 0644). The token is never printed.
install -d -m 0755 /etc/nvidia /etc/nvidia/ClientConfigToken
gs_download "$gridd_conf_url" "$workdir/gridd.conf"
install -m 0644 "$workdir/gridd.conf" /etc/nvidia/gridd.conf
rm -f /etc/nvidia/ClientConfigToken/*.tok
if [[ -n "$token_url" ]]; then
  token_tmp="$(mktemp /etc/nvidia/ClientConfigToken/.goldsmith.XXXXXX)"
  trap 'rm -rf "$workdir" "$token_tmp"' EXIT
  gs_download "$token_url" "$token_tmp"
  [[ -s "$token_tmp" ]] || gs_die "the client configuration token is empty"
  chmod 0644 "$token_tmp"
  mv "$token_tmp" /etc/nvidia/ClientConfigToken/client_configuration_token_goldsmith.tok
  gs_log "client configuration token installed"
fi
if gs_unit_exists nvidia-gridd.service; then
  gs_enable_unit nvidia-gridd.service
fi
gs_log "NVIDIA GRID driver installed"
