#!/usr/bin/env bash
# repo_index_task on a large real tree, against `xargs -0 sha256sum` in the same run on this machine.
#   - RepoIndexBench (local-exec-bench) runs a repo_index_task over TREE through the real plane
#     (include **/*, max_files 50000 (the payload's maximum), max_file_bytes 1 MiB, keywords TODO,
#     FIXME, deprecated; SHA-256, line count and keyword scan of every file), twice in one JVM,
#     and writes the paths it indexed, NUL-separated;
#   - the shell pipeline hashes exactly those files: `xargs -0 sha256sum < list`, and the whole
#     tree as git lists it: `git ls-files -z | xargs -0 sha256sum`;
#   - each is run twice (warm page cache); the second run is reported, with the ratio.
# Usage: scripts/bench_repo_index.sh TREE
# TREE is a large source tree nobody here wrote, e.g. the Linux kernel from Debian's package:
#   apt-get install -y linux-source
#   mkdir -p /tmp/kbench && tar -xJf /usr/src/linux-source-6.1.tar.xz -C /tmp/kbench
#   sed -i '/^\/\*$/d; /^!\/debian\/$/d' /tmp/kbench/linux-source-6.1/.gitignore
#   scripts/bench_repo_index.sh /tmp/kbench/linux-source-6.1
# (Debian's tarball ends its .gitignore with `/*` and `!/debian/`, which ignores the whole tree, for
# git and for repo_index alike; the sed drops those two lines.)
# Untimed once: `git init -q && git add -A` in TREE (when it has no .git yet), so that
# `git ls-files` works; the plane's own folder (workspace/local_exec) is put in .git/info/exclude.
# Set MVN_ARGS=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 1 || ! -d "$1" ]]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
tree="$(cd "$1" && pwd)"

./mvnw -B -ntp -q ${MVN_ARGS:-} -DskipTests -Dspotless.check.skip=true -pl local-exec-bench -am package >&2
cp="local-exec-bench/target/local-exec-bench.jar:local-exec-bench/target/lib/*"

if [[ ! -d "$tree/.git" ]]; then
  echo "git init -q && git add -A in $tree (untimed)" >&2
  git -C "$tree" init -q
  echo "/workspace/local_exec/" >> "$tree/.git/info/exclude"
  git -C "$tree" add -A
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
list="$out/indexed.lst"

java -cp "$cp" dev.localexec.bench.RepoIndexBench "$tree" 2 "$list" | tee "$out/java.jsonl"

ms() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
# sha256sum fails on a dangling symlink that git lists (xargs then exits 123): reported, not fatal
same_files() { (cd "$tree" && xargs -0 sha256sum < "$list" > /dev/null) || [[ $? -eq 123 ]]; }
whole_tree() {
  (cd "$tree" && git ls-files -z | xargs -0 sha256sum > /dev/null 2> "$out/whole.err") || [[ $? -eq 123 ]]
}

same_files; same_ms=$(ms same_files)
whole_tree; whole_ms=$(ms whole_tree)
same_count=$(tr -cd '\0' < "$list" | wc -c)
whole_count=$(git -C "$tree" ls-files -z | tr -cd '\0' | wc -c)
whole_bytes=$(cd "$tree" && git ls-files -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)

python3 - "$out/java.jsonl" "$same_ms" "$same_count" "$whole_ms" "$whole_count" "$whole_bytes" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
j = runs[-1]
same_ms, same_n, whole_ms, whole_n, whole_b = (int(x) for x in sys.argv[2:7])
print(json.dumps({"bench": "sha256sum_same_files", "files": same_n, "ms": same_ms}))
print(json.dumps({"bench": "git_ls_files_sha256sum", "files": whole_n, "bytes": whole_b, "ms": whole_ms}))
print()
print("| measurement | files | MB | result |")
print("|---|---|---|---|")
print("| repo_index_task (run %d of %d, warm) | %d | %.1f | %d ms, %d files/s, %.1f MB/s (%.2f x the pipeline on the same files) |"
      % (j["run"], len(runs), j["files_indexed"], j["bytes_total"] / 1e6, j["ms"], j["files_per_sec"],
         j["mb_per_sec"], j["ms"] / max(same_ms, 1)))
print("| `xargs -0 sha256sum` over the same files | %d | %.1f | %d ms |" % (same_n, j["bytes_total"] / 1e6, same_ms))
print("| `git ls-files -z \\| xargs -0 sha256sum`, whole tree | %d | %.1f | %d ms |" % (whole_n, whole_b / 1e6, whole_ms))
PY
