package dev.localexec.core.exec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stops a process and its descendants: TERM to all of them, a grace period, then KILL to whatever
 * remains (and whatever they started meanwhile). Without a PID namespace this is best effort: a
 * double-forked child that was re-parented before it was seen escapes; the sandboxing launchers
 * close that gap.
 */
public final class ProcessTree {

  private static final long STEP_MS = 10;
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private ProcessTree() {}

  /**
   * Adds the running descendants of {@code root} to {@code seen}, so that they can still be stopped
   * after they are re-parented.
   */
  public static void snapshot(ProcessHandle root, Set<ProcessHandle> seen) {
    root.descendants().filter(ProcessTree::isRunning).forEach(seen::add);
  }

  /**
   * Stops {@code root} (may be null), its current descendants and the processes in {@code seen}
   * that still run. Waits for them to end; restores the interrupt flag if interrupted meanwhile.
   *
   * @return how many processes were still running and were signalled
   */
  public static int stop(ProcessHandle root, Collection<ProcessHandle> seen, Duration grace) {
    Set<ProcessHandle> tree = new LinkedHashSet<>();
    if (root != null) {
      tree.add(root);
      root.descendants().forEach(tree::add);
    }
    tree.addAll(seen);
    tree.removeIf(h -> !isRunning(h));
    if (tree.isEmpty()) {
      return 0;
    }
    tree.forEach(ProcessHandle::destroy);
    boolean interrupted = awaitEnd(tree, grace);
    Set<ProcessHandle> remaining = new LinkedHashSet<>();
    for (ProcessHandle h : tree) {
      if (isRunning(h)) {
        remaining.add(h);
        h.descendants().forEach(remaining::add);
      }
    }
    remaining.removeIf(h -> !isRunning(h));
    remaining.forEach(ProcessHandle::destroyForcibly);
    interrupted |= awaitEnd(remaining, KILL_WAIT);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return tree.size() + (int) remaining.stream().filter(h -> !tree.contains(h)).count();
  }

  /** Waits until none of {@code handles} runs or {@code limit} passed; returns if interrupted. */
  private static boolean awaitEnd(Collection<ProcessHandle> handles, Duration limit) {
    boolean interrupted = Thread.interrupted();
    List<ProcessHandle> left = new ArrayList<>(handles);
    long steps = Math.max(1, (limit.toMillis() + STEP_MS - 1) / STEP_MS);
    for (long i = 0; i < steps; i++) {
      left.removeIf(h -> !isRunning(h));
      if (left.isEmpty()) {
        break;
      }
      try {
        Thread.sleep(STEP_MS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    return interrupted;
  }

  /**
   * Whether a process still runs. A zombie (ended, not yet reaped by its parent) does not: {@link
   * ProcessHandle#isAlive()} reports zombies alive, and an orphan's zombie may wait long for a slow
   * init to reap it.
   */
  static boolean isRunning(ProcessHandle handle) {
    return ProcessStates.isRunning(handle);
  }
}
