package dev.localexec.core.exec;

import java.io.IOException;

/**
 * Starts one process for the {@link LocalArgvRunner}. The runner does not care how: {@link
 * DirectLauncher} starts the program as is, a sandboxing launcher wraps the argv (bubblewrap,
 * {@code unshare}). Implementations must be thread-safe.
 *
 * <p>The started process must have its standard input closed or empty and its standard output and
 * error as pipes ({@link Process#getInputStream()} and {@link Process#getErrorStream()}), which the
 * runner drains.
 */
public interface ProcessLauncher {

  /**
   * The mechanism's name as {@code run_header} reports it under {@code sandbox}, e.g. {@code none}
   * or {@code bwrap}.
   */
  String name();

  /**
   * Starts the process and returns at once. Does not block on the process.
   *
   * @param spec what to start
   * @return the started process
   * @throws IOException if it could not be started, e.g. the program was not found
   */
  Process start(LaunchSpec spec) throws IOException;
}
