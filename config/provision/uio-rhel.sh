#!/bin/bash
# RHEL only (no-op elsewhere): make the image a UiO managed RHEL (NREC's "UiO Managed RHEL").
# Registers the build VM with UiO's Satellite (katello), enables the RHEL, UiO and EPEL
# repositories, installs and initialises CFEngine, enables sssd, and configures cloud-init so
# that every instance registers itself on first boot (rh_subscription) and runs in Europe/Oslo.
# uio-cleanup.sh unregisters the build VM and removes its identity at the end of the build.
#   RHSM_ORG             Satellite organisation (NREC: UiO)
#   RHSM_ACTIVATION_KEY  activation key (secret; NREC: satellite). Written into the image, because
#                        instances register with it: /etc/cloud/cloud.cfg.d/10_rh_subscription.cfg
#   SATELLITE_URL        https URL of the Satellite (NREC: https://satellite.uio.no); its
#                        /pub/katello-ca-consumer-latest.noarch.rpm points RHSM at it
#   UIO_RPM_URL          base URL of UiO's package repositories (NREC: http://rpm.uio.no); the
#                        repository is <base>/uio-el<major>-free/latest/<arch>/
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

if ! gs_is_rhel; then
  gs_log "not RHEL (${GS_OS_ID}): nothing to do"
  exit 0
fi
case "$GS_OS_MAJOR" in
  8 | 9 | 10) ;;
  *) gs_die "RHEL $GS_OS_VERSION is not supported (8, 9 or 10)" ;;
esac
gs_require_env RHSM_ORG RHSM_ACTIVATION_KEY SATELLITE_URL UIO_RPM_URL
org="${RHSM_ORG:-}"
activation_key="${RHSM_ACTIVATION_KEY:-}"
satellite="${SATELLITE_URL:-}"
uio_rpm="${UIO_RPM_URL:-}"
[[ "$org" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || gs_die "RHSM_ORG must be an organisation label ([A-Za-z0-9_.-])"
# Checked without printing it: the key ends up in YAML and on subscription-manager's command line.
[[ "$activation_key" =~ ^[A-Za-z0-9][A-Za-z0-9_.,:@+=-]*$ ]] || gs_die "RHSM_ACTIVATION_KEY must be an activation key name ([A-Za-z0-9_.,:@+=-])"
gs_check_url SATELLITE_URL https
gs_check_url UIO_RPM_URL "https http"
gs_require_root

major="$GS_OS_MAJOR"
arch="$(uname -m)"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# Satellite: its CA and rhsm.conf come in the katello-ca-consumer package (unsigned: it is made by
# the Satellite; the TLS-verified download is what we trust).
gs_log "installing the Satellite's CA from ${satellite%/}"
gs_download "${satellite%/}/pub/katello-ca-consumer-latest.noarch.rpm" "$workdir/katello-ca-consumer-latest.noarch.rpm"
gs_dnf -y --setopt=localpkg_gpgcheck=0 install "$workdir/katello-ca-consumer-latest.noarch.rpm"

# A unique name per build; the registration is removed again by uio-cleanup.sh.
suffix="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
subscription-manager config --server.server_timeout=1800
subscription-manager clean
gs_log "registering with the Satellite (org $org) as nrec-rhel${major}-image-${suffix}"
subscription-manager register --org="$org" --activationkey="$activation_key" --name="nrec-rhel${major}-image-${suffix}"
subscription-manager config --server.server_timeout=180

# RHEL repositories: supplementary and CodeReady Builder besides BaseOS and AppStream (9, 10), all
# with priority 10 so they win over EPEL and UiO's.
if [[ "$major" != 8 ]]; then
  subscription-manager repos \
    --enable="rhel-${major}-for-${arch}-supplementary-rpms" \
    --enable="codeready-builder-for-rhel-${major}-${arch}-rpms"
  gs_dnf config-manager --save --setopt=priority=10 \
    "rhel-${major}-for-${arch}-baseos-rpms" \
    "rhel-${major}-for-${arch}-appstream-rpms" \
    "rhel-${major}-for-${arch}-supplementary-rpms" \
    "codeready-builder-for-rhel-${major}-${arch}-rpms"
fi
if [[ -z "$(gs_dnf -q repolist --enabled 2>/dev/null)" ]]; then
  gs_die "no repository is enabled after registering with the Satellite"
fi
rpm --import /etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release
if command -v katello-rhsm-consumer >/dev/null 2>&1; then
  katello-rhsm-consumer
fi
if [[ "$major" != 10 ]]; then
  gs_dnf -y install katello-agent || gs_log "katello-agent not available (ignored: newer Satellites have none)"
fi
# Red Hat Insights is not used: the image must not stay registered there.
if rpm -q --quiet insights-client; then
  insights-client --unregister || gs_log "insights-client --unregister failed (ignored)"
  gs_dnf -y remove insights-client
fi
# Repository files left by the KVM image's own registration (named by a UUID).
find /etc/yum.repos.d -maxdepth 1 -type f -regextype posix-extended \
  -regex '.*/[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}\.repo' -print -delete

# UiO's repository: the signing key package first (trusted on first use, like NREC's), then the
# release package, checked with that key.
uio_repo="${uio_rpm%/}/uio-el${major}-free/latest/${arch}/"
uio_key="/etc/pki/rpm-gpg/RPM-GPG-KEY-uio-el${major}-free"
gs_log "adding UiO's repository $uio_repo"
gs_dnf -y --repofrompath="goldsmith-uio,$uio_repo" --repo=goldsmith-uio \
  --setopt=goldsmith-uio.gpgcheck=0 install uio-gpg-keys
rpm --import "$uio_key"
gs_dnf -y --repofrompath="goldsmith-uio,$uio_repo" --repo=goldsmith-uio \
  --setopt=goldsmith-uio.gpgcheck=1 --setopt="goldsmith-uio.gpgkey=file://$uio_key" install uio-release

gs_enable_epel

# CFEngine: UiO's configuration management. -Danaconda makes UiO's policy run as during an
# installation. The host keys cf-key makes here are removed by uio-cleanup.sh.
mkdir -p /etc/uio/flag
touch /etc/uio/flag/server
gs_pkg_install uio-cfengine
mkdir -p /var/cfengine/bin /var/cfengine/ppkeys /var/cfengine/inputs
chmod 0700 /var/cfengine/ppkeys
for tool in cf-agent cf-key cf-promises; do
  cp -f "/opt/cfengine/sbin/$tool" /var/cfengine/bin/
done
cp -f /opt/cfengine/inputs/failsafe.cf /var/cfengine/inputs/
/var/cfengine/bin/cf-key
/var/cfengine/bin/cf-agent -f /var/cfengine/inputs/failsafe.cf
/var/cfengine/bin/cf-agent -K -Danaconda
/var/cfengine/bin/cf-agent -K -Danaconda
rm -f /var/cfengine/state/software_packages.csv

# UiO accounts through sssd.
gs_pkg_installed sssd || gs_pkg_install sssd
gs_enable_unit sssd.service
/var/cfengine/bin/cf-agent -K -Danaconda
restorecon -R /var /etc /root

# cloud-init: every instance registers on first boot (so the key must be in the image: readable
# by root only), and runs in Oslo time.
install -d -m 0755 /etc/cloud/cloud.cfg.d
umask 077
{
  printf '# goldsmith: UiO managed RHEL registers on first boot (managed by goldsmith'"'"'s uio-rhel.sh)\n'
  printf 'rh_subscription:\n'
  printf "  activation-key: '%s'\n" "$activation_key"
  printf "  org: '%s'\n" "$org"
  printf '  auto-attach: true\n'
} >/etc/cloud/cloud.cfg.d/10_rh_subscription.cfg
chmod 0600 /etc/cloud/cloud.cfg.d/10_rh_subscription.cfg
umask 022
printf '# goldsmith: UiO managed RHEL (managed by goldsmith'"'"'s uio-rhel.sh)\ntimezone: Europe/Oslo\n' \
  >/etc/cloud/cloud.cfg.d/15_timezone.cfg
chmod 0644 /etc/cloud/cloud.cfg.d/15_timezone.cfg
gs_log "UiO managed RHEL $GS_OS_VERSION configured"
