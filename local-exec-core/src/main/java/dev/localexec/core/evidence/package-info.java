/**
 * Evidence on disk: each job's {@code evidence/<job_id>.jsonl} events, its markdown summary, its
 * extra JSON-lines outputs, and the worker's own {@code worker_<id>.jsonl} events.
 */
package dev.localexec.core.evidence;
