package dev.localexec.core.queue;

import dev.localexec.api.Job;

/**
 * A job claimed by a worker.
 *
 * @param job the job, validated again at claim
 * @param workerId the claiming worker
 * @param attempt 1 for the first claim since the job was enqueued, then 2, 3, ...
 * @param leaseExpiresUnix the lease's end in Unix seconds
 * @param ts the claim event's {@code ts_utc}
 * @param fence the claim's fencing token where the queue issues one (a number that grows with every
 *     claim of the queue, so a stale attempt's writes are told apart), else 0
 */
public record Claim(
    Job job, String workerId, int attempt, double leaseExpiresUnix, String ts, long fence) {

  /** A claim without a fencing token (the file ledger fences by worker id and attempt). */
  public Claim(Job job, String workerId, int attempt, double leaseExpiresUnix, String ts) {
    this(job, workerId, attempt, leaseExpiresUnix, ts, 0);
  }
}
