package dev.localexec.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.queue.FileLedgerQueue;
import dev.localexec.core.internal.queue.PlaneQueueContext;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.JobResult;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link JobQueue} must do, queue calls and whole worker runs alike. A queue module
 * extends this class once ({@code FileLedgerQueueContractTest} here, the PostgreSQL queue's in
 * {@code local-exec-postgres}), so one suite runs against every implementation.
 *
 * <p>A subclass gives {@link #factory()}: each call opens a queue over the same storage, empty at
 * the start of each test (several opens stand in for several processes sharing it).
 */
public abstract class JobQueueContract {
  /** 2026-11-24T04:22:04.250000Z in Unix seconds. */
  protected static final double T0 = 1795494124.25;

  protected static final Duration LEASE = Duration.ofSeconds(60);

  /** A task that completes with {@code {"echo": <payload.word>}}, or throws if asked to. */
  static final class EchoTask implements TaskPlugin {
    final AtomicInteger runs = new AtomicInteger();

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
      runs.incrementAndGet();
      Object word = ctx.job().payload().get("word");
      if ("explode".equals(word)) {
        throw new IllegalStateException("asked to explode");
      }
      return TaskResult.of(Map.of("echo", String.valueOf(word)));
    }
  }

  @TempDir protected Path root;

  protected final FakeClock clock = FakeClock.at(Instant.parse("2026-11-24T04:22:04.250000Z"));
  protected final EchoTask echo = new EchoTask();
  protected final JobValidator validator =
      new JobValidator(
          TaskRegistry.builder()
              .register(SchemaOnlyPlugin.permissive("repo_index_task"))
              .register(echo)
              .build());

  private final List<JobQueue> opened = new ArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();
  protected JobQueue queue;

  /** Opens the queue under test: every call opens the same storage. */
  protected abstract JobQueue.Factory factory();

  /** The queue over the test's storage, opened with the test's clock (closed after the test). */
  protected JobQueue open() {
    return open(validator);
  }

  /** The queue over the test's storage, validating with {@code v} (a process with other tasks). */
  protected JobQueue open(JobValidator v) {
    JobQueue q =
        factory()
            .open(new PlaneQueueContext(PlaneLayout.defaults(root), v, clock, Redactor.none()));
    opened.add(q);
    return q;
  }

  @BeforeEach
  void openQueue() {
    queue = open();
  }

  @AfterEach
  void closeQueues() throws InterruptedException {
    for (ExecutorService p : pools) {
      p.shutdownNow();
      assertThat(p.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }
    opened.forEach(JobQueue::close);
  }

  protected static Job job(String id) {
    return job(id, "repo_index_task", Map.of("max_files", 1));
  }

  protected static Job job(String id, String type, Map<String, Object> payload) {
    return new Job(
        id,
        type,
        "2026-11-24T04:00:00Z",
        payload,
        Budget.of(300, 10, 262144, 1),
        ToolPolicy.denyAll(),
        null);
  }

  private Claim claimOrFail(JobQueue q, String workerId) {
    return q.claim(workerId, LEASE).orElseThrow(() -> new AssertionError("nothing to claim"));
  }

  private JobState state(String jobId) {
    return queue.status(jobId).orElseThrow().state();
  }

  private static void assertStale(Runnable write) {
    assertThatThrownBy(write::run)
        .isInstanceOf(LocalExecException.class)
        .extracting(e -> ((LocalExecException) e).code())
        .isEqualTo("stale_claim");
  }

  private static String code(Throwable e) {
    return ((LocalExecException) e).code();
  }

  // ---- enqueue

  @Test
  void enqueue_queuesTheJobWithNoAttempt() {
    String ts = queue.enqueue(job("job-aaaaaaaa"));

    assertThat(ts).isEqualTo("2026-11-24T04:22:04.250000Z");
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
    assertThat(queue.status("job-nosuchjob")).isEmpty();
    assertThat(queue.unreadableLines()).isEmpty();
  }

  @Test
  void enqueue_aKnownIdIsRefusedWithDuplicateJobId() {
    queue.enqueue(job("job-aaaaaaaa"));

    assertThatThrownBy(() -> queue.enqueue(job("job-aaaaaaaa")))
        .isInstanceOf(LocalExecException.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("duplicate_job_id"))
        .hasMessageContaining("requeue job-aaaaaaaa");
    assertThat(queue.status()).hasSize(1);
  }

  @Test
  void enqueue_anInvalidJobIsRefusedAndNothingIsQueued() {
    assertThatThrownBy(() -> queue.enqueue(job("job-aaaaaaaa", "no_such_task", Map.of())))
        .isInstanceOf(JobValidationException.class);
    assertThat(queue.status()).isEmpty();
    assertThat(queue.claim("w1", LEASE)).isEmpty();
  }

  // ---- claim

  @Test
  void claim_takesJobsInEnqueueOrderNotIdOrder() {
    queue.enqueue(job("job-cccccccc"));
    queue.enqueue(job("job-aaaaaaaa"));
    queue.enqueue(job("job-bbbbbbbb"));

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      order.add(claimOrFail(queue, "w1").job().jobId());
    }

    assertThat(order).containsExactly("job-cccccccc", "job-aaaaaaaa", "job-bbbbbbbb");
    assertThat(queue.claim("w1", LEASE)).isEmpty();
    assertThat(queue.status())
        .extracting(JobStatus::jobId)
        .containsExactly(order.toArray(String[]::new));
  }

  @Test
  void claim_recordsWorkerAttemptAndLease() {
    queue.enqueue(job("job-aaaaaaaa"));

    Claim c = claimOrFail(queue, "w1");

    assertThat(c.job()).isEqualTo(job("job-aaaaaaaa"));
    assertThat(c.workerId()).isEqualTo("w1");
    assertThat(c.attempt()).isEqualTo(1);
    assertThat(c.leaseExpiresUnix()).isCloseTo(T0 + 60, within(1e-6));
    assertThat(c.ts()).isEqualTo("2026-11-24T04:22:04.250000Z");
    JobStatus s = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(s.state()).isEqualTo(JobState.RUNNING);
    assertThat(s.attempts()).isEqualTo(1);
    assertThat(s.workerId()).isEqualTo("w1");
    assertThat(s.leaseExpiresUnix()).isCloseTo(T0 + 60, within(1e-6));
  }

  @Test
  void heartbeat_extendsTheLeaseFromNow() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim c = claimOrFail(queue, "w1");
    clock.advance(Duration.ofSeconds(50));

    double until = queue.heartbeat(c, LEASE);

    assertThat(until).isCloseTo(T0 + 110, within(1e-6));
    clock.advance(Duration.ofSeconds(30));
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.RUNNING);
    assertThat(queue.claim("w2", LEASE)).isEmpty();
  }

  @Test
  void leaseExpiry_queuesTheJobAgainForTheNextAttempt() {
    queue.enqueue(job("job-aaaaaaaa"));
    claimOrFail(queue, "w1");
    clock.advance(Duration.ofSeconds(61));

    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.QUEUED);
    Claim second = claimOrFail(queue, "w2");

    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.workerId()).isEqualTo("w2");
    assertThat(queue.status("job-aaaaaaaa").orElseThrow().workerId()).isEqualTo("w2");
  }

  @Test
  void attemptsExhausted_aJobWhoseWorkersKeepDyingFailsForGoodAfterMaxAttempts() {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.enqueue(job("job-bbbbbbbb"));
    for (int i = 1; i <= 3; i++) {
      Claim c = queue.claim("w" + i, LEASE).orElseThrow();
      assertThat(c.job().jobId()).isEqualTo("job-aaaaaaaa");
      assertThat(c.attempt()).isEqualTo(i);
      clock.advance(Duration.ofSeconds(61));
    }

    Claim next = queue.claim("w4", LEASE).orElseThrow();

    assertThat(next.job().jobId()).isEqualTo("job-bbbbbbbb");
    JobStatus a = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(a.state()).isEqualTo(JobState.FAILED);
    assertThat(a.attempts()).isEqualTo(3);
    assertThat(a.error())
        .isEqualTo(
            "attempts_exhausted: job 'job-aaaaaaaa' was claimed 3 times and no attempt finished"
                + " (the worker holding it stopped or died each time); requeue it to run it again");
    queue.complete(next, Map.of());
    clock.advance(Duration.ofHours(1));
    assertThat(queue.claim("w5", LEASE)).isEmpty();
    assertThat(queue.status("job-aaaaaaaa").orElseThrow().state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void attemptsExhausted_followsTheWorkersMaxAttempts_andRequeueStartsAgain() {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.claim("w1", LEASE, 1).orElseThrow();
    clock.advance(Duration.ofSeconds(61));

    assertThat(queue.claim("w2", LEASE, 1)).isEmpty();
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.FAILED);

    queue.requeue("job-aaaaaaaa");
    assertThat(queue.claim("w3", LEASE, 1).orElseThrow().attempt()).isEqualTo(1);
  }

  @Test
  void staleAttempt_itsHeartbeatAndFinalWritesAreRefused() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim first = claimOrFail(queue, "w1");
    clock.advance(Duration.ofSeconds(61));
    Claim second = claimOrFail(queue, "w2");

    assertStale(() -> queue.heartbeat(first, LEASE));
    assertStale(() -> queue.complete(first, Map.of("late", true)));
    assertStale(() -> queue.fail(first, "late"));
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.RUNNING);

    queue.complete(second, Map.of("ok", true));
    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.COMPLETE);
    assertStale(() -> queue.complete(second, Map.of("twice", true)));
    assertStale(() -> queue.heartbeat(second, LEASE));
  }

  @Test
  void staleAttempt_sameWorkerIdAfterExpiryIsStillRefused() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim first = claimOrFail(queue, "w1");
    clock.advance(Duration.ofSeconds(61));
    Claim again = claimOrFail(queue, "w1");

    assertStale(() -> queue.fail(first, "late"));
    queue.fail(again, "boom");
    assertThat(queue.status("job-aaaaaaaa").orElseThrow().error()).isEqualTo("boom");
  }

  @Test
  void expiredButNotReclaimed_theOwnerMayStillFinish() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim c = claimOrFail(queue, "w1");
    clock.advance(Duration.ofSeconds(120));

    queue.complete(c, Map.of("ok", true), new ChainHead(3, "ab".repeat(32)));

    assertThat(state("job-aaaaaaaa")).isEqualTo(JobState.COMPLETE);
  }

  // ---- complete, fail, requeue

  @Test
  void completeAndFail_areTerminalAndKeepTheError() {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.enqueue(job("job-bbbbbbbb"));
    Claim a = claimOrFail(queue, "w1");
    Claim b = claimOrFail(queue, "w1");
    clock.advance(Duration.ofSeconds(1));

    assertThat(queue.complete(a, Map.of("n", 1))).isEqualTo("2026-11-24T04:22:05.250000Z");
    queue.fail(b, "task_error:Boom");
    clock.advance(Duration.ofHours(1));

    JobStatus sa = queue.status("job-aaaaaaaa").orElseThrow();
    JobStatus sb = queue.status("job-bbbbbbbb").orElseThrow();
    assertThat(sa.state()).isEqualTo(JobState.COMPLETE);
    assertThat(sa.error()).isNull();
    assertThat(sa.updatedTs()).isEqualTo("2026-11-24T04:22:05.250000Z");
    assertThat(sb.state()).isEqualTo(JobState.FAILED);
    assertThat(sb.error()).isEqualTo("task_error:Boom");
    assertThat(queue.claim("w1", LEASE)).isEmpty();
  }

  @Test
  void requeue_runsAFinishedJobAgainFromAttemptOne() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim c = claimOrFail(queue, "w1");
    queue.fail(c, "boom");

    queue.requeue("job-aaaaaaaa");

    JobStatus s = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(s.state()).isEqualTo(JobState.QUEUED);
    assertThat(s.attempts()).isZero();
    assertThat(s.error()).isNull();
    Claim again = claimOrFail(queue, "w2");
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.job()).isEqualTo(job("job-aaaaaaaa"));
    assertStale(() -> queue.complete(c, Map.of()));
  }

  @Test
  void requeue_refusesAnActiveOrUnknownJob() {
    queue.enqueue(job("job-aaaaaaaa"));

    assertThatThrownBy(() -> queue.requeue("job-aaaaaaaa"))
        .satisfies(e -> assertThat(code(e)).isEqualTo("job_active"));
    claimOrFail(queue, "w1");
    assertThatThrownBy(() -> queue.requeue("job-aaaaaaaa"))
        .satisfies(e -> assertThat(code(e)).isEqualTo("job_active"));
    assertThatThrownBy(() -> queue.requeue("job-nosuchjob"))
        .satisfies(e -> assertThat(code(e)).isEqualTo("unknown_job"));
  }

  @Test
  void requeue_keepsTheJobsPlaceInStatusButClaimsItAfterOlderQueuedJobs() {
    queue.enqueue(job("job-aaaaaaaa"));
    queue.complete(claimOrFail(queue, "w1"), Map.of());
    queue.enqueue(job("job-bbbbbbbb"));

    queue.requeue("job-aaaaaaaa");

    assertThat(queue.status())
        .extracting(JobStatus::jobId)
        .containsExactly("job-aaaaaaaa", "job-bbbbbbbb");
    assertThat(claimOrFail(queue, "w1").job().jobId()).isEqualTo("job-bbbbbbbb");
    assertThat(claimOrFail(queue, "w1").job().jobId()).isEqualTo("job-aaaaaaaa");
  }

  // ---- several claimers

  @Test
  void concurrentClaimers_eachJobIsClaimedByExactlyOne() throws Exception {
    int jobs = 120;
    for (int i = 0; i < jobs; i++) {
      queue.enqueue(job(String.format("job-conc%04d", i)));
    }
    int claimers = 4;
    List<JobQueue> queues = new ArrayList<>();
    for (int i = 0; i < claimers; i++) {
      queues.add(open());
    }
    ExecutorService pool = Executors.newFixedThreadPool(claimers);
    pools.add(pool);
    Map<String, String> claimedBy = new ConcurrentHashMap<>();
    AtomicInteger doubleClaims = new AtomicInteger();
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int i = 0; i < claimers; i++) {
      JobQueue q = queues.get(i);
      String worker = "w" + i;
      tasks.add(
          () -> {
            int n = 0;
            Optional<Claim> c;
            while ((c = q.claim(worker, LEASE)).isPresent()) {
              if (claimedBy.putIfAbsent(c.get().job().jobId(), worker) != null) {
                doubleClaims.incrementAndGet();
              }
              q.complete(c.get(), Map.of("by", worker));
              n++;
            }
            return n;
          });
    }
    int total = 0;
    for (Future<Integer> f : pool.invokeAll(tasks, 120, TimeUnit.SECONDS)) {
      total += f.get();
    }

    assertThat(doubleClaims.get()).isZero();
    assertThat(total).isEqualTo(jobs);
    assertThat(claimedBy).hasSize(jobs);
    assertThat(queue.status())
        .hasSize(jobs)
        .allSatisfy(
            s -> {
              assertThat(s.state()).isEqualTo(JobState.COMPLETE);
              assertThat(s.attempts()).isEqualTo(1);
            });
  }

  // ---- the ledger export

  @Test
  void exportLedger_writesTheEventsAsJobsJsonlLinesWithAnIntactChain() throws Exception {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim c = claimOrFail(queue, "w1");
    queue.heartbeat(c, LEASE);
    queue.complete(c, Map.of("ok", true));
    Path out = root.resolve("export/jobs.jsonl");

    long lines = queue.exportLedger(out);

    List<String> text = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(lines).isEqualTo(4);
    assertThat(text).hasSize(4);
    List<Object> events = new ArrayList<>();
    for (String line : text) {
      assertThat(line).startsWith("{\"ts_utc\": \"2026-11-24T04:22:04.250000Z\", \"event\": \"");
      events.add(((Map<?, ?>) Json.parse(line)).get("event"));
    }
    assertThat(events).containsExactly("enqueue", "claim", "heartbeat", "complete");
    assertThat(
            new dev.localexec.core.internal.integrity.Verifier(root, out, root.resolve("evidence"))
                .verifyFile(out)
                .ok())
        .isTrue();
    // The export replays, through the file ledger, to the queue's states.
    FileLedgerQueue replayed = new FileLedgerQueue(out.getParent(), validator, clock);
    assertThat(replayed.status()).isEqualTo(queue.status());
  }

  // ---- job types

  /** A validator that knows only {@code repo_index_task}: a process without the echo plug-in. */
  private static JobValidator indexOnlyValidator() {
    return new JobValidator(
        TaskRegistry.builder().register(SchemaOnlyPlugin.permissive("repo_index_task")).build());
  }

  @Test
  void claim_leavesJobsOfOtherTypesQueuedUntouchedForAWorkerThatRunsThem() {
    queue.enqueue(job("job-aaaaaaaa", "echo_task", Map.of("word", "a")));
    queue.enqueue(job("job-bbbbbbbb"));
    queue.enqueue(job("job-cccccccc", "echo_task", Map.of("word", "c")));
    queue.enqueue(job("job-dddddddd"));
    JobQueue lacking = open(indexOnlyValidator());
    Set<String> indexOnly = Set.of("repo_index_task");

    String first = lacking.claim("w-index", LEASE, 1, indexOnly).orElseThrow().job().jobId();
    String second = lacking.claim("w-index", LEASE, 1, indexOnly).orElseThrow().job().jobId();

    assertThat(List.of(first, second)).containsExactly("job-bbbbbbbb", "job-dddddddd");
    assertThat(lacking.claim("w-index", LEASE, 1, indexOnly)).isEmpty();
    assertThat(queue.status("job-aaaaaaaa").orElseThrow())
        .extracting(JobStatus::state, JobStatus::attempts, JobStatus::error)
        .containsExactly(JobState.QUEUED, 0, null);
    assertThat(state("job-cccccccc")).isEqualTo(JobState.QUEUED);
    Set<String> echoOnly = Set.of("echo_task");
    assertThat(queue.claim("w-echo", LEASE, 1, echoOnly).orElseThrow().job().jobId())
        .isEqualTo("job-aaaaaaaa");
    assertThat(queue.claim("w-echo", LEASE, 1, echoOnly).orElseThrow().job().jobId())
        .isEqualTo("job-cccccccc");
    assertThat(queue.claim("w-echo", LEASE, 1, Set.of())).isEmpty();
  }

  @Test
  void claim_aJobFailedAtClaimIsToldToTheClaimerAndItsEvidenceHeadRecorded() throws Exception {
    queue.enqueue(job("job-aaaaaaaa", "echo_task", Map.of("word", "a")));
    queue.enqueue(job("job-bbbbbbbb"));
    JobQueue lacking = open(indexOnlyValidator());
    List<JobQueue.ClaimFailure> told = new ArrayList<>();
    ChainHead head = new ChainHead(3, "ab".repeat(32));

    Claim c =
        lacking
            .claim(
                "w1",
                LEASE,
                3,
                null,
                f -> {
                  told.add(f);
                  return Optional.of(head);
                })
            .orElseThrow();

    assertThat(c.job().jobId()).isEqualTo("job-bbbbbbbb");
    assertThat(told).hasSize(1);
    JobQueue.ClaimFailure f = told.get(0);
    assertThat(List.of(f.jobId(), f.jobType(), f.workerId(), f.attempts()))
        .containsExactly("job-aaaaaaaa", "echo_task", "w1", 0);
    assertThat(f.error()).startsWith("job_invalid: ");
    JobStatus s = queue.status("job-aaaaaaaa").orElseThrow();
    assertThat(s.state()).isEqualTo(JobState.FAILED);
    assertThat(s.error()).isEqualTo(f.error());
    Path out = root.resolve("export").resolve("jobs.jsonl");
    queue.exportLedger(out);
    List<Map<?, ?>> fails = new ArrayList<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (Json.parse(line) instanceof Map<?, ?> m && "fail".equals(m.get("event"))) {
        fails.add(m);
      }
    }
    assertThat(fails).hasSize(1);
    assertThat(fails.get(0).get("evidence_head")).isEqualTo(Map.of("seq", 3, "hash", head.hash()));
  }

  @Test
  void claim_aStaleWriteIsAStaleClaimException() {
    queue.enqueue(job("job-aaaaaaaa"));
    Claim c = claimOrFail(queue, "w1");
    queue.complete(c, Map.of());

    assertThatThrownBy(() -> queue.fail(c, "late"))
        .isInstanceOf(StaleClaimException.class)
        .hasMessage(
            "job 'job-aaaaaaaa' attempt 1"
                + (c.fence() != 0 ? " (fence " + c.fence() + ")" : "")
                + " by w1 is no longer the running claim; its write was refused")
        .satisfies(e -> assertThat(code(e)).isEqualTo("stale_claim"));
  }

  // ---- whole worker runs, through the plane

  /** A plane on the queue under test, running subprocess-free tasks directly. */
  protected LocalExecPlane plane(Path planeRoot, String workerId) {
    return plane(planeRoot, workerId, echo, SchemaOnlyPlugin.permissive("repo_index_task"));
  }

  /** A plane on the queue under test with these task plug-ins only. */
  protected LocalExecPlane plane(Path planeRoot, String workerId, TaskPlugin... plugins) {
    LocalExecPlane.Builder b = LocalExecPlane.builder(planeRoot);
    for (TaskPlugin p : plugins) {
      b.register(p);
    }
    return b.clock(clock)
        .launcher(new DirectLauncher())
        .environment(Map.of())
        .workerOptions(dev.localexec.core.worker.WorkerOptions.defaults().withWorkerId(workerId))
        .queue(
            context -> {
              PlaneQueueContext p = PlaneQueueContext.of(context);
              JobQueue q =
                  factory()
                      .open(
                          new PlaneQueueContext(
                              PlaneLayout.defaults(root), p.validator(), p.clock(), p.redactor()));
              opened.add(q);
              return q;
            })
        .build();
  }

  @Test
  void worker_runsAJobToCompleteAndItsEvidenceVerifiesAgainstTheQueue() throws Exception {
    LocalExecPlane plane = plane(root, "w1");
    plane.enqueue(job("job-echo0001", "echo_task", Map.of("word", "hello")));

    RunOutcome out = plane.runOnce();

    assertThat(out.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(out.result()).isEqualTo(Map.of("echo", "hello"));
    JobStatus s = plane.status("job-echo0001").orElseThrow();
    assertThat(s.state()).isEqualTo(JobState.COMPLETE);
    assertThat(s.workerId()).isEqualTo("w1");
    assertThat(plane.layout().evidenceDir().resolve("job-echo0001.jsonl")).exists();
    assertThat(plane.layout().evidenceDir().resolve("job-echo0001.md")).exists();
    VerifyReport report = plane.verify("job-echo0001");
    assertThat(report.verified()).as("%s", report.summary()).isTrue();
    // The final event records the evidence head: cutting the evidence is caught.
    Path ev = plane.layout().evidenceDir().resolve("job-echo0001.jsonl");
    List<String> lines = Files.readAllLines(ev, StandardCharsets.UTF_8);
    Files.write(ev, lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);
    assertThat(plane.verify("job-echo0001").verified()).isFalse();
  }

  /** The echo task with a payload schema that requires {@code word}. */
  static final class StrictEcho implements TaskPlugin {
    @Override
    public String id() {
      return "echo_task";
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\",\"required\":[\"word\"]}";
    }

    @Override
    public TaskResult run(TaskContext ctx) {
      return TaskResult.of(Map.of("echo", String.valueOf(ctx.job().payload().get("word"))));
    }
  }

  @Test
  void worker_aWorkerWithoutAJobsTaskLeavesItQueued() {
    queue.enqueue(job("job-echo0001", "echo_task", Map.of("word", "a")));
    LocalExecPlane lacking = plane(root, "w-index", SchemaOnlyPlugin.permissive("repo_index_task"));

    assertThat(lacking.runOnce().status()).isEqualTo(RunOutcome.Status.IDLE);
    assertThat(lacking.status("job-echo0001").orElseThrow())
        .extracting(JobStatus::state, JobStatus::attempts)
        .containsExactly(JobState.QUEUED, 0);

    assertThat(plane(root, "w1").runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
  }

  @Test
  void worker_aJobFailedAtClaimGetsItsEvidenceAndSummary() throws Exception {
    queue.enqueue(job("job-invalid01", "echo_task", Map.of()));
    LocalExecPlane plane =
        plane(root, "w1", new StrictEcho(), SchemaOnlyPlugin.permissive("repo_index_task"));

    RunOutcome out = plane.runOnce();

    assertThat(out.status()).isEqualTo(RunOutcome.Status.IDLE);
    JobStatus s = plane.status("job-invalid01").orElseThrow();
    assertThat(s.state()).isEqualTo(JobState.FAILED);
    assertThat(s.error()).startsWith("job_invalid: ");
    Path evidence = plane.layout().evidenceDir().resolve("job-invalid01.jsonl");
    List<String> kinds = new ArrayList<>();
    for (String line : Files.readAllLines(evidence, StandardCharsets.UTF_8)) {
      kinds.add(String.valueOf(((Map<?, ?>) Json.parse(line)).get("kind")));
    }
    assertThat(kinds).containsExactly("summary", "failed");
    assertThat(
            Files.readString(
                plane.layout().evidenceDir().resolve("job-invalid01.md"), StandardCharsets.UTF_8))
        .startsWith("# Echo Task\n\n- job_id: job-invalid01\n- status: failed\n")
        .contains("- error: job_invalid\n- detail: job_invalid: ");
    VerifyReport report = plane.verify("job-invalid01");
    assertThat(report.verified()).as("%s", report.summary()).isTrue();
  }

  @Test
  void job_givesTheResultOrErrorOfTheFinalLedgerEvent_andNothingForAnUnfinishedJob()
      throws Exception {
    LocalExecPlane plane = plane(root, "w1");
    plane.enqueue(job("job-echo0001", "echo_task", Map.of("word", "hello")));
    plane.enqueue(job("job-echo0002", "echo_task", Map.of("word", "explode")));
    plane.enqueue(job("job-echo0003", "echo_task", Map.of("word", "later")));
    plane.runOnce();
    plane.runOnce();

    JobResult done = plane.job("job-echo0001").orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.COMPLETE);
    assertThat(done.result()).isEqualTo(Map.of("echo", "hello"));
    assertThat(done.error()).isNull();
    assertThat(done.workerId()).isEqualTo("w1");
    assertThat(done.evidence())
        .isEqualTo(plane.layout().evidenceDir().resolve("job-echo0001.jsonl"));
    assertThat(done.summary()).isEqualTo(plane.layout().evidenceDir().resolve("job-echo0001.md"));
    Path ledger = root.resolve("ledger-copy.jsonl");
    plane.exportLedger(ledger);
    Map<?, ?> lastComplete = null;
    for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
      Map<?, ?> ev = (Map<?, ?>) Json.parse(line);
      if ("complete".equals(ev.get("event")) && "job-echo0001".equals(ev.get("job_id"))) {
        lastComplete = ev;
      }
    }
    assertThat(lastComplete).isNotNull();
    assertThat(done.result()).isEqualTo(lastComplete.get("result"));
    assertThat(done.toMap(plane.layout()))
        .containsEntry("state", "complete")
        .containsEntry("result", Map.of("echo", "hello"))
        .doesNotContainKey("error");

    JobResult failed = plane.job("job-echo0002").orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.result()).isNull();
    assertThat(failed.error()).isEqualTo("task_error:IllegalStateException");

    JobResult queued = plane.job("job-echo0003").orElseThrow();
    assertThat(queued.state()).isEqualTo(JobState.QUEUED);
    assertThat(queued.finished()).isFalse();
    assertThat(queued.result()).isNull();
    assertThat(queued.evidence()).isNull();

    plane.requeue("job-echo0001");
    assertThat(plane.job("job-echo0001").orElseThrow().result()).isNull();
    assertThat(plane.job("job-nosuchjob1")).isEmpty();
  }

  @Test
  void worker_aTaskThatThrowsFailsTheJobAndTheWorkerGoesOn() {
    LocalExecPlane plane = plane(root, "w1");
    plane.enqueue(job("job-echo0001", "echo_task", Map.of("word", "explode")));
    plane.enqueue(job("job-echo0002", "echo_task", Map.of("word", "fine")));

    RunOutcome first = plane.runOnce();
    RunOutcome second = plane.runOnce();
    RunOutcome third = plane.runOnce();

    assertThat(first.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(first.error()).isEqualTo("task_error:IllegalStateException");
    assertThat(second.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(third.status()).isEqualTo(RunOutcome.Status.IDLE);
    assertThat(plane.status("job-echo0001").orElseThrow().error())
        .isEqualTo("task_error:IllegalStateException");
  }

  @Test
  void worker_killSwitchStopsClaims() {
    LocalExecPlane plane = plane(root, "w1");
    plane.enqueue(job("job-echo0001", "echo_task", Map.of("word", "a")));
    plane.turnKillSwitchOn("test");

    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.KILL_SWITCH);
    assertThat(plane.status("job-echo0001").orElseThrow().state()).isEqualTo(JobState.QUEUED);

    assertThat(plane.turnKillSwitchOff()).isTrue();
    assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
  }

  @Test
  void workers_twoWorkersDrainTheQueueEachJobRunOnce() throws Exception {
    LocalExecPlane p1 = plane(root, "w1");
    LocalExecPlane p2 = plane(root, "w2");
    int jobs = 30;
    for (int i = 0; i < jobs; i++) {
      p1.enqueue(job(String.format("job-drain%04d", i), "echo_task", Map.of("word", "w" + i)));
    }
    Worker w1 = p1.worker();
    Worker w2 = p2.worker();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    pools.add(pool);
    Future<String> r1 = pool.submit(() -> w1.drain(Duration.ofMillis(5)));
    Future<String> r2 = pool.submit(() -> w2.drain(Duration.ofMillis(5)));

    assertThat(r1.get(120, TimeUnit.SECONDS)).isEqualTo("drained");
    assertThat(r2.get(120, TimeUnit.SECONDS)).isEqualTo("drained");
    assertThat(echo.runs.get()).isEqualTo(jobs);
    Map<JobState, Integer> byState = new HashMap<>();
    for (JobStatus s : p1.status()) {
      byState.merge(s.state(), 1, Integer::sum);
      assertThat(s.attempts()).isEqualTo(1);
    }
    assertThat(byState).isEqualTo(Map.of(JobState.COMPLETE, jobs));
    assertThat(p1.verify(null).verified()).isTrue();
  }
}
