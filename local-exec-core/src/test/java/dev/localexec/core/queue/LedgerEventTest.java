package dev.localexec.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.json.Json;
import dev.localexec.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerEventTest {

  @Test
  void everyLineOfTheOriginalsLedgerReadsAndWritesBackToItsBytes() throws Exception {
    List<String> lines =
        Files.readAllLines(
            Fixtures.originalRun().resolve("state/jobs.jsonl"), StandardCharsets.UTF_8);

    assertThat(lines).hasSize(40);
    for (String line : lines) {
      LedgerEvent ev = LedgerEvent.parse(line).orElseThrow();
      assertThat(ev).isNotInstanceOf(LedgerEvent.Other.class);
      assertThat(Json.line(ev.toMap())).isEqualTo(line);
    }
  }

  @Test
  void optionalKeysFollowInTheLedgersOrderOnlyWhenPresent() {
    ChainHead head = new ChainHead(7, "ab".repeat(32));
    LedgerEvent.Failed f =
        new LedgerEvent.Failed(
            "2026-11-24T04:22:04.250000Z", "job-a", "w1", "boom", 2, 9L, head, "h1");

    assertThat(Json.line(f.toMap()))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"fail\", \"job_id\":"
                + " \"job-a\", \"worker_id\": \"w1\", \"error\": \"boom\", \"attempt\": 2,"
                + " \"fence\": 9, \"evidence_head\": {\"seq\": 7, \"hash\": \""
                + "ab".repeat(32)
                + "\"}, \"host\": \"h1\"}");
    assertThat(LedgerEvent.of(f.toMap())).isEqualTo(f);
    LedgerEvent.Failed atClaim =
        new LedgerEvent.Failed("t", "job-a", "w1", "job_invalid: x", null, null, null, null);
    assertThat(atClaim.toMap().keySet())
        .containsExactly("ts_utc", "event", "job_id", "worker_id", "error");
    LedgerEvent.Enqueued requeue =
        LedgerEvent.Enqueued.of("t", "jsonschema", Map.of("job_id", "job-a"), true);
    assertThat(requeue.toMap().keySet())
        .containsExactly("ts_utc", "event", "validator_mode", "job", "requeue");
    assertThat(LedgerEvent.Enqueued.of("t", "jsonschema", Map.of("job_id", "job-a"), false).toMap())
        .doesNotContainKey("requeue");
  }

  @Test
  void unknownKindsAndEnqueuesWithoutAJobIdAreOther() {
    assertThat(LedgerEvent.of(Map.of("event", "future", "ts_utc", "t", "job_id", "job-a")))
        .isEqualTo(new LedgerEvent.Other("t", "future", "job-a"));
    assertThat(LedgerEvent.of(Map.of("event", "enqueue", "job", Map.of("job_id", 5))))
        .isEqualTo(new LedgerEvent.Other(null, "enqueue", null));
    assertThat(LedgerEvent.parse("[1]")).isEmpty();
    assertThat(LedgerEvent.parse("garbage")).isEmpty();
    assertThatThrownBy(() -> new LedgerEvent.Other("t", "future", null).toMap())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
