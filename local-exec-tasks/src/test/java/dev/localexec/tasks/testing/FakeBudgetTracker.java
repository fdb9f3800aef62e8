package dev.localexec.tasks.testing;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.spi.BudgetTracker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** A budget tracker on an injected clock, started at construction. Thread-safe. */
final class FakeBudgetTracker implements BudgetTracker {
  private final Budget budget;
  private final Clock clock;
  private final Instant start;
  private int toolCalls;
  private long outputBytes;

  FakeBudgetTracker(Budget budget, Clock clock) {
    this.budget = budget;
    this.clock = clock;
    this.start = clock.instant();
  }

  @Override
  public Budget budget() {
    return budget;
  }

  @Override
  public synchronized void useToolCall(String tool) {
    if (toolCalls >= budget.maxToolCalls()) {
      throw new BudgetExceededException("max_tool_calls", budget.maxToolCalls(), toolCalls);
    }
    toolCalls++;
  }

  @Override
  public synchronized int toolCallsUsed() {
    return toolCalls;
  }

  @Override
  public synchronized long keepOutput(long bytes) {
    long kept = Math.min(bytes, budget.maxOutputBytes() - outputBytes);
    outputBytes += kept;
    return kept;
  }

  @Override
  public synchronized void requireOutput(long bytes) {
    if (outputBytes + bytes > budget.maxOutputBytes()) {
      throw new BudgetExceededException(
          "max_output_bytes", budget.maxOutputBytes(), outputBytes + bytes);
    }
    outputBytes += bytes;
  }

  @Override
  public synchronized long outputBytesUsed() {
    return outputBytes;
  }

  @Override
  public Duration wallTimeLeft() {
    return Duration.ofSeconds(budget.maxWallTimeSec())
        .minus(Duration.between(start, clock.instant()));
  }

  @Override
  public void checkWallTime() {
    if (wallTimeLeft().isNegative() || wallTimeLeft().isZero()) {
      throw new BudgetExceededException(
          "max_wall_time_sec",
          budget.maxWallTimeSec(),
          Duration.between(start, clock.instant()).toSeconds());
    }
  }
}
