package dev.localexec.api.spi;

import java.time.Duration;
import java.util.List;

/**
 * One command to run.
 *
 * @param argv the program and its arguments; never interpreted by a shell
 * @param cwd the working directory relative to the repo root ({@code "."} for the root)
 * @param timeout how long it may run before its process tree is stopped
 * @param envAllow names of environment variables passed through besides the fixed {@code PATH}
 */
public record CommandRequest(
    List<String> argv, String cwd, Duration timeout, List<String> envAllow) {

  /** Validates and copies. Null elements of {@code argv} are kept so the runner can refuse them. */
  public CommandRequest {
    if (argv == null) {
      throw new IllegalArgumentException("argv must not be null");
    }
    argv = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(argv));
    cwd = cwd == null ? "." : cwd;
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    envAllow = envAllow == null ? List.of() : List.copyOf(envAllow);
  }

  /** A command run in the root with no extra environment. */
  public static CommandRequest of(List<String> argv, Duration timeout) {
    return new CommandRequest(argv, ".", timeout, List.of());
  }
}
