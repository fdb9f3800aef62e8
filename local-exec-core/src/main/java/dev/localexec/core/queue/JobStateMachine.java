package dev.localexec.core.queue;

import java.util.Objects;
import java.util.Set;

/**
 * The job state machine of the ledger (see the README's "Files" section): what each event does to
 * its job. {@code enqueue} makes a job queued (again, with its attempts reset); {@code claim} makes
 * it running under a lease, as the claim's attempt; {@code heartbeat} extends a running job's
 * lease; {@code complete} and {@code fail} are terminal; every event of a known job marks it
 * updated. Whether a running job's lease expired is judged at read time ({@link
 * JobRecord#stateAt}). Every queue and every reader of a ledger replays events through this class,
 * so they agree on every job's state.
 */
public final class JobStateMachine {
  private JobStateMachine() {}

  /**
   * The job's record after {@code event}.
   *
   * @param job the job's record before, or {@code null} when the job is not known yet
   * @param event an event about that job (its {@link LedgerEvent#jobId()})
   * @return the record after, or {@code null} when the job is still not known (an event other than
   *     {@code enqueue} for an unknown job)
   * @throws IllegalArgumentException if the event is about another job
   */
  public static JobRecord apply(JobRecord job, LedgerEvent event) {
    if (job != null && !Objects.equals(job.jobId(), event.jobId())) {
      throw new IllegalArgumentException(
          "a " + event.kind() + " of job " + event.jobId() + " applied to job " + job.jobId());
    }
    String ts = String.valueOf(event.ts());
    if (event instanceof LedgerEvent.Enqueued e) {
      return new JobRecord(
          e.jobId(), String.valueOf(e.jobType()), JobState.QUEUED, 0, null, 0, 0, ts, null, null);
    }
    if (job == null) {
      return null;
    }
    if (event instanceof LedgerEvent.Claimed c) {
      return new JobRecord(
          job.jobId(),
          job.jobType(),
          JobState.RUNNING,
          c.attempt() != null ? c.attempt() : job.attempts() + 1,
          c.workerId(),
          c.leaseExpiresUnix(),
          c.fence() != null ? c.fence() : 0,
          ts,
          job.error(),
          job.host());
    }
    if (event instanceof LedgerEvent.Heartbeat h) {
      return new JobRecord(
          job.jobId(),
          job.jobType(),
          job.state(),
          job.attempts(),
          job.workerId(),
          job.state() == JobState.RUNNING ? h.leaseExpiresUnix() : job.leaseExpiresUnix(),
          job.fence(),
          ts,
          job.error(),
          job.host());
    }
    if (event instanceof LedgerEvent.Completed c) {
      return finished(job, JobState.COMPLETE, ts, job.error(), c.host());
    }
    if (event instanceof LedgerEvent.Failed f) {
      return finished(job, JobState.FAILED, ts, f.error(), f.host());
    }
    // Events this version does not know are kept in the ledger; they only mark the job updated.
    return touched(job, ts);
  }

  private static JobRecord finished(
      JobRecord job, JobState state, String ts, String error, String host) {
    return new JobRecord(
        job.jobId(),
        job.jobType(),
        state,
        job.attempts(),
        job.workerId(),
        job.leaseExpiresUnix(),
        job.fence(),
        ts,
        error,
        host != null ? host : job.host());
  }

  private static JobRecord touched(JobRecord job, String ts) {
    return new JobRecord(
        job.jobId(),
        job.jobType(),
        job.state(),
        job.attempts(),
        job.workerId(),
        job.leaseExpiresUnix(),
        job.fence(),
        ts,
        job.error(),
        job.host());
  }

  /**
   * Whether a worker that runs {@code jobTypes} may claim the job at {@code nowUnix}: it is queued
   * (or its lease expired) and of one of those types.
   *
   * @param jobTypes the types the worker runs, or {@code null} for any type
   */
  public static boolean claimable(JobRecord job, double nowUnix, Set<String> jobTypes) {
    return job.stateAt(nowUnix) == JobState.QUEUED
        && (jobTypes == null || jobTypes.contains(job.jobType()));
  }

  /**
   * Whether a claim of the job would pass {@code maxAttempts}: it was claimed that many times
   * without any attempt finishing, so it is failed instead with {@link JobQueue#attemptsExhausted}.
   */
  public static boolean attemptsExhausted(JobRecord job, int maxAttempts) {
    return job.attempts() >= maxAttempts;
  }

  /**
   * Refuses a write for {@code claim} unless it is the job's running claim.
   *
   * @param job the job's record, or {@code null} when the job is not known
   * @throws StaleClaimException if the job is unknown or {@code claim} is not its running claim
   */
  public static void requireHeldBy(JobRecord job, Claim claim) {
    if (job == null || !job.heldBy(claim)) {
      throw new StaleClaimException(claim);
    }
  }
}
