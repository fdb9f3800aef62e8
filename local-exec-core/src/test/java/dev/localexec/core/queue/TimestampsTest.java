package dev.localexec.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void utc_hasMicrosecondsAndZ() {
    assertThat(Timestamps.utc(Instant.parse("2026-11-24T04:22:04.123456789Z")))
        .isEqualTo("2026-11-24T04:22:04.123456Z");
    assertThat(Timestamps.utc(Instant.parse("2026-11-24T04:22:04Z")))
        .isEqualTo("2026-11-24T04:22:04.000000Z");
  }

  @Test
  void unix_truncatesToMicroseconds() {
    double unix = Timestamps.unix(Instant.parse("2026-11-24T04:22:04.123456789Z"));

    assertThat(Json.line(unix)).isEqualTo("1795494124.123456");
  }

  @Test
  void leaseEnd_addsTheLease() {
    double end =
        Timestamps.leaseEnd(Instant.parse("2026-11-24T04:22:04.250Z"), Duration.ofMinutes(2));

    assertThat(end).isEqualTo(1795494244.25);
  }
}
