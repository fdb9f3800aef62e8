package dev.localexec.core.worker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one {@code run once} did.
 *
 * @param status {@code complete}, {@code failed}, {@code idle} (nothing queued) or {@code
 *     kill_switch} (the switch is on; nothing was claimed)
 * @param jobId the job run, or {@code null}
 * @param workerId the worker
 * @param result the job's result when complete, else {@code null}
 * @param error the job's error code when failed, else {@code null}
 * @param evidence the evidence file (root-relative) when a job ran, else {@code null}
 * @param summary the summary file (root-relative) when a job ran, else {@code null}
 */
public record RunOutcome(
    String status,
    String jobId,
    String workerId,
    Map<String, Object> result,
    String error,
    String evidence,
    String summary) {

  /** Whether a job was run. */
  public boolean ranJob() {
    return jobId != null;
  }

  /** The outcome as the CLI prints it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
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
