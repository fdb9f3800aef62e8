package dev.localexec.core.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport.FileCheck;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.integrity.Verifier;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.queue.Timestamps;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.Fixtures;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLedgerQueueTest {
  private static final JobValidator VALIDATOR =
      new JobValidator(
          TaskRegistry.builder()
              .register(SchemaOnlyPlugin.permissive("repo_index_task"))
              .register(SchemaOnlyPlugin.permissive("test_runner_task"))
              .register(SchemaOnlyPlugin.permissive("doc_compactor_task"))
              .build());

  /** 2026-11-24T04:22:04.250000Z in Unix seconds. */
  private static final double T0 = 1795494124.25;

  private static final Duration LEASE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final FakeClock clock = FakeClock.at(Instant.parse("2026-11-24T04:22:04.250000Z"));
  private FileLedgerQueue queue;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    queue = new FileLedgerQueue(dir.resolve("state"), VALIDATOR, clock);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

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

  private static final String JOB_A_JSON =
      "{\"job_id\": \"job-aaaaaaaa\", \"job_type\": \"repo_index_task\","
          + " \"created_at_utc\": \"2026-11-24T04:00:00Z\", \"payload\": {\"max_files\": 1},"
          + " \"budgets\": {\"max_wall_time_sec\": 300, \"max_tool_calls\": 10,"
          + " \"max_output_bytes\": 262144, \"max_concurrency_slots\": 1},"
          + " \"tool_policy\": {\"allow_network\": false, \"allow_subprocess\": false,"
          + " \"allowed_tools\": []}}";

  private List<String> lines() throws IOException {
    return Files.readAllLines(queue.ledger(), StandardCharsets.UTF_8);
  }

  private static final Pattern CHAIN_KEYS =
      Pattern.compile("^(\\{.*), \"seq\": ([0-9]+), \"hash\": \"([0-9a-f]{64})\"}$");

  /**
   * The line without its trailing chain keys, after checking they are there with this {@code seq}:
   * the original's shape of the line.
   */
  private static String unchained(String line, int seq) {
    Matcher m = CHAIN_KEYS.matcher(line);
    assertThat(m.matches()).as("ends in seq and hash: %s", line).isTrue();
    assertThat(m.group(2)).as("seq of %s", line).isEqualTo(String.valueOf(seq));
    return m.group(1) + "}";
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private String lastLine() throws IOException {
    List<String> lines = lines();
    return lines.get(lines.size() - 1);
  }

  private void appendRaw(String text) throws IOException {
    Files.createDirectories(queue.ledger().getParent());
    Files.writeString(
        queue.ledger(),
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private FileCheck verifyLedger() {
    return new Verifier(dir, queue.ledger(), dir.resolve("evidence")).verifyFile(queue.ledger());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String line) {
    return (Map<String, Object>) Json.parse(line);
  }

  private Claim claimOrFail(String workerId) {
    return queue.claim(workerId, LEASE).orElseThrow(() -> new AssertionError("nothing to claim"));
  }

  private JobState state(String jobId) {
    return queue.status(jobId).orElseThrow().state();
  }

  @Test
  void ledger_isJobsJsonlInTheStateFolder() {
    assertThat(queue.ledger()).isEqualTo(dir.resolve("state/jobs.jsonl").toAbsolutePath());
    assertThat(queue.status()).isEmpty();
    assertThat(queue.claim("w1", LEASE)).isEmpty();
  }

  @Test
  void enqueue_writesOneLineInTheOriginalsShapeWithSeqAndHashAtTheEnd() throws Exception {
    String ts = queue.enqueue(job("job-aaaaaaaa"));

    String original =
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"enqueue\","
            + " \"validator_mode\": \"jsonschema\", \"job\": "
            + JOB_A_JSON;
    Map<String, Object> withSeq = new LinkedHashMap<>(parse(original + "}"));
    withSeq.put("seq", 1);
    String hash = sha256("0".repeat(64) + "\n" + Json.canonical(withSeq));
    assertThat(ts).isEqualTo("2026-11-24T04:22:04.250000Z");
    assertThat(Files.readString(queue.ledger()))
        .isEqualTo(original + ", \"seq\": 1, \"hash\": \"" + hash + "\"}\n");
    assertThat(queue.status())
        .containsExactly(
            new JobStatus(
                "job-aaaaaaaa",
                "repo_index_task",
                JobState.QUEUED,
                0,
                null,
                0,
                "2026-11-24T04:22:04.250000Z",
                null));
  }

  @Test
  void enqueue_fixtureJobIsWrittenByteForByte() throws IOException {
    String original = Files.readAllLines(Fixtures.originalRun().resolve("state/jobs.jsonl")).get(0);
    String originalJob =
        original.substring(original.indexOf("\"job\": ") + 7, original.length() - 1);
    Map<?, ?> event = (Map<?, ?>) Json.parse(original);
    Job job = VALIDATOR.validate(event.get("job"));

    queue.enqueue(job);

    assertThat(originalJob).startsWith("{\"job_id\": \"job-demorepoindex01\"");
    assertThat(lines()).hasSize(1);
    assertThat(unchained(lines().get(0), 1))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"enqueue\","
                + " \"validator_mode\": \"jsonschema\", \"job\": "
                + originalJob
                + "}");
  }

  @Test
  void enqueue_invalidJobIsRefusedAndNothingIsWritten() {
    Job bad =
        new Job(
            "job-aaaaaaaa",
            "no_such_task",
            "2026-11-24T04:00:00Z",
            Map.of(),
            Budget.of(300, 10, 262144, 1),
            ToolPolicy.denyAll(),
            null);

    assertThatThrownBy(() -> queue.enqueue(bad))
        .isInstanceOfSatisfying(
            JobValidationException.class,
            e ->
                assertThat(e.errors())
                    .containsExactly(
                        "$.job_type: unknown job type 'no_such_task'; known types: "
                            + "doc_compactor_task, repo_index_task, test_runner_task"));
    assertThat(queue.ledger()).doesNotExist();
  }

  @Test
  void enqueue_duplicateJobIdIsRefusedAndTheLedgerUnchanged() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    long size = Files.size(queue.ledger());
    clock.advance(Duration.ofSeconds(1));

    assertThatThrownBy(() -> queue.enqueue(job("job-aaaaaaaa")))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("duplicate_job_id");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "job_id 'job-aaaaaaaa' is already in the ledger (state queued); choose a"
                          + " new id, or run `requeue job-aaaaaaaa` to run it again");
            });
    assertThat(Files.size(queue.ledger())).isEqualTo(size);
  }

  @Test
  void claim_isFifoByEnqueueOrderNotById() {
    queue.enqueue(job("job-zzzzzzzz"));
    queue.enqueue(job("job-aaaaaaaa"));
    queue.enqueue(job("job-mmmmmmmm"));

    List<String> claimed = new ArrayList<>();
    for (Optional<Claim> c = queue.claim("w1", LEASE);
        c.isPresent();
        c = queue.claim("w1", LEASE)) {
      claimed.add(c.get().job().jobId());
    }

    assertThat(claimed).containsExactly("job-zzzzzzzz", "job-aaaaaaaa", "job-mmmmmmmm");
  }

  @Test
  void claim_writesTheLeaseEndAndAttempt() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));

    Claim claim = claimOrFail("w1");

    assertThat(claim)
        .isEqualTo(new Claim(job("job-aaaaaaaa"), "w1", 1, T0 + 60, "2026-11-24T04:22:04.250000Z"));
    assertThat(unchained(lastLine(), 2))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"claim\","
                + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\","
                + " \"lease_expires_unix\": 1795494184.25, \"attempt\": 1}");
    assertThat(queue.status("job-aaaaaaaa").orElseThrow())
        .isEqualTo(
            new JobStatus(
                "job-aaaaaaaa",
                "repo_index_task",
                JobState.RUNNING,
                1,
                "w1",
                T0 + 60,
                "2026-11-24T04:22:04.250000Z",
                null));
  }

  @Test
  void claim_afterLeaseExpiryRequeuesWithTheNextAttempt() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim first = claimOrFail("w1");

    clock.advance(LEASE);
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.RUNNING);
    assertThat(queue.claim("w2", LEASE)).isEmpty();

    clock.advance(Duration.ofMillis(1));
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.QUEUED);
    Claim second = claimOrFail("w2");

    assertThat(first.attempt()).isEqualTo(1);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.workerId()).isEqualTo("w2");
    assertThat(second.ts()).isEqualTo("2026-11-24T04:23:04.251000Z");
    assertThat(second.leaseExpiresUnix()).isEqualTo(Timestamps.unix(clock.instant().plus(LEASE)));
    assertThat(second.leaseExpiresUnix()).isCloseTo(T0 + 120.001, within(1e-6));
    assertThat(queue.status("job-aaaaaaaa").orElseThrow().attempts()).isEqualTo(2);
  }

  @Test
  void heartbeat_extendsTheLease() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim claim = claimOrFail("w1");
    clock.advance(Duration.ofSeconds(50));

    double leaseEnd = queue.heartbeat(claim, LEASE);
    clock.advance(Duration.ofSeconds(30));

    assertThat(leaseEnd).isEqualTo(T0 + 110);
    assertThat(unchained(lastLine(), 3))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:54.250000Z\", \"event\": \"heartbeat\","
                + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\","
                + " \"lease_expires_unix\": 1795494234.25, \"attempt\": 1}");
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.RUNNING);
    assertThat(queue.status("job-aaaaaaaa").orElseThrow().leaseExpiresUnix()).isEqualTo(T0 + 110);
    assertThat(queue.claim("w2", LEASE)).isEmpty();
  }

  @Test
  void complete_writesTheResultAndIsTerminal() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim claim = claimOrFail("w1");
    clock.advance(Duration.ofSeconds(2));

    String ts = queue.complete(claim, Map.of("files", 3));

    assertThat(ts).isEqualTo("2026-11-24T04:22:06.250000Z");
    assertThat(unchained(lastLine(), 3))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:06.250000Z\", \"event\": \"complete\","
                + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\","
                + " \"result\": {\"files\": 3}, \"attempt\": 1}");
    clock.advance(Duration.ofHours(1));
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.COMPLETE);
    assertThat(queue.claim("w2", LEASE)).isEmpty();
  }

  @Test
  void fail_writesTheErrorAndIsTerminal() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim claim = claimOrFail("w1");

    queue.fail(claim, "argv_rejected:shell_like");

    assertThat(unchained(lastLine(), 3))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"fail\","
                + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\","
                + " \"error\": \"argv_rejected:shell_like\", \"attempt\": 1}");
    JobStatus status = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(status.state()).isEqualTo(JobState.FAILED);
    assertThat(status.error()).isEqualTo("argv_rejected:shell_like");
    assertThat(Json.line(status.toMap()))
        .isEqualTo(
            "{\"job_id\": \"job-aaaaaaaa\", \"job_type\": \"repo_index_task\","
                + " \"state\": \"failed\", \"attempts\": 1, \"worker_id\": \"w1\","
                + " \"updated_ts\": \"2026-11-24T04:22:04.250000Z\","
                + " \"error\": \"argv_rejected:shell_like\"}");
    clock.advance(Duration.ofHours(1));
    assertThat(queue.claim("w2", LEASE)).isEmpty();
  }

  @Test
  void complete_staleClaimIsRefusedAndNothingIsWritten() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim first = claimOrFail("w1");
    clock.advance(LEASE.plusSeconds(1));
    Claim second = claimOrFail("w1");
    long size = Files.size(queue.ledger());

    assertThatThrownBy(() -> queue.complete(first, Map.of()))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("stale_claim");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "job 'job-aaaaaaaa' attempt 1 by w1 is no longer the running claim;"
                          + " its write was refused");
            });
    assertThatThrownBy(() -> queue.heartbeat(first, LEASE))
        .isInstanceOfSatisfying(
            LocalExecException.class, e -> assertThat(e.code()).isEqualTo("stale_claim"));
    assertThatThrownBy(() -> queue.fail(first, "late"))
        .isInstanceOfSatisfying(
            LocalExecException.class, e -> assertThat(e.code()).isEqualTo("stale_claim"));
    assertThat(Files.size(queue.ledger())).isEqualTo(size);

    queue.complete(second, Map.of());
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.COMPLETE);
  }

  @Test
  void complete_twiceIsRefused() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim claim = claimOrFail("w1");
    queue.complete(claim, Map.of());

    assertThatThrownBy(() -> queue.complete(claim, Map.of()))
        .isInstanceOfSatisfying(
            LocalExecException.class, e -> assertThat(e.code()).isEqualTo("stale_claim"));
  }

  @Test
  void requeue_finishedJobIsQueuedAgainAtTheBack() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.enqueue(job("job-bbbbbbbb"));
    queue.complete(claimOrFail("w1"), Map.of());
    queue.enqueue(job("job-cccccccc"));
    clock.advance(Duration.ofSeconds(5));

    String ts = queue.requeue("job-aaaaaaaa");

    assertThat(ts).isEqualTo("2026-11-24T04:22:09.250000Z");
    assertThat(unchained(lastLine(), 6))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:09.250000Z\", \"event\": \"enqueue\","
                + " \"validator_mode\": \"jsonschema\", \"job\": "
                + JOB_A_JSON
                + ", \"requeue\": true}");
    assertThat(queue.status("job-aaaaaaaa").orElseThrow())
        .isEqualTo(
            new JobStatus(
                "job-aaaaaaaa",
                "repo_index_task",
                JobState.QUEUED,
                0,
                null,
                0,
                "2026-11-24T04:22:09.250000Z",
                null));
    assertThat(claimOrFail("w1").job().jobId()).isEqualTo("job-bbbbbbbb");
    assertThat(claimOrFail("w1").job().jobId()).isEqualTo("job-cccccccc");
    Claim again = claimOrFail("w1");
    assertThat(again.job()).isEqualTo(job("job-aaaaaaaa"));
    assertThat(again.attempt()).isEqualTo(1);
  }

  @Test
  void requeue_failedJobClearsItsError() {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.fail(claimOrFail("w1"), "boom");

    queue.requeue("job-aaaaaaaa");

    JobStatus status = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(status.state()).isEqualTo(JobState.QUEUED);
    assertThat(status.error()).isNull();
  }

  @Test
  void requeue_activeJobIsRefused() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.enqueue(job("job-bbbbbbbb"));
    claimOrFail("w1");
    long size = Files.size(queue.ledger());

    assertThatThrownBy(() -> queue.requeue("job-aaaaaaaa"))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("job_active");
              assertThat(e.getMessage())
                  .isEqualTo("job 'job-aaaaaaaa' is running; only a finished job can be re-queued");
            });
    assertThatThrownBy(() -> queue.requeue("job-bbbbbbbb"))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("job_active");
              assertThat(e.getMessage())
                  .isEqualTo("job 'job-bbbbbbbb' is queued; only a finished job can be re-queued");
            });
    assertThat(Files.size(queue.ledger())).isEqualTo(size);
  }

  @Test
  void requeue_unknownJobIsRefused() {
    queue.enqueue(job("job-aaaaaaaa"));

    assertThatThrownBy(() -> queue.requeue("job-nothere1"))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("unknown_job");
              assertThat(e.getMessage())
                  .isEqualTo("job_id 'job-nothere1' is not in the ledger " + queue.ledger());
            });
  }

  @Test
  void claim_jobThatNoLongerValidatesIsFailedAndSkipped() throws IOException {
    appendRaw(
        "{\"ts_utc\": \"2026-11-24T04:00:00.000000Z\", \"event\": \"enqueue\","
            + " \"validator_mode\": \"jsonschema\", \"job\": "
            + JOB_A_JSON.replace("\"max_tool_calls\": 10", "\"max_tool_calls\": 501")
            + "}\n");
    queue.enqueue(job("job-bbbbbbbb"));

    Claim claim = claimOrFail("w1");

    assertThat(claim.job().jobId()).isEqualTo("job-bbbbbbbb");
    JobStatus bad = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(bad.state()).isEqualTo(JobState.FAILED);
    assertThat(bad.error())
        .isEqualTo(
            "job_invalid: invalid job: $.budgets.max_tool_calls: must have a maximum value of 500");
  }

  @Test
  void complete_recordsTheEvidenceHeadBeforeTheChainKeys() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim claim = claimOrFail("w1");

    queue.complete(claim, Map.of("files", 3), new ChainHead(7, "ab".repeat(32)));

    assertThat(unchained(lastLine(), 3))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"complete\","
                + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\","
                + " \"result\": {\"files\": 3}, \"attempt\": 1,"
                + " \"evidence_head\": {\"seq\": 7, \"hash\": \""
                + "ab".repeat(32)
                + "\"}}");
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.COMPLETE);
  }

  @Test
  void fail_recordsTheEvidenceHeadBeforeTheChainKeys() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim claim = claimOrFail("w1");

    queue.fail(claim, "boom", new ChainHead(2, "0f".repeat(32)));

    assertThat(unchained(lastLine(), 3))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"fail\","
                + " \"job_id\": \"job-aaaaaaaa\", \"worker_id\": \"w1\","
                + " \"error\": \"boom\", \"attempt\": 1,"
                + " \"evidence_head\": {\"seq\": 2, \"hash\": \""
                + "0f".repeat(32)
                + "\"}}");
  }

  @Test
  void twoQueuesOnOneFolder_eachSeeWhatTheOtherAppended() {
    FileLedgerQueue other = new FileLedgerQueue(dir.resolve("state"), VALIDATOR, clock);
    queue.enqueue(job("job-aaaaaaaa"));
    assertThat(other.status()).extracting(JobStatus::jobId).containsExactly("job-aaaaaaaa");
    Claim c = other.claim("w2", LEASE).orElseThrow();
    assertThat(queue.status("job-aaaaaaaa").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    other.enqueue(job("job-bbbbbbbb"));
    assertThatThrownBy(() -> queue.enqueue(job("job-bbbbbbbb")))
        .isInstanceOf(LocalExecException.class)
        .hasFieldOrPropertyWithValue("code", "duplicate_job_id");
    queue.complete(c, Map.of("n", 1));
    assertThat(other.status())
        .extracting(JobStatus::jobId, JobStatus::state)
        .containsExactly(
            tuple("job-aaaaaaaa", JobState.COMPLETE), tuple("job-bbbbbbbb", JobState.QUEUED));
  }

  @Test
  void everyEvent_continuesOneChainThatVerifies() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.complete(claimOrFail("w1"), Map.of());
    queue.requeue("job-aaaaaaaa");
    // A second queue over the same folder continues the chain from the ledger's tail.
    FileLedgerQueue other = new FileLedgerQueue(dir.resolve("state"), VALIDATOR, clock);
    other.fail(other.claim("w2", LEASE).orElseThrow(), "boom");

    List<String> lines = lines();
    for (int i = 0; i < lines.size(); i++) {
      unchained(lines.get(i), i + 1);
    }
    assertThat(lines).hasSize(6);
    assertThat(verifyLedger()).isEqualTo(FileCheck.ok("state/jobs.jsonl", 6));
  }

  @Test
  void enqueue_refusesAJobDocumentHoldingASecretAndWritesNothing() {
    FileLedgerQueue redacting =
        new FileLedgerQueue(
            dir.resolve("state"),
            VALIDATOR,
            clock,
            Redactor.fromEnvironment(Map.of("API_TOKEN", "tok-0123456789")));
    Job withSecret = noteJob("use tok-0123456789 here");

    JobValidationException e =
        catchThrowableOfType(JobValidationException.class, () -> redacting.enqueue(withSecret));

    assertThat(e.errors())
        .containsExactly(
            "$.payload.note: holds the value of a secret of the plane's environment (or an"
                + " encoding of it); secrets cannot be written into job documents: list the"
                + " variable in env_allow and have the operator allow it (--allow-env NAME)");
    assertThat(Files.exists(queue.ledger())).isFalse();
    assertThat(redacting.status()).isEmpty();
  }

  private static Job noteJob(String note) {
    return new Job(
        "job-aaaaaaaa",
        "repo_index_task",
        "2026-11-24T04:00:00Z",
        Map.of("note", note),
        Budget.of(300, 10, 262144, 1),
        ToolPolicy.denyAll(),
        null);
  }

  @Test
  void enqueue_keepsADocumentWithoutSecretsAsWritten() throws IOException {
    FileLedgerQueue redacting =
        new FileLedgerQueue(
            dir.resolve("state"),
            VALIDATOR,
            clock,
            Redactor.fromEnvironment(
                Map.of("API_TOKEN", "tok-0123456789", "DESKTOP_SESSION", "ubuntu")));
    Job job = noteJob("grep -c ubuntu");

    redacting.enqueue(job);

    assertThat(Files.readString(queue.ledger()))
        .contains("\"payload\": {\"note\": \"grep -c ubuntu\"}");
    assertThat(redacting.claim("w1", LEASE).orElseThrow().job().payload())
        .isEqualTo(Map.of("note", "grep -c ubuntu"));
  }

  @Test
  void replay_skipsATornLastLineAndTheNextAppendStartsAFreshLine() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    String torn =
        "{\"ts_utc\": \"2026-11-24T04:22:05.000000Z\", \"event\": \"claim\", \"job_id\": \"job-aa";
    appendRaw(torn);

    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.QUEUED);
    assertThat(queue.unreadableLines()).isEmpty();

    queue.enqueue(job("job-bbbbbbbb"));

    List<String> lines = lines();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).isEqualTo(torn);
    assertThat(Json.parse(lines.get(0))).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> marker = (Map<String, Object>) Json.parse(lines.get(2));
    assertThat(marker)
        .containsEntry("event", "torn_line")
        .containsEntry("line", 2)
        .containsEntry("bytes", torn.length())
        .containsEntry("seq", 2);
    assertThat(unchained(lines.get(2), 2))
        .isEqualTo(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"torn_line\","
                + " \"line\": 2, \"bytes\": 77}");
    assertThat(lines.get(3)).startsWith("{\"ts_utc\": ").contains("\"job_id\": \"job-bbbbbbbb\"");
    assertThat(queue.status())
        .extracting(JobStatus::jobId, JobStatus::state)
        .containsExactly(
            tuple("job-aaaaaaaa", JobState.QUEUED), tuple("job-bbbbbbbb", JobState.QUEUED));
    // The torn_line event marks the fragment as a torn write, not garbage.
    assertThat(queue.unreadableLines()).isEmpty();
    assertThat(verifyLedger()).isEqualTo(FileCheck.ok("state/jobs.jsonl", 4));
  }

  @Test
  void replay_appliesAnUnterminatedButCompleteLastLine() throws IOException {
    String line =
        Json.line(
            Json.parse(
                "{\"ts_utc\": \"2026-11-24T04:00:00.000000Z\","
                    + " \"event\": \"enqueue\", \"validator_mode\": \"jsonschema\", \"job\": "
                    + JOB_A_JSON
                    + "}"));
    appendRaw(line);

    queue.enqueue(job("job-bbbbbbbb"));

    assertThat(lines()).hasSize(2).first().isEqualTo(line);
    assertThat(queue.status())
        .extracting(JobStatus::jobId)
        .containsExactly("job-aaaaaaaa", "job-bbbbbbbb");
    assertThat(queue.unreadableLines()).isEmpty();
  }

  @Test
  void unreadableLines_reportsGarbageInTheMiddle() throws IOException {
    queue.enqueue(job("job-aaaaaaaa"));
    appendRaw("garbage\n\n[1, 2]\n");
    queue.enqueue(job("job-bbbbbbbb"));

    assertThat(queue.unreadableLines()).containsExactly(2, 4);
    assertThat(queue.status())
        .extracting(JobStatus::jobId, JobStatus::state)
        .containsExactly(
            tuple("job-aaaaaaaa", JobState.QUEUED), tuple("job-bbbbbbbb", JobState.QUEUED));
  }

  @Test
  void replay_originalLedgerGivesTheOriginalsFinalStates() throws IOException {
    Path original = Fixtures.originalRun().resolve("state/jobs.jsonl");
    Files.createDirectories(dir.resolve("state"));
    Files.copy(original, queue.ledger());
    clock.set(Instant.parse("2026-11-25T00:00:00Z"));

    assertThat(queue.status())
        .extracting(JobStatus::jobId, JobStatus::jobType, JobStatus::state, JobStatus::error)
        .containsExactly(
            tuple("job-demorepoindex01", "repo_index_task", JobState.COMPLETE, null),
            tuple("job-testrun0001", "test_runner_task", JobState.COMPLETE, null),
            tuple("job-doccompact01", "doc_compactor_task", JobState.COMPLETE, null),
            tuple(
                "job-shelllike001",
                "test_runner_task",
                JobState.FAILED,
                "argv_rejected:shell_like"),
            tuple("job-outbudget001", "test_runner_task", JobState.COMPLETE, null));
    assertThat(queue.status("job-shelllike001").orElseThrow())
        .isEqualTo(
            new JobStatus(
                "job-shelllike001",
                "test_runner_task",
                JobState.FAILED,
                1,
                "local-exec-worker",
                1795495278.070699,
                "2026-11-24T04:40:18.071063Z",
                "argv_rejected:shell_like"));
    assertThat(queue.unreadableLines()).isEmpty();

    assertThat(queue.claim("w1", LEASE)).isEmpty();
    assertThat(Files.readAllBytes(queue.ledger())).isEqualTo(Files.readAllBytes(original));
  }

  @Test
  void requeue_worksOnTheOriginalLedger() throws IOException {
    Files.createDirectories(dir.resolve("state"));
    Files.copy(Fixtures.originalRun().resolve("state/jobs.jsonl"), queue.ledger());
    clock.set(Instant.parse("2026-11-25T00:00:00Z"));

    assertThatThrownBy(() -> queue.enqueue(job("job-demorepoindex01")))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e ->
                assertThat(e.getMessage())
                    .startsWith(
                        "job_id 'job-demorepoindex01' is already in the ledger (state complete);"));
    queue.requeue("job-testrun0001");

    Claim claim = claimOrFail("w1");
    assertThat(claim.job().jobId()).isEqualTo("job-testrun0001");
    assertThat(claim.job().payload()).containsEntry("timeout_sec", 1);
    assertThat(claim.attempt()).isEqualTo(1);
    assertThat(lines()).hasSize(42);
  }

  @Test
  void claim_concurrentWorkersClaimEveryJobExactlyOnce() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String id = String.format("job-c%07d", i);
      ids.add(id);
      queue.enqueue(job(id));
    }
    pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> results = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      String worker = "w" + w;
      Callable<List<String>> loop =
          () -> {
            start.await();
            List<String> mine = new ArrayList<>();
            for (Optional<Claim> c = queue.claim(worker, LEASE);
                c.isPresent();
                c = queue.claim(worker, LEASE)) {
              mine.add(c.get().job().jobId());
            }
            return mine;
          };
      results.add(pool.submit(loop));
    }

    start.countDown();
    List<String> claimed = new ArrayList<>();
    for (Future<List<String>> f : results) {
      claimed.addAll(f.get(60, TimeUnit.SECONDS));
    }

    assertThat(claimed)
        .hasSize(200)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(queue.status()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.RUNNING));
    assertThat(lines()).hasSize(400);
    assertThat(verifyLedger()).isEqualTo(FileCheck.ok("state/jobs.jsonl", 400));
  }

  // --- the ledger's head file and the cut guard ---

  private Path ledgerFile() {
    return dir.resolve("state/jobs.jsonl");
  }

  private Path headFile() {
    return dir.resolve("state/jobs.head");
  }

  private String cutMessage(long seq, String hash, long offset, String found) {
    return "the ledger "
        + ledgerFile()
        + " was cut or rewritten: its head file "
        + headFile()
        + " says seq "
        + seq
        + " (hash "
        + hash.substring(0, 12)
        + "...) ends at byte "
        + offset
        + ", but "
        + found
        + "; no job is claimed or queued until this is resolved: run `local-exec verify` to see"
        + " what is missing, restore the ledger from a copy, or accept the ledger as it is now"
        + " with `local-exec ledger accept-head`";
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> lastLedgerLine() throws IOException {
    List<String> lines = Files.readAllLines(ledgerFile());
    return (Map<String, Object>) Json.parse(lines.get(lines.size() - 1));
  }

  private static String code(Throwable t) {
    return ((LocalExecException) t).code();
  }

  @Test
  void everyAppend_rewritesTheHeadFileInPlaceWithTheLastLinesSeqHashAndEnd() throws IOException {
    queue.enqueue(job("job-head0001"));
    Claim c = queue.claim("w1", LEASE).orElseThrow();
    queue.complete(c, Map.of("files", 1));

    String text = Files.readString(headFile());
    Map<String, Object> last = lastLedgerLine();
    assertThat(text).hasSize(256).endsWith(" \n");
    assertThat(Json.parse(text.strip()))
        .isEqualTo(
            Map.of(
                "seq",
                3,
                "hash",
                last.get("hash"),
                "offset",
                (int) Files.size(ledgerFile()),
                "ts_utc",
                "2026-11-24T04:22:04.250000Z"));
    assertThat(queue.headProblem()).isEmpty();
  }

  @Test
  void ledgerCut_refusesClaimEnqueueAndRequeueUntilTheHeadIsAccepted() throws IOException {
    queue.enqueue(job("job-head0001"));
    queue.enqueue(job("job-head0002"));
    Claim c = queue.claim("w1", LEASE).orElseThrow();
    queue.complete(c, Map.of("files", 1));
    Map<String, Object> head = lastLedgerLine();
    long size = Files.size(ledgerFile());
    List<String> lines = Files.readAllLines(ledgerFile());
    // Cut after the two enqueues: job-head0001 would be queued again.
    Files.writeString(ledgerFile(), lines.get(0) + "\n" + lines.get(1) + "\n");
    String message =
        cutMessage(
            4,
            (String) head.get("hash"),
            size,
            "the ledger has " + Files.size(ledgerFile()) + " bytes, and its chain ends at seq 2");
    FileLedgerQueue fresh = new FileLedgerQueue(dir.resolve("state"), VALIDATOR, clock);

    assertThatThrownBy(() -> fresh.claim("w2", LEASE))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ledger_cut");
              assertThat(e.getMessage()).isEqualTo(message);
              assertThat(e.retryable()).isFalse();
            });
    assertThatThrownBy(() -> fresh.enqueue(job("job-head0003")))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ledger_cut"));
    assertThatThrownBy(() -> queue.requeue("job-head0001"))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ledger_cut"));
    assertThatThrownBy(() -> queue.heartbeat(c, LEASE))
        .satisfies(e -> assertThat(code(e)).isEqualTo("ledger_cut"));
    assertThat(Files.readAllLines(ledgerFile())).hasSize(2);
    assertThat(fresh.headProblem()).contains(message);
    assertThat(fresh.status()).hasSize(2);

    FileLedgerQueue.HeadAcceptance accepted = fresh.acceptHead();

    Map<String, Object> reset = lastLedgerLine();
    assertThat(accepted.status()).isEqualTo("head_reset");
    assertThat(reset)
        .containsEntry("event", "head_reset")
        .containsEntry("seq", 3)
        .containsEntry(
            "previous_head",
            Map.of(
                "seq",
                4,
                "hash",
                head.get("hash"),
                "offset",
                (int) size,
                "ts_utc",
                "2026-11-24T04:22:04.250000Z"))
        .containsEntry(
            "ledger_head",
            Map.of(
                "seq",
                2,
                "hash",
                Json.parse(lines.get(1)) instanceof Map<?, ?> m ? m.get("hash") : ""));
    assertThat(accepted.head().seq()).isEqualTo(3);
    assertThat(accepted.head().offset()).isEqualTo(Files.size(ledgerFile()));
    assertThat(fresh.headProblem()).isEmpty();
    assertThat(fresh.claim("w2", LEASE).orElseThrow().job().jobId()).isEqualTo("job-head0001");
    assertThat(new Verifier(dir, ledgerFile(), dir.resolve("evidence")).verifyFile(ledgerFile()))
        .isEqualTo(FileCheck.ok("state/jobs.jsonl", 4));
  }

  @Test
  void acceptHead_onAnIntactLedger_writesNothing() throws IOException {
    queue.enqueue(job("job-head0001"));
    byte[] before = Files.readAllBytes(ledgerFile());

    FileLedgerQueue.HeadAcceptance accepted = queue.acceptHead();

    assertThat(accepted.status()).isEqualTo("head_ok");
    assertThat(accepted.previousHead()).isEqualTo(accepted.head());
    assertThat(accepted.ledgerHead().seq()).isEqualTo(1);
    assertThat(Files.readAllBytes(ledgerFile())).isEqualTo(before);
  }

  @Test
  void ledgerDeletedOrEmptied_isCut() throws IOException {
    queue.enqueue(job("job-head0001"));
    String hash = (String) lastLedgerLine().get("hash");
    long size = Files.size(ledgerFile());

    Files.write(ledgerFile(), new byte[0]);
    assertThatThrownBy(() -> queue.claim("w1", LEASE))
        .hasMessage(
            cutMessage(1, hash, size, "the ledger has 0 bytes, and its chain ends at seq 0"));

    Files.delete(ledgerFile());
    assertThatThrownBy(() -> queue.claim("w1", LEASE))
        .hasMessage(cutMessage(1, hash, size, "the ledger does not exist"));
    assertThat(ledgerFile()).doesNotExist();
  }

  @Test
  void ledgerRechainedEndToEnd_isRefused() throws IOException {
    queue.enqueue(job("job-head0001"));
    queue.enqueue(job("job-head0002"));
    String hash = (String) lastLedgerLine().get("hash");
    long size = Files.size(ledgerFile());
    List<String> out = new ArrayList<>();
    ChainHead previous = ChainHead.GENESIS;
    for (String line : Files.readAllLines(ledgerFile())) {
      @SuppressWarnings("unchecked")
      Map<String, Object> o = new LinkedHashMap<>((Map<String, Object>) Json.parse(line));
      o.remove("seq");
      o.remove("hash");
      o.put("ts_utc", "2026-11-24T04:22:04.250001Z");
      var chained = dev.localexec.core.internal.integrity.ChainedJsonl.chain(previous, o);
      out.add(chained.line());
      previous = chained.head();
    }
    Files.writeString(ledgerFile(), String.join("\n", out) + "\n");

    assertThatThrownBy(() -> queue.claim("w1", LEASE))
        .hasMessage(
            cutMessage(
                2,
                hash,
                size,
                "the ledger has "
                    + size
                    + " bytes but no line with seq 2 and that hash, and its chain ends at seq 2"));
  }

  @Test
  void ledgerWithoutAHeadFile_isAcceptedAndGetsOneOnItsNextAppend() throws IOException {
    queue.enqueue(job("job-head0001"));
    Files.delete(headFile());
    FileLedgerQueue fresh = new FileLedgerQueue(dir.resolve("state"), VALIDATOR, clock);

    assertThat(fresh.claim("w1", LEASE)).isPresent();

    assertThat(headFile()).exists();
    assertThat(fresh.headProblem()).isEmpty();
  }

  @Test
  void headFileThatIsNotAHead_isRefusedWithItsReason() throws IOException {
    queue.enqueue(job("job-head0001"));
    Files.writeString(headFile(), "{\"seq\": \"x\"}\n");

    assertThatThrownBy(() -> queue.claim("w1", LEASE))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ledger_cut");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "the ledger's head file "
                          + headFile()
                          + " cannot be read as a head: it lacks seq, hash or offset; run"
                          + " `local-exec verify`, then restore the ledger and its head, or accept"
                          + " the ledger as it is with `local-exec ledger accept-head`");
            });
    assertThat(queue.acceptHead().status()).isEqualTo("head_reset");
    assertThat(queue.claim("w1", LEASE)).isPresent();
  }
}
