/**
 * The job queue on PostgreSQL, for workers on several hosts draining one queue: an append-only
 * {@code events} table holding the ledger's lines and a {@code jobs} table with each job's state,
 * lease, attempt and fencing token, kept in the same transaction; FIFO claims with {@code SELECT
 * ... FOR UPDATE SKIP LOCKED}; a shared kill switch row; export to and import from the file
 * ledger's {@code jobs.jsonl}. Start at {@link dev.localexec.postgres.PostgresQueueConfig}.
 */
package dev.localexec.postgres;
