/**
 * Internal: evidence on disk: each job's {@code evidence/<job_id>.jsonl} events, its markdown
 * summary, its extra JSON-lines outputs, and the worker's own {@code worker_<id>.jsonl} events. Not
 * part of the public API: it may change in any release, it is left out of the javadoc, and no
 * module but {@code local-exec-core} may use it.
 */
package dev.localexec.core.internal.evidence;
