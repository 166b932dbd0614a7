#!/bin/sh
# Stop a Glance started by scripts/glance/start-glance.sh <dir>: TERM the pid in
# <dir>/glance-api.pid (and its children), wait up to 10 s, then KILL. Idempotent.
#
#   scripts/glance/stop-glance.sh <dir>
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 <dir>" >&2
  exit 2
fi
pidfile=$1/glance-api.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
case $pid in
  ''|*[!0-9]*) rm -f "$pidfile"; exit 0 ;;
esac
children() { pgrep -P "$1" 2>/dev/null || true; }
# Only ever signal processes that are still glance-api (pids can be reused).
is_glance() { grep -q 'glance/cmd/api.py' "/proc/$1/cmdline" 2>/dev/null; }
procs=""
for p in "$pid" $(children "$pid"); do
  if is_glance "$p"; then procs="$procs $p"; fi
done
for p in $procs; do kill -TERM "$p" 2>/dev/null || true; done
i=0
while [ $i -lt 50 ]; do
  alive=""
  for p in $procs; do
    if is_glance "$p"; then alive="$alive $p"; fi
  done
  [ -n "$alive" ] || break
  sleep 0.2
  i=$((i + 1))
done
for p in $procs; do
  if is_glance "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
done
rm -f "$pidfile"
