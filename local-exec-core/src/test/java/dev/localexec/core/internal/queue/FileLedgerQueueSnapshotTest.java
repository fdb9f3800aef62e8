package dev.localexec.core.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.integrity.Verifier;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileLedgerQueueSnapshotTest {
  private static final JobValidator VALIDATOR =
      new JobValidator(
          TaskRegistry.builder().register(SchemaOnlyPlugin.permissive("repo_index_task")).build());

  private static final Duration LEASE = Duration.ofSeconds(60);

  /** An error with every kind of character a snapshot string escapes. */
  private static final String ERROR = "boom \"quoted\" caf\u00e9\nline 2\t\\/";

  @TempDir Path dir;

  private final FakeClock clock = FakeClock.at(Instant.parse("2026-11-24T04:22:04.250000Z"));

  private Path state() {
    return dir.resolve("state");
  }

  private FileLedgerQueue queue(int snapshotEvery) {
    return new FileLedgerQueue(state(), VALIDATOR, clock, Redactor.none(), snapshotEvery);
  }

  /** A queue that neither reads nor writes a snapshot: the full replay, for comparison. */
  private FileLedgerQueue fullReplay() {
    return queue(0);
  }

  private static Job job(String id) {
    return new Job(
        id,
        "repo_index_task",
        "2026-11-24T04:00:00Z",
        Map.of("max_files", 1, "note", "caf\u00e9 " + id),
        Budget.of(300, 10, 262144, 1),
        ToolPolicy.denyAll(),
        null);
  }

  private static String id(int i) {
    return String.format("job-s%07d", i);
  }

  private Path ledger() {
    return state().resolve("jobs.jsonl");
  }

  private Path snapshotFile() {
    return state().resolve("jobs.snapshot");
  }

  private int ledgerLines() throws IOException {
    return Files.readAllLines(ledger()).size();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> snapshotHeader() throws IOException {
    return (Map<String, Object>) Json.parse(Files.readAllLines(snapshotFile()).get(0));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * 12 jobs; 1-6 claimed, 1-3 complete, 4 failed, 5 heartbeat, 1 re-queued: 24 lines. With a
   * snapshot every 10 lines, the last snapshot stands at line 20 or later.
   */
  private FileLedgerQueue workload(int snapshotEvery) {
    FileLedgerQueue q = queue(snapshotEvery);
    for (int i = 1; i <= 12; i++) {
      q.enqueue(job(id(i)));
    }
    List<Claim> claims = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      claims.add(q.claim("w" + (i % 2), LEASE).orElseThrow());
      clock.advance(Duration.ofMillis(250));
    }
    for (int i = 0; i < 3; i++) {
      q.complete(claims.get(i), Map.of("n", i));
    }
    q.fail(claims.get(3), ERROR);
    q.heartbeat(claims.get(4), LEASE);
    q.requeue(id(1));
    clock.advance(Duration.ofSeconds(1));
    return q;
  }

  @Test
  void freshQueue_loadsTheSnapshotAndReplaysOnlyTheLinesAfterIt() throws Exception {
    FileLedgerQueue writer = workload(10);
    List<JobStatus> expected = writer.status();
    assertThat(writer.snapshotsWritten()).isEqualTo(2);
    assertThat(ledgerLines()).isEqualTo(24);
    int covered = ((Number) snapshotHeader().get("ledger_lines")).intValue();
    assertThat(covered).isBetween(20, 23);

    FileLedgerQueue fresh = queue(FileLedgerQueue.DEFAULT_SNAPSHOT_EVERY);
    assertThat(fresh.status()).isEqualTo(expected);
    assertThat(fresh.snapshotState()).isEqualTo("loaded");
    assertThat(fresh.linesRead()).isEqualTo(24 - covered);

    FileLedgerQueue full = fullReplay();
    assertThat(full.status()).isEqualTo(expected);
    assertThat(full.linesRead()).isEqualTo(24);
    assertThat(full.snapshotState()).isEqualTo("none");
    assertThat(fresh.unreadableLines()).isEqualTo(full.unreadableLines()).isEmpty();

    // FIFO continues: 7..12 in order, then the re-queued 1 (its document read back from the
    // ledger), then nothing (5 holds its lease, 6 too).
    List<String> claimed = new ArrayList<>();
    for (Optional<Claim> c = fresh.claim("w9", LEASE);
        c.isPresent();
        c = fresh.claim("w9", LEASE)) {
      claimed.add(c.get().job().jobId());
      if (c.get().job().jobId().equals(id(1))) {
        assertThat(c.get().job()).isEqualTo(job(id(1)));
        assertThat(c.get().attempt()).isEqualTo(1);
      }
    }
    assertThat(claimed).containsExactly(id(7), id(8), id(9), id(10), id(11), id(12), id(1));
    assertThat(new Verifier(dir, ledger(), dir.resolve("evidence")).verifyFile(ledger()).ok())
        .isTrue();
  }

  @Test
  void snapshot_recordsTheOffsetChainHeadAndEachJobsEnqueueOffset() throws Exception {
    workload(10);
    List<String> lines = Files.readAllLines(snapshotFile());
    Map<String, Object> h = snapshotHeader();
    long offset = ((Number) h.get("ledger_offset")).longValue();
    int covered = ((Number) h.get("ledger_lines")).intValue();
    assertThat(covered).isEqualTo(20);
    byte[] ledgerBytes = Files.readAllBytes(ledger());
    List<String> ledgerLines = Files.readAllLines(ledger());
    int prefix = 0;
    for (int i = 0; i < covered; i++) {
      prefix += ledgerLines.get(i).length() + 1;
    }
    String lastLine = ledgerLines.get(covered - 1);
    @SuppressWarnings("unchecked")
    Map<String, Object> last = (Map<String, Object>) Json.parse(lastLine);

    assertThat(h)
        .containsEntry("format", "local-exec-jobs-snapshot")
        .containsEntry("version", 1)
        .containsEntry("ledger", "jobs.jsonl")
        .containsEntry("events", covered)
        .containsEntry("bad_lines", List.of())
        .containsEntry("jobs", 12)
        .containsEntry("chain_head", Map.of("seq", covered, "hash", last.get("hash")));
    assertThat(h.get("ledger_file_key")).isNotNull();
    assertThat(offset).isEqualTo(prefix);
    assertThat(h.get("last_line"))
        .isEqualTo(
            Map.of(
                "start",
                prefix - lastLine.length() - 1,
                "sha256",
                sha256((lastLine + "\n").getBytes(StandardCharsets.UTF_8))));
    assertThat(lines).hasSize(1 + 12 + 1);

    // Job 2: complete; its enqueue is the ledger's second line.
    @SuppressWarnings("unchecked")
    List<Object> two = (List<Object>) Json.parse(lines.get(2));
    int secondLine = ledgerLines.get(0).length() + 1;
    assertThat(two)
        .containsExactly(
            id(2),
            "repo_index_task",
            "complete",
            1,
            "w0",
            1795494184.5,
            "2026-11-24T04:22:05.750000Z",
            null,
            2,
            secondLine);
    assertThat(new String(ledgerBytes, secondLine, 60, StandardCharsets.UTF_8))
        .startsWith("{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"enqueue\"");
    @SuppressWarnings("unchecked")
    List<Object> four = (List<Object>) Json.parse(lines.get(4));
    // Job 4 failed on line 22, after the snapshot's line 20: there it is still running.
    assertThat(four.subList(2, 8))
        .containsExactly("running", 1, "w0", 1795494185.0, "2026-11-24T04:22:05.000000Z", null);
    @SuppressWarnings("unchecked")
    Map<String, Object> trailer = (Map<String, Object>) Json.parse(lines.get(13));
    assertThat(trailer).containsEntry("end", "jobs.snapshot").containsEntry("jobs", 12);
    assertThat((String) trailer.get("crc32c")).matches("[0-9a-f]{8}");
    assertThat(Files.readString(snapshotFile())).matches("\\p{ASCII}*");
  }

  @Test
  void deletingTheSnapshot_changesNothingButTheLinesRead() throws IOException {
    List<JobStatus> expected = workload(10).status();
    Files.delete(snapshotFile());

    FileLedgerQueue fresh = queue(FileLedgerQueue.DEFAULT_SNAPSHOT_EVERY);

    assertThat(fresh.status()).isEqualTo(expected);
    assertThat(fresh.snapshotState()).isEqualTo("none");
    assertThat(fresh.linesRead()).isEqualTo(24);
  }

  @Test
  void longReplay_writesASnapshotRightAway() throws IOException {
    workload(0);
    assertThat(snapshotFile()).doesNotExist();

    FileLedgerQueue fresh = queue(20);
    fresh.status();

    assertThat(fresh.snapshotsWritten()).isEqualTo(1);
    assertThat(snapshotHeader()).containsEntry("ledger_lines", 24);
    FileLedgerQueue next = queue(20);
    assertThat(next.status()).isEqualTo(fresh.status());
    assertThat(next.status(id(4)).orElseThrow().error()).isEqualTo(ERROR);
    assertThat(next.linesRead()).isZero();
    assertThat(Files.readString(snapshotFile()))
        .contains("\"boom \\\"quoted\\\" caf\\u00e9\\nline 2\\t\\\\/\"");
  }

  @Test
  void snapshotThatCannotBeWritten_isLoggedAndTheQueueGoesOn() throws IOException {
    Files.createDirectories(snapshotFile().resolve("in-the-way"));

    FileLedgerQueue q = workload(10);

    assertThat(q.snapshotsWritten()).isZero();
    assertThat(q.status()).hasSize(12);
    assertThat(state().resolve("jobs.snapshot.tmp")).doesNotExist();
    assertThat(fullReplay().status()).isEqualTo(q.status());
  }

  @Test
  void replacedLedger_snapshotIsIgnored() throws IOException {
    List<JobStatus> expected = workload(10).status();
    Path copy = dir.resolve("copy.jsonl");
    Files.copy(ledger(), copy);
    Files.move(copy, ledger(), StandardCopyOption.REPLACE_EXISTING);

    FileLedgerQueue fresh = queue(100);

    assertThat(fresh.status()).isEqualTo(expected);
    assertThat(fresh.snapshotState()).startsWith("ignored: the ledger was replaced: its file key");
    assertThat(fresh.linesRead()).isEqualTo(24);
    assertThat(snapshotFile()).doesNotExist();
  }

  @Test
  void truncatedLedger_snapshotIsIgnored() throws IOException {
    workload(10);
    long offset = ((Number) snapshotHeader().get("ledger_offset")).longValue();
    try (FileChannel ch = FileChannel.open(ledger(), StandardOpenOption.WRITE)) {
      ch.truncate(offset - 1);
    }

    int covered = ((Number) snapshotHeader().get("ledger_lines")).intValue();
    FileLedgerQueue fresh = queue(100);
    List<JobStatus> got = fresh.status();
    FileLedgerQueue full = fullReplay();

    assertThat(fresh.snapshotState())
        .isEqualTo(
            "ignored: the ledger has "
                + (offset - 1)
                + " bytes, fewer than the snapshot's offset "
                + offset
                + " (truncated?)");
    assertThat(got).isEqualTo(full.status());
    assertThat(fresh.linesRead()).isEqualTo(full.linesRead()).isEqualTo(covered - 1);
  }

  @Test
  void ledgerRewrittenInPlace_hashMismatch_snapshotIsIgnored() throws IOException {
    workload(10);
    Map<String, Object> h = snapshotHeader();
    long offset = ((Number) h.get("ledger_offset")).longValue();
    // Same length, same file: one digit of the line before the offset changed ("seq": N -> M).
    byte[] bytes = Files.readAllBytes(ledger());
    int at = (int) offset - 80;
    byte changed = (byte) (bytes[at] == 'a' ? 'b' : 'a');
    try (FileChannel ch = FileChannel.open(ledger(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {changed}), at);
    }

    FileLedgerQueue fresh = queue(100);
    fresh.status();

    assertThat(fresh.snapshotState())
        .startsWith("ignored: the ledger's line before offset " + offset + " has SHA-256 ")
        .endsWith("(the ledger was rewritten)");
    assertThat(fresh.linesRead()).isEqualTo(24);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cut", "flip", "garbage", "version"})
  void damagedSnapshot_isIgnored(String damage) throws IOException {
    List<JobStatus> expected = workload(10).status();
    byte[] s = Files.readAllBytes(snapshotFile());
    byte[] damaged =
        switch (damage) {
          case "cut" -> java.util.Arrays.copyOf(s, s.length - 40);
          case "flip" -> {
            byte[] c = s.clone();
            // A worker id changed: still a well-formed job line, only the CRC tells.
            int i = new String(s, StandardCharsets.US_ASCII).indexOf("\"w0\"");
            c[i + 2] = '9';
            yield c;
          }
          case "garbage" -> "not json\n".getBytes(StandardCharsets.US_ASCII);
          default ->
              new String(s, StandardCharsets.US_ASCII)
                  .replace("\"version\": 1", "\"version\": 2")
                  .getBytes(StandardCharsets.US_ASCII);
        };
    Files.write(snapshotFile(), damaged);

    FileLedgerQueue fresh = queue(100);

    assertThat(fresh.status()).isEqualTo(expected);
    assertThat(fresh.snapshotState())
        .startsWith("ignored: ")
        .contains(
            switch (damage) {
              case "cut" -> "cut short";
              case "flip" -> "its trailer does not match its job lines";
              case "garbage" -> "its header is not JSON";
              default -> "is not a local-exec-jobs-snapshot of version 1";
            });
    assertThat(fresh.linesRead()).isEqualTo(24);
  }

  @Test
  void warmQueue_replaysAgainWhenTheLedgerIsRewrittenUnderIt() throws IOException {
    FileLedgerQueue q = workload(0);
    assertThat(q.status()).hasSize(12);
    // Another ledger of the same length or longer, written in place (same file key).
    byte[] bytes = Files.readAllBytes(ledger());
    Path other = dir.resolve("other");
    FileLedgerQueue o = new FileLedgerQueue(other, VALIDATOR, clock, Redactor.none(), 0);
    for (int i = 100; Files.notExists(o.ledger()) || Files.size(o.ledger()) < bytes.length; i++) {
      o.enqueue(job(id(i)));
    }
    Files.write(ledger(), Files.readAllBytes(o.ledger()), StandardOpenOption.TRUNCATE_EXISTING);

    assertThat(q.status()).isEqualTo(o.status());
  }

  @Test
  void ledgerEditedInPlaceBeforeTheSnapshot_claimReportsItAndTheNextCallReplaysAgain()
      throws IOException {
    workload(10);
    // Job 7's enqueue line (the 7th) overwritten with spaces: not caught by the snapshot's check.
    List<String> lines = Files.readAllLines(ledger());
    int prefix = 0;
    for (int i = 0; i < 6; i++) {
      prefix += lines.get(i).length() + 1;
    }
    int start = prefix;
    byte[] blank = " ".repeat(lines.get(6).length()).getBytes(StandardCharsets.US_ASCII);
    blank[0] = 'x';
    try (FileChannel ch = FileChannel.open(ledger(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(blank), start);
    }
    FileLedgerQueue fresh = queue(100);

    assertThatThrownBy(() -> fresh.claim("w9", LEASE))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ledger_changed");
              assertThat(e.getMessage()).contains("job '" + id(7) + "' at byte " + start);
            });
    assertThat(snapshotFile()).doesNotExist();
    assertThat(fresh.claim("w9", LEASE).orElseThrow().job().jobId()).isEqualTo(id(8));
    assertThat(fresh.unreadableLines()).containsExactly(7);
    assertThat(fresh.status(id(7))).isEmpty();
  }

  /**
   * Random enqueue / claim / heartbeat / complete / fail / requeue / lease expiry / garbage, with a
   * snapshot every 7 lines: at every tenth step, a fresh queue from the snapshot and a full replay
   * agree on every job's state and the unreadable lines, and the fresh one read fewer lines.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void randomWorkload_snapshotAndFullReplayAgree(long seed) throws IOException {
    Random rnd = new Random(seed);
    FileLedgerQueue q = queue(7);
    List<Claim> running = new ArrayList<>();
    int next = 0;
    for (int step = 1; step <= 120; step++) {
      int op = rnd.nextInt(10);
      if (op < 3 || next == 0) {
        q.enqueue(job(id(next++)));
      } else if (op < 5) {
        q.claim("w" + rnd.nextInt(3), LEASE).ifPresent(running::add);
      } else if (op < 7 && !running.isEmpty()) {
        Claim c = running.remove(rnd.nextInt(running.size()));
        try {
          if (rnd.nextBoolean()) {
            q.complete(c, Map.of("step", step));
          } else {
            q.fail(c, "failed at " + step);
          }
        } catch (LocalExecException e) {
          assertThat(e.code()).isEqualTo("stale_claim");
        }
      } else if (op == 7 && !running.isEmpty()) {
        try {
          q.heartbeat(running.get(rnd.nextInt(running.size())), LEASE);
        } catch (LocalExecException e) {
          assertThat(e.code()).isEqualTo("stale_claim");
        }
      } else if (op == 8) {
        String id = id(rnd.nextInt(next));
        if (q.status(id).orElseThrow().state().terminal()) {
          q.requeue(id);
        } else {
          clock.advance(Duration.ofSeconds(rnd.nextInt(90)));
        }
      } else {
        Files.writeString(ledger(), "garbage " + step + "\n", StandardOpenOption.APPEND);
      }
      clock.advance(Duration.ofMillis(rnd.nextInt(2000)));
      if (step % 10 == 0) {
        FileLedgerQueue fresh = queue(FileLedgerQueue.DEFAULT_SNAPSHOT_EVERY);
        FileLedgerQueue full = fullReplay();
        assertThat(fresh.status()).as("step %d", step).isEqualTo(full.status());
        assertThat(fresh.status()).isEqualTo(q.status());
        assertThat(fresh.unreadableLines()).isEqualTo(full.unreadableLines());
        if (Files.exists(snapshotFile())) {
          assertThat(fresh.snapshotState()).isEqualTo("loaded");
          assertThat(fresh.linesRead()).isLessThan(7 + 3).isLessThan(full.linesRead());
        }
      }
    }
    assertThat(q.snapshotsWritten()).isGreaterThan(10);
  }
}
