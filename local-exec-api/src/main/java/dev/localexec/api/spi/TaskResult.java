package dev.localexec.api.spi;

import dev.localexec.api.JsonValues;
import java.util.Map;

/**
 * What a task returns.
 *
 * @param result the JSON object recorded in the ledger's {@code complete} event and in evidence
 * @param summaryMarkdown the job's summary ({@code evidence/<job_id>.md}), or {@code null} to let
 *     the worker write its default summary
 */
public record TaskResult(Map<String, Object> result, String summaryMarkdown) {

  /** Copies the result. */
  public TaskResult {
    if (result == null) {
      throw new IllegalArgumentException("result must not be null; use an empty map");
    }
    result = JsonValues.copyObject(result);
  }

  /** A result with the worker's default summary. */
  public static TaskResult of(Map<String, ?> result) {
    return new TaskResult(JsonValues.copyObject(result), null);
  }
}
