package dev.localexec.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that stands still until a test moves it. Thread-safe. */
public final class FakeClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A UTC clock standing at {@code start}. */
  public static FakeClock at(Instant start) {
    return new FakeClock(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  /** A UTC clock standing at {@code 2026-01-02T03:04:05Z}. */
  public static FakeClock fixed() {
    return at(Instant.parse("2026-01-02T03:04:05Z"));
  }

  /** Moves the clock forward (or back, with a negative amount) and returns the new instant. */
  public Instant advance(Duration amount) {
    return now.updateAndGet(i -> i.plus(amount));
  }

  /** Sets the clock to {@code instant}. */
  public void set(Instant instant) {
    now.set(instant);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A clock sharing this one's time in another zone. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new FakeClock(now, zone);
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + "]";
  }
}
