/**
 * The {@code repo_index_task} plug-in: walks the repo root in a fixed, sorted order (no symlinks,
 * no {@code .git}, nothing the root's {@code .gitignore} ignores, not the plane's own folder),
 * picks files by the job's include and exclude globs, reads each up to a byte limit, and writes one
 * JSON line per file that contains any of the job's keywords to {@code
 * evidence/<job_id>_index.jsonl}.
 */
package dev.localexec.tasks.repoindex;
