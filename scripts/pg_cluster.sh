#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks of the PostgreSQL queue.
#   scripts/pg_cluster.sh start DIR [--no-fsync]   makes a cluster in DIR (empty or missing),
#                                                  starts it on 127.0.0.1 and a free port with
#                                                  trust authentication, prints its JDBC URL
#   scripts/pg_cluster.sh stop DIR                 stops it and deletes DIR
#   scripts/pg_cluster.sh bin                      prints the folder of initdb/pg_ctl, or fails
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user (which
# Debian's postgresql package creates). Binaries are looked for on PATH, in
# /usr/lib/postgresql/<newest>/bin (Debian) and /usr/local/bin.
set -euo pipefail

pg_bin() {
  local d
  if d="$(command -v initdb 2>/dev/null)" && [ -x "$(dirname "$d")/pg_ctl" ]; then
    dirname "$d"
    return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd="${1:-}"
case "$cmd" in
  bin)
    pg_bin
    ;;
  start)
    dir="$2"
    fsync_opt=""
    if [ "${3:-}" = "--no-fsync" ]; then fsync_opt="-F"; fi
    bin="$(pg_bin)" || { echo "pg_cluster: no PostgreSQL binary (initdb, pg_ctl) found" >&2; exit 3; }
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then
      id postgres >/dev/null 2>&1 || { echo "pg_cluster: running as root needs the postgres user" >&2; exit 3; }
      chown postgres "$dir"
    fi
    port="$(free_port)"
    as_owner "$bin/initdb" -D "$dir/data" -U localexec --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
      -o "-k $dir -h 127.0.0.1 -p $port $fsync_opt -c max_connections=200" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "jdbc:postgresql://127.0.0.1:$port/postgres?user=localexec" | tee "$dir/url"
    ;;
  stop)
    dir="$2"
    if [ -d "$dir/data" ]; then
      bin="$(pg_bin)"
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/pg_cluster.sh start DIR [--no-fsync] | stop DIR | bin" >&2
    exit 2
    ;;
esac
