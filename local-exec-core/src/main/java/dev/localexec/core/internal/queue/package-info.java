/**
 * Internal: the job queue as an append-only JSON-lines ledger ({@code state/jobs.jsonl}): enqueue,
 * FIFO claims under a file lock, leases and heartbeats, completion, requeue, and the replay that
 * turns the ledger into each job's state, caught up incrementally and started from the snapshot
 * {@code state/jobs.snapshot} beside the ledger when it is consistent with it. Not part of the
 * public API: it may change in any release, it is left out of the javadoc, and no module but {@code
 * local-exec-core} may use it.
 */
package dev.localexec.core.internal.queue;
