package dev.localexec.core.queue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One job's state after replay.
 *
 * @param jobId the job id
 * @param jobType the job type
 * @param state the state at the replay's time
 * @param attempts how many times the job has been claimed since it was last enqueued
 * @param workerId the worker of the last claim, or {@code null}
 * @param leaseExpiresUnix the last lease's end in Unix seconds, or 0
 * @param updatedTs the {@code ts_utc} of the job's last event
 * @param error the error of a failed job, or {@code null}
 */
public record JobStatus(
    String jobId,
    String jobType,
    JobState state,
    int attempts,
    String workerId,
    double leaseExpiresUnix,
    String updatedTs,
    String error) {

  /** The status as a JSON object for the CLI. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", jobId);
    m.put("job_type", jobType);
    m.put("state", state.jsonName());
    m.put("attempts", attempts);
    m.put("worker_id", workerId);
    m.put("updated_ts", updatedTs);
    if (error != null) {
      m.put("error", error);
    }
    return m;
  }
}
