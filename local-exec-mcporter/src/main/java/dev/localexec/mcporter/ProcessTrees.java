package dev.localexec.mcporter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Stops a process and every descendant it started, by handle (never by name). */
final class ProcessTrees {
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private ProcessTrees() {}

  /** Adds the root's current descendants to {@code seen} (to reach them after a re-parent). */
  static void remember(ProcessHandle root, Set<ProcessHandle> seen) {
    root.descendants().forEach(seen::add);
  }

  /**
   * Kills the root, its current descendants and every process in {@code seen} that still runs, then
   * waits (up to a few seconds) until none runs.
   *
   * @return whether every one of them has ended
   */
  static boolean kill(ProcessHandle root, Collection<ProcessHandle> seen) {
    List<ProcessHandle> all = new ArrayList<>(seen);
    if (root != null) {
      root.descendants().forEach(all::add);
      all.add(0, root);
    }
    for (ProcessHandle h : all) {
      h.destroyForcibly();
    }
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (all.stream().noneMatch(ProcessTrees::isRunning)) {
        return true;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return all.stream().noneMatch(ProcessTrees::isRunning);
  }

  /** Whether a process runs: a zombie (ended, not reaped yet) does not. */
  static boolean isRunning(ProcessHandle handle) {
    if (!handle.isAlive()) {
      return false;
    }
    try {
      String stat =
          Files.readString(
              Path.of("/proc", Long.toString(handle.pid()), "stat"), StandardCharsets.ISO_8859_1);
      int close = stat.lastIndexOf(')');
      if (close < 0 || close + 2 >= stat.length()) {
        return true;
      }
      char state = stat.charAt(close + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return handle.isAlive();
    }
  }
}
