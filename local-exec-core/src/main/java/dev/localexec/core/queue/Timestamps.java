package dev.localexec.core.queue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The ledger's time formats: {@code ts_utc} with microseconds and Unix seconds as a double. */
public final class Timestamps {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** {@code 2026-11-24T04:22:04.934950Z}. */
  public static String utc(Instant instant) {
    return TS.format(instant);
  }

  /** Unix seconds with microseconds, e.g. {@code 1795494186.037788}. */
  public static double unix(Instant instant) {
    long micros = instant.getNano() / 1000;
    return instant.getEpochSecond() + micros / 1_000_000.0;
  }

  /** Unix seconds of {@code instant + lease}. */
  public static double leaseEnd(Instant instant, Duration lease) {
    return unix(instant.plus(lease));
  }
}
