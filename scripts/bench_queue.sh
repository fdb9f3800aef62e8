#!/usr/bin/env bash
# Claims per second on the file ledger vs PostgreSQL with 1, 2 and 4 workers, the same jobs in the
# same run (local-exec-bench's QueueBench). Starts a throwaway PostgreSQL cluster (fsync on, as a
# real one; see scripts/pg_cluster.sh), or uses LOCAL_EXEC_PG_URL when it is set.
# Usage: scripts/bench_queue.sh [JOBS]   (default 2000). Prints JSON lines, then a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-2000}"

./mvnw -B -ntp -q ${MVN_ARGS:-} -DskipTests -Dspotless.check.skip=true -pl local-exec-bench -am package >&2
cp="local-exec-bench/target/local-exec-bench.jar:local-exec-bench/target/lib/*"

url="${LOCAL_EXEC_PG_URL:-}"
pgdir=""
cleanup() { if [ -n "$pgdir" ]; then scripts/pg_cluster.sh stop "$pgdir"; fi; }
trap cleanup EXIT
if [ -z "$url" ]; then
  pgdir="$(mktemp -d /tmp/local-exec-bench-pg.XXXXXX)"
  url="$(scripts/pg_cluster.sh start "$pgdir")"
fi

results="$(mktemp)"
java -cp "$cp" dev.localexec.bench.QueueBench "$jobs" "$url" | tee "$results"

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["queue"], r["workers"]): r for r in rows}
print()
print("| workers | file ledger: claims/s (p50 claim) | PostgreSQL: claims/s (p50 claim) |")
print("|---|---|---|")
for w in sorted({r["workers"] for r in rows}):
    f, p = by[("file", w)], by[("postgresql", w)]
    print("| %d | %.0f (%.2f ms) | %.0f (%.2f ms) |" % (w, f["claims_per_sec"], f["claim_p50_ms"], p["claims_per_sec"], p["claim_p50_ms"]))
PY
rm -f "$results"
