package dev.localexec.api;

import java.util.Map;

/**
 * Where a job's evidence events go. The worker gives each job its own sink, which writes {@code
 * evidence/<job_id>.jsonl}.
 *
 * <p>Implementations must be thread-safe, fast, and must not throw: a sink that cannot write
 * reports the problem through logging and keeps the job running. Payloads are copied before the
 * call returns, so callers may reuse their maps.
 */
@FunctionalInterface
public interface EvidenceSink {

  /**
   * Records one event.
   *
   * @param kind the event kind, e.g. {@code tool_call}, {@code path_rejected}
   * @param payload a JSON-like object (see {@link JsonValues}); never secrets
   */
  void record(String kind, Map<String, ?> payload);

  /** A sink that drops everything. */
  static EvidenceSink discarding() {
    return (kind, payload) -> {};
  }
}
