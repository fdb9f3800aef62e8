package dev.localexec.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.core.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClockBudgetTrackerTest {

  private final FakeClock clock = FakeClock.fixed();

  @Test
  void useToolCall_zeroCalls_refusesFirst() {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(60, 0, 1024, 1), clock);

    BudgetExceededException e =
        catchThrowableOfType(
            BudgetExceededException.class, () -> budget.useToolCall("subprocess.run_argv"));

    assertThat(e.code()).isEqualTo("max_tool_calls exceeded");
    assertThat(e.budget()).isEqualTo("max_tool_calls");
    assertThat(e.limit()).isZero();
    assertThat(e.used()).isZero();
    assertThat(budget.toolCallsUsed()).isZero();
  }

  @Test
  void useToolCall_countsUpToLimitThenRefuses() {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(60, 2, 1024, 1), clock);

    budget.useToolCall("a");
    budget.useToolCall("b");
    BudgetExceededException e =
        catchThrowableOfType(BudgetExceededException.class, () -> budget.useToolCall("c"));

    assertThat(e.code()).isEqualTo("max_tool_calls exceeded");
    assertThat(e.limit()).isEqualTo(2);
    assertThat(e.used()).isEqualTo(2);
    assertThat(budget.toolCallsUsed()).isEqualTo(2);
  }

  @Test
  void useToolCall_concurrent_neverPassesLimit() throws InterruptedException {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(60, 500, 1024, 1), clock);
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < 100; i++) {
                  try {
                    budget.useToolCall("x");
                    granted.incrementAndGet();
                  } catch (BudgetExceededException e) {
                    // expected once the 500 are used
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(granted.get()).isEqualTo(500);
    assertThat(budget.toolCallsUsed()).isEqualTo(500);
  }

  @Test
  void keepOutput_splitsExactlyAtLimit() {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(60, 1, 1024, 1), clock);

    assertThat(budget.keepOutput(1000)).isEqualTo(1000);
    assertThat(budget.keepOutput(100)).isEqualTo(24);
    assertThat(budget.keepOutput(100)).isZero();
    assertThat(budget.keepOutput(0)).isZero();
    assertThat(budget.outputBytesUsed()).isEqualTo(1024);
    assertThat(budget.outputBytesLeft()).isZero();
  }

  @Test
  void keepOutput_concurrent_keepsExactlyTheBudget() throws InterruptedException {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(60, 1, 100_000, 1), clock);
    AtomicLong kept = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  kept.addAndGet(budget.keepOutput(7));
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(kept.get()).isEqualTo(100_000);
    assertThat(budget.outputBytesUsed()).isEqualTo(100_000);
  }

  @Test
  void requireOutput_allOrNothing() {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(60, 1, 1024, 1), clock);
    budget.requireOutput(1000);

    BudgetExceededException e =
        catchThrowableOfType(BudgetExceededException.class, () -> budget.requireOutput(25));

    assertThat(e.code()).isEqualTo("max_output_bytes exceeded");
    assertThat(e.limit()).isEqualTo(1024);
    assertThat(e.used()).isEqualTo(1025);
    assertThat(budget.outputBytesUsed()).isEqualTo(1000);
    budget.requireOutput(24);
    assertThat(budget.outputBytesUsed()).isEqualTo(1024);
  }

  @Test
  void wallTime_followsTheClock() {
    ClockBudgetTracker budget = ClockBudgetTracker.start(Budget.of(10, 1, 1024, 1), clock);

    assertThat(budget.deadline()).isEqualTo(clock.instant().plusSeconds(10));
    assertThat(budget.wallTimeLeft()).isEqualTo(Duration.ofSeconds(10));
    budget.checkWallTime();

    clock.advance(Duration.ofMillis(9_999));
    assertThat(budget.wallTimeLeft()).isEqualTo(Duration.ofMillis(1));
    budget.checkWallTime();

    clock.advance(Duration.ofMillis(1));
    assertThat(budget.wallTimeLeft()).isZero();
    BudgetExceededException atDeadline =
        catchThrowableOfType(BudgetExceededException.class, budget::checkWallTime);
    assertThat(atDeadline.code()).isEqualTo("max_wall_time_sec exceeded");
    assertThat(atDeadline.limit()).isEqualTo(10);
    assertThat(atDeadline.used()).isEqualTo(10);

    clock.advance(Duration.ofSeconds(5));
    assertThat(budget.wallTimeLeft()).isEqualTo(Duration.ofSeconds(-5));
    BudgetExceededException later =
        catchThrowableOfType(BudgetExceededException.class, budget::checkWallTime);
    assertThat(later.used()).isEqualTo(15);
  }
}
