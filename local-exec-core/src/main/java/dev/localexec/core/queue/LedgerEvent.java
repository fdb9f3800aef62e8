package dev.localexec.core.queue;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One event of the ledger (see the README's "Files" section), with its one codec: {@link #toMap()}
 * gives the JSON object a queue writes (keys in the ledger's order; the chain's {@code seq} and
 * {@code hash} are added by {@link LedgerLine#chain}), {@link #of(Map)} reads one back from a
 * parsed line. Keys a reader does not know are ignored, and an event of a kind this version does
 * not know is an {@link Other}.
 *
 * <p>Optional keys ({@code attempt}, {@code fence}, {@code evidence_head}, {@code host}) are {@code
 * null} when a line does not have them, and are left out of {@link #toMap()} then. Values of an
 * unexpected JSON type read as a queue's replay has always read them: a number where text is
 * expected is its text, and a lease that is not a number is 0.
 */
public sealed interface LedgerEvent {

  /** The event's {@code ts_utc}. */
  String ts();

  /** The event's {@code event} key: {@code enqueue}, {@code claim}, ... */
  String kind();

  /** The job the event is about, or {@code null} for events about the ledger itself. */
  String jobId();

  /** The event as the JSON object a queue appends, keys in the ledger's order. */
  Map<String, Object> toMap();

  /**
   * The event of a parsed ledger line.
   *
   * @param line a ledger line parsed by {@link Json#parse}
   */
  static LedgerEvent of(Map<?, ?> line) {
    String ts = text(line.get("ts_utc"));
    String kind = text(line.get("event"));
    String jobId = text(line.get("job_id"));
    String workerId = text(line.get("worker_id"));
    Integer attempt = line.get("attempt") instanceof Number n ? n.intValue() : null;
    Long fence = line.get("fence") instanceof Number n ? n.longValue() : null;
    String host = line.get("host") instanceof String h ? h : null;
    return switch (kind == null ? "" : kind) {
      case "enqueue" -> {
        if (line.get("job") instanceof Map<?, ?> job && job.get("job_id") instanceof String id) {
          yield new Enqueued(
              ts,
              text(line.get("validator_mode")),
              id,
              text(job.get("job_type")),
              copy(job),
              Boolean.TRUE.equals(line.get("requeue")));
        }
        yield new Other(ts, kind, null);
      }
      case "claim" ->
          new Claimed(ts, jobId, workerId, number(line.get("lease_expires_unix")), attempt, fence);
      case "heartbeat" ->
          new Heartbeat(
              ts, jobId, workerId, number(line.get("lease_expires_unix")), attempt, fence);
      case "complete" ->
          new Completed(
              ts,
              jobId,
              workerId,
              line.get("result") instanceof Map<?, ?> r ? copy(r) : null,
              attempt,
              fence,
              head(line.get("evidence_head")),
              host);
      case "fail" ->
          new Failed(
              ts,
              jobId,
              workerId,
              text(line.get("error")),
              attempt,
              fence,
              head(line.get("evidence_head")),
              host);
      case "torn_line" ->
          new TornLine(
              ts,
              line.get("line") instanceof Number n ? n.intValue() : null,
              line.get("bytes") instanceof Number n ? n.longValue() : 0);
      case "head_reset" ->
          new HeadReset(
              ts,
              line.get("previous_head") instanceof Map<?, ?> p ? copy(p) : null,
              head(line.get("ledger_head")));
      default -> new Other(ts, kind, jobId);
    };
  }

  /**
   * The event of one ledger line's text (without its line break), or empty when the text is not a
   * JSON object.
   */
  static Optional<LedgerEvent> parse(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Json.parse(t) instanceof Map<?, ?> m ? Optional.of(of(m)) : Optional.empty();
    } catch (LocalExecException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code {"ts_utc", "event": "enqueue", "validator_mode", "job", "requeue"?}}: a job queued, or
   * queued again ({@code "requeue": true}, written only then).
   *
   * @param jobId the document's {@code job_id}
   * @param jobType the document's {@code job_type}, or {@code null} if it has none
   * @param job the job document, or {@code null} when the line was read without it (a replay that
   *     reads documents back only when it needs them)
   */
  record Enqueued(
      String ts,
      String validatorMode,
      String jobId,
      String jobType,
      Map<String, Object> job,
      boolean requeue)
      implements LedgerEvent {

    /** The event for the job document {@code job}, its id and type taken from it. */
    public static Enqueued of(
        String ts, String validatorMode, Map<String, ?> job, boolean requeue) {
      return new Enqueued(
          ts,
          validatorMode,
          text(job.get("job_id")),
          text(job.get("job_type")),
          copy(job),
          requeue);
    }

    /** The same event without its document. */
    public Enqueued withoutDocument() {
      return new Enqueued(ts, validatorMode, jobId, jobType, null, requeue);
    }

    @Override
    public String kind() {
      return "enqueue";
    }

    @Override
    public Map<String, Object> toMap() {
      if (job == null) {
        throw new IllegalStateException("the enqueue of " + jobId + " was read without its job");
      }
      Map<String, Object> m = start(this);
      m.put("validator_mode", validatorMode);
      m.put("job", job);
      if (requeue) {
        m.put("requeue", true);
      }
      return m;
    }
  }

  /**
   * {@code {"ts_utc", "event": "claim", "job_id", "worker_id", "lease_expires_unix", "attempt"?,
   * "fence"?}}.
   *
   * @param attempt the claim's attempt (1, 2, ...), or {@code null} (the original's lines: one more
   *     than the last)
   * @param fence the claim's fencing token where the queue issues one, else {@code null}
   */
  record Claimed(
      String ts,
      String jobId,
      String workerId,
      double leaseExpiresUnix,
      Integer attempt,
      Long fence)
      implements LedgerEvent {
    @Override
    public String kind() {
      return "claim";
    }

    @Override
    public Map<String, Object> toMap() {
      return lease(this, workerId, leaseExpiresUnix, attempt, fence);
    }
  }

  /**
   * {@code {"ts_utc", "event": "heartbeat", "job_id", "worker_id", "lease_expires_unix",
   * "attempt"?, "fence"?}}: a running claim's lease extended.
   */
  record Heartbeat(
      String ts,
      String jobId,
      String workerId,
      double leaseExpiresUnix,
      Integer attempt,
      Long fence)
      implements LedgerEvent {
    @Override
    public String kind() {
      return "heartbeat";
    }

    @Override
    public Map<String, Object> toMap() {
      return lease(this, workerId, leaseExpiresUnix, attempt, fence);
    }
  }

  /**
   * {@code {"ts_utc", "event": "complete", "job_id", "worker_id", "result", "attempt"?, "fence"?,
   * "evidence_head"?, "host"?}}.
   *
   * @param result the task's result, or {@code null} when the line has none that is an object
   * @param evidenceHead the head of the job's evidence chain after its final line, or {@code null}
   * @param host the host whose files hold the job's evidence, or {@code null} (one host)
   */
  record Completed(
      String ts,
      String jobId,
      String workerId,
      Map<String, ?> result,
      Integer attempt,
      Long fence,
      ChainHead evidenceHead,
      String host)
      implements LedgerEvent {
    @Override
    public String kind() {
      return "complete";
    }

    @Override
    public Map<String, Object> toMap() {
      return end(this, workerId, "result", result, attempt, fence, evidenceHead, host);
    }
  }

  /**
   * {@code {"ts_utc", "event": "fail", "job_id", "worker_id", "error", "attempt"?, "fence"?,
   * "evidence_head"?, "host"?}}: a job failed, by its worker or by the queue at claim.
   *
   * @param attempt the attempt that failed, or {@code null} (a job failed at claim before an
   *     attempt, e.g. {@code job_invalid})
   */
  record Failed(
      String ts,
      String jobId,
      String workerId,
      String error,
      Integer attempt,
      Long fence,
      ChainHead evidenceHead,
      String host)
      implements LedgerEvent {
    @Override
    public String kind() {
      return "fail";
    }

    @Override
    public Map<String, Object> toMap() {
      return end(this, workerId, "error", error, attempt, fence, evidenceHead, host);
    }
  }

  /**
   * {@code {"ts_utc", "event": "torn_line", "line", "bytes"}}: the line before was a write cut
   * short by a crash, not garbage.
   *
   * @param line the torn line's 1-based number, or {@code null} when the line has none
   * @param bytes its length
   */
  record TornLine(String ts, Integer line, long bytes) implements LedgerEvent {
    @Override
    public String kind() {
      return "torn_line";
    }

    @Override
    public String jobId() {
      return null;
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = start(this);
      m.put("line", line);
      m.put("bytes", bytes);
      return m;
    }
  }

  /**
   * {@code {"ts_utc", "event": "head_reset", "previous_head", "ledger_head"}}: the operator
   * accepted a ledger that was cut or rewritten.
   *
   * @param previousHead the head file's fields before ({@code seq}, {@code hash}, {@code offset},
   *     {@code ts_utc}), or {@code null} when there was none
   * @param ledgerHead the head of the ledger's chain as found
   */
  record HeadReset(String ts, Map<String, Object> previousHead, ChainHead ledgerHead)
      implements LedgerEvent {
    @Override
    public String kind() {
      return "head_reset";
    }

    @Override
    public String jobId() {
      return null;
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = start(this);
      m.put("previous_head", previousHead);
      m.put("ledger_head", ledgerHead == null ? null : ledgerHead.toMap());
      return m;
    }
  }

  /**
   * An event this version does not know (or an {@code enqueue} without a job document that has a
   * string {@code job_id}): kept in the ledger, it only marks its job as updated.
   *
   * @param kind its {@code event}, or {@code null}
   * @param jobId its {@code job_id}, or {@code null}
   */
  record Other(String ts, String kind, String jobId) implements LedgerEvent {
    /**
     * Not written by a queue: its other keys are not kept.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Map<String, Object> toMap() {
      throw new UnsupportedOperationException("an unknown ledger event is not written: " + kind);
    }
  }

  private static Map<String, Object> start(LedgerEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ts_utc", e.ts());
    m.put("event", e.kind());
    return m;
  }

  private static Map<String, Object> lease(
      LedgerEvent e, String workerId, double leaseExpiresUnix, Integer attempt, Long fence) {
    Map<String, Object> m = start(e);
    m.put("job_id", e.jobId());
    m.put("worker_id", workerId);
    m.put("lease_expires_unix", leaseExpiresUnix);
    putIfPresent(m, "attempt", attempt);
    putIfPresent(m, "fence", fence);
    return m;
  }

  private static Map<String, Object> end(
      LedgerEvent e,
      String workerId,
      String key,
      Object value,
      Integer attempt,
      Long fence,
      ChainHead evidenceHead,
      String host) {
    Map<String, Object> m = start(e);
    m.put("job_id", e.jobId());
    m.put("worker_id", workerId);
    m.put(key, value);
    putIfPresent(m, "attempt", attempt);
    putIfPresent(m, "fence", fence);
    if (evidenceHead != null) {
      m.put("evidence_head", evidenceHead.toMap());
    }
    putIfPresent(m, "host", host);
    return m;
  }

  private static void putIfPresent(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static String text(Object o) {
    return o == null ? null : o instanceof String s ? s : String.valueOf(o);
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private static ChainHead head(Object o) {
    if (o instanceof Map<?, ?> m
        && m.get("seq") instanceof Number seq
        && m.get("hash") instanceof String h) {
      try {
        return new ChainHead(seq.longValue(), h);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  private static Map<String, Object> copy(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
