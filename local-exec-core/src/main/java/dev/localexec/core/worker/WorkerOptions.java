package dev.localexec.core.worker;

import dev.localexec.core.exec.EnvPolicy;
import java.time.Duration;

/**
 * How a worker behaves.
 *
 * @param workerId the id recorded in claims and evidence
 * @param lease how long a claim holds without a heartbeat
 * @param heartbeatEvery how often a running job's lease is extended
 * @param allowShells whether a shell may be the program of an argv (refused by default)
 * @param slots how many slots the worker's loop runs jobs in at once, 1..64; a job holds its {@code
 *     max_concurrency_slots} of them (at most all)
 * @param stopGrace how long running jobs may go on after a graceful stop ({@link
 *     Worker#stopGracefully()}) before their process trees are stopped, 0..1 h
 * @param maxAttempts how many times a job may be claimed without any attempt finishing (each worker
 *     holding it stopped or died) before a claim fails it for good with {@code attempts_exhausted},
 *     1..100; default {@value dev.localexec.core.queue.JobQueue#DEFAULT_MAX_ATTEMPTS}
 * @param envPolicy which environment variables the operator lets jobs have, and which names it
 *     marks secret ({@link EnvPolicy#defaults()} unless given)
 */
public record WorkerOptions(
    String workerId,
    Duration lease,
    Duration heartbeatEvery,
    boolean allowShells,
    int slots,
    Duration stopGrace,
    int maxAttempts,
    EnvPolicy envPolicy) {

  /** The default worker id, as the original tool used. */
  public static final String DEFAULT_WORKER_ID = "local-exec-worker";

  /** The most slots one worker may have. */
  public static final int MAX_SLOTS = 64;

  /** The default grace period of a graceful stop. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

  /** The longest grace period of a graceful stop. */
  public static final Duration MAX_STOP_GRACE = Duration.ofHours(1);

  /** The most claims a job's {@code max_attempts} may allow. */
  public static final int MAX_ATTEMPTS = 100;

  /** Validates. */
  public WorkerOptions {
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException(
          "max attempts must be in 1.." + MAX_ATTEMPTS + ", got " + maxAttempts);
    }
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
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new IllegalArgumentException("slots must be in 1.." + MAX_SLOTS + ", got " + slots);
    }
    if (stopGrace == null || stopGrace.isNegative() || stopGrace.compareTo(MAX_STOP_GRACE) > 0) {
      throw new IllegalArgumentException(
          "stop grace must be in 0.." + MAX_STOP_GRACE.toSeconds() + " s, got " + stopGrace);
    }
    if (envPolicy == null) {
      envPolicy = EnvPolicy.defaults();
    }
  }

  /** Options with the default number of attempts and environment policy. */
  public WorkerOptions(
      String workerId,
      Duration lease,
      Duration heartbeatEvery,
      boolean allowShells,
      int slots,
      Duration stopGrace) {
    this(
        workerId,
        lease,
        heartbeatEvery,
        allowShells,
        slots,
        stopGrace,
        dev.localexec.core.queue.JobQueue.DEFAULT_MAX_ATTEMPTS,
        EnvPolicy.defaults());
  }

  /** Options with the default stop grace (10 s), attempts and environment policy. */
  public WorkerOptions(
      String workerId, Duration lease, Duration heartbeatEvery, boolean allowShells, int slots) {
    this(workerId, lease, heartbeatEvery, allowShells, slots, DEFAULT_STOP_GRACE);
  }

  /**
   * Defaults: id {@code local-exec-worker}, a 60 s lease renewed every 20 s, no shells, 1 slot, a
   * 10 s stop grace, {@link EnvPolicy#defaults()}.
   */
  public static WorkerOptions defaults() {
    return new WorkerOptions(
        DEFAULT_WORKER_ID, Duration.ofSeconds(60), Duration.ofSeconds(20), false, 1);
  }

  /** A copy with another worker id. */
  public WorkerOptions withWorkerId(String id) {
    return new WorkerOptions(
        id, lease, heartbeatEvery, allowShells, slots, stopGrace, maxAttempts, envPolicy);
  }

  /** A copy that allows or refuses shells as programs. */
  public WorkerOptions withAllowShells(boolean allow) {
    return new WorkerOptions(
        workerId, lease, heartbeatEvery, allow, slots, stopGrace, maxAttempts, envPolicy);
  }

  /** A copy with another lease and heartbeat interval. */
  public WorkerOptions withLease(Duration newLease, Duration newHeartbeatEvery) {
    return new WorkerOptions(
        workerId,
        newLease,
        newHeartbeatEvery,
        allowShells,
        slots,
        stopGrace,
        maxAttempts,
        envPolicy);
  }

  /** A copy with another number of slots. */
  public WorkerOptions withSlots(int newSlots) {
    return new WorkerOptions(
        workerId, lease, heartbeatEvery, allowShells, newSlots, stopGrace, maxAttempts, envPolicy);
  }

  /** A copy with another stop grace. */
  public WorkerOptions withStopGrace(Duration newStopGrace) {
    return new WorkerOptions(
        workerId, lease, heartbeatEvery, allowShells, slots, newStopGrace, maxAttempts, envPolicy);
  }

  /** A copy with another number of attempts. */
  public WorkerOptions withMaxAttempts(int attempts) {
    return new WorkerOptions(
        workerId, lease, heartbeatEvery, allowShells, slots, stopGrace, attempts, envPolicy);
  }

  /** A copy with another environment policy. */
  public WorkerOptions withEnvPolicy(EnvPolicy newEnvPolicy) {
    return new WorkerOptions(
        workerId, lease, heartbeatEvery, allowShells, slots, stopGrace, maxAttempts, newEnvPolicy);
  }
}
