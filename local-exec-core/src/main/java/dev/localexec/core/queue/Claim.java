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
 */
public record Claim(Job job, String workerId, int attempt, double leaseExpiresUnix, String ts) {}
