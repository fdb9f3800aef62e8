package dev.localexec.core.worker;

import java.time.Duration;

/**
 * How a worker behaves.
 *
 * @param workerId the id recorded in claims and evidence
 * @param lease how long a claim holds without a heartbeat
 * @param heartbeatEvery how often a running job's lease is extended
 * @param allowShells whether a shell may be the program of an argv (refused by default)
 */
public record WorkerOptions(
    String workerId, Duration lease, Duration heartbeatEvery, boolean allowShells) {

  /** The default worker id, as the original tool used. */
  public static final String DEFAULT_WORKER_ID = "local-exec-worker";

  /** Validates. */
  public WorkerOptions {
    if (workerId == null || !workerId.matches("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")) {
      throw new IllegalArgumentException(
          "worker id must be 1..64 letters, digits, '_', '.', '-', got '" + workerId + "'");
    }
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("lease must be at least 1 s, got " + lease);
    }
    if (heartbeatEvery.isNegative()
        || heartbeatEvery.isZero()
        || heartbeatEvery.compareTo(lease) >= 0) {
      throw new IllegalArgumentException(
          "heartbeat interval must be positive and shorter than the lease, got " + heartbeatEvery);
    }
  }

  /** Defaults: id {@code local-exec-worker}, a 60 s lease renewed every 20 s, no shells. */
  public static WorkerOptions defaults() {
    return new WorkerOptions(
        DEFAULT_WORKER_ID, Duration.ofSeconds(60), Duration.ofSeconds(20), false);
  }

  /** A copy with another worker id. */
  public WorkerOptions withWorkerId(String id) {
    return new WorkerOptions(id, lease, heartbeatEvery, allowShells);
  }

  /** A copy that allows or refuses shells as programs. */
  public WorkerOptions withAllowShells(boolean allow) {
    return new WorkerOptions(workerId, lease, heartbeatEvery, allow);
  }

  /** A copy with another lease and heartbeat interval. */
  public WorkerOptions withLease(Duration newLease, Duration newHeartbeatEvery) {
    return new WorkerOptions(workerId, newLease, newHeartbeatEvery, allowShells);
  }
}
