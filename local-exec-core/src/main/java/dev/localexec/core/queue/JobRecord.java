package dev.localexec.core.queue;

/**
 * One job's state as the replay of its ledger events leaves it ({@link JobStateMachine}), before
 * its lease is judged against a clock.
 *
 * @param jobId the job id
 * @param jobType the job type (the text {@code null} when its document has none)
 * @param state the state the events left, {@link JobState#RUNNING} also when the lease expired
 * @param attempts the claims since the job was last enqueued
 * @param workerId the worker of the last claim, or {@code null}
 * @param leaseExpiresUnix the last lease's end in Unix seconds, or 0
 * @param fence the last claim's fencing token, or 0 when it had none
 * @param updatedTs the {@code ts_utc} of the job's last event
 * @param error the error of the last {@code fail}, or {@code null}
 * @param host the host of the last final event that named one, or {@code null}
 */
public record JobRecord(
    String jobId,
    String jobType,
    JobState state,
    int attempts,
    String workerId,
    double leaseExpiresUnix,
    long fence,
    String updatedTs,
    String error,
    String host) {

  /** The state at {@code nowUnix}: a running job whose lease has expired is queued again. */
  public JobState stateAt(double nowUnix) {
    return state == JobState.RUNNING && leaseExpiresUnix < nowUnix ? JobState.QUEUED : state;
  }

  /**
   * Whether {@code claim} is the job's running claim: running (its lease may have expired, as long
   * as no other claim took over), by the same worker, attempt and fencing token.
   */
  public boolean heldBy(Claim claim) {
    return state == JobState.RUNNING
        && claim.workerId().equals(workerId)
        && attempts == claim.attempt()
        && fence == claim.fence();
  }

  /** The job's status at {@code nowUnix}. */
  public JobStatus status(double nowUnix) {
    JobState st = stateAt(nowUnix);
    return new JobStatus(
        jobId,
        jobType,
        st,
        attempts,
        workerId,
        leaseExpiresUnix,
        updatedTs,
        st == JobState.FAILED ? error : null);
  }
}
