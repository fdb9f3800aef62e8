package dev.localexec.api.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plane-wide tool settings ({@code config/mcporter.json}).
 *
 * @param enabledTools exact {@code server.tool} names that may be called at all; empty = none
 * @param timeout the longest a tool call may take ({@code timeout_sec}, 1..300 s)
 * @param maxResponseBytes the largest response kept ({@code max_response_bytes}, 1024..1048576)
 */
public record ToolSettings(Set<String> enabledTools, Duration timeout, int maxResponseBytes) {

  /** The default timeout, 30 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The default response bound, 131072 bytes. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 131_072;

  /** Validates and copies, sorted: the set iterates and prints in name order. */
  public ToolSettings {
    enabledTools = Collections.unmodifiableSet(new TreeSet<>(enabledTools));
    if (timeout == null
        || timeout.compareTo(Duration.ofSeconds(1)) < 0
        || timeout.compareTo(Duration.ofSeconds(300)) > 0) {
      throw new IllegalArgumentException("timeout must be 1..300 s, got " + timeout);
    }
    if (maxResponseBytes < 1024 || maxResponseBytes > 1_048_576) {
      throw new IllegalArgumentException(
          "maxResponseBytes must be 1024..1048576, got " + maxResponseBytes);
    }
  }

  /** Nothing enabled, default limits. */
  public static ToolSettings none() {
    return new ToolSettings(Set.of(), DEFAULT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES);
  }
}
