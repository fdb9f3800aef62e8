#!/usr/bin/env bash
# The command line as a new user meets it, on a fresh repo root: --version, every command's --help
# (exit 0, nothing created), health's stdout through jq line by line, and a job from standard input.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null 2>&1 || { echo "cli-check: jq is needed" >&2; exit 2; }

bin=bin/local-exec
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
fail() { echo "cli-check: $*" >&2; exit 1; }

"$bin" --version | jq -e '.name == "local-exec" and (.version | type == "string")' >/dev/null \
  || fail "--version is not the JSON line {name, version}"

commands=(
  "demo" "enqueue" "worker" "status" "health" "validate" "requeue" "result" "wait" "jobs" "verify"
  "kill-switch" "kill-switch on" "kill-switch off" "kill-switch status"
  "mcp" "mcp list" "mcp call" "vllm" "vllm health" "vllm serve-command"
  "coordinator" "ledger" "ledger export" "ledger import" "ledger accept-head"
  "plane" "plane start" "plane stop" "plane status" "plane health" "plane install-units"
)
for c in "${commands[@]}"; do
  for flag in --help -h; do
    # shellcheck disable=SC2086
    out="$("$bin" --repo-root "$root" $c "$flag")" || fail "'$c $flag' exited $?"
    [ -n "$out" ] || fail "'$c $flag' printed no help"
    [ -z "$(ls -A "$root")" ] || fail "'$c $flag' created $(ls -A "$root")"
  done
done

"$bin" --repo-root "$root" --sandbox none health 2>/dev/null | jq -c . >/dev/null \
  || fail "a stdout line of health is not JSON"
[ -z "$(ls -A "$root")" ] || fail "health created $(ls -A "$root")"

"$bin" --repo-root "$root" enqueue --job-file - < examples/jobs/repo_index_task.json \
  | jq -e '.status == "enqueued" and .job_id == "job-examplerepoindex"' >/dev/null \
  || fail "enqueue --job-file - did not enqueue the job from standard input"

echo "cli-check: --version, ${#commands[@]} commands' --help, health | jq, enqueue --job-file -: ok"
