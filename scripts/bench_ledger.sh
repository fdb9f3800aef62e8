#!/usr/bin/env bash
# The job ledger at scale, in one run on this machine (local-exec-bench's LedgerBench):
#   - durable enqueue throughput (each enqueue forced to the device);
#   - a ledger of 10k events and one of about 1M events (JOBS finished jobs of four events each:
#     enqueue, claim, heartbeat, complete; plus 1000 jobs left queued), written in the queue's
#     line format and hash chain;
#   - at each size: a fresh process (a new JVM, as every CLI call is) that replays and claims one
#     job, without the snapshot (snapshots off), writing it, and loading it; the same in a 128 MB
#     heap; then one warm process timing 500 claims one by one, status, and a claim that also
#     writes the snapshot; heap after GC and RSS.
# Usage: scripts/bench_ledger.sh [JOBS]   (default 250000, about 1M events). Prints JSON lines,
# then a markdown table. Needs about 1 GB of free space in the temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-250000}"

./mvnw -B -ntp -q -DskipTests -Dspotless.check.skip=true -pl local-exec-bench -am package >&2
cp="local-exec-bench/target/local-exec-bench.jar:local-exec-bench/target/lib/*"
bench() { java "${JVM_OPTS[@]}" -cp "$cp" dev.localexec.bench.LedgerBench "$@"; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
results="$out/results.jsonl"

# One fresh process; adds its wall time (JVM start to exit) and the ledger size to its JSON line.
fresh() {
  local scale="$1" state="$2" mode="$3"
  local start end
  start=$(date +%s%N)
  line="$(bench fresh "$state" "$mode")"
  end=$(date +%s%N)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(scale=sys.argv[2], heap_limit=sys.argv[3], process_ms=int(sys.argv[4]) // 1000000); print(json.dumps(d))' \
    "$line" "$scale" "${JVM_OPTS[*]:-default}" "$((end - start))" | tee -a "$results"
}

JVM_OPTS=()
bench enqueue 1000 | tee -a "$results"

for scale in 10k 1M; do
  state="$out/$scale/state"
  if [ "$scale" = 10k ]; then n=2250; else n="$jobs"; fi
  bench generate "$state" "$n" 1000 | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["scale"]=sys.argv[1]; print(json.dumps(d))' "$scale" | tee -a "$results"
  for i in 1 2 3; do fresh "$scale" "$state" nosnapshot; done
  fresh "$scale" "$state" snapshot            # no snapshot yet: replays all, writes it
  for i in 1 2 3; do fresh "$scale" "$state" snapshot; done
  JVM_OPTS=(-Xmx128m)
  fresh "$scale" "$state" nosnapshot
  fresh "$scale" "$state" snapshot
  JVM_OPTS=()
  bench warm "$state" 500 | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["scale"]=sys.argv[1]; print(json.dumps(d))' "$scale" | tee -a "$results"
  rm -rf "$out/$scale"
done

python3 - "$results" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| measurement | ledger | result |")
print("|---|---|---|")
gen = {}
for r in rows:
    if r["bench"] == "ledger_enqueue":
        print("| durable enqueue (each forced to the device), %d jobs | empty at start | %.1f jobs/s, %.2f ms/job |" % (r["jobs"], r["jobs_per_sec"], r["ms_per_job"]))
    elif r["bench"] == "ledger_generate":
        gen[r["scale"]] = r
def ledger(s):
    g = gen[s]
    return "%s: %d events, %d MB" % (s, g["events"], g["bytes"] // 1000000)
for s in ["10k", "1M"]:
    fr = [r for r in rows if r["bench"] == "ledger_fresh" and r.get("scale") == s]
    groups = [
        ("fresh process, no snapshot (snapshots off): replay + claim", [r for r in fr if not r["snapshot"] and r["heap_limit"] == "default"]),
        ("fresh process, first with snapshots on: replay + claim + write the snapshot", [r for r in fr if r["snapshot"] and not r["had_snapshot"] and r["heap_limit"] == "default"]),
        ("fresh process, snapshot loaded: replay + claim", [r for r in fr if r["snapshot"] and r["had_snapshot"] and r["heap_limit"] == "default"]),
        ("fresh process, no snapshot, -Xmx128m", [r for r in fr if not r["snapshot"] and r["heap_limit"] != "default"]),
        ("fresh process, snapshot loaded, -Xmx128m", [r for r in fr if r["snapshot"] and r["heap_limit"] != "default"]),
    ]
    for name, g in groups:
        if not g:
            continue
        med = lambda k: statistics.median(x[k] for x in g)
        print("| %s (median of %d) | %s | replay %.0f ms, claim %.1f ms, whole process %.0f ms; heap after GC %d MB, RSS peak %d MB |" % (
            name, len(g), ledger(s), med("replay_ms"), med("claim_ms"), med("process_ms"), med("heap_used_mb"), med("rss_peak_mb")))
    for r in rows:
        if r["bench"] == "ledger_warm" and r.get("scale") == s:
            print("| warm process: %d claims one by one | %s | p50 %.2f ms, p99 %.2f ms, max %.2f ms; status of all %d jobs %.1f ms |" % (
                r["claims"], ledger(s), r["claim_p50_ms"], r["claim_p99_ms"], r["claim_max_ms"], r["jobs"], r["status_all_p50_ms"]))
            print("| warm process: a claim that also writes the snapshot (%d MB) | %s | %.1f ms |" % (
                r["snapshot_bytes"] // 1000000, ledger(s), r["claim_writing_snapshot_p50_ms"]))
PY
