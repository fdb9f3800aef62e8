package dev.localexec.core.internal.worker;

import dev.localexec.core.internal.integrity.ChainedJsonl;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.queue.Timestamps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's own events, {@code evidence/worker_<worker_id>.jsonl}, hash-chained (see {@link
 * ChainedJsonl}) and redacted. Never throws.
 */
public final class WorkerEvents {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerEvents.class);

  private final String workerId;
  private final ChainedJsonl file;
  private final Clock clock;

  WorkerEvents(Path evidenceDir, String workerId, Clock clock, Redactor redactor) {
    this.workerId = workerId;
    this.clock = clock;
    this.file =
        new ChainedJsonl(
            evidenceDir.resolve("worker_" + workerId + ".jsonl"),
            redactor,
            (line, bytes) -> {
              Map<String, Object> p = new LinkedHashMap<>();
              p.put("line", line);
              p.put("bytes", bytes);
              LOG.warn("worker events of {} ended in a torn line ({})", workerId, line);
              return event("torn_line", p);
            },
            false);
  }

  void record(String kind, Map<String, ?> payload) {
    try {
      file.append(event(kind, payload));
    } catch (IOException | RuntimeException e) {
      LOG.error("cannot write worker event {} to {}: {}", kind, file.path(), e.toString());
    }
  }

  private Map<String, Object> event(String kind, Map<String, ?> payload) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts_utc", Timestamps.utc(clock.instant()));
    line.put("worker_id", workerId);
    line.put("kind", kind);
    line.put("payload", payload);
    return line;
  }
}
