package dev.localexec.api.spi;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import java.time.Duration;

/** The live use of one job's {@link Budget}. Thread-safe. */
public interface BudgetTracker {

  /** The job's budgets. */
  Budget budget();

  /**
   * Counts one guarded capability call, refusing it before it starts if it would pass {@code
   * max_tool_calls}.
   *
   * @param tool the capability's name, e.g. {@code subprocess.run_argv}
   * @throws dev.localexec.api.BudgetExceededException with code {@code max_tool_calls exceeded}
   */
  void useToolCall(String tool);

  /** Tool calls counted so far. */
  int toolCallsUsed();

  /**
   * Keeps up to {@code bytes} bytes of output: returns how many of them fit in what is left of
   * {@code max_output_bytes} and counts those as used. Never throws.
   */
  long keepOutput(long bytes);

  /**
   * Counts {@code bytes} bytes of output that must be kept whole.
   *
   * @throws dev.localexec.api.BudgetExceededException with code {@code max_output_bytes exceeded}
   *     if they do not fit (nothing is counted then)
   */
  void requireOutput(long bytes);

  /** Output bytes kept so far. */
  long outputBytesUsed();

  /** Output bytes still available. */
  default long outputBytesLeft() {
    return Math.max(0, budget().maxOutputBytes() - outputBytesUsed());
  }

  /** Wall time left before {@code max_wall_time_sec}; zero or negative once passed. */
  Duration wallTimeLeft();

  /**
   * Throws once the wall-time budget is used up.
   *
   * @throws dev.localexec.api.BudgetExceededException with code {@code max_wall_time_sec exceeded}
   */
  void checkWallTime();

  /**
   * The failure for a used-up wall time, for a step that ends because of it: the limit, and the
   * seconds used (the limit, or more once the deadline has passed).
   */
  default BudgetExceededException wallTimeExceeded() {
    int limit = budget().maxWallTimeSec();
    long used = limit - Math.min(0, wallTimeLeft().toSeconds());
    return new BudgetExceededException("max_wall_time_sec", limit, used);
  }
}
