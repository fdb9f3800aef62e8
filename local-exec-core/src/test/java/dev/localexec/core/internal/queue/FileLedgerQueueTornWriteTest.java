package dev.localexec.core.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.integrity.VerifyReport.FileCheck;
import dev.localexec.core.internal.integrity.LedgerHeadFile;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.integrity.Verifier;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Crash-consistency of the ledger: a write cut at any byte, and garbage in the middle. */
class FileLedgerQueueTornWriteTest {
  private static final JobValidator VALIDATOR =
      new JobValidator(
          TaskRegistry.builder().register(SchemaOnlyPlugin.permissive("repo_index_task")).build());

  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final Instant START = Instant.parse("2026-11-24T04:22:04.250000Z");

  @TempDir Path dir;

  private final FakeClock clock = FakeClock.at(START);

  private static Job job(String id) {
    return new Job(
        id,
        "repo_index_task",
        "2026-11-24T04:00:00Z",
        Map.of("max_files", 1),
        Budget.of(300, 10, 262144, 1),
        ToolPolicy.denyAll(),
        null);
  }

  /** Appends are not forced to the device: thousands of them, and a cut is made by the test. */
  private FileLedgerQueue queue(Path state, int snapshotEvery) {
    return new FileLedgerQueue(state, VALIDATOR, clock, Redactor.none(), snapshotEvery, false);
  }

  /**
   * 14 records: 4 enqueues, 4 claims, 2 heartbeats, 2 completes, a fail and a re-queue; the queue
   * writes a snapshot after 9 lines.
   */
  private FileLedgerQueue build(Path state) {
    FileLedgerQueue q = queue(state, 9);
    for (int i = 1; i <= 4; i++) {
      q.enqueue(job("job-torn000" + i));
    }
    List<Claim> c = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMillis(100));
      c.add(q.claim("w" + i, LEASE).orElseThrow());
    }
    clock.advance(Duration.ofSeconds(1));
    q.heartbeat(c.get(0), LEASE);
    q.heartbeat(c.get(1), LEASE);
    q.complete(c.get(0), Map.of("files", 1));
    q.fail(c.get(1), "boom");
    q.complete(c.get(2), Map.of("files", 2));
    q.requeue("job-torn0001");
    return q;
  }

  /**
   * Writes the head file as it stood when the append cut at {@code cut} began: naming the last line
   * whose line break lies before the cut (none: no head file).
   */
  private static void writeHeadOfTheLastAppendBefore(
      Path state, byte[] full, List<Integer> starts, int cut) throws IOException {
    int ended = 0;
    while (ended + 1 < starts.size() && starts.get(ended + 1) <= cut) {
      ended++;
    }
    Path head = state.resolve(LedgerHeadFile.NAME);
    if (ended == 0) {
      Files.deleteIfExists(head);
      return;
    }
    int from = starts.get(ended - 1);
    Map<?, ?> line =
        (Map<?, ?>)
            Json.parse(new String(full, from, starts.get(ended) - from, StandardCharsets.UTF_8));
    new LedgerHeadFile(
            ((Number) line.get("seq")).longValue(),
            (String) line.get("hash"),
            starts.get(ended),
            "2026-11-24T04:22:04.250000Z")
        .write(head);
  }

  /** Offsets where each line starts, and the file's size last. */
  private static List<Integer> lineStarts(byte[] bytes) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        starts.add(i + 1);
      }
    }
    return starts;
  }

  /**
   * For every byte offset inside the last 10 records, the ledger cut there replays to the state of
   * the last complete record before the cut; an append then works, and the result verifies (the cut
   * record's fragment followed by a {@code torn_line} event). With {@code snapshot}, the cut is
   * made in place and the snapshot (at record 9 or 10) is put back each time: cuts after it load
   * it, cuts before it ignore it.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void everyCutInTheLastTenRecords_replaysToTheLastCompleteRecord(boolean snapshot)
      throws IOException {
    // Built in place, so that the snapshot names this ledger's file key.
    Path state = dir.resolve("cut");
    Path ledger = state.resolve("jobs.jsonl");
    build(state);
    byte[] full = Files.readAllBytes(ledger);
    byte[] snap = Files.readAllBytes(state.resolve("jobs.snapshot"));
    List<Integer> starts = lineStarts(full);
    int records = starts.size() - 1;
    assertThat(records).isEqualTo(14);
    String header = new String(snap, StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
    long snapOffset = ((Number) ((Map<?, ?>) Json.parse(header)).get("ledger_offset")).longValue();
    assertThat(snapOffset).isIn((long) starts.get(9), (long) starts.get(10));

    // The state after k complete records, from a clean cut at a line boundary.
    List<List<JobStatus>> expected = new ArrayList<>();
    for (int k = 0; k <= records; k++) {
      Path clean = dir.resolve("clean" + k);
      Files.createDirectories(clean);
      Files.write(clean.resolve("jobs.jsonl"), Arrays.copyOf(full, starts.get(k)));
      expected.add(queue(clean, 0).status());
    }

    int firstCut = starts.get(records - 10);
    int loaded = 0;
    for (int cut = firstCut; cut < full.length; cut++) {
      if (snapshot) {
        try (FileChannel ch = FileChannel.open(ledger, StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(full), 0);
          ch.truncate(cut);
        }
        Files.write(state.resolve("jobs.snapshot"), snap);
      } else {
        Files.deleteIfExists(state.resolve("jobs.snapshot"));
        Files.write(ledger, Arrays.copyOf(full, cut), StandardOpenOption.TRUNCATE_EXISTING);
      }
      // A torn write is always beyond the head: the head file is written after an append ends.
      writeHeadOfTheLastAppendBefore(state, full, starts, cut);
      // Records whose JSON text is complete (with or without its line break).
      int complete = 0;
      while (complete < records && starts.get(complete + 1) - 1 <= cut) {
        complete++;
      }
      int fragmentStart = starts.get(complete);
      boolean torn = cut > fragmentStart;
      String what = "cut at byte " + cut + " (record " + (complete + 1) + ")";

      FileLedgerQueue q = queue(state, FileLedgerQueue.DEFAULT_SNAPSHOT_EVERY);
      assertThat(q.status()).as(what).isEqualTo(expected.get(complete));
      assertThat(q.unreadableLines()).as(what).isEmpty();
      if (snapshot && cut >= snapOffset) {
        assertThat(q.snapshotState()).as(what).isEqualTo("loaded");
        loaded++;
      }

      q.enqueue(job("job-afterthecut"));

      List<JobStatus> after = q.status();
      assertThat(after.subList(0, after.size() - 1)).as(what).isEqualTo(expected.get(complete));
      assertThat(after.get(after.size() - 1).jobId()).isEqualTo("job-afterthecut");
      assertThat(queue(state, 0).status()).as(what).isEqualTo(after);
      List<String> lines = Files.readAllLines(ledger);
      FileCheck check = new Verifier(dir, ledger, dir.resolve("evidence")).verifyFile(ledger);
      if (torn) {
        assertThat(lines).as(what).hasSize(complete + 3);
        assertThat(lines.get(complete))
            .isEqualTo(
                new String(full, fragmentStart, cut - fragmentStart, StandardCharsets.UTF_8));
        assertThat(Json.parse(lines.get(complete + 1)))
            .as(what)
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("event", "torn_line")
            .containsEntry("line", complete + 1)
            .containsEntry("bytes", cut - fragmentStart)
            .containsEntry("seq", complete + 1);
        assertThat(check).as(what).isEqualTo(FileCheck.ok("cut/jobs.jsonl", complete + 3));
      } else {
        assertThat(lines).as(what).hasSize(complete + 1);
        assertThat(check).as(what).isEqualTo(FileCheck.ok("cut/jobs.jsonl", complete + 1));
      }
      assertThat(q.unreadableLines()).as(what).isEmpty();
    }
    if (snapshot) {
      assertThat(loaded).isEqualTo(full.length - snapOffset);
    }
  }

  @Test
  void garbageInsertedInTheMiddle_isReportedWithItsLine() throws IOException {
    Path state = dir.resolve("state");
    build(state);
    Path ledger = state.resolve("jobs.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(ledger));
    lines.add(6, "{\"ts_utc\": \"2026-11-24T04:22:05.000000Z\", \"event\": \"claim\", garbage");
    Files.write(ledger, lines);

    FileCheck check = new Verifier(dir, ledger, dir.resolve("evidence")).verifyFile(ledger);

    assertThat(check)
        .isEqualTo(
            FileCheck.problem(
                "state/jobs.jsonl",
                15,
                7,
                "not a JSON object (garbage, or a torn write that no torn_line event names)"));
    FileLedgerQueue q = queue(state, 0);
    assertThat(q.unreadableLines()).containsExactly(7);
    // The chain itself is intact around the garbage: every job keeps its state.
    assertThat(q.status()).hasSize(4);
  }

  @Test
  void lineOverwrittenWithGarbageInPlace_isReportedWithItsLine() throws IOException {
    Path state = dir.resolve("state");
    List<JobStatus> before = build(state).status();
    Path ledger = state.resolve("jobs.jsonl");
    byte[] bytes = Files.readAllBytes(ledger);
    List<Integer> starts = lineStarts(bytes);
    // Line 13 (job 3's complete) overwritten in place, after the snapshot's line 9 or 10.
    int from = starts.get(12);
    int to = starts.get(13) - 1;
    byte[] garbage = new byte[to - from];
    Arrays.fill(garbage, (byte) '#');
    try (FileChannel ch = FileChannel.open(ledger, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(garbage), from);
    }

    FileCheck check = new Verifier(dir, ledger, dir.resolve("evidence")).verifyFile(ledger);

    assertThat(check.line()).isEqualTo(13);
    assertThat(check.problem()).startsWith("not a JSON object");
    FileLedgerQueue fresh = queue(state, FileLedgerQueue.DEFAULT_SNAPSHOT_EVERY);
    assertThat(fresh.unreadableLines()).containsExactly(13);
    assertThat(fresh.snapshotState()).isEqualTo("loaded");
    assertThat(fresh.status()).isEqualTo(queue(state, 0).status()).isNotEqualTo(before);
    assertThat(fresh.status("job-torn0003").orElseThrow().state()).isEqualTo(JobState.RUNNING);
  }
}
