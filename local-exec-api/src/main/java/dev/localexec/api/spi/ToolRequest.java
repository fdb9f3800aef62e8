package dev.localexec.api.spi;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * One call for a {@link ToolBackend}, with the limits the plane has already worked out.
 *
 * @param tool the exact tool name, {@code server.tool}
 * @param argumentsJson the arguments, a JSON object
 * @param timeout how long the call may take; the backend stops whatever it started after it
 * @param maxResponseBytes the largest response the backend may return; larger is {@code
 *     tool_response_too_large}, and the backend must not hold much more than this in memory
 * @param cancelled polled while the call runs; when it returns {@code true} the backend stops the
 *     call and throws {@link dev.localexec.api.KillSwitchException}
 */
public record ToolRequest(
    String tool,
    String argumentsJson,
    Duration timeout,
    int maxResponseBytes,
    BooleanSupplier cancelled) {

  /** Validates. */
  public ToolRequest {
    if (tool == null || argumentsJson == null) {
      throw new IllegalArgumentException("tool and argumentsJson must not be null");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("maxResponseBytes must be > 0, got " + maxResponseBytes);
    }
    cancelled = cancelled == null ? () -> false : cancelled;
  }

  /** The server part of {@code server.tool}, or {@code ""} when there is no dot. */
  public String server() {
    int dot = tool.indexOf('.');
    return dot < 0 ? "" : tool.substring(0, dot);
  }

  /** The tool part of {@code server.tool}, or the whole name when there is no dot. */
  public String toolName() {
    int dot = tool.indexOf('.');
    return dot < 0 ? tool : tool.substring(dot + 1);
  }
}
