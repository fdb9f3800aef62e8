package dev.localexec.core.worker;

import dev.localexec.core.evidence.JsonlFile;
import dev.localexec.core.queue.Timestamps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker's own events, {@code evidence/worker_<worker_id>.jsonl}. Never throws. */
final class WorkerEvents {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerEvents.class);

  private final String workerId;
  private final JsonlFile file;
  private final Clock clock;

  WorkerEvents(Path evidenceDir, String workerId, Clock clock) {
    this.workerId = workerId;
    this.file = new JsonlFile(evidenceDir.resolve("worker_" + workerId + ".jsonl"));
    this.clock = clock;
  }

  void record(String kind, Map<String, ?> payload) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts_utc", Timestamps.utc(clock.instant()));
    line.put("worker_id", workerId);
    line.put("kind", kind);
    line.put("payload", payload);
    try {
      file.append(line);
    } catch (IOException | RuntimeException e) {
      LOG.error("cannot write worker event {} to {}: {}", kind, file.path(), e.toString());
    }
  }
}
