#!/bin/sh
# Start a throwaway, loopback-only Glance (v2 API, sqlite, file store, trusted-auth) for tests.
#
#   scripts/glance/start-glance.sh <dir> [port]
#
# Writes <dir>/glance-api.conf, <dir>/glance-api-paste.ini, <dir>/glance.sqlite, image stores
# under <dir>/, logs to <dir>/glance-api.log, the pid to <dir>/glance-api.pid, runs db_sync,
# starts glance-api on 127.0.0.1:<port> (default 9292) in the background and waits until
# /healthcheck answers. Prints the endpoint (http://127.0.0.1:<port>) on stdout.
# Stop it with scripts/glance/stop-glance.sh <dir>.
#
# Needs Debian's python3-glance (bookworm: 25.1.0, Zed) and Debian's /usr/bin/python3
# (override with GLANCE_PYTHON). Requests must carry X-Identity-Status: Confirmed, X-User-Id,
# X-Project-Id and X-Roles (no Keystone: the trusted-auth paste flavor trusts these headers).
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 <dir> [port]" >&2
  exit 2
fi
dir=$1
port=${2:-9292}
py=${GLANCE_PYTHON:-/usr/bin/python3}
timeout_s=${GLANCE_START_TIMEOUT:-60}

case $port in
  ''|*[!0-9]*) echo "start-glance: port must be a number, got '$port'" >&2; exit 2 ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# Glance's plugin loader (stevedore) caches in ~/.cache: keep it in the instance directory.
export HOME="$dir" XDG_CACHE_HOME="$dir/cache"
if ! "$py" -c 'import glance.cmd.api' 2>/dev/null; then
  echo "start-glance: python3-glance is not importable by $py (apt-get install -y --no-install-recommends python3-glance)" >&2
  exit 3
fi
if [ -f "$dir/glance-api.pid" ] && kill -0 "$(cat "$dir/glance-api.pid")" 2>/dev/null; then
  echo "start-glance: already running in $dir (pid $(cat "$dir/glance-api.pid"))" >&2
  exit 1
fi
mkdir -p "$dir/images" "$dir/staging" "$dir/tasks" "$dir/lock"
glance_dir=$("$py" -c 'import glance, os; print(os.path.dirname(glance.__file__))')

cat > "$dir/glance-api-paste.ini" <<INI
[pipeline:glance-api-trusted-auth]
pipeline = healthcheck versionnegotiation context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:healthcheck]
paste.filter_factory = oslo_middleware:Healthcheck.factory
backends = disable_by_file
disable_by_file_path = $dir/healthcheck_disable

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
INI

cat > "$dir/glance-api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $port
workers = 1
enabled_backends = fs1:file
enabled_import_methods = [glance-direct,web-download]
use_stderr = false
log_file = $dir/glance-api.log
lock_path = $dir/lock
image_cache_dir = $dir/cache

[database]
connection = sqlite:///$dir/glance.sqlite

[paste_deploy]
config_file = $dir/glance-api-paste.ini
flavor = trusted-auth

[glance_store]
default_backend = fs1

[fs1]
filesystem_store_datadir = $dir/images/

[os_glance_staging_store]
filesystem_store_datadir = $dir/staging/

[os_glance_tasks_store]
filesystem_store_datadir = $dir/tasks/

[oslo_policy]
enforce_scope = false
enforce_new_defaults = false

[oslo_concurrency]
lock_path = $dir/lock
CONF

"$py" "$glance_dir/cmd/manage.py" --config-file "$dir/glance-api.conf" db_sync >"$dir/db_sync.log" 2>&1 || {
  echo "start-glance: db_sync failed, see $dir/db_sync.log:" >&2
  tail -n 5 "$dir/db_sync.log" >&2
  exit 1
}

# setsid/nohup: keep running after this script exits; stdin/stdout closed so callers don't hang.
nohup "$py" "$glance_dir/cmd/api.py" --config-file "$dir/glance-api.conf" \
  </dev/null >"$dir/glance-api.out" 2>&1 &
pid=$!
echo "$pid" > "$dir/glance-api.pid"

url="http://127.0.0.1:$port"
deadline=$(( $(date +%s) + timeout_s ))
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-glance: glance-api exited during startup, see $dir/glance-api.log and $dir/glance-api.out:" >&2
    tail -n 5 "$dir/glance-api.out" "$dir/glance-api.log" >&2 2>/dev/null || true
    rm -f "$dir/glance-api.pid"
    exit 1
  fi
  if "$py" - "$url/healthcheck" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
  then
    break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "start-glance: glance-api not healthy on $url after ${timeout_s}s, see $dir/glance-api.log" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$dir/glance-api.pid"
    exit 1
  fi
  sleep 0.2
done
echo "$url"
