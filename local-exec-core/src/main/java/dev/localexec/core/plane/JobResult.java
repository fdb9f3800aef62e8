package dev.localexec.core.plane;

import dev.localexec.core.queue.JobState;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A job as the ledger knows it, with its outcome as data: the {@code result} of its final {@code
 * complete} event or the {@code error} of its {@code fail} event, as the ledger records them (never
 * read back from the markdown summary).
 *
 * @param jobId the job id
 * @param jobType the job type
 * @param state the job's state now
 * @param attempts claims since the job was last enqueued
 * @param workerId the worker of the last claim, or {@code null}
 * @param updatedTs the {@code ts_utc} of the job's last event
 * @param result the final event's {@code result} of a complete job, else {@code null}
 * @param error the error of a failed job, else {@code null}
 * @param evidence the job's evidence file, or {@code null} while it has none
 * @param summary the job's markdown summary, or {@code null} while it has none
 */
public record JobResult(
    String jobId,
    String jobType,
    JobState state,
    int attempts,
    String workerId,
    String updatedTs,
    Map<String, Object> result,
    String error,
    Path evidence,
    Path summary) {

  /** Checks the required fields and keeps the result's key order. */
  public JobResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(state, "state");
    result = result == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(result));
  }

  /** Whether the job has ended, complete or failed. */
  public boolean finished() {
    return state == JobState.COMPLETE || state == JobState.FAILED;
  }

  /**
   * The JSON object of the command line: {@code job_id}, {@code job_type}, {@code state}, {@code
   * attempts}, {@code worker_id}, {@code updated_ts}, then {@code result} of a complete job or
   * {@code error} of a failed one, then {@code evidence} and {@code summary} as {@code layout}
   * shows paths.
   */
  public Map<String, Object> toMap(PlaneLayout layout) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", jobId);
    m.put("job_type", jobType);
    m.put("state", state.jsonName());
    m.put("attempts", attempts);
    m.put("worker_id", workerId);
    m.put("updated_ts", updatedTs);
    if (state == JobState.COMPLETE) {
      m.put("result", result);
    } else if (state == JobState.FAILED) {
      m.put("error", error);
    }
    m.put("evidence", evidence == null ? null : layout.display(evidence));
    m.put("summary", summary == null ? null : layout.display(summary));
    return m;
  }
}
