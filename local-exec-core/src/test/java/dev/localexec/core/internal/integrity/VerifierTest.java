package dev.localexec.core.internal.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.TaskFailedException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.integrity.VerifyReport.FileCheck;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.plane.PlaneInternals;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.Fixtures;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import dev.localexec.core.worker.RunOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chains of a real plane's files, untouched and tampered with in every way verify names. */
class VerifierTest {
  private static final String LEDGER = "workspace/local_exec/state/jobs.jsonl";
  private static final String EVIDENCE_A = "workspace/local_exec/evidence/job-evidence01.jsonl";
  private static final String EVIDENCE_B = "workspace/local_exec/evidence/job-failing001.jsonl";
  private static final String SUMMARY_A = "workspace/local_exec/evidence/job-evidence01.md";
  private static final String SUMMARY_B = "workspace/local_exec/evidence/job-failing001.md";
  private static final String HASH_MISMATCH = "hash mismatch (line edited, inserted or reordered)";

  @TempDir Path root;

  private final FakeClock clock = FakeClock.fixed();
  private LocalExecPlane plane;

  /** Records three {@code note} events and completes. */
  private static final class NotesPlugin implements TaskPlugin {
    @Override
    public String id() {
      return "notes_task";
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\"}";
    }

    @Override
    public TaskResult run(TaskContext ctx) {
      for (int i = 1; i <= 3; i++) {
        ctx.evidence().record("note", Map.of("i", i));
      }
      return TaskResult.of(Map.of("notes", 3));
    }
  }

  /** Fails at once. */
  private static final class FailingPlugin implements TaskPlugin {
    @Override
    public String id() {
      return "failing_task";
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\"}";
    }

    @Override
    public TaskResult run(TaskContext ctx) {
      throw new TaskFailedException("exploded", "the test plug-in fails");
    }
  }

  @BeforeEach
  void setUp() {
    plane =
        LocalExecPlane.builder(root)
            .clock(clock)
            .launcher(new DirectLauncher())
            .environment(Map.of())
            .register(new NotesPlugin())
            .register(new FailingPlugin())
            .register(SchemaOnlyPlugin.permissive("repo_index_task"))
            .register(SchemaOnlyPlugin.permissive("test_runner_task"))
            .register(SchemaOnlyPlugin.permissive("doc_compactor_task"))
            .build();
  }

  private static Job job(String id, String type) {
    return new Job(
        id,
        type,
        "2026-01-02T03:04:05Z",
        Map.of(),
        Budget.of(60, 10, 65536, 1),
        ToolPolicy.denyAll(),
        null);
  }

  /**
   * Ledger: enqueue A, enqueue B, claim A, heartbeat, complete A, claim B, heartbeat, fail B.
   * Evidence A: claimed, run_header, lease_heartbeat, note x3, summary, complete. Evidence B:
   * claimed, run_header, lease_heartbeat, summary, failed. Summaries: A 4 lines, B 5 lines.
   */
  private void runTwoJobs() {
    plane.enqueue(job("job-evidence01", "notes_task"));
    plane.enqueue(job("job-failing001", "failing_task"));
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.FAILED);
  }

  private Path file(String relative) {
    return root.resolve(relative);
  }

  private List<String> lines(String relative) throws IOException {
    return new ArrayList<>(Files.readAllLines(file(relative), StandardCharsets.UTF_8));
  }

  private void write(String relative, List<String> lines) throws IOException {
    Files.writeString(file(relative), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private void appendRaw(String relative, String text) throws IOException {
    Files.writeString(file(relative), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String line) {
    return (Map<String, Object>) Json.parse(line);
  }

  private List<FileCheck> verifyAll() {
    return plane.verify(null).files();
  }

  @Test
  void untouchedFiles_verify() throws IOException {
    runTwoJobs();

    VerifyReport report = plane.verify(null);

    assertThat(report.files())
        .containsExactly(
            FileCheck.ok(LEDGER, 8),
            FileCheck.ok(EVIDENCE_A, 8),
            FileCheck.ok(SUMMARY_A, 4),
            FileCheck.ok(EVIDENCE_B, 5),
            FileCheck.ok(SUMMARY_B, 5));
    assertThat(report.verified()).isTrue();
    assertThat(report.summary()).isEqualTo(Map.of("status", "verified", "files", 5, "problems", 0));
    assertThat(Json.line(report.files().get(1).toMap()))
        .isEqualTo("{\"file\": \"" + EVIDENCE_A + "\", \"ok\": true, \"lines\": 8}");
  }

  @Test
  void finalLedgerEvents_recordTheEvidenceHeadAfterTheFinalEvidenceLine() throws IOException {
    runTwoJobs();

    Map<String, Object> complete = parse(lines(LEDGER).get(4));
    Map<String, Object> lastEvidence = parse(lines(EVIDENCE_A).get(7));
    Map<String, Object> fail = parse(lines(LEDGER).get(7));
    Map<String, Object> failedEvidence = parse(lines(EVIDENCE_B).get(4));

    assertThat(complete.keySet())
        .containsExactly(
            "ts_utc",
            "event",
            "job_id",
            "worker_id",
            "result",
            "attempt",
            "evidence_head",
            "seq",
            "hash");
    assertThat(lastEvidence.get("kind")).isEqualTo("complete");
    assertThat(complete.get("evidence_head"))
        .isEqualTo(Map.of("seq", 8, "hash", lastEvidence.get("hash")));
    assertThat(failedEvidence.get("kind")).isEqualTo("failed");
    assertThat(fail.get("evidence_head"))
        .isEqualTo(Map.of("seq", 5, "hash", failedEvidence.get("hash")));
  }

  @Test
  void editedByteInAMiddleEvidenceLine_isAHashMismatchAtThatLine() throws IOException {
    runTwoJobs();
    List<String> ev = lines(EVIDENCE_A);
    assertThat(ev.get(3)).contains("\"payload\": {\"i\": 1}");
    ev.set(3, ev.get(3).replace("\"i\": 1", "\"i\": 7"));
    write(EVIDENCE_A, ev);

    assertThat(verifyAll())
        .containsExactly(
            FileCheck.ok(LEDGER, 8),
            FileCheck.problem(EVIDENCE_A, 8, 4, HASH_MISMATCH),
            FileCheck.ok(EVIDENCE_B, 5),
            FileCheck.ok(SUMMARY_B, 5));
    assertThat(plane.verify(null).summary())
        .isEqualTo(Map.of("status", "failed", "files", 4, "problems", 1));
  }

  @Test
  void editedByteInAMiddleLedgerLine_isAHashMismatchAtThatLine() throws IOException {
    runTwoJobs();
    List<String> ledger = lines(LEDGER);
    ledger.set(2, ledger.get(2).replace("\"attempt\": 1", "\"attempt\": 2"));
    write(LEDGER, ledger);

    assertThat(verifyAll().get(0)).isEqualTo(FileCheck.problem(LEDGER, 8, 3, HASH_MISMATCH));
  }

  @Test
  void insertedCopyOfALine_isASeqErrorAtTheCopy() throws IOException {
    runTwoJobs();
    List<String> ledger = lines(LEDGER);
    ledger.add(4, ledger.get(1));
    write(LEDGER, ledger);

    assertThat(verifyAll().get(0))
        .isEqualTo(
            FileCheck.problem(
                LEDGER, 9, 5, "seq 2 where 5 was expected (line inserted, deleted or reordered)"));
  }

  @Test
  void swappedLines_areASeqErrorAtTheFirstOfThem() throws IOException {
    runTwoJobs();
    List<String> ev = lines(EVIDENCE_A);
    String fifth = ev.get(4);
    ev.set(4, ev.get(5));
    ev.set(5, fifth);
    write(EVIDENCE_A, ev);

    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                8,
                5,
                "seq 6 where 5 was expected (line inserted, deleted or reordered)"));
  }

  @Test
  void swappedLinesWithTheirSeqsEdited_areAHashMismatch() throws IOException {
    runTwoJobs();
    List<String> ev = lines(EVIDENCE_A);
    String fifth = ev.get(4).replace("\"seq\": 5", "\"seq\": 6");
    ev.set(4, ev.get(5).replace("\"seq\": 6", "\"seq\": 5"));
    ev.set(5, fifth);
    write(EVIDENCE_A, ev);

    assertThat(verifyAll().get(1)).isEqualTo(FileCheck.problem(EVIDENCE_A, 8, 5, HASH_MISMATCH));
  }

  @Test
  void deletedMiddleLine_isASeqGapWhereItWas() throws IOException {
    runTwoJobs();
    List<String> ev = lines(EVIDENCE_A);
    ev.remove(3);
    write(EVIDENCE_A, ev);

    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                7,
                4,
                "seq 5 where 4 was expected (line inserted, deleted or reordered)"));
  }

  @Test
  void truncatedLastEvidenceLine_isCaughtByTheHeadTheLedgerRecorded() throws IOException {
    runTwoJobs();
    List<String> ev = lines(EVIDENCE_A);
    write(EVIDENCE_A, ev.subList(0, 7));

    assertThat(verifyAll())
        .containsExactly(
            FileCheck.ok(LEDGER, 8),
            FileCheck.problem(
                EVIDENCE_A,
                7,
                8,
                "truncated: the chain ends at seq 7 but the ledger's complete event (ledger line"
                    + " 5) recorded evidence_head seq 8 (lines cut off the end or deleted)"),
            FileCheck.ok(SUMMARY_A, 4),
            FileCheck.ok(EVIDENCE_B, 5),
            FileCheck.ok(SUMMARY_B, 5));
  }

  @Test
  void truncatedLastTwoEvidenceLines_nameTheFirstMissingLine() throws IOException {
    runTwoJobs();
    write(EVIDENCE_B, lines(EVIDENCE_B).subList(0, 2));

    assertThat(verifyAll().get(3))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_B,
                2,
                3,
                "truncated: the chain ends at seq 2 but the ledger's fail event (ledger line 8)"
                    + " recorded evidence_head seq 5 (lines cut off the end or deleted)"));
  }

  @Test
  void evidenceCutInTheMiddleOfItsLastLine_isTruncatedAtThatLine() throws IOException {
    runTwoJobs();
    byte[] bytes = Files.readAllBytes(file(EVIDENCE_A));
    Files.write(file(EVIDENCE_A), java.util.Arrays.copyOf(bytes, bytes.length - 40));

    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                8,
                8,
                "truncated: the chain ends at seq 7 but the ledger's complete event (ledger line"
                    + " 5) recorded evidence_head seq 8 (lines cut off the end or deleted)"));
  }

  @Test
  void evidenceRewrittenWithAValidChain_differsFromTheRecordedHead() throws IOException {
    runTwoJobs();
    List<String> ev = lines(EVIDENCE_A);
    write(EVIDENCE_A, ev.subList(0, 7));
    Map<String, Object> forged = new java.util.LinkedHashMap<>();
    forged.put("ts_utc", "2026-01-02T03:04:05.000000Z");
    forged.put("job_id", "job-evidence01");
    forged.put("kind", "complete");
    forged.put("payload", Map.of("notes", 4));
    new ChainedJsonl(file(EVIDENCE_A), Redactor.none(), null, false).append(forged);

    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                8,
                8,
                "evidence head mismatch: seq 8 has another hash than the ledger's complete event"
                    + " (ledger line 5) recorded (evidence rewritten)"));
  }

  @Test
  void deletedEvidenceFile_isReportedMissing() throws IOException {
    runTwoJobs();
    Files.delete(file(EVIDENCE_B));

    assertThat(verifyAll().get(3))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_B,
                0,
                1,
                "missing: the ledger's fail event (ledger line 8) recorded evidence_head seq 5"));
  }

  @Test
  void garbageInTheMiddle_isReported() throws IOException {
    runTwoJobs();
    List<String> ledger = lines(LEDGER);
    ledger.add(2, "garbage");
    write(LEDGER, ledger);

    assertThat(verifyAll().get(0))
        .isEqualTo(
            FileCheck.problem(
                LEDGER,
                9,
                3,
                "not a JSON object (garbage, or a torn write that no torn_line event names)"));
  }

  @Test
  void legacyLineAfterChainedLines_isReported() throws IOException {
    runTwoJobs();
    appendRaw(LEDGER, "{\"ts_utc\": \"2026-01-02T03:04:05.000000Z\", \"event\": \"noop\"}\n");

    assertThat(verifyAll().get(0))
        .isEqualTo(FileCheck.problem(LEDGER, 9, 9, "unchained (legacy) line after chained lines"));
  }

  @Test
  void tornLineFollowedByItsTornLineMarker_verifies() throws IOException {
    plane.enqueue(job("job-evidence01", "notes_task"));
    appendRaw(LEDGER, "{\"ts_utc\": \"2026-01-02T03:04:05.000000Z\", \"event\": \"cla");
    assertThat(verifyAll()).containsExactly(FileCheck.ok(LEDGER, 2));

    plane.enqueue(job("job-failing001", "failing_task"));

    List<String> ledger = lines(LEDGER);
    assertThat(ledger).hasSize(4);
    assertThat(parse(ledger.get(2)))
        .containsEntry("event", "torn_line")
        .containsEntry("line", 2)
        .containsEntry("seq", 2);
    assertThat(verifyAll()).containsExactly(FileCheck.ok(LEDGER, 4));
  }

  @Test
  void tornEvidenceLine_isMarkedWhenTheNextAttemptContinuesTheFile() throws IOException {
    runTwoJobs();
    appendRaw(EVIDENCE_A, "{\"ts_utc\": \"2026-01");
    plane.requeue("job-evidence01");

    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);

    List<String> ev = lines(EVIDENCE_A);
    assertThat(ev).hasSize(18);
    assertThat(parse(ev.get(9)))
        .containsEntry("kind", "torn_line")
        .containsEntry("payload", Map.of("line", 9, "bytes", 19))
        .containsEntry("seq", 9);
    assertThat(verifyAll())
        .containsExactly(
            FileCheck.ok(LEDGER, 12),
            FileCheck.ok(EVIDENCE_A, 18),
            FileCheck.ok(SUMMARY_A, 4),
            FileCheck.ok(EVIDENCE_B, 5),
            FileCheck.ok(SUMMARY_B, 5));
  }

  @Test
  void requeuedJob_continuesItsEvidenceChainAndEveryRecordedHeadIsChecked() throws IOException {
    runTwoJobs();
    plane.requeue("job-evidence01");
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);

    List<String> ev = lines(EVIDENCE_A);
    assertThat(ev).hasSize(16);
    assertThat(parse(ev.get(8))).containsEntry("kind", "claimed").containsEntry("seq", 9);
    assertThat(verifyAll().get(1)).isEqualTo(FileCheck.ok(EVIDENCE_A, 16));

    write(EVIDENCE_A, ev.subList(0, 12));
    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                12,
                13,
                "truncated: the chain ends at seq 12 but the ledger's complete event (ledger line"
                    + " 12) recorded evidence_head seq 16 (lines cut off the end or deleted)"));
  }

  @Test
  void originalLedger_verifiesAsLegacyLinesAndJavaEventsAfterItStartAChain() throws IOException {
    Path original = Fixtures.originalRun();
    Files.createDirectories(file(LEDGER).getParent());
    Files.copy(original.resolve("state/jobs.jsonl"), file(LEDGER));
    try (Stream<Path> s = Files.list(original.resolve("evidence"))) {
      Files.createDirectories(file(EVIDENCE_A).getParent());
      for (Path p : s.toList()) {
        Files.copy(p, file(EVIDENCE_A).resolveSibling(p.getFileName()));
      }
    }

    assertThat(verifyAll())
        .containsExactly(
            FileCheck.ok(LEDGER, 40),
            FileCheck.ok("workspace/local_exec/evidence/job-demorepoindex01.jsonl", 3),
            FileCheck.ok("workspace/local_exec/evidence/job-doccompact01.jsonl", 7),
            FileCheck.ok("workspace/local_exec/evidence/job-outbudget001.jsonl", 5),
            FileCheck.ok("workspace/local_exec/evidence/job-shelllike001.jsonl", 4),
            FileCheck.ok("workspace/local_exec/evidence/job-testrun0001.jsonl", 9));

    clock.advance(Duration.ofDays(400));
    plane.enqueue(job("job-evidence01", "notes_task"));
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);

    List<String> ledger = lines(LEDGER);
    assertThat(ledger).hasSize(44);
    assertThat(parse(ledger.get(40))).containsEntry("seq", 1);
    assertThat(plane.verify("job-evidence01").files())
        .containsExactly(
            FileCheck.ok(LEDGER, 44), FileCheck.ok(EVIDENCE_A, 8), FileCheck.ok(SUMMARY_A, 4));

    appendRaw(LEDGER, ledger.get(0) + "\n");
    assertThat(verifyAll().get(0))
        .isEqualTo(
            FileCheck.problem(LEDGER, 45, 45, "unchained (legacy) line after chained lines"));
  }

  @Test
  void verifyJob_checksTheLedgerAndThatJobsEvidenceOnly() throws IOException {
    runTwoJobs();
    write(EVIDENCE_A, lines(EVIDENCE_A).subList(0, 3));

    assertThat(plane.verify("job-failing001").files())
        .containsExactly(
            FileCheck.ok(LEDGER, 8), FileCheck.ok(EVIDENCE_B, 5), FileCheck.ok(SUMMARY_B, 5));
    assertThat(plane.verify("job-evidence01").verified()).isFalse();
    assertThatThrownBy(() -> plane.verify("job-nothere01"))
        .isInstanceOfSatisfying(
            LocalExecException.class, e -> assertThat(e.code()).isEqualTo("unknown_job"));
  }

  @Test
  void workerEventFiles_areChainedAndVerified() throws IOException {
    plane.turnKillSwitchOn("test");
    plane.loop(Duration.ofMillis(10), Duration.ofSeconds(1), () -> false);
    String workerFile = "workspace/local_exec/evidence/worker_local-exec-worker.jsonl";

    assertThat(verifyAll()).containsExactly(FileCheck.ok(LEDGER, 0), FileCheck.ok(workerFile, 2));
    List<String> events = lines(workerFile);
    assertThat(parse(events.get(1))).containsEntry("kind", "loop_exit").containsEntry("seq", 2);

    write(workerFile, List.of(events.get(1)));
    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                workerFile,
                1,
                1,
                "seq 2 where 1 was expected (line inserted, deleted or reordered)"));
  }

  // --- removal and re-chaining ---

  private static final String HEAD = "workspace/local_exec/state/jobs.head";

  private static String sha256(byte[] bytes) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** Rewrites a file's chain from its first line, every hash recomputed. */
  private void rechain(String relative) throws IOException {
    List<String> out = new ArrayList<>();
    ChainHead previous = ChainHead.GENESIS;
    for (String line : lines(relative)) {
      Map<String, Object> o = new java.util.LinkedHashMap<>(parse(line));
      o.remove("seq");
      o.remove("hash");
      ChainedJsonl.ChainedLine chained = ChainedJsonl.chain(previous, o);
      out.add(chained.line());
      previous = chained.head();
    }
    write(relative, out);
  }

  private Map<String, Object> evidenceLine(String id, String kind, Map<String, ?> payload) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("ts_utc", "2026-01-02T03:04:05.000000Z");
    m.put("job_id", id);
    m.put("kind", kind);
    m.put("payload", payload);
    return m;
  }

  private void appendChained(String relative, Map<String, Object> line) throws IOException {
    new ChainedJsonl(file(relative), Redactor.none(), null, false).append(line);
  }

  @Test
  void evidenceAppendedPastItsHeadWithItsHashRecomputed_isAProblemAtThatLine() throws IOException {
    runTwoJobs();
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "note", Map.of("forged", true)));

    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                9,
                9,
                "evidence past its head: seq 9 comes after evidence_head seq 8 that the ledger's"
                    + " complete event (ledger line 5) recorded, and no later attempt of the job is"
                    + " running (lines appended after the job ended)"));
  }

  @Test
  void summaryLine_recordsThePathHashAndSizeOfTheSummaryBeforeTheFinalLine() throws Exception {
    runTwoJobs();
    byte[] md = Files.readAllBytes(file(SUMMARY_A));

    Map<String, Object> line = parse(lines(EVIDENCE_A).get(6));

    assertThat(line).containsEntry("kind", "summary").containsEntry("seq", 7);
    assertThat(line.get("payload"))
        .isEqualTo(Map.of("path", SUMMARY_A, "sha256", sha256(md), "bytes", md.length));
  }

  @Test
  void editedSummary_isAProblemNamingTheSummaryFile() throws Exception {
    runTwoJobs();
    String recorded = sha256(Files.readAllBytes(file(SUMMARY_A)));
    int recordedBytes = Files.readAllBytes(file(SUMMARY_A)).length;
    Files.writeString(
        file(SUMMARY_A),
        Files.readString(file(SUMMARY_A)).replace("- notes: 3", "- notes: 4"),
        StandardCharsets.UTF_8);
    byte[] edited = Files.readAllBytes(file(SUMMARY_A));

    assertThat(verifyAll())
        .containsExactly(
            FileCheck.ok(LEDGER, 8),
            FileCheck.ok(EVIDENCE_A, 8),
            FileCheck.problem(
                SUMMARY_A,
                4,
                1,
                "summary edited: its SHA-256 is "
                    + sha256(edited)
                    + " ("
                    + edited.length
                    + " bytes) but the summary line (line 7 of "
                    + EVIDENCE_A
                    + ") recorded "
                    + recorded
                    + " ("
                    + recordedBytes
                    + " bytes)"),
            FileCheck.ok(EVIDENCE_B, 5),
            FileCheck.ok(SUMMARY_B, 5));
  }

  @Test
  void deletedSummary_isReportedMissing() throws Exception {
    runTwoJobs();
    byte[] md = Files.readAllBytes(file(SUMMARY_B));
    Files.delete(file(SUMMARY_B));

    assertThat(verifyAll().get(4))
        .isEqualTo(
            FileCheck.problem(
                SUMMARY_B,
                0,
                1,
                "missing: the summary line (line 4 of "
                    + EVIDENCE_B
                    + ") recorded a summary of "
                    + md.length
                    + " bytes with SHA-256 "
                    + sha256(md)));
  }

  @Test
  void summaryLineOfAnAttemptThatNeverEnded_needsNoSummaryFile() throws IOException {
    // A worker killed between its summary line and its final event leaves no summary file; the
    // job is then ended by another attempt, or (as here) its claim is still live.
    plane.enqueue(job("job-evidence01", "notes_task"));
    PlaneInternals.of(plane).queue().claim("w1", Duration.ofSeconds(60)).orElseThrow();
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "claimed", Map.of("attempt", 1)));
    appendChained(
        EVIDENCE_A,
        evidenceLine(
            "job-evidence01",
            "summary",
            Map.of("path", SUMMARY_A, "sha256", "0".repeat(64), "bytes", 10)));

    assertThat(verifyAll()).containsExactly(FileCheck.ok(LEDGER, 2), FileCheck.ok(EVIDENCE_A, 2));
  }

  @Test
  void evidenceOfAJobTheLedgerDoesNotKnow_isAProblem() throws IOException {
    runTwoJobs();
    String stray = "workspace/local_exec/evidence/job-stray0001.jsonl";
    appendChained(stray, evidenceLine("job-stray0001", "claimed", Map.of("attempt", 1)));

    assertThat(verifyAll().get(5))
        .isEqualTo(
            FileCheck.problem(
                stray,
                1,
                1,
                "evidence for job-stray0001 but the ledger has no final event for it (the ledger"
                    + " does not know job-stray0001)"));
  }

  @Test
  void evidenceOfAClaimedJob_verifiesWhileItsLeaseIsLiveAndIsAProblemAfter() throws IOException {
    plane.enqueue(job("job-evidence01", "notes_task"));
    PlaneInternals.of(plane).queue().claim("w1", Duration.ofSeconds(60)).orElseThrow();
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "claimed", Map.of("attempt", 1)));

    assertThat(verifyAll()).containsExactly(FileCheck.ok(LEDGER, 2), FileCheck.ok(EVIDENCE_A, 1));

    clock.advance(Duration.ofSeconds(61));
    assertThat(verifyAll().get(1))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_A,
                1,
                1,
                "evidence for job-evidence01 but the ledger has no final event for it (the lease"
                    + " of its claim by w1, attempt 1, expired: its worker stopped without ending"
                    + " it)"));
  }

  @Test
  void requeuedJob_mayExtendPastItsHeadOnlyWhileItsNewClaimIsLive() throws IOException {
    runTwoJobs();
    plane.requeue("job-evidence01");
    assertThat(verifyAll().get(1)).isEqualTo(FileCheck.ok(EVIDENCE_A, 8));
    PlaneInternals.of(plane).queue().claim("w2", Duration.ofSeconds(60)).orElseThrow();
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "claimed", Map.of("attempt", 1)));

    assertThat(verifyAll().get(1)).isEqualTo(FileCheck.ok(EVIDENCE_A, 9));

    clock.advance(Duration.ofSeconds(61));
    assertThat(verifyAll().get(1).problem())
        .isEqualTo(
            "evidence past its head: seq 9 comes after evidence_head seq 8 that the ledger's"
                + " complete event (ledger line 5) recorded, and no later attempt of the job is"
                + " running (lines appended after the job ended)");
  }

  @Test
  void lateLinesOfAFencedOffAttempt_endingInItsStaleClaimLine_verify() throws IOException {
    plane.enqueue(job("job-evidence01", "notes_task"));
    PlaneInternals.of(plane).queue().claim("w-old", Duration.ofSeconds(5)).orElseThrow();
    clock.advance(Duration.ofSeconds(6));
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "note", Map.of("late", true)));
    Map<String, Object> stale = new java.util.LinkedHashMap<>();
    stale.put("worker_id", "w-old");
    stale.put("attempt", 1);
    stale.put("message", "refused");
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "stale_claim", stale));

    assertThat(verifyAll().get(1)).isEqualTo(FileCheck.ok(EVIDENCE_A, 10));

    stale.put("attempt", 7);
    appendChained(EVIDENCE_A, evidenceLine("job-evidence01", "stale_claim", stale));
    assertThat(verifyAll().get(1).line()).isEqualTo(9);
  }

  @Test
  void ledgerDeletedWhileEvidenceExists_isMissingAndTheEvidenceHasNoFinalEvent()
      throws IOException {
    runTwoJobs();
    long bytes = Files.size(file(LEDGER));
    Files.delete(file(LEDGER));

    List<FileCheck> checks = verifyAll();

    assertThat(checks.get(0))
        .isEqualTo(
            FileCheck.problem(
                LEDGER,
                0,
                1,
                "missing: the ledger does not exist but its head file "
                    + HEAD
                    + " recorded seq 8 ending at byte "
                    + bytes
                    + " (the ledger was deleted)"));
    assertThat(checks.get(1).problem())
        .isEqualTo(
            "evidence for job-evidence01 but the ledger has no final event for it (the ledger"
                + " does not know job-evidence01)");
  }

  @Test
  void ledgerEmptied_isCut() throws IOException {
    runTwoJobs();
    long bytes = Files.size(file(LEDGER));
    Files.write(file(LEDGER), new byte[0]);

    assertThat(verifyAll().get(0))
        .isEqualTo(
            FileCheck.problem(
                LEDGER,
                0,
                1,
                "cut: the chain ends at seq 0 (0 bytes) but its head file "
                    + HEAD
                    + " recorded seq 8 ending at byte "
                    + bytes
                    + " (lines cut off the end, or the ledger emptied or replaced)"));
  }

  @Test
  void ledgerCutInsideALine_isCutAndTheJobsItEndedHaveNoFinalEvent() throws IOException {
    runTwoJobs();
    byte[] full = Files.readAllBytes(file(LEDGER));
    List<String> ledger = lines(LEDGER);
    int fiveLines = 0;
    for (int i = 0; i < 5; i++) {
      fiveLines += ledger.get(i).length() + 1;
    }
    Files.write(file(LEDGER), java.util.Arrays.copyOf(full, fiveLines + 30));

    List<FileCheck> checks = verifyAll();

    assertThat(checks.get(0))
        .isEqualTo(
            FileCheck.problem(
                LEDGER,
                6,
                6,
                "cut: the chain ends at seq 5 ("
                    + (fiveLines + 30)
                    + " bytes) but its head file "
                    + HEAD
                    + " recorded seq 8 ending at byte "
                    + full.length
                    + " (lines cut off the end, or the ledger emptied or replaced)"));
    assertThat(checks.get(1)).isEqualTo(FileCheck.ok(EVIDENCE_A, 8));
    assertThat(checks.get(3))
        .isEqualTo(
            FileCheck.problem(
                EVIDENCE_B,
                5,
                1,
                "evidence for job-failing001 but the ledger has no final event for it (it is"
                    + " queued)"));
  }

  @Test
  void ledgerRechainedEndToEnd_differsFromItsHeadFile() throws IOException {
    runTwoJobs();
    List<String> ledger = lines(LEDGER);
    ledger.set(2, ledger.get(2).replace("\"attempt\": 1", "\"attempt\": 2"));
    write(LEDGER, ledger);
    rechain(LEDGER);
    assertThat(new Verifier(root, file(LEDGER), root).withHeadFile(null).verifyFile(file(LEDGER)))
        .isEqualTo(FileCheck.ok(LEDGER, 8));

    assertThat(verifyAll().get(0))
        .isEqualTo(
            FileCheck.problem(
                LEDGER,
                8,
                8,
                "re-chained: seq 8 has another hash than its head file "
                    + HEAD
                    + " recorded (the ledger was rewritten and its hashes recomputed)"));
  }

  @Test
  void ledgerWithoutAHeadFile_verifiesWithAWarning() throws IOException {
    runTwoJobs();
    Files.delete(file(HEAD));

    VerifyReport report = plane.verify(null);

    assertThat(report.files().get(0))
        .isEqualTo(
            FileCheck.warning(
                LEDGER,
                8,
                "no head file "
                    + HEAD
                    + ": the ledger's end is not anchored, so a cut or re-chained ledger cannot be"
                    + " told from this one (a ledger written before head files gets one on its"
                    + " next append)"));
    assertThat(report.summary())
        .isEqualTo(Map.of("status", "verified", "files", 5, "problems", 0, "warnings", 1));
  }

  @Test
  void acceptedCut_verifiesTheLedgerWithAWarningButNotTheEvidenceItLost() throws IOException {
    runTwoJobs();
    write(LEDGER, lines(LEDGER).subList(0, 5));

    ((dev.localexec.core.internal.queue.FileLedgerQueue) PlaneInternals.of(plane).queue())
        .acceptHead();

    List<FileCheck> checks = verifyAll();
    assertThat(checks.get(0))
        .isEqualTo(
            FileCheck.warning(
                LEDGER,
                6,
                "the operator accepted the ledger as it was (head_reset at line 6; its head file"
                    + " had recorded seq 8): events cut off before it are not in the ledger"));
    assertThat(checks.get(3).problem())
        .isEqualTo(
            "evidence for job-failing001 but the ledger has no final event for it (it is"
                + " queued)");
  }
}
