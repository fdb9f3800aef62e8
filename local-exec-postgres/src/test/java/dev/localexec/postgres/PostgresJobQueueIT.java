package dev.localexec.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.integrity.Verifier;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.queue.FileLedgerQueue;
import dev.localexec.core.internal.queue.PlaneQueueContext;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.Fixtures;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import dev.localexec.core.worker.RunOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the PostgreSQL queue does: moving ledgers both ways byte for byte, the original tool's
 * ledger replayed to the same states, the shared kill switch, append-only events, re-validation of
 * a stored job at claim, credentials kept out of URLs and text, and {@code verify} across hosts.
 */
@ExtendWith(PostgresServer.class)
class PostgresJobQueueIT {
  private static final Duration LEASE = Duration.ofSeconds(60);

  /** A task that completes with its payload's word. */
  private static final TaskPlugin ECHO =
      new TaskPlugin() {
        @Override
        public String id() {
          return "echo_task";
        }

        @Override
        public String payloadSchema() {
          return "{\"type\":\"object\"}";
        }

        @Override
        public TaskResult run(TaskContext ctx) {
          return TaskResult.of(Map.of("echo", String.valueOf(ctx.job().payload().get("word"))));
        }
      };

  private static final JobValidator VALIDATOR =
      new JobValidator(
          TaskRegistry.builder()
              .register(SchemaOnlyPlugin.permissive("repo_index_task"))
              .register(SchemaOnlyPlugin.permissive("test_runner_task"))
              .register(SchemaOnlyPlugin.permissive("doc_compactor_task"))
              .register(ECHO)
              .build());

  @TempDir Path dir;

  private final FakeClock clock = FakeClock.at(Instant.parse("2026-11-24T04:22:04.250000Z"));
  private final List<PostgresQueueConfig> schemas = new ArrayList<>();
  private final List<PostgresJobQueue> queues = new ArrayList<>();
  private final List<LocalExecPlane> planes = new ArrayList<>();

  @AfterEach
  void tearDown() {
    planes.forEach(LocalExecPlane::close);
    queues.forEach(PostgresJobQueue::close);
    schemas.forEach(PostgresServer::drop);
  }

  private PostgresQueueConfig newSchema() {
    PostgresQueueConfig c = PostgresServer.freshSchema();
    schemas.add(c);
    return c;
  }

  private PlaneQueueContext context() {
    return new PlaneQueueContext(PlaneLayout.defaults(dir), VALIDATOR, clock, Redactor.none());
  }

  private PostgresJobQueue open(PostgresQueueConfig config) {
    PostgresJobQueue q = PostgresJobQueue.open(config, context());
    queues.add(q);
    return q;
  }

  private static Job job(String id, String word) {
    return new Job(
        id,
        "echo_task",
        "2026-11-24T04:00:00Z",
        Map.of("word", word),
        Budget.of(300, 10, 262144, 1),
        ToolPolicy.denyAll(),
        null);
  }

  private static String sql(PostgresQueueConfig c, String query) throws Exception {
    try (Connection conn = DriverManager.getConnection(PostgresServer.url());
        Statement st = conn.createStatement()) {
      if (!st.execute(query.replace("${schema}", c.schema()))) {
        return String.valueOf(st.getUpdateCount());
      }
      try (ResultSet rs = st.getResultSet()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  // ---- moving both ways

  @Test
  void originalLedger_importsByteForByteAndReplaysToTheSameStates() throws Exception {
    Path original = Fixtures.originalRun().resolve("state/jobs.jsonl");
    PostgresJobQueue q = open(newSchema());

    LedgerImport report = q.importLedger(original);

    assertThat(report.lines()).isEqualTo(40);
    assertThat(report.tornTailBytes()).isZero();
    assertThat(report.unreadableLines()).isEmpty();
    assertThat(report.chainHead()).isEqualTo(ChainHead.GENESIS);
    Path copy = dir.resolve("state/jobs.jsonl");
    Files.createDirectories(copy.getParent());
    Files.copy(original, copy);
    FileLedgerQueue file = new FileLedgerQueue(copy.getParent(), VALIDATOR, clock);
    List<JobStatus> expected = file.status();
    assertThat(report.jobs()).isEqualTo(expected.size());
    assertThat(q.status()).isEqualTo(expected);
    assertThat(q.status())
        .extracting(JobStatus::state)
        .containsOnly(JobState.COMPLETE, JobState.FAILED);

    Path exported = dir.resolve("export/jobs.jsonl");
    assertThat(q.exportLedger(exported)).isEqualTo(40);
    assertThat(Files.readAllBytes(exported)).isEqualTo(Files.readAllBytes(original));
  }

  @Test
  void fileLedgerWithChainedLines_roundTripsAndTheChainGoesOnInTheDatabase() throws Exception {
    // A file ledger as the file queue writes it: the original's lines, then chained events.
    Path state = dir.resolve("state");
    Files.createDirectories(state);
    Files.copy(Fixtures.originalRun().resolve("state/jobs.jsonl"), state.resolve("jobs.jsonl"));
    FileLedgerQueue file = new FileLedgerQueue(state, VALIDATOR, clock);
    file.enqueue(job("job-filefile01", "one"));
    file.enqueue(job("job-filefile02", "two"));
    file.requeue("job-demorepoindex01");
    Claim c = file.claim("w-file", LEASE).orElseThrow();
    file.complete(c, Map.of("ok", true), new ChainHead(4, "cd".repeat(32)));
    file.claim("w-file", LEASE).orElseThrow();
    byte[] fileBytes = Files.readAllBytes(file.ledger());

    PostgresJobQueue q = open(newSchema());
    LedgerImport report = q.importLedger(file.ledger());
    assertThat(report.chainHead().seq()).isEqualTo(6);
    assertThat(q.status()).isEqualTo(file.status());
    Path exported = dir.resolve("export/jobs.jsonl");
    q.exportLedger(exported);
    assertThat(Files.readAllBytes(exported)).isEqualTo(fileBytes);

    // The queue goes on where the file stopped: the running job's lease expires, another claim
    // takes it (before the re-queued job, enqueued later), and the chain continues unbroken.
    clock.advance(Duration.ofSeconds(61));
    Claim again = q.claim("w-db", LEASE).orElseThrow();
    assertThat(again.job().jobId()).isEqualTo("job-filefile02");
    assertThat(again.attempt()).isEqualTo(2);
    q.complete(again, Map.of("ok", true));
    q.exportLedger(exported);
    assertThat(new Verifier(dir, exported, dir.resolve("evidence")).verifyFile(exported).ok())
        .isTrue();
    List<String> lines = Files.readAllLines(exported, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(48);
    assertThat(lines.get(47)).contains("\"seq\": 8, \"hash\": ");
  }

  @Test
  void databaseLedger_exportThenImportIntoAnotherSchema_isTheSameQueue() throws Exception {
    PostgresJobQueue a = open(newSchema());
    for (int i = 0; i < 5; i++) {
      a.enqueue(job("job-dbround0" + i, "w" + i));
    }
    Claim c0 = a.claim("w1", LEASE).orElseThrow();
    a.heartbeat(c0, LEASE);
    a.complete(c0, Map.of("n", 0), new ChainHead(5, "ef".repeat(32)));
    Claim c1 = a.claim("w2", LEASE).orElseThrow();
    a.fail(c1, "task_error:Boom");
    a.requeue("job-dbround01");
    a.claim("w3", LEASE).orElseThrow();
    Path first = dir.resolve("a/jobs.jsonl");
    a.exportLedger(first);

    PostgresJobQueue b = open(newSchema());
    b.importLedger(first);
    Path second = dir.resolve("b/jobs.jsonl");
    b.exportLedger(second);

    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    assertThat(b.status()).isEqualTo(a.status());
    // A claim in the new schema gets a fencing token past every imported one.
    clock.advance(Duration.ofSeconds(61));
    Claim next = b.claim("w4", LEASE).orElseThrow();
    assertThat(next.fence()).isGreaterThan(3);
  }

  @Test
  void importLedger_refusesAQueueThatHasEvents() throws Exception {
    PostgresJobQueue q = open(newSchema());
    q.enqueue(job("job-busybusy1", "x"));
    Path file = dir.resolve("jobs.jsonl");
    q.exportLedger(file);

    assertThatThrownBy(() -> q.importLedger(file))
        .isInstanceOf(LocalExecException.class)
        .extracting(e -> ((LocalExecException) e).code())
        .isEqualTo("queue_not_empty");
  }

  @Test
  void importLedger_leavesOutATornTailAndKeepsGarbageInTheMiddleAsUnreadable() throws Exception {
    String enqueue =
        "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"enqueue\", \"validator_mode\":"
            + " \"jsonschema\", \"job\": "
            + Json.line(job("job-torntorn1", "x").toMap())
            + "}";
    Path file = dir.resolve("jobs.jsonl");
    Files.writeString(
        file, enqueue + "\nnot json\n" + "{\"ts_utc\": \"2026-11-", StandardCharsets.UTF_8);
    PostgresJobQueue q = open(newSchema());

    LedgerImport report = q.importLedger(file);

    assertThat(report.lines()).isEqualTo(2);
    assertThat(report.tornTailBytes()).isEqualTo(20);
    assertThat(report.unreadableLines()).containsExactly(2);
    assertThat(q.unreadableLines()).containsExactly(2);
    assertThat(q.status()).extracting(JobStatus::jobId).containsExactly("job-torntorn1");
  }

  // ---- the database's own guarantees

  @Test
  void events_areAppendOnly() throws Exception {
    PostgresQueueConfig c = newSchema();
    open(c).enqueue(job("job-appendonly", "x"));

    assertThatThrownBy(() -> sql(c, "UPDATE ${schema}.events SET line = 'x'"))
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> sql(c, "DELETE FROM ${schema}.events"))
        .hasMessageContaining("append-only");
    assertThat(sql(c, "SELECT count(*) FROM ${schema}.events")).isEqualTo("1");
  }

  @Test
  void schema_isMigratedOnceByConcurrentOpens() throws Exception {
    PostgresQueueConfig c = newSchema();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 4; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  PostgresJobQueue.open(c, context()).close();
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }

    assertThat(errors).isEmpty();
    assertThat(sql(c, "SELECT count(*) || ':' || max(script) FROM ${schema}.schema_version"))
        .isEqualTo("1:V1__init.sql");
  }

  @Test
  void schema_aChangedMigrationStopsTheQueueFromOpening() throws Exception {
    PostgresQueueConfig c = newSchema();
    open(c);
    sql(c, "UPDATE ${schema}.schema_version SET sha256 = 'edited' WHERE version = 1");

    assertThatThrownBy(() -> PostgresJobQueue.open(c, context()))
        .isInstanceOf(LocalExecException.class)
        .hasMessageContaining("was applied with another script");
  }

  @Test
  void claim_revalidatesTheStoredDocumentAndFailsAnInvalidJob() throws Exception {
    PostgresQueueConfig c = newSchema();
    PostgresJobQueue q = open(c);
    q.enqueue(job("job-smuggled1", "x"));
    q.enqueue(job("job-fineokay1", "y"));
    sql(
        c,
        "UPDATE ${schema}.jobs SET document = replace(document, '\"max_tool_calls\": 10',"
            + " '\"max_tool_calls\": 9999') WHERE job_id = 'job-smuggled1'");

    Claim claim = q.claim("w1", LEASE).orElseThrow();

    assertThat(claim.job().jobId()).isEqualTo("job-fineokay1");
    JobStatus s = q.status("job-smuggled1").orElseThrow();
    assertThat(s.state()).isEqualTo(JobState.FAILED);
    assertThat(s.error()).startsWith("job_invalid: ").contains("max_tool_calls");
  }

  @Test
  void finalEvents_carryFenceEvidenceHeadAndHost() throws Exception {
    PostgresQueueConfig c = newSchema().withHost("host-a");
    PostgresJobQueue q = open(c);
    q.enqueue(job("job-finalevt1", "x"));
    Claim claim = q.claim("w1", LEASE).orElseThrow();
    q.complete(claim, Map.of("ok", true), new ChainHead(4, "ab".repeat(32)));
    Path file = dir.resolve("jobs.jsonl");
    q.exportLedger(file);

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<?, ?> complete = (Map<?, ?>) Json.parse(lines.get(2));
    assertThat(complete.get("event")).isEqualTo("complete");
    assertThat(complete.get("fence")).isEqualTo((int) claim.fence());
    assertThat(complete.get("evidence_head")).isEqualTo(Map.of("seq", 4, "hash", "ab".repeat(32)));
    assertThat(complete.get("host")).isEqualTo("host-a");
    assertThat(lines.get(2))
        .startsWith(
            "{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"complete\", \"job_id\":"
                + " \"job-finalevt1\", \"worker_id\": \"w1\", \"result\": {\"ok\": true},"
                + " \"attempt\": 1, \"fence\": ");
  }

  // ---- planes on several hosts

  private LocalExecPlane plane(Path root, PostgresQueueConfig config) {
    LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .clock(clock)
            .launcher(new DirectLauncher())
            .environment(Map.of())
            .register(ECHO)
            .queue(PostgresJobQueue.factory(config))
            .build();
    planes.add(plane);
    return plane;
  }

  @Test
  void killSwitch_turnedOnOnOneHostStopsTheOthers() throws Exception {
    PostgresQueueConfig c = newSchema();
    Path rootA = Files.createDirectories(dir.resolve("host-a"));
    Path rootB = Files.createDirectories(dir.resolve("host-b"));
    LocalExecPlane a = plane(rootA, c.withHost("host-a"));
    LocalExecPlane b = plane(rootB, c.withHost("host-b"));
    a.enqueue(job("job-killswch1", "x"));

    a.turnKillSwitchOn("maintenance");

    assertThat(Files.exists(b.layout().killSwitchFile())).isFalse();
    Thread.sleep(PostgresJobQueue.KILL_SWITCH_CACHE.toMillis() + 100);
    assertThat(b.killSwitchOn()).isTrue();
    assertThat(b.runOnce().status()).isEqualTo(RunOutcome.Status.KILL_SWITCH);
    assertThat(sql(c, "SELECT reason || '@' || set_by FROM ${schema}.kill_switch"))
        .isEqualTo("maintenance@host-a");

    // Off on host b clears the shared row; host a's own file still holds a until it is removed.
    assertThat(b.turnKillSwitchOff()).isTrue();
    Thread.sleep(PostgresJobQueue.KILL_SWITCH_CACHE.toMillis() + 100);
    assertThat(b.killSwitchOn()).isFalse();
    assertThat(a.killSwitchOn()).isTrue();
    assertThat(a.turnKillSwitchOff()).isTrue();
    assertThat(a.killSwitchOn()).isFalse();
    assertThat(a.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
    a.close();
    b.close();
  }

  @Test
  void verify_checksEachHostsEvidenceAgainstTheSharedQueue() throws Exception {
    PostgresQueueConfig c = newSchema();
    Path rootA = Files.createDirectories(dir.resolve("host-a"));
    Path rootB = Files.createDirectories(dir.resolve("host-b"));
    LocalExecPlane a = plane(rootA, c.withHost("host-a"));
    LocalExecPlane b = plane(rootB, c.withHost("host-b"));
    a.enqueue(job("job-onhosta01", "a"));
    b.enqueue(job("job-onhostb01", "b"));
    assertThat(a.runOnce().jobId()).isEqualTo("job-onhosta01");
    assertThat(b.runOnce().jobId()).isEqualTo("job-onhostb01");

    VerifyReport onA = a.verify(null);
    VerifyReport onB = b.verify(null);

    assertThat(onA.verified()).as("%s", onA.summary()).isTrue();
    assertThat(onB.verified()).as("%s", onB.summary()).isTrue();
    // Host b's evidence, cut short, no longer matches the head its final event recorded.
    Path ev = b.layout().evidenceDir().resolve("job-onhostb01.jsonl");
    List<String> lines = Files.readAllLines(ev, StandardCharsets.UTF_8);
    Files.write(ev, lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);
    assertThat(b.verify("job-onhostb01").verified()).isFalse();
    assertThat(a.verify("job-onhosta01").verified()).isTrue();
    a.close();
    b.close();
  }

  // ---- credentials

  @Test
  void config_refusesAPasswordInTheUrlAndNeverPrintsIt() {
    assertThatThrownBy(
            () ->
                PostgresQueueConfig.fromEnvironment(
                    "jdbc:postgresql://db:5432/jobs?user=u&password=hunter2hunter2", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PostgresQueueConfig.PASSWORD_ENV)
        .hasMessageNotContaining("hunter2");

    PostgresQueueConfig c =
        PostgresQueueConfig.fromEnvironment(
            "jdbc:postgresql://db:5432/jobs?sslmode=require",
            Map.of(
                PostgresQueueConfig.USER_ENV, "jobs",
                PostgresQueueConfig.PASSWORD_ENV, "hunter2hunter2"));
    assertThat(c.password()).isEqualTo("hunter2hunter2");
    assertThat(c.toString()).doesNotContain("hunter2").contains("password=(set)");
    assertThat(c.displayUrl()).isEqualTo("jdbc:postgresql://db:5432/jobs");
  }

  @Test
  void open_anUnreachableDatabaseIsARetryableQueueUnavailableWithoutThePassword() {
    PostgresQueueConfig c =
        PostgresQueueConfig.fromEnvironment(
                "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=2",
                Map.of(PostgresQueueConfig.PASSWORD_ENV, "hunter2hunter2"))
            .withSchema("t_unreachable");

    assertThatThrownBy(() -> PostgresJobQueue.open(c, context()))
        .isInstanceOf(LocalExecException.class)
        .satisfies(
            e -> {
              assertThat(((LocalExecException) e).code()).isEqualTo("queue_unavailable");
              assertThat(((LocalExecException) e).retryable()).isTrue();
            })
        .hasMessageNotContaining("hunter2");
  }
}
