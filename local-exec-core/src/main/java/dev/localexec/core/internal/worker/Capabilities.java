package dev.localexec.core.internal.worker;

import dev.localexec.api.spi.ModelBackend;
import dev.localexec.api.spi.ToolBackend;
import java.time.Duration;

/**
 * The guarded capabilities a worker hands to jobs besides subprocesses: MCP tools and the model.
 *
 * @param tools the tool backend, or {@code null} when none is configured (tool calls are refused)
 * @param model the model backend, or {@code null} when none is configured (model calls are refused)
 * @param modelTimeout the longest one model call may take, queueing included
 */
public record Capabilities(ToolBackend tools, ModelBackend model, Duration modelTimeout) {

  /** The default model timeout: long enough for a full queue of requests ahead. */
  public static final Duration DEFAULT_MODEL_TIMEOUT = Duration.ofSeconds(300);

  /** Validates. */
  public Capabilities {
    modelTimeout = modelTimeout == null ? DEFAULT_MODEL_TIMEOUT : modelTimeout;
    if (modelTimeout.isNegative() || modelTimeout.isZero()) {
      throw new IllegalArgumentException("modelTimeout must be positive, got " + modelTimeout);
    }
  }

  /** No tools, no model. */
  public static Capabilities none() {
    return new Capabilities(null, null, DEFAULT_MODEL_TIMEOUT);
  }
}
