package dev.localexec.core.internal.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A worker's stop request: whether one was made, and when the grace period it gave running jobs
 * ends. A later request may shorten the grace period, never lengthen it. Thread-safe.
 */
final class StopSignal {
  private final Clock clock;

  /** When running jobs must end (their trees stopped); {@code null} until a stop is asked. */
  private volatile Instant abortAt;

  /** The grace period that set {@link #abortAt}. */
  private volatile Duration grace = Duration.ZERO;

  StopSignal(Clock clock) {
    this.clock = clock;
  }

  /**
   * Asks to stop, running jobs ending within {@code grace}.
   *
   * @return whether this is the first request
   * @throws IllegalArgumentException if {@code grace} is null or negative
   */
  synchronized boolean request(Duration grace) {
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("stop grace must be zero or more, got " + grace);
    }
    Instant deadline = clock.instant().plus(grace);
    boolean first = abortAt == null;
    if (first || deadline.isBefore(abortAt)) {
      this.grace = grace;
      abortAt = deadline;
    }
    return first;
  }

  /** Whether a stop was asked. */
  boolean requested() {
    return abortAt != null;
  }

  /** Whether a stop was asked and its grace period has ended: running jobs must end now. */
  boolean aborting() {
    Instant at = abortAt;
    return at != null && !clock.instant().isBefore(at);
  }

  /** The grace period of the stop asked; zero when none was. */
  Duration grace() {
    return grace;
  }
}
