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

  /**
   * A builder of a job of {@code jobType} with a new id, the current time and safe defaults: an
   * empty payload, a budget of 300 s, no tool call, 1 MiB of output and one slot, and a policy that
   * allows nothing ({@link ToolPolicy#denyAll()}). The job still passes the schemas and the
   * operator's limits when it is queued.
   *
   * @param jobType the task type, e.g. {@code repo_index_task}
   */
  public static Builder builder(String jobType) {
    return new Builder(jobType);
  }

  /** Builds a {@link Job}; see {@link Job#builder(String)} for the defaults. Not thread-safe. */
  public static final class Builder {
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final java.time.format.DateTimeFormatter TS =
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final String jobType;
    private String jobId;
    private java.time.Instant createdAt;
    private Map<String, Object> payload = Map.of();
    private Budget budgets = Budget.of(300, 0, 1L << 20, 1);
    private ToolPolicy toolPolicy = ToolPolicy.denyAll();
    private Map<String, Object> meta;

    private Builder(String jobType) {
      this.jobType = jobType;
    }

    /** The id (default: {@code job-} and 24 random lowercase letters and digits). */
    public Builder id(String id) {
      this.jobId = id;
      return this;
    }

    /** The creation time (default: now). */
    public Builder createdAt(java.time.Instant at) {
      this.createdAt = at;
      return this;
    }

    /** The payload, a JSON object of the type's payload schema. */
    public Builder payload(Map<String, ?> p) {
      this.payload = new LinkedHashMap<>(p);
      return this;
    }

    /** The budgets. */
    public Builder budgets(Budget b) {
      this.budgets = b;
      return this;
    }

    /** The tool policy. */
    public Builder toolPolicy(ToolPolicy p) {
      this.toolPolicy = p;
      return this;
    }

    /** Free-form metadata, a JSON object. */
    public Builder meta(Map<String, ?> m) {
      this.meta = m == null ? null : new LinkedHashMap<>(m);
      return this;
    }

    /**
     * The job.
     *
     * @throws IllegalArgumentException if a field is out of its range (see {@link Job})
     */
    public Job build() {
      String id = jobId;
      if (id == null) {
        StringBuilder sb = new StringBuilder("job-");
        for (int i = 0; i < 24; i++) {
          sb.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        id = sb.toString();
      }
      java.time.Instant at = createdAt != null ? createdAt : java.time.Instant.now();
      return new Job(id, jobType, TS.format(at), payload, budgets, toolPolicy, meta);
    }
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
