package dev.localexec.core.plane;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A job {@link LocalExecPlane#submit submitted} to a plane: its id, and a future that completes
 * with its {@link JobResult} when any worker of the queue finishes it (a worker of this plane, of
 * another process, or of another host on a shared queue).
 */
public final class JobHandle {
  private final String id;
  private final CompletableFuture<JobResult> result;

  JobHandle(String id, CompletableFuture<JobResult> result) {
    this.id = Objects.requireNonNull(id, "id");
    this.result = Objects.requireNonNull(result, "result");
  }

  /** The job's id. */
  public String id() {
    return id;
  }

  /**
   * The job's outcome: completes with the job, complete or failed, once its final ledger event is
   * written; completes exceptionally with {@link IllegalStateException} if the plane is closed
   * first. Cancelling the future stops the waiting, not the job.
   */
  public CompletableFuture<JobResult> result() {
    return result;
  }

  @Override
  public String toString() {
    return "JobHandle[" + id + (result.isDone() ? ", done" : "") + "]";
  }
}
