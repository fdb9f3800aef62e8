#!/usr/bin/env bash
# Per-call latency of one MCP tool (everything.echo of @modelcontextprotocol/server-everything)
# through the mcporter backend (one mcporter process and one server per call) and through the
# MCP Java SDK backend (one warm session), in the same run (local-exec-bench's McpBench).
# Usage: scripts/bench_mcp.sh [CALLS]   (default 20). Needs Node.js; installs tools/mcp if missing.
# Prints JSON lines, then a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-20}"

[ -x tools/mcp/node_modules/.bin/mcporter ] || npm ci --prefix tools/mcp --no-audit --no-fund >&2
./mvnw -B -ntp -q ${MVN_ARGS:-} -DskipTests -Dspotless.check.skip=true -pl local-exec-bench -am package >&2
cp="local-exec-bench/target/local-exec-bench.jar:local-exec-bench/target/lib/*"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
java -cp "$cp" dev.localexec.bench.McpBench . "$calls" | tee "$out/results.jsonl"

python3 - "$out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| backend | first call (JVM warm-up, SDK session start) | next calls: p50 | p90 | mean | min | max |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %.0f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |" % (
        r["backend"], r["first_call_ms"], r["p50_ms"], r["p90_ms"], r["mean_ms"], r["min_ms"], r["max_ms"]))
PY
