#!/usr/bin/env bash
# Whole-process benchmarks of local-exec, in one run on this machine:
#   - N trivial jobs (`true`) through enqueue -> claim -> run -> evidence, 1 and 2 slots,
#     unsandboxed and under each available sandbox, against GNU parallel --joblog running
#     the same N commands;
#   - kill-switch latency (switch file created -> every process of the job gone);
#   - output flood throughput and how far kept bytes overshoot the budget;
#   - JMH: the cost of one spawn, plain / bwrap / unshare.
# Usage: scripts/bench.sh [JOBS]   (default 1000). Prints JSON lines, then a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-1000}"

./mvnw -B -ntp -q -DskipTests -Dspotless.check.skip=true -pl local-exec-bench -am package >&2
cp="local-exec-bench/target/local-exec-bench.jar:local-exec-bench/target/lib/*"
run() { java -cp "$cp" "$@"; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

mechanisms=(none)
command -v bwrap >/dev/null 2>&1 && mechanisms+=(bwrap)
command -v unshare >/dev/null 2>&1 && mechanisms+=(unshare)

for m in "${mechanisms[@]}"; do
  for s in 1 2; do
    run dev.localexec.bench.JobsBench "$jobs" "$s" "$m" | tee -a "$out/results.jsonl"
  done
done

if command -v parallel >/dev/null 2>&1; then
  for s in 1 2; do
    start=$(date +%s%N)
    seq "$jobs" | parallel -j"$s" --joblog "$out/joblog-$s.tsv" true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    printf '{"bench": "gnu_parallel", "jobs": %d, "slots": %d, "run_ms": %d, "per_job_ms": %s}\n' \
      "$jobs" "$s" "$ms" "$(awk -v ms="$ms" -v n="$jobs" 'BEGIN { printf "%.2f", ms / n }')" \
      | tee -a "$out/results.jsonl"
  done
else
  echo "GNU parallel not installed: apt-get install parallel" >&2
fi

for m in "${mechanisms[@]}"; do
  run dev.localexec.bench.KillSwitchBench 30 "$m" | tee -a "$out/results.jsonl"
  run dev.localexec.bench.FloodBench 1000000000 1048576 "$m" | tee -a "$out/results.jsonl"
done

run org.openjdk.jmh.Main -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff "$out/jmh.json" SpawnBench >&2
python3 - "$out/jmh.json" <<'PY' | tee -a "$out/results.jsonl"
import json, sys
for r in json.load(open(sys.argv[1])):
    m = r["primaryMetric"]
    print(json.dumps({"bench": "jmh_spawn", "mechanism": r["params"]["mechanism"],
                      "ms_per_spawn": round(m["score"], 2), "error_ms": round(m["scoreError"], 2)}))
PY

python3 - "$out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
par = {r["slots"]: r for r in rows if r["bench"] == "gnu_parallel"}
print()
print("| measurement | setting | result |")
print("|---|---|---|")
for r in rows:
    b = r["bench"]
    if b == "jobs":
        ratio = ""
        if r["slots"] in par:
            ratio = " (%.2f x GNU parallel's %.2f ms)" % (r["per_job_ms"] / par[r["slots"]]["per_job_ms"], par[r["slots"]]["per_job_ms"])
        print("| %d jobs `true`, enqueue to evidence | sandbox %s, %d slot(s) | %.2f ms/job, %.1f jobs/s%s |" % (r["jobs"], r["sandbox"], r["slots"], r["per_job_ms"], r["jobs_per_sec"], ratio))
    elif b == "gnu_parallel":
        print("| %d jobs `true`, GNU parallel --joblog | -j%d | %.2f ms/job |" % (r["jobs"], r["slots"], float(r["per_job_ms"])))
    elif b == "kill_switch_latency":
        print("| kill switch: file created to every process gone | sandbox %s, %d rounds | p50 %.1f ms, p99 %.1f ms |" % (r["sandbox"], r["rounds"], r["p50_ms"], r["p99_ms"]))
    elif b == "output_flood":
        print("| output flood, %d MB to stdout, budget %d B | sandbox %s | %d MB/s, kept %d B (overshoot %d B), heap %d -> %d MB |" % (r["bytes_produced"] // 1000000, r["budget"], r["sandbox"], r["mb_per_sec"], r["kept"], r["overshoot_bytes"], r["heap_before_mb"], r["heap_after_mb"]))
    elif b == "jmh_spawn":
        print("| one spawn of `true` (JMH) | %s | %.2f ± %.2f ms |" % (r["mechanism"], r["ms_per_spawn"], r["error_ms"]))
PY
