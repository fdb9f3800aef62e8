package dev.localexec.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One job document. A job is normally built from JSON and validated against the job schema and its
 * type's payload schema before it is queued; this record checks only what it can check alone.
 *
 * @param jobId {@code ^job-[a-z0-9]{8,32}$}
 * @param jobType the task type, e.g. {@code repo_index_task}
 * @param createdAtUtc RFC 3339 UTC, e.g. {@code 2026-11-24T04:22:04.926399Z}
 * @param payload the type's payload, a JSON object (copied, key order kept)
 * @param budgets the four budgets
 * @param toolPolicy what the job may do
 * @param meta free-form JSON object, or {@code null} when the document has none
 */
public record Job(
    String jobId,
    String jobType,
    String createdAtUtc,
    Map<String, Object> payload,
    Budget budgets,
    ToolPolicy toolPolicy,
    Map<String, Object> meta) {

  /** The pattern every job id must match. */
  public static final Pattern JOB_ID = Pattern.compile("^job-[a-z0-9]{8,32}$");

  /** Validates the fields and copies the JSON objects. */
  public Job {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException(
          "job_id must match " + JOB_ID.pattern() + ", got '" + jobId + "'");
    }
    if (jobType == null || jobType.isEmpty()) {
      throw new IllegalArgumentException("job_type must not be empty");
    }
    if (createdAtUtc == null || !createdAtUtc.endsWith("Z")) {
      throw new IllegalArgumentException(
          "created_at_utc must be RFC 3339 UTC ending in Z, got '" + createdAtUtc + "'");
    }
    if (payload == null || budgets == null || toolPolicy == null) {
      throw new IllegalArgumentException("payload, budgets and tool_policy are required");
    }
    payload = JsonValues.copyObject(payload);
    meta = meta == null ? null : JsonValues.copyObject(meta);
  }

  /** The JSON object of this job, keys in the ledger's order ({@code meta} only when present). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", jobId);
    m.put("job_type", jobType);
    m.put("created_at_utc", createdAtUtc);
    m.put("payload", payload);
    m.put("budgets", budgets.toMap());
    m.put("tool_policy", toolPolicy.toMap());
    if (meta != null) {
      m.put("meta", meta);
    }
    return m;
  }
}
