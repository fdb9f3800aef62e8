#!/usr/bin/env bash
# The plane as a service, as the seed's README runs it:
#   scripts/local_exec_plane.sh start|stop|status|health|enqueue-demo|install-units [FLAGS]
# A thin wrapper over bin/local-exec: systemd user mode when `systemctl --user show-environment`
# works, else a pidfile daemon (workspace/local_exec/state/worker.pid). The repo root is this
# checkout unless LOCAL_EXEC_REPO_ROOT or a --repo-root flag says otherwise; other flags go to the
# command (e.g. `start --slots 2 --stop-grace-sec 30`, `status --mode pidfile`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${LOCAL_EXEC_BIN:-$here/bin/local-exec}"
root="${LOCAL_EXEC_REPO_ROOT:-$here}"

usage() {
  echo "usage: $(basename "$0") start|stop|status|health|enqueue-demo|install-units [FLAGS]" >&2
}

if [ $# -lt 1 ]; then
  usage
  exit 2
fi
cmd="$1"
shift

case "$cmd" in
  start | stop | status | health | install-units)
    exec "$cli" --repo-root "$root" plane "$cmd" "$@"
    ;;
  enqueue-demo)
    exec "$cli" --repo-root "$root" enqueue --demo "$@"
    ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    echo "$(basename "$0"): unknown command '$cmd'" >&2
    usage
    exit 2
    ;;
esac
