package dev.localexec.mcporter.shared;

import dev.localexec.core.exec.ProcessStates;
import dev.localexec.core.exec.ProcessTree;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * Stops mcporter or a server with every descendant it started, by handle (never by name), through
 * the plane's own {@link ProcessTree}, with no grace: a tool call that has to end ends now.
 */
public final class ProcessTrees {
  private ProcessTrees() {}

  /** Adds the root's current descendants to {@code seen} (to reach them after a re-parent). */
  public static void remember(ProcessHandle root, Set<ProcessHandle> seen) {
    ProcessTree.snapshot(root, seen);
  }

  /**
   * Stops the root, its current descendants and every process in {@code seen} that still runs, and
   * waits (up to a few seconds) until none runs.
   *
   * @return whether every one of them has ended
   */
  public static boolean kill(ProcessHandle root, Collection<ProcessHandle> seen) {
    ProcessTree.stop(root, seen, Duration.ZERO);
    return (root == null || !ProcessStates.isRunning(root))
        && seen.stream().noneMatch(ProcessStates::isRunning);
  }
}
