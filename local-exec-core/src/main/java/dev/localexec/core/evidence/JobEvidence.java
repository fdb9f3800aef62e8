package dev.localexec.core.evidence;

import dev.localexec.api.EvidenceSink;
import dev.localexec.api.JsonValues;
import dev.localexec.core.queue.Timestamps;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's evidence file, {@code evidence/<job_id>.jsonl}: one line per event, {@code {"ts_utc",
 * "job_id", "kind", "payload"}}. Never throws from {@link #record}; a write failure is logged and
 * counted in {@link #writeFailures()}.
 */
public final class JobEvidence implements EvidenceSink {
  private static final Logger LOG = LoggerFactory.getLogger(JobEvidence.class);

  private final String jobId;
  private final JsonlFile file;
  private final Clock clock;
  private final AtomicLong failures = new AtomicLong();

  /** Evidence of {@code jobId} in {@code evidenceDir}. */
  public JobEvidence(java.nio.file.Path evidenceDir, String jobId, Clock clock) {
    this.jobId = jobId;
    this.file = new JsonlFile(evidenceDir.resolve(jobId + ".jsonl"));
    this.clock = clock;
  }

  /** The evidence file. */
  public java.nio.file.Path path() {
    return file.path();
  }

  @Override
  public void record(String kind, Map<String, ?> payload) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts_utc", Timestamps.utc(clock.instant()));
    line.put("job_id", jobId);
    line.put("kind", kind);
    try {
      line.put("payload", JsonValues.copyObject(payload == null ? Map.of() : payload));
      file.append(line);
    } catch (IOException | RuntimeException e) {
      failures.incrementAndGet();
      LOG.error(
          "cannot write evidence {} of job {} to {}: {}", kind, jobId, file.path(), e.toString());
    }
  }

  /** How many events could not be written. */
  public long writeFailures() {
    return failures.get();
  }
}
