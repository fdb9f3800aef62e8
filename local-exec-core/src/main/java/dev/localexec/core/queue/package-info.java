/**
 * The job queue as an append-only JSON-lines ledger ({@code state/jobs.jsonl}): enqueue, FIFO
 * claims under a file lock, leases and heartbeats, completion, requeue, and the replay that turns
 * the ledger into each job's state, caught up incrementally and started from the snapshot {@code
 * state/jobs.snapshot} beside the ledger when it is consistent with it. Every queue's events are
 * {@link dev.localexec.core.queue.LedgerEvent}s, and every job's state is their replay through
 * {@link dev.localexec.core.queue.JobStateMachine}.
 */
package dev.localexec.core.queue;
