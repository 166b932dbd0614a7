#!/bin/bash
# goldsmith provisioning library. Sourced (never executed) by every script in this directory.
#
# packer's shell provisioner runs each script as its own process, so the distribution family is
# detected here, in one place: the packer template uploads this file once (file provisioner) to
# the path in GOLDSMITH_LIB, and every script sources it first. Run by hand, a script finds this
# file beside itself.
#
# After sourcing:
#   GS_FAMILY      dnf | apt
#   GS_OS_ID       ID from os-release (almalinux, rocky, centos, fedora, rhel, debian, ubuntu, ...)
#   GS_OS_LIKE     ID_LIKE from os-release (may be empty)
#   GS_OS_VERSION  VERSION_ID from os-release (may be empty, e.g. Debian testing)
#   GS_OS_MAJOR    major part of VERSION_ID (may be empty)
# GOLDSMITH_OS_RELEASE overrides /etc/os-release (tests).

if [[ -n "${GS_LIB_LOADED:-}" ]]; then
  return 0
fi
GS_LIB_LOADED=1
GS_SCRIPT="$(basename "${0:-provision}")"

gs_log() {
  printf 'goldsmith %s: %s\n' "$GS_SCRIPT" "$*" >&2
}

gs_die() {
  printf 'goldsmith %s: ERROR: %s\n' "$GS_SCRIPT" "$*" >&2
  exit 1
}

# Reads one key of an os-release file without sourcing it into this shell.
gs_os_release_value() {
  local file="$1" key="$2"
  (
    # shellcheck disable=SC1090
    . "$file"
    printf '%s' "${!key:-}"
  )
}

gs_detect() {
  local file="${GOLDSMITH_OS_RELEASE:-/etc/os-release}"
  if [[ ! -r "$file" ]]; then
    file=/usr/lib/os-release
  fi
  [[ -r "$file" ]] || gs_die "cannot read /etc/os-release: unknown distribution"

  GS_OS_ID="$(gs_os_release_value "$file" ID)"
  GS_OS_LIKE="$(gs_os_release_value "$file" ID_LIKE)"
  GS_OS_VERSION="$(gs_os_release_value "$file" VERSION_ID)"
  GS_OS_MAJOR="${GS_OS_VERSION%%.*}"

  local words=" $GS_OS_ID $GS_OS_LIKE "
  case "$words" in
    *" debian "* | *" ubuntu "*)
      GS_FAMILY=apt
      ;;
    *" rhel "* | *" fedora "* | *" centos "*)
      GS_FAMILY=dnf
      ;;
    *)
      gs_die "unsupported distribution '$GS_OS_ID' (ID_LIKE '$GS_OS_LIKE'): goldsmith supports the dnf (RHEL, Fedora) and apt (Debian, Ubuntu) families"
      ;;
  esac
  export GS_FAMILY GS_OS_ID GS_OS_LIKE GS_OS_VERSION GS_OS_MAJOR
}

gs_is_rhel() {
  [[ "$GS_OS_ID" == rhel ]]
}

gs_is_fedora() {
  [[ "$GS_OS_ID" == fedora ]]
}

gs_require_root() {
  [[ "$(id -u)" -eq 0 ]] || gs_die "must run as root (packer runs it with sudo)"
}

# dnf, or yum on systems that have no dnf.
gs_dnf() {
  if command -v dnf >/dev/null 2>&1; then
    dnf "$@"
  else
    yum "$@"
  fi
}

# True when dnf is dnf5 (Fedora 41+), whose automatic plugin and options differ.
gs_is_dnf5() {
  command -v dnf5 >/dev/null 2>&1
}

GS_APT_UPDATED=""
gs_apt_update() {
  if [[ -z "$GS_APT_UPDATED" ]]; then
    apt-get update -q
    GS_APT_UPDATED=1
  fi
}

gs_apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# Installs packages with the family's package manager.
gs_pkg_install() {
  case "$GS_FAMILY" in
    dnf) gs_dnf -y install "$@" ;;
    apt)
      gs_apt_update
      gs_apt_get install --no-install-recommends "$@"
      ;;
  esac
}

# True when a package is installed.
gs_pkg_installed() {
  case "$GS_FAMILY" in
    dnf) rpm -q "$1" >/dev/null 2>&1 ;;
    apt) [[ "$(dpkg-query -W -f '${Status}' "$1" 2>/dev/null)" == "install ok installed" ]] ;;
  esac
}

# True when a systemd unit file exists (enabled or not).
gs_unit_exists() {
  local dir
  for dir in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
    [[ -e "$dir/$1" ]] && return 0
  done
  return 1
}

# Enables a unit; static units (started by udev or other units) are accepted as they are.
gs_enable_unit() {
  local unit="$1" state
  if systemctl enable "$unit"; then
    return 0
  fi
  state="$(systemctl is-enabled "$unit" 2>/dev/null || true)"
  case "$state" in
    static | indirect | enabled | enabled-runtime | alias) gs_log "$unit is $state" ;;
    *) gs_die "cannot enable $unit (state '$state')" ;;
  esac
}

# Fails with one line unless every named variable is set and non-empty; the line names the
# missing variables, never a value.
gs_require_env() {
  local name missing=()
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  case "${#missing[@]}" in
    0) return 0 ;;
    1) gs_die "required variable ${missing[0]} is not set" ;;
    *) gs_die "required variables ${missing[*]} are not set" ;;
  esac
}

# Fails unless the variable holds a URL with one of the given schemes and no whitespace, quotes,
# backslashes or control characters. The message names the variable, never the value.
#   gs_check_url NAME "https http file"
gs_check_url() {
  local name="$1" schemes="$2" value="${!1:-}" scheme
  if [[ "$value" =~ [[:space:][:cntrl:]\\\"\'] ]]; then
    gs_die "$name must be a URL without spaces, quotes or backslashes"
  fi
  for scheme in $schemes; do
    if [[ "$value" == "$scheme://"?* ]]; then
      return 0
    fi
  done
  gs_die "$name must be a URL with scheme ${schemes// / or }"
}

# Downloads a URL to a file with curl (retries, TLS verified, no redirect to another scheme).
# The URL goes to curl on stdin, never on its command line, so secret URLs do not show in the
# process list; messages name only the file.
#   gs_download URL DEST
gs_download() {
  local url="$1" dest="$2"
  printf 'url = "%s"\n' "$url" |
    curl -fsSL --retry 3 --retry-delay 5 --connect-timeout 30 --max-time 1800 --proto '=https,http,file' --proto-redir '=https' \
      -o "$dest" -K - ||
    gs_die "download to $dest failed"
}

# EPEL (Extra Packages for Enterprise Linux) on the RHEL family: the epel-release package from
# the distribution's extras repository, on RHEL from the Fedora project (the release package
# brings the EPEL signing key for every later package). Nothing to do on Fedora.
gs_enable_epel() {
  [[ "$GS_FAMILY" == dnf ]] || gs_die "EPEL is for the dnf family"
  gs_is_fedora && return 0
  if gs_pkg_installed epel-release; then
    return 0
  fi
  if gs_is_rhel; then
    gs_dnf -y install "https://dl.fedoraproject.org/pub/epel/epel-release-latest-${GS_OS_MAJOR}.noarch.rpm"
    rpm --import "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-${GS_OS_MAJOR}"
  else
    gs_pkg_install epel-release
  fi
  gs_log "EPEL enabled"
}

# The newest kernel version installed under /lib/modules.
gs_newest_kernel() {
  local newest
  newest="$(find /lib/modules -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
  [[ -n "$newest" ]] || gs_die "no kernel found under /lib/modules"
  printf '%s\n' "$newest"
}

gs_detect
