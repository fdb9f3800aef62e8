package dev.localexec.api.spi;

import java.time.Duration;

/**
 * A tool's successful answer.
 *
 * @param tool the tool's name, {@code server.tool}
 * @param resultJson the result as a JSON document: the tool's structured content when it returned
 *     one, else its content envelope ({@code {"content":[...]}}); a backend may also unwrap a
 *     single text block that is itself JSON
 * @param structured whether {@code resultJson} is structured (parsed) content rather than the
 *     envelope
 * @param bytes the size of {@code resultJson} in UTF-8 bytes
 * @param duration how long the call took
 */
public record ToolResult(
    String tool, String resultJson, boolean structured, long bytes, Duration duration) {

  /** Validates. */
  public ToolResult {
    if (tool == null || resultJson == null || duration == null) {
      throw new IllegalArgumentException("tool, resultJson and duration must not be null");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
  }
}
