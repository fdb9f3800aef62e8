package dev.localexec.core.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code /proc} says of a process, beyond what {@link ProcessHandle} tells. */
public final class ProcessStates {
  private ProcessStates() {}

  /**
   * Whether a process still runs. A zombie (ended, not yet reaped by its parent) does not: {@link
   * ProcessHandle#isAlive()} reports zombies alive, and an orphan's zombie may wait long for a slow
   * init to reap it.
   */
  public static boolean isRunning(ProcessHandle handle) {
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
