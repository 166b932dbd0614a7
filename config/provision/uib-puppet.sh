#!/bin/bash
# Install the Puppet agent so instances join UiB's Puppet on first boot. The agent is enabled but
# not run during the build (a certificate made here would carry the build VM's name).
#   PUPPET_SERVER               Puppet server host name written to puppet.conf (default: the
#                               agent's own default, "puppet")
#   PUPPET_RELEASE_PACKAGE_URL  release package (.rpm or .deb) that adds the Puppet/OpenVox
#                               repository, e.g. https://yum.voxpupuli.org/openvox8-release-el-9.noarch.rpm;
#                               without it the distribution's package is used
#   PUPPET_AGENT_PACKAGE        package to install (default: puppet-agent)
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

server="${PUPPET_SERVER:-}"
if [[ -n "$server" && ! "$server" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
  gs_die "PUPPET_SERVER '$server' is not a host name"
fi
release_url="${PUPPET_RELEASE_PACKAGE_URL:-}"
package="${PUPPET_AGENT_PACKAGE:-puppet-agent}"
if [[ ! "$package" =~ ^[A-Za-z0-9][A-Za-z0-9.+_-]*$ ]]; then
  gs_die "PUPPET_AGENT_PACKAGE '$package' is not a package name"
fi
gs_require_root

if [[ -n "$release_url" ]]; then
  gs_log "adding the Puppet repository from $release_url"
  case "$GS_FAMILY" in
    dnf)
      gs_dnf -y install "$release_url"
      ;;
    apt)
      gs_pkg_install curl ca-certificates
      tmpdeb="$(mktemp --suffix=.deb)"
      curl -fsSL --retry 3 -o "$tmpdeb" "$release_url"
      gs_apt_get install "$tmpdeb"
      rm -f "$tmpdeb"
      GS_APT_UPDATED=""
      ;;
  esac
fi

gs_pkg_install "$package" || gs_die "cannot install $package: set PUPPET_RELEASE_PACKAGE_URL to a Puppet or OpenVox release package for $GS_OS_ID $GS_OS_VERSION"

puppet_bin=""
for candidate in /opt/puppetlabs/bin/puppet /usr/bin/puppet; do
  if [[ -x "$candidate" ]]; then
    puppet_bin="$candidate"
    break
  fi
done
[[ -n "$puppet_bin" ]] || gs_die "$package installed no puppet command"

if [[ -n "$server" ]]; then
  "$puppet_bin" config set server "$server" --section main
  gs_log "Puppet server: $server"
fi

# No certificates or state from the build VM.
rm -rf /etc/puppetlabs/puppet/ssl /var/lib/puppet/ssl /opt/puppetlabs/puppet/cache/state

if gs_unit_exists puppet.service; then
  gs_enable_unit puppet.service
else
  gs_die "$package installed no puppet.service"
fi
gs_log "Puppet agent installed and enabled"
