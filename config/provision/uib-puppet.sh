#!/bin/bash
# UiB's Puppet first-boot bootstrap. Installs the Puppet (or OpenVox) agent from its vendor's
# repository (it is not in the RHEL family's repositories), points it at UiB's servers, and
# installs uib-firstboot.service: on the first boot of each instance it sets the certificate name
# from the host name, records the fact computeprovider=nrec and runs the agent once, which hands
# the machine to UiB's Puppet. The agent does not run during the build (a certificate made here
# would carry the build VM's name) and its own service stays disabled: UiB's Puppet code decides
# how it runs later.
#   PUPPET_SERVER               Puppet server (NREC: puppetserver04.uib.no)
#   PUPPET_CA_SERVER            optional: certificate authority (NREC: puppetca.uib.no; default:
#                               the Puppet server)
#   PUPPET_ENVIRONMENT          optional: agent environment (default: production)
#   PUPPET_CERTNAME_PREFIX      optional: prefix of the certificate name <prefix><short host name>
#                               (NREC: prod-base-; default: none)
#   PUPPET_RELEASE_PACKAGE_URL  release package (.rpm or .deb) of the Puppet/OpenVox repository;
#                               {major} stands for the distribution's major version, so one value
#                               serves EL8 and EL10 images, e.g.
#                               https://yum.voxpupuli.org/openvox8-release-el-{major}.noarch.rpm;
#                               required on the dnf family
#   PUPPET_AGENT_PACKAGE        optional: agent package (default: puppet-agent; OpenVox:
#                               openvox-agent)
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

hostname_re='^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$'
server="${PUPPET_SERVER:-}"
if [[ -n "$server" && ! "$server" =~ $hostname_re ]]; then
  gs_die "PUPPET_SERVER '$server' is not a host name"
fi
ca_server="${PUPPET_CA_SERVER:-}"
if [[ -n "$ca_server" && ! "$ca_server" =~ $hostname_re ]]; then
  gs_die "PUPPET_CA_SERVER '$ca_server' is not a host name"
fi
environment="${PUPPET_ENVIRONMENT:-production}"
[[ "$environment" =~ ^[a-z0-9_]+$ ]] || gs_die "PUPPET_ENVIRONMENT '$environment' is not a Puppet environment name ([a-z0-9_])"
certname_prefix="${PUPPET_CERTNAME_PREFIX:-}"
[[ "$certname_prefix" =~ ^[a-z0-9._-]*$ ]] || gs_die "PUPPET_CERTNAME_PREFIX '$certname_prefix' is not a certificate name prefix ([a-z0-9._-])"
release_url="${PUPPET_RELEASE_PACKAGE_URL:-}"
release_url="${release_url//\{major\}/$GS_OS_MAJOR}"
package="${PUPPET_AGENT_PACKAGE:-puppet-agent}"
if [[ ! "$package" =~ ^[A-Za-z0-9][A-Za-z0-9.+_-]*$ ]]; then
  gs_die "PUPPET_AGENT_PACKAGE '$package' is not a package name"
fi
if [[ "$GS_FAMILY" == dnf ]]; then
  gs_require_env PUPPET_SERVER PUPPET_RELEASE_PACKAGE_URL
else
  gs_require_env PUPPET_SERVER
fi
if [[ -n "$release_url" ]]; then
  gs_check_url PUPPET_RELEASE_PACKAGE_URL "https http file"
fi
gs_require_root

if [[ -n "$release_url" ]]; then
  gs_log "adding the Puppet repository (PUPPET_RELEASE_PACKAGE_URL)"
  workdir="$(mktemp -d)"
  trap 'rm -rf "$workdir"' EXIT
  case "$GS_FAMILY" in
    dnf)
      gs_download "$release_url" "$workdir/puppet-release.rpm"
      # The release package carries the repository's signing key; packages from it are checked.
      gs_dnf -y install "$workdir/puppet-release.rpm"
      ;;
    apt)
      command -v curl >/dev/null 2>&1 || gs_pkg_install curl ca-certificates
      gs_download "$release_url" "$workdir/puppet-release.deb"
      gs_apt_get install "$workdir/puppet-release.deb"
      # The new repository's package lists.
      apt-get update -q
      ;;
  esac
fi

gs_pkg_install "$package" || gs_die "cannot install $package: check PUPPET_RELEASE_PACKAGE_URL (a Puppet or OpenVox release package for $GS_OS_ID $GS_OS_VERSION)"

puppet_bin=""
for candidate in /opt/puppetlabs/bin/puppet /usr/bin/puppet; do
  if [[ -x "$candidate" ]]; then
    puppet_bin="$candidate"
    break
  fi
done
[[ -n "$puppet_bin" ]] || gs_die "$package installed no puppet command"

"$puppet_bin" config set server "$server" --section main
"$puppet_bin" config set ca_server "${ca_server:-$server}" --section main
"$puppet_bin" config set environment "$environment" --section agent
gs_log "Puppet server $server, CA ${ca_server:-$server}, environment $environment"

# No certificates or state from the build VM; the agent service is not started by the image.
rm -rf /etc/puppetlabs/puppet/ssl /var/lib/puppet/ssl /opt/puppetlabs/puppet/cache/state
if gs_unit_exists puppet.service; then
  systemctl disable puppet.service
fi

# The first-boot bootstrap (the paths are NREC's: UiB's Puppet code knows them).
install -d -m 0755 /opt/uib
{
  printf '#!/bin/bash\n'
  printf '# goldsmith: UiB Puppet bootstrap on first boot (managed by goldsmith'"'"'s uib-puppet.sh)\n'
  printf 'set -uo pipefail\n'
  printf 'puppet=%q\n' "$puppet_bin"
  printf 'certname_prefix=%q\n' "$certname_prefix"
  cat <<'SCRIPT'
marker=/opt/uib/uib-firstboot
[[ -f "$marker" ]] || exit 0
facts=/opt/puppetlabs/facter/facts.d
mkdir -p "$facts"
printf 'computeprovider=nrec\n' >"$facts/bootstrap_facts.txt"
chmod 0600 "$facts/bootstrap_facts.txt"
"$puppet" config set certname "${certname_prefix}$(hostname -s)" --section main
FACTER_bootstrap=true "$puppet" agent --test
status=$?
# 1: the run failed (e.g. the certificate is not signed yet): try again at the next boot.
# 0 and 2 (changes) and 4/6 (some resources failed): the agent is bootstrapped.
if [[ "$status" -eq 1 ]]; then
  echo "uib-bootstrap: puppet agent failed; trying again at the next boot" >&2
  exit 1
fi
rm -f "$marker"
exit 0
SCRIPT
} >/opt/uib/uib-bootstrap.sh
chmod 0500 /opt/uib/uib-bootstrap.sh
touch /opt/uib/uib-firstboot

cat >/etc/systemd/system/uib-firstboot.service <<'UNIT'
# goldsmith: UiB Puppet bootstrap (managed by goldsmith's uib-puppet.sh)
[Unit]
Description=UiB Puppet bootstrap on first boot
Before=systemd-user-sessions.service
Wants=network-online.target
After=network-online.target
ConditionPathExists=/opt/uib/uib-firstboot

[Service]
Type=oneshot
ExecStart=/opt/uib/uib-bootstrap.sh
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
UNIT
chmod 0644 /etc/systemd/system/uib-firstboot.service
gs_enable_unit uib-firstboot.service
gs_log "Puppet agent installed; uib-firstboot.service bootstraps it on first boot"
