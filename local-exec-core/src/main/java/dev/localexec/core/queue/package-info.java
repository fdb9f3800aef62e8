/**
 * The job queue as an append-only JSON-lines ledger ({@code state/jobs.jsonl}): enqueue, FIFO
 * claims under a file lock, leases and heartbeats, completion, requeue, and the replay that turns
 * the ledger into each job's state.
 */
package dev.localexec.core.queue;
