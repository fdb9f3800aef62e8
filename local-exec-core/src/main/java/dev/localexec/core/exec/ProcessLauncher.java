package dev.localexec.core.exec;

import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import java.io.IOException;

/**
 * Starts one process for the {@link LocalArgvRunner}. The runner does not care how: {@link
 * DirectLauncher} starts the program as is, a sandboxing launcher wraps the argv (bubblewrap,
 * {@code unshare}). Implementations must be thread-safe.
 *
 * <p>The started process must have its standard input as {@link LaunchSpec#stdin()} says ({@code
 * /dev/null} for a job's command) and its standard output and error as pipes ({@link
 * Process#getInputStream()} and {@link Process#getErrorStream()}), which the runner drains.
 * Stopping the started process must be enough to stop everything it started: the runner signals the
 * process and the descendants it can see, and a sandboxing launcher puts the whole tree in a PID
 * namespace that ends with it.
 */
public interface ProcessLauncher {

  /**
   * The mechanism's name as {@code run_header} reports it under {@code sandbox}, e.g. {@code none}
   * or {@code bwrap}.
   */
  String name();

  /**
   * Throws if this launcher refuses to start anything, e.g. because no sandbox works on this host
   * and the embedding application did not turn the sandbox off. The runner calls it before it
   * counts the tool call, so a refused command never runs. Fast, non-blocking; the default accepts.
   *
   * @throws dev.localexec.api.PolicyViolationException with code {@code sandbox_unavailable} (or
   *     another rule) saying what is missing and how to fix it
   */
  default void checkAvailable() {}

  /**
   * Whether {@link #start} puts {@link LaunchSpec#wrapper()} in front of its command line, so the
   * job's resource limits apply to the process and all it starts. The runner makes no cgroup for a
   * launcher that does not, and {@code run_header} reports its limits as {@code not_enforced}. The
   * default is false.
   */
  default boolean appliesResourceLimits() {
    return false;
  }

  /**
   * Whether {@link #start} mounts the sandbox's own {@code /tmp}, {@code /run} and {@code
   * /dev/shm}, sized by {@link LaunchSpec#tmpfsBytes()}. The default is false.
   */
  default boolean boundsTmpfs() {
    return false;
  }

  /**
   * Starts the process and returns at once. Does not block on the process.
   *
   * @param spec what to start
   * @return the started process
   * @throws IOException if it could not be started, e.g. the program was not found
   */
  Process start(LaunchSpec spec) throws IOException;
}
