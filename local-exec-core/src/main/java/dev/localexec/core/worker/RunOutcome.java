package dev.localexec.core.worker;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@code run once} did.
 *
 * @param status what happened: a job ran to {@link Status#COMPLETE} or {@link Status#FAILED}, or
 *     nothing was claimed ({@link Status#IDLE}, {@link Status#KILL_SWITCH}, {@link Status#STOPPED})
 * @param jobId the job run, or {@code null}
 * @param workerId the worker
 * @param result the job's result when complete, else {@code null}
 * @param error the job's error code when failed, else {@code null}
 * @param interrupted whether the job failed because its worker was stopped (its error is {@code
 *     worker_stopped:<where>}); false when the kill switch or anything else ended it
 * @param evidence the evidence file (root-relative) when a job ran, else {@code null}
 * @param summary the summary file (root-relative) when a job ran, else {@code null}
 */
public record RunOutcome(
    Status status,
    String jobId,
    String workerId,
    Map<String, Object> result,
    String error,
    boolean interrupted,
    String evidence,
    String summary) {

  /** What a {@code run once} ended with; {@link #jsonName()} is the {@code status} printed. */
  public enum Status {
    /** A job ran and its result was recorded. */
    COMPLETE,
    /** A job ran and failed (or its result could not be recorded). */
    FAILED,
    /** Nothing was queued. */
    IDLE,
    /** The kill switch is on; nothing was claimed. */
    KILL_SWITCH,
    /** The worker was asked to stop; nothing was claimed. */
    STOPPED;

    /** The lower-case name used in JSON output. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Checks the status.
   *
   * @throws NullPointerException if {@code status} is null
   */
  public RunOutcome {
    java.util.Objects.requireNonNull(status, "status");
  }

  /**
   * An outcome where no job ran.
   *
   * @param status {@link Status#IDLE}, {@link Status#KILL_SWITCH} or {@link Status#STOPPED}
   * @param workerId the worker
   */
  public static RunOutcome nothingRun(Status status, String workerId) {
    return new RunOutcome(status, null, workerId, null, null, false, null, null);
  }

  /** Whether a job was run. */
  public boolean ranJob() {
    return jobId != null;
  }

  /** Whether the status is {@link Status#COMPLETE}. */
  public boolean complete() {
    return status == Status.COMPLETE;
  }

  /** The outcome as the CLI prints it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status.jsonName());
    if (jobId != null) {
      m.put("job_id", jobId);
    }
    m.put("worker_id", workerId);
    if (result != null) {
      m.put("result", result);
    }
    if (error != null) {
      m.put("error", error);
    }
    if (evidence != null) {
      m.put("evidence", evidence);
      m.put("summary", summary);
    }
    return m;
  }
}
