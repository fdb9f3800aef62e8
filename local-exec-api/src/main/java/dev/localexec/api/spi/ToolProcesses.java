package dev.localexec.api.spi;

import java.io.File;
import java.io.IOException;

/**
 * Starts the processes of a {@link ToolBackend}. The plane gives a backend one over its own process
 * launcher ({@link ToolBackend.Factory}), so MCP servers run in the same sandbox as every other
 * subprocess: bubblewrap, {@code unshare}, none when the operator turned the sandbox off, or
 * nothing at all when no sandbox works (then {@link #start} throws).
 *
 * <p>The started process has its standard input as {@link ToolProcessSpec#input()} says, and its
 * standard output and error as pipes. Stopping the started process and the descendants it has is
 * enough to stop everything it started. Implementations are thread-safe.
 */
public interface ToolProcesses {

  /**
   * The mechanism's name, as {@code run_header} reports it under {@code sandbox}: e.g. {@code
   * bwrap} or {@code none}.
   */
  String sandbox();

  /**
   * Starts the process and returns at once.
   *
   * @throws IOException if it could not be started, e.g. the program was not found
   * @throws dev.localexec.api.PolicyViolationException if the plane refuses to start anything
   *     ({@code sandbox_unavailable}) or the working folder lies outside the repo root
   */
  Process start(ToolProcessSpec spec) throws IOException;

  /**
   * Starts processes on the host as they are, without a sandbox: for a backend used outside a plane
   * (the working folder is not checked, {@link ToolProcessSpec#allowNetwork()} is not enforced).
   * Reports {@code none}.
   */
  static ToolProcesses direct() {
    return new ToolProcesses() {
      @Override
      public String sandbox() {
        return "none";
      }

      @Override
      public Process start(ToolProcessSpec spec) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(spec.argv());
        pb.directory(spec.cwd().toFile());
        pb.environment().clear();
        pb.environment().putAll(spec.environment());
        pb.redirectInput(
            spec.input() == null
                ? ProcessBuilder.Redirect.PIPE
                : ProcessBuilder.Redirect.from(new File(spec.input().toString())));
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        return pb.start();
      }
    };
  }
}
