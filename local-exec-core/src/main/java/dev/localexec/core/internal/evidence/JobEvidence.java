package dev.localexec.core.internal.evidence;

import dev.localexec.api.EvidenceSink;
import dev.localexec.api.JsonValues;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.integrity.ChainedJsonl;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.queue.Timestamps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's evidence file, {@code evidence/<job_id>.jsonl}: one hash-chained line per event, {@code
 * {"ts_utc", "job_id", "kind", "payload", "seq", "hash"}} (see {@link ChainedJsonl}), secrets
 * redacted. A file that already holds lines of an earlier attempt is continued: its chain's head is
 * read from its tail. Never throws from {@link #record}; a write failure is logged and counted in
 * {@link #writeFailures()}. Thread-safe.
 */
public final class JobEvidence implements EvidenceSink {
  private static final Logger LOG = LoggerFactory.getLogger(JobEvidence.class);

  private final String jobId;
  private final ChainedJsonl file;
  private final Clock clock;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<ChainHead> head = new AtomicReference<>();

  /** Evidence of {@code jobId} in {@code evidenceDir}, without redaction. */
  public JobEvidence(Path evidenceDir, String jobId, Clock clock) {
    this(evidenceDir, jobId, clock, Redactor.none());
  }

  /**
   * Evidence of {@code jobId} in {@code evidenceDir}.
   *
   * @param redactor applied to every line before it is written
   */
  public JobEvidence(Path evidenceDir, String jobId, Clock clock, Redactor redactor) {
    this.jobId = jobId;
    this.clock = clock;
    this.file =
        new ChainedJsonl(
            evidenceDir.resolve(jobId + ".jsonl"),
            redactor,
            (line, bytes) -> {
              Map<String, Object> p = new LinkedHashMap<>();
              p.put("line", line);
              p.put("bytes", bytes);
              LOG.warn("evidence of job {} ended in a torn line ({}); it is skipped", jobId, line);
              return event("torn_line", p);
            },
            false);
  }

  /** The evidence file. */
  public Path path() {
    return file.path();
  }

  @Override
  public void record(String kind, Map<String, ?> payload) {
    recordChained(kind, payload);
  }

  /**
   * Records one event like {@link #record} and returns the head of the evidence chain after it,
   * which the job's final ledger event records as {@code evidence_head}. Never throws.
   *
   * @return the head after this event's line, or empty if it could not be written
   */
  public Optional<ChainHead> recordChained(String kind, Map<String, ?> payload) {
    try {
      Map<String, Object> line =
          event(kind, JsonValues.copyObject(payload == null ? Map.of() : payload));
      ChainHead after = file.append(line);
      head.accumulateAndGet(after, (a, b) -> a == null || b.seq() > a.seq() ? b : a);
      return Optional.of(after);
    } catch (IOException | RuntimeException e) {
      failures.incrementAndGet();
      LOG.error(
          "cannot write evidence {} of job {} to {}: {}", kind, jobId, file.path(), e.toString());
      return Optional.empty();
    }
  }

  /**
   * The head of the evidence chain after the last line this sink wrote, or empty before its first
   * line.
   */
  public Optional<ChainHead> head() {
    return Optional.ofNullable(head.get());
  }

  /** How many events could not be written. */
  public long writeFailures() {
    return failures.get();
  }

  private Map<String, Object> event(String kind, Map<String, Object> payload) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts_utc", Timestamps.utc(clock.instant()));
    line.put("job_id", jobId);
    line.put("kind", kind);
    line.put("payload", payload);
    return line;
  }
}
