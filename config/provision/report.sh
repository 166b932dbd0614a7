#!/bin/bash
# Optional site script (a template's custom_scripts): NREC's report timer. Every instance reports
# to NREC's report API 15 minutes after boot and every 12 hours: a timer runs a wrapper that
# downloads the current report client for the distribution and runs it.
#   REPORT_URL  https base URL of the report service (NREC: https://report.nrec.no); the client is
#               <base>/downloads/<el|fedora|debian|ubuntu>/<major>/v1/report
set -euo pipefail

GOLDSMITH_LIB="${GOLDSMITH_LIB:-$(dirname "$0")/lib.sh}"
[[ -r "$GOLDSMITH_LIB" ]] || { echo "$0: provisioning library $GOLDSMITH_LIB not found" >&2; exit 1; }
# shellcheck source=lib.sh
source "$GOLDSMITH_LIB"

gs_require_env REPORT_URL
base="${REPORT_URL:-}"
gs_check_url REPORT_URL https
case "$GS_OS_ID" in
  debian | ubuntu | fedora) platform="$GS_OS_ID" ;;
  *)
    [[ "$GS_FAMILY" == dnf ]] || gs_die "no report client for $GS_OS_ID"
    platform=el
    ;;
esac
[[ "$GS_OS_MAJOR" =~ ^[0-9]+$ ]] || gs_die "no report client for $GS_OS_ID without a numeric version"
gs_require_root

client_url="${base%/}/downloads/${platform}/${GS_OS_MAJOR}/v1/report"
command -v curl >/dev/null 2>&1 || gs_pkg_install curl

install -d -m 0755 /usr/local/sbin
cat >/usr/local/sbin/report_wrapper <<WRAPPER
#!/bin/bash
# goldsmith: downloads and runs NREC's report client (managed by goldsmith's report.sh)
set -euo pipefail
curl -fsS --retry 3 --connect-timeout 30 --max-time 300 --proto '=https' -o /usr/local/sbin/report.new '${client_url}'
chmod 0755 /usr/local/sbin/report.new
mv -f /usr/local/sbin/report.new /usr/local/sbin/report
exec /usr/local/sbin/report
WRAPPER
chmod 0755 /usr/local/sbin/report_wrapper

cat >/etc/systemd/system/report.service <<'UNIT'
# goldsmith: NREC's report (managed by goldsmith's report.sh)
[Unit]
Description=Report to the NREC report API
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/report_wrapper
TimeoutStartSec=30min
UNIT

cat >/etc/systemd/system/report.timer <<'UNIT'
# goldsmith: NREC's report (managed by goldsmith's report.sh)
[Unit]
Description=Report to the NREC report API 15 minutes after boot and every 12 hours

[Timer]
OnBootSec=15min
OnUnitActiveSec=12h
Persistent=true

[Install]
WantedBy=timers.target
UNIT
chmod 0644 /etc/systemd/system/report.service /etc/systemd/system/report.timer
gs_enable_unit report.timer
gs_log "report timer enabled ($client_url)"
