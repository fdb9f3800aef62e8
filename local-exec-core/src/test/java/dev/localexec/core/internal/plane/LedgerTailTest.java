package dev.localexec.core.internal.plane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code health}'s ledger count and last event. */
class LedgerTailTest {
  @TempDir Path dir;

  private LedgerTail of(String text) throws Exception {
    Path p = dir.resolve("jobs.jsonl");
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return LedgerTail.of(p);
  }

  @Test
  void aMissingOrEmptyLedger_hasNoLinesAndNoLastEvent() throws Exception {
    assertThat(LedgerTail.of(dir.resolve("absent.jsonl"))).isEqualTo(new LedgerTail(0, null));
    assertThat(of("")).isEqualTo(new LedgerTail(0, null));
  }

  @Test
  void completeLines_areCountedAndTheLastOneIsReported() throws Exception {
    LedgerTail t =
        of(
            "{\"ts_utc\": \"2026-01-01T00:00:00Z\", \"event\": \"enqueue\", \"job_id\": \"a\"}\n"
                + "{\"ts_utc\": \"2026-01-01T00:00:01Z\", \"event\": \"claim\", \"job_id\": \"a\"}\n");

    assertThat(t.lines()).isEqualTo(2);
    assertThat(t.lastEvent()).isEqualTo(Map.of("ts_utc", "2026-01-01T00:00:01Z", "event", "claim"));
  }

  @Test
  void aTornLastLine_isNotCountedAndTheLastCompleteLineIsReported() throws Exception {
    LedgerTail t =
        of(
            "{\"ts_utc\": \"2026-01-01T00:00:00Z\", \"event\": \"enqueue\"}\n"
                + "{\"ts_utc\": \"2026-01-01T00:00:01Z\", \"ev");

    assertThat(t.lines()).isEqualTo(1);
    assertThat(t.lastEvent()).containsEntry("event", "enqueue");
  }

  @Test
  void aLastLineLongerThanTheReadBuffer_isReadWhole() throws Exception {
    String big = "x".repeat(300_000);
    LedgerTail t =
        of(
            "{\"ts_utc\": \"a\", \"event\": \"enqueue\"}\n"
                + "{\"ts_utc\": \"b\", \"event\": \"complete\", \"pad\": \""
                + big
                + "\"}\n");

    assertThat(t.lines()).isEqualTo(2);
    assertThat(t.lastEvent()).containsEntry("ts_utc", "b").containsEntry("event", "complete");
  }

  @Test
  void aLastLineThatIsNotAnObject_hasNoLastEvent() throws Exception {
    assertThat(of("{\"event\": \"enqueue\"}\nnot json\n")).isEqualTo(new LedgerTail(2, null));
    assertThat(of("[1, 2]\n")).isEqualTo(new LedgerTail(1, null));
  }
}
