package dev.localexec.core.internal.budget;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.spi.BudgetTracker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BudgetTracker} whose wall time is read from a {@link Clock}. Counters are atomics, so
 * one tracker may be shared by every thread of a job; no method blocks.
 */
public final class ClockBudgetTracker implements BudgetTracker {

  private final Budget budget;
  private final Clock clock;
  private final Instant start;
  private final Instant deadline;
  private final AtomicInteger toolCalls = new AtomicInteger();
  private final AtomicLong outputBytes = new AtomicLong();

  private ClockBudgetTracker(Budget budget, Clock clock) {
    this.budget = Objects.requireNonNull(budget, "budget");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.start = clock.instant();
    this.deadline = start.plusSeconds(budget.maxWallTimeSec());
  }

  /**
   * Starts tracking a job's budget now (the clock's current instant is the start of its wall time).
   *
   * @param budget the job's budgets
   * @param clock the plane's clock
   */
  public static ClockBudgetTracker start(Budget budget, Clock clock) {
    return new ClockBudgetTracker(budget, clock);
  }

  @Override
  public Budget budget() {
    return budget;
  }

  /** When tracking started. */
  public Instant startedAt() {
    return start;
  }

  /** When {@code max_wall_time_sec} runs out: the start plus the budget. */
  public Instant deadline() {
    return deadline;
  }

  @Override
  public void useToolCall(String tool) {
    int limit = budget.maxToolCalls();
    while (true) {
      int used = toolCalls.get();
      if (used >= limit) {
        throw new BudgetExceededException("max_tool_calls", limit, used);
      }
      if (toolCalls.compareAndSet(used, used + 1)) {
        return;
      }
    }
  }

  @Override
  public int toolCallsUsed() {
    return toolCalls.get();
  }

  @Override
  public long keepOutput(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative, got " + bytes);
    }
    long limit = budget.maxOutputBytes();
    while (true) {
      long used = outputBytes.get();
      long kept = Math.min(bytes, Math.max(0, limit - used));
      if (kept == 0 || outputBytes.compareAndSet(used, used + kept)) {
        return kept;
      }
    }
  }

  @Override
  public void requireOutput(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative, got " + bytes);
    }
    long limit = budget.maxOutputBytes();
    while (true) {
      long used = outputBytes.get();
      if (bytes > limit - used) {
        throw new BudgetExceededException("max_output_bytes", limit, used + bytes);
      }
      if (outputBytes.compareAndSet(used, used + bytes)) {
        return;
      }
    }
  }

  @Override
  public long outputBytesUsed() {
    return outputBytes.get();
  }

  @Override
  public Duration wallTimeLeft() {
    return Duration.between(clock.instant(), deadline);
  }

  @Override
  public void checkWallTime() {
    Instant now = clock.instant();
    if (!now.isBefore(deadline)) {
      throw new BudgetExceededException(
          "max_wall_time_sec", budget.maxWallTimeSec(), Duration.between(start, now).toSeconds());
    }
  }

  @Override
  public String toString() {
    return "ClockBudgetTracker[tool_calls "
        + toolCalls.get()
        + "/"
        + budget.maxToolCalls()
        + ", output_bytes "
        + outputBytes.get()
        + "/"
        + budget.maxOutputBytes()
        + ", deadline "
        + deadline
        + "]";
  }
}
