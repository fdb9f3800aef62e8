package dev.localexec.core.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.LedgerEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventScannerTest {

  /** The event as the scanner gives it: without the job document and the result. */
  private static LedgerEvent scanned(LedgerEvent e) {
    if (e instanceof LedgerEvent.Enqueued en) {
      return en.withoutDocument();
    }
    if (e instanceof LedgerEvent.Completed c) {
      return new LedgerEvent.Completed(
          c.ts(),
          c.jobId(),
          c.workerId(),
          null,
          c.attempt(),
          c.fence(),
          c.evidenceHead(),
          c.host());
    }
    return e;
  }

  /** What {@code Json.parse} makes of the line: the event, or null when it is not an object. */
  private static LedgerEvent slow(String line) {
    try {
      return Json.parse(line.strip()) instanceof Map<?, ?> m ? scanned(LedgerEvent.of(m)) : null;
    } catch (LocalExecException e) {
      return null;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"claim\", \"job_id\": \"job-a\","
            + " \"worker_id\": \"w1\", \"lease_expires_unix\": 1795494184.25, \"attempt\": 1,"
            + " \"seq\": 2, \"hash\": \"ab\"}",
        "{\"event\": \"enqueue\", \"job\": {\"job_id\": \"job-a\", \"job_type\": \"t\","
            + " \"payload\": {\"x\": [1, {\"job_id\": \"no\"}]}}, \"requeue\": true}",
        "{\"event\": \"enqueue\", \"job\": {\"job_id\": \"job-a\"}, \"job\": 5}",
        "{\"event\": \"enqueue\", \"job\": 5, \"job\": {\"job_id\": \"job-b\", \"job_type\": 7}}",
        "{\"event\": \"enqueue\", \"job\": {\"job_id\": 12, \"job_type\": [\"a\", 1]}}",
        "{\"event\": \"fail\", \"job_id\": \"job-a\", \"error\": {\"code\": 1, \"why\": [true]}}",
        "{\"event\": \"fail\", \"event\": \"complete\", \"ts_utc\": 12.5, \"job_id\": null}",
        "{\"event\": 5, \"ts_utc\": {\"a\": 1}, \"attempt\": 99999999999999999999999,"
            + " \"lease_expires_unix\": 1e999, \"line\": 4294967296}",
        "{\"event\": \"claim\", \"attempt\": 2.75, \"lease_expires_unix\": -0.0}",
        "{\"event\": \"torn_line\", \"line\": 7, \"bytes\": 77}",
        "  {\"event\": \"x\"}  \r",
        "{}",
        "{\"event\": \"caf\u00e9 \\u00e9 \\ud83d\\ude00\"}",
        "{\"a\": 1} {\"b\": 2}",
        "{\"a\": 1} x",
        "{\"a\": 1",
        "[1, 2]",
        "\"text\"",
        "garbage",
        "",
        "   ",
        "\u2003",
        "{\"a\": tru}",
        "{\"a\": 01}",
      })
  void read_agreesWithJsonParse(String line) {
    byte[] bytes = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
    int length = line.getBytes(StandardCharsets.UTF_8).length;

    LedgerEvent fast = EventScanner.read(bytes, 2, length);

    LedgerEvent expected = slow(line);
    if (expected == null) {
      assertThat(fast).isNull();
    } else if (fast != null) {
      assertThat(fast).isEqualTo(expected);
    }
    // What the queue applies: the fast fields, or Json.parse's when the fast reader declines.
    LedgerEvent applied = fast != null ? fast : expected;
    assertThat(applied).isEqualTo(expected);
  }

  /** The lines the queue writes never need the slow path. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"enqueue\","
            + " \"validator_mode\": \"jsonschema\", \"job\": {\"job_id\": \"job-aaaaaaaa\","
            + " \"job_type\": \"test_runner_task\", \"payload\": {\"commands\": [[\"true\"]]},"
            + " \"meta\": {\"k\": [1, 2.5, null, {\"x\": true}]}}, \"requeue\": true,"
            + " \"seq\": 1, \"hash\": \"ab\"}",
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"complete\","
            + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\", \"result\": {\"files\": [3]},"
            + " \"attempt\": 1, \"evidence_head\": {\"seq\": 7, \"hash\": \"ab\"}}",
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"fail\","
            + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\", \"error\": \"boom\","
            + " \"attempt\": 2, \"fence\": 9, \"evidence_head\": {\"seq\": 7, \"hash\": \""
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
            + " \"host\": \"h1\"}",
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"torn_line\", \"line\": 2,"
            + " \"bytes\": 77, \"seq\": 2, \"hash\": \"ab\"}",
      })
  void read_handlesTheQueuesOwnLines(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);

    LedgerEvent fast = EventScanner.read(bytes, 0, bytes.length);

    assertThat(fast).isNotNull();
    assertThat(fast).isEqualTo(slow(line));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"caf\u00e9\"", "\"\\u00e9\""})
  void read_invalidUtf8InAValueIsLeftToTheFallback(String value) {
    byte[] line =
        ("{\"event\": \"fail\", \"error\": " + value + "}").getBytes(StandardCharsets.UTF_8);
    byte[] broken = Arrays.copyOf(line, line.length);
    for (int i = 0; i < broken.length; i++) {
      if (broken[i] == (byte) 0xc3) {
        broken[i] = (byte) 0xff;
      }
    }

    LedgerEvent fast = EventScanner.read(broken, 0, broken.length);
    LedgerEvent expected = slow(new String(broken, StandardCharsets.UTF_8));

    if (fast != null) {
      assertThat(fast).isEqualTo(expected);
    }
    assertThat(expected).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2147483647", "2147483648", "9223372036854775807", "9223372036854775808"})
  void read_integersReadAsJsonParseGivesThem(String number) {
    byte[] line = ("{\"attempt\": " + number + "}").getBytes(StandardCharsets.UTF_8);

    LedgerEvent fast = EventScanner.read(line, 0, line.length);

    assertThat(fast).isEqualTo(slow(new String(line, StandardCharsets.UTF_8)));
  }
}
