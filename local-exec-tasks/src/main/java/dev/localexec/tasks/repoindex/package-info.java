/**
 * The {@code repo_index_task} plug-in: walks the repo root in a fixed, sorted order without git and
 * without following symlinks (each one is a {@code path_rejected} event), honouring nested {@code
 * .gitignore} files and {@code .git/info/exclude}, picks files by the job's include and exclude
 * globs, reads each once for its SHA-256, line count, language and keyword hits, and writes one
 * JSON line per file to {@code evidence/<job_id>_index.jsonl}.
 */
package dev.localexec.tasks.repoindex;
