package dev.localexec.core.queue;

/** A job's state, as the replay of the ledger gives it. */
public enum JobState {
  /** Enqueued (or re-queued, or its lease expired) and waiting for a worker. */
  QUEUED,
  /** Claimed by a worker whose lease has not expired. */
  RUNNING,
  /** Finished with a result. */
  COMPLETE,
  /** Finished with an error. */
  FAILED;

  /** The lower-case name used in JSON output. */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the job has finished. */
  public boolean terminal() {
    return this == COMPLETE || this == FAILED;
  }
}
