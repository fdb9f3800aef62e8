package dev.localexec.core.internal.worker;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.Job;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.integrity.ChainHead;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.evidence.JobEvidence;
import dev.localexec.core.internal.evidence.Summaries;
import dev.localexec.core.internal.exec.ArgvPolicy;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.internal.limits.JobResources;
import dev.localexec.core.internal.limits.ResourceControl;
import dev.localexec.core.internal.model.GuardedModel;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.internal.paths.RepoRootPaths;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.internal.tools.GuardedTools;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.StaleClaimException;
import dev.localexec.core.sandbox.Sandbox;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import dev.localexec.core.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plane's {@link Worker}: claims and runs jobs. {@link #runOnce()} runs at most one job; {@link
 * #loop} runs until the kill switch trips or it is told to stop. A worker catches everything a
 * plug-in throws and records it as the job's failure. One worker runs one job at a time; run
 * several workers for more.
 */
public final class DefaultWorker implements Worker {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultWorker.class);

  private final WorkerOptions options;
  private final JobQueue queue;
  private final TaskRegistry registry;
  private final KillSwitch killSwitch;
  private final PlaneLayout layout;
  private final ProcessLauncher launcher;
  private final Clock clock;
  private final RepoRootPaths paths;
  private final WorkerEvents events;
  private final Map<String, String> environment;
  private final Redactor redactor;
  private final Capabilities capabilities;
  private final ResourceControl resources;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final JobQueue.ClaimFailures claimFailures;

  /** Guards {@link #active}. */
  private final Object activity = new Object();

  /** Calls of {@link #runOnce()}, {@link #loop} and {@link #drain} in progress. */
  private int active;

  /** When running jobs must end (their trees stopped); {@code null} until a stop is asked. */
  private volatile Instant abortAt;

  /** The grace period that set {@link #abortAt}. */
  private volatile Duration stopGrace = Duration.ZERO;

  /**
   * Creates a worker.
   *
   * @param options id, lease and shell permission
   * @param queue the queue to claim from
   * @param registry the task plug-ins
   * @param killSwitch the kill switch
   * @param layout where evidence goes; its root is the jobs' repo root
   * @param launcher how subprocesses are started
   * @param clock the time source
   * @param environment the host environment: where the {@code env_allow} values the options' {@link
   *     WorkerOptions#envPolicy()} allows come from, and whose secrets are redacted from everything
   *     the worker writes
   */
  public DefaultWorker(
      WorkerOptions options,
      JobQueue queue,
      TaskRegistry registry,
      KillSwitch killSwitch,
      PlaneLayout layout,
      ProcessLauncher launcher,
      Clock clock,
      Map<String, String> environment) {
    this(
        options,
        queue,
        registry,
        killSwitch,
        layout,
        launcher,
        clock,
        environment,
        Capabilities.none());
  }

  /**
   * Creates a worker whose jobs may also call MCP tools and the model.
   *
   * @param capabilities the tool and model backends (either may be absent)
   * @see #Worker(WorkerOptions, JobQueue, TaskRegistry, KillSwitch, PlaneLayout, ProcessLauncher,
   *     Clock, Map)
   */
  public DefaultWorker(
      WorkerOptions options,
      JobQueue queue,
      TaskRegistry registry,
      KillSwitch killSwitch,
      PlaneLayout layout,
      ProcessLauncher launcher,
      Clock clock,
      Map<String, String> environment,
      Capabilities capabilities) {
    this(
        options,
        queue,
        registry,
        killSwitch,
        layout,
        launcher,
        clock,
        environment,
        capabilities,
        ResourceControl.disabled());
  }

  /**
   * Creates a worker whose jobs' subprocesses are held to their resource budgets.
   *
   * @param resources the operator's resource defaults and ceilings and how this host enforces them
   *     ({@link ResourceControl#disabled()}: none)
   * @see #Worker(WorkerOptions, JobQueue, TaskRegistry, KillSwitch, PlaneLayout, ProcessLauncher,
   *     Clock, Map, Capabilities)
   */
  public DefaultWorker(
      WorkerOptions options,
      JobQueue queue,
      TaskRegistry registry,
      KillSwitch killSwitch,
      PlaneLayout layout,
      ProcessLauncher launcher,
      Clock clock,
      Map<String, String> environment,
      Capabilities capabilities,
      ResourceControl resources) {
    this.resources = resources == null ? ResourceControl.disabled() : resources;
    this.capabilities = capabilities == null ? Capabilities.none() : capabilities;
    this.options = options;
    this.queue = queue;
    this.registry = registry;
    this.killSwitch = killSwitch;
    this.layout = layout;
    this.launcher = launcher;
    this.clock = clock;
    this.paths = RepoRootPaths.of(layout.root());
    this.environment = Map.copyOf(environment);
    this.redactor = Redactor.fromEnvironment(environment, options.envPolicy().secretNames());
    this.events = new WorkerEvents(layout.evidenceDir(), options.workerId(), clock, redactor);
    this.claimFailures = new ClaimFailureEvidence(layout, clock, redactor);
  }

  @Override
  public WorkerOptions options() {
    return options;
  }

  @Override
  public RunOutcome runOnce() {
    enter();
    try {
      return runOnceActive();
    } finally {
      exit();
    }
  }

  private RunOutcome runOnceActive() {
    if (killSwitch.isOn()) {
      return new RunOutcome("kill_switch", null, options.workerId(), null, null, null, null);
    }
    if (stopping.get()) {
      return new RunOutcome("stopped", null, options.workerId(), null, null, null, null);
    }
    Optional<Claim> claimed =
        queue.claim(
            options.workerId(),
            options.lease(),
            options.maxAttempts(),
            Set.copyOf(registry.ids()),
            claimFailures);
    if (claimed.isEmpty()) {
      return new RunOutcome("idle", null, options.workerId(), null, null, null, null);
    }
    return run(start(claimed.get()));
  }

  @Override
  public void stop() {
    stop(Duration.ZERO);
  }

  @Override
  public synchronized void stop(Duration grace) {
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("stop grace must be zero or more, got " + grace);
    }
    Instant deadline = clock.instant().plus(grace);
    if (abortAt == null || deadline.isBefore(abortAt)) {
      stopGrace = grace;
      abortAt = deadline;
    }
    if (!stopping.getAndSet(true)) {
      LOG.info("worker {} stopping, running jobs get {} ms", options.workerId(), grace.toMillis());
    }
  }

  @Override
  public void stopGracefully() {
    stop(options.stopGrace());
  }

  /** Whether the grace period of a stop has ended: running jobs must end now. */
  private boolean aborting() {
    Instant at = abortAt;
    return at != null && !clock.instant().isBefore(at);
  }

  @Override
  public boolean stopRequested() {
    return stopping.get();
  }

  @Override
  public String loop(Duration idleSleep, Duration maxIdle, BooleanSupplier stop) {
    return loop(idleSleep, maxIdle, stop, false);
  }

  @Override
  public String drain(Duration idleSleep) {
    return loop(idleSleep, Duration.ofDays(1), () -> false, true);
  }

  private String loop(Duration idleSleep, Duration maxIdle, BooleanSupplier stop, boolean drain) {
    enter();
    try {
      return loopActive(idleSleep, maxIdle, stop, drain);
    } finally {
      exit();
    }
  }

  private void enter() {
    synchronized (activity) {
      active++;
    }
  }

  private void exit() {
    synchronized (activity) {
      active--;
      if (active == 0) {
        activity.notifyAll();
      }
    }
  }

  @Override
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (activity) {
      while (active > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(activity, left);
      }
      return true;
    }
  }

  private String loopActive(
      Duration idleSleep, Duration maxIdle, BooleanSupplier stop, boolean drain) {
    int slots = options.slots();
    Map<String, Object> startEvent = new LinkedHashMap<>();
    startEvent.put("worker_version", Version.get());
    startEvent.put("repo_root_resolved", layout.root().toString());
    startEvent.put("slots", slots);
    startEvent.put("idle_sleep_ms", idleSleep.toMillis());
    startEvent.put("max_idle_sec", maxIdle.toSeconds());
    events.record("loop_start", startEvent);
    Semaphore free = new Semaphore(slots, true);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            slots,
            r -> {
              Thread t = new Thread(r, "local-exec-slot-" + options.workerId());
              t.setDaemon(true);
              return t;
            });
    Instant lastBeat = clock.instant();
    long backoffMs = 0;
    AtomicInteger jobs = new AtomicInteger();
    AtomicInteger interrupted = new AtomicInteger();
    String reason = "stopped";
    try {
      while (true) {
        if (stop.getAsBoolean() || stopping.get()) {
          reason = "stopped";
          break;
        }
        if (killSwitch.isOn()) {
          reason = "kill_switch";
          break;
        }
        if (!free.tryAcquire(1, idleSleep.toMillis(), TimeUnit.MILLISECONDS)) {
          continue;
        }
        JobRun run;
        try {
          Optional<Claim> claimed =
              queue.claim(
                  options.workerId(),
                  options.lease(),
                  options.maxAttempts(),
                  Set.copyOf(registry.ids()),
                  claimFailures);
          backoffMs = 0;
          if (claimed.isEmpty()) {
            free.release(1);
            if (drain) {
              if (free.availablePermits() == slots) {
                reason = "drained";
                break;
              }
              sleep(idleSleep);
              continue;
            }
            Instant now = clock.instant();
            if (Duration.between(lastBeat, now).compareTo(maxIdle) >= 0) {
              events.record("idle_heartbeat", Map.of("jobs_run", jobs.get()));
              lastBeat = now;
            }
            sleep(idleSleep);
            continue;
          }
          run = start(claimed.get());
        } catch (RuntimeException e) {
          free.release(1);
          backoffMs = backoffMs == 0 ? 500 : Math.min(backoffMs * 2, 30_000);
          Map<String, Object> p = new LinkedHashMap<>();
          p.put(
              "error",
              e instanceof LocalExecException le ? le.code() : e.getClass().getSimpleName());
          p.put("message", String.valueOf(e.getMessage()));
          p.put("backoff_ms", backoffMs);
          events.record("transient_error", p);
          LOG.warn(
              "worker {} transient error, retrying in {} ms: {}",
              options.workerId(),
              backoffMs,
              e.toString());
          sleep(Duration.ofMillis(backoffMs));
          continue;
        }
        int held = Math.min(run.claim.job().budgets().maxConcurrencySlots(), slots);
        free.acquire(held - 1);
        JobRun job = run;
        pool.execute(
            () -> {
              try {
                RunOutcome outcome = run(job);
                if (outcome.error() != null && outcome.error().startsWith("worker_stopped:")) {
                  interrupted.incrementAndGet();
                }
              } catch (RuntimeException e) {
                LOG.error(
                    "job {} could not be recorded: {}", job.claim.job().jobId(), e.toString());
              } finally {
                jobs.incrementAndGet();
                free.release(held);
              }
            });
        lastBeat = clock.instant();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(Duration.ZERO);
    } finally {
      pool.shutdown();
      awaitQuietly(pool);
    }
    Map<String, Object> exit = new LinkedHashMap<>();
    exit.put("reason", reason);
    exit.put("jobs_run", jobs.get());
    exit.put("jobs_interrupted", interrupted.get());
    if (abortAt != null) {
      exit.put("stop_grace_ms", stopGrace.toMillis());
    }
    events.record("loop_exit", exit);
    return reason;
  }

  private static void awaitQuietly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.SECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops renewing a lease and waits (a few seconds at most) for the heartbeat thread to end, so
   * that no thread of the job outlives it.
   */
  private static void stopBeats(ScheduledExecutorService beats) {
    beats.shutdownNow();
    boolean interrupted = Thread.interrupted();
    try {
      if (!beats.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("a heartbeat thread did not end within 5 s");
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A claimed job whose evidence is open and whose lease is being renewed. */
  private static final class JobRun {
    final Claim claim;
    final JobEvidence evidence;
    final ScheduledExecutorService beats;

    JobRun(Claim claim, JobEvidence evidence, ScheduledExecutorService beats) {
      this.claim = claim;
      this.evidence = evidence;
      this.beats = beats;
    }
  }

  /** Records {@code claimed} and {@code run_header} and starts renewing the lease. */
  private JobRun start(Claim claim) {
    Job job = claim.job();
    JobEvidence evidence = new JobEvidence(layout.evidenceDir(), job.jobId(), clock, redactor);
    Map<String, Object> claimed = new LinkedHashMap<>();
    claimed.put("worker_id", options.workerId());
    claimed.put("attempt", claim.attempt());
    evidence.record("claimed", claimed);
    evidence.record("run_header", runHeader(job));
    ScheduledExecutorService beats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "local-exec-heartbeat-" + job.jobId());
              t.setDaemon(true);
              return t;
            });
    heartbeat(claim, evidence);
    long every = options.heartbeatEvery().toMillis();
    beats.scheduleAtFixedRate(
        () -> heartbeat(claim, evidence), every, every, TimeUnit.MILLISECONDS);
    return new JobRun(claim, evidence, beats);
  }

  private RunOutcome run(JobRun run) {
    Claim claim = run.claim;
    Job job = claim.job();
    JobEvidence evidence = run.evidence;
    String status;
    Map<String, Object> result = null;
    String error = null;
    String summary;
    try {
      ClockBudgetTracker budget = ClockBudgetTracker.start(job.budgets(), clock);
      JobResources jobResources =
          resources.forJob(
              job.budgets().resources(), launcher.appliesResourceLimits(), launcher.boundsTmpfs());
      LocalArgvRunner argv =
          LocalArgvRunner.builder()
              .paths(paths)
              .policy(job.toolPolicy())
              .budget(budget)
              .evidence(evidence)
              .argvPolicy(
                  options.allowShells()
                      ? ArgvPolicy.defaults().allowingShells()
                      : ArgvPolicy.defaults())
              .launcher(launcher)
              .resources(jobResources)
              .hostEnvironment(environment)
              .envPolicy(options.envPolicy())
              .killSwitch(() -> killSwitch.isOn() || aborting())
              .clock(clock)
              .build();
      JobContext ctx =
          new JobContext(
              job,
              budget,
              evidence,
              paths,
              argv,
              killSwitch,
              this::aborting,
              layout,
              clock,
              redactor,
              new GuardedTools(
                  capabilities.tools(),
                  job.toolPolicy(),
                  budget,
                  evidence,
                  () -> killSwitch.isOn() || aborting(),
                  clock),
              new GuardedModel(
                  capabilities.model(),
                  capabilities.modelTimeout(),
                  job.toolPolicy(),
                  budget,
                  evidence,
                  () -> killSwitch.isOn() || aborting(),
                  clock));
      ctx.checkKillSwitch("before_run");
      TaskPlugin plugin = registry.require(job.jobType());
      TaskResult r = plugin.run(ctx);
      result = redactor.redactObject(r.result());
      summary =
          r.summaryMarkdown() != null ? r.summaryMarkdown() : Summaries.completed(job, result);
      status = "complete";
    } catch (LocalExecException e) {
      error = e.code();
      if (e instanceof BudgetExceededException be) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("budget", be.budget());
        p.put("limit", be.limit());
        p.put("used", be.used());
        evidence.record("budget_exceeded", p);
      } else if (e instanceof KillSwitchException ks) {
        if (abortAt != null && !killSwitch.isOn()) {
          error = "worker_stopped:" + ks.where();
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("where", ks.where());
          p.put("grace_ms", stopGrace.toMillis());
          evidence.record("worker_stopped", p);
        } else {
          evidence.record("kill_switch", Map.of("where", ks.where()));
        }
      }
      summary = Summaries.failed(job, error, e.getMessage());
      status = "failed";
      LOG.info("job {} failed: {}", job.jobId(), redactor.redact(e.getMessage()));
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      error = "task_error:" + e.getClass().getSimpleName();
      summary = Summaries.failed(job, error, e.getMessage());
      status = "failed";
      LOG.warn("job {} threw {}", job.jobId(), redactor.redact(e.toString()));
      if (LOG.isDebugEnabled()) {
        StringBuilder trace = new StringBuilder(e.toString());
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t != e) {
            trace.append("\ncaused by ").append(t);
          }
          for (StackTraceElement frame : t.getStackTrace()) {
            trace.append("\n\tat ").append(frame);
          }
        }
        LOG.debug("job {}: {}", job.jobId(), redactor.redact(trace.toString()));
      }
    } finally {
      stopBeats(run.beats);
    }

    // The summary is chained: its hash in the evidence before the final line (verify checks it).
    String summaryText = redactor.redact(summary);
    recordSummary(evidence, job, summaryText);
    // The summary file before the final event, so that a worker that dies after the final event
    // leaves it; what was there (an earlier attempt's) is kept to be put back if this attempt
    // turns out to be fenced off.
    Path summaryFile = Summaries.path(layout.evidenceDir(), job.jobId());
    byte[] previousSummary = readSummary(summaryFile);
    String recordedSummary = summaryText;
    String summaryPath = writeSummary(job, summaryText);
    boolean stale = false;
    try {
      // The evidence line first: the ledger's final event records the evidence head after it.
      if (status.equals("complete")) {
        Optional<ChainHead> head = evidence.recordChained("complete", result);
        queue.complete(claim, result, head.orElse(null));
      } else {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("error", error);
        Optional<ChainHead> head = evidence.recordChained("failed", p);
        queue.fail(claim, error, head.orElse(null));
      }
    } catch (StaleClaimException e) {
      // The attempt the ledger fenced off: verify accepts its late lines by this line.
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("worker_id", claim.workerId());
      p.put("attempt", claim.attempt());
      p.put("message", e.getMessage());
      evidence.record("stale_claim", p);
      LOG.warn("{}", redactor.redact(e.getMessage()));
      stale = true;
    } catch (LocalExecException e) {
      if (status.equals("complete")) {
        summaryText = failUnrecordable(claim, evidence, redactor.redact(e.getMessage()));
        status = "failed";
        error = "result_unrecordable";
        result = null;
      } else {
        throw e;
      }
    } catch (RuntimeException e) {
      if (!status.equals("complete")) {
        throw e;
      }
      summaryText = failUnrecordable(claim, evidence, redactor.redact(e.toString()));
      status = "failed";
      error = "result_unrecordable";
      result = null;
    }
    if (stale) {
      // A fenced-off attempt leaves the summary of the attempt the ledger recorded.
      restoreSummary(summaryFile, previousSummary);
      summaryPath = null;
    } else if (!summaryText.equals(recordedSummary)) {
      summaryPath = writeSummary(job, summaryText);
    }
    return new RunOutcome(
        status,
        job.jobId(),
        options.workerId(),
        result,
        error,
        layout.display(evidence.path()),
        summaryPath);
  }

  /** Writes the job's summary file; its display path, or null when it could not be written. */
  private String writeSummary(Job job, String summaryText) {
    try {
      return layout.display(Summaries.write(layout.evidenceDir(), job.jobId(), summaryText));
    } catch (IOException e) {
      LOG.error("cannot write the summary of job {}: {}", job.jobId(), e.toString());
      return null;
    }
  }

  /** The bytes of a summary file (never read through a symlink), or null when there is none. */
  private static byte[] readSummary(Path file) {
    try {
      return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Puts back the summary file as it was before this attempt wrote it ({@code null}: none). */
  private static void restoreSummary(Path file, byte[] previous) {
    try {
      if (previous == null) {
        Files.deleteIfExists(file);
      } else {
        PlaneFiles.writeAtomically(file, previous, false);
      }
    } catch (IOException e) {
      LOG.error("cannot put back the summary {}: {}", file, e.toString());
    }
  }

  private void recordSummary(JobEvidence evidence, Job job, String summaryText) {
    evidence.record(
        "summary",
        Summaries.evidencePayload(
            layout.display(Summaries.path(layout.evidenceDir(), job.jobId())),
            Summaries.bytes(summaryText)));
  }

  /**
   * Fails a job whose result could not be recorded, so that it does not stay running and run again
   * at every lease expiry; returns the failed summary (already chained into the evidence).
   */
  private String failUnrecordable(Claim claim, JobEvidence evidence, String why) {
    Job job = claim.job();
    String error = "result_unrecordable";
    LOG.error("job {}: its result could not be recorded ({}); failing it", job.jobId(), why);
    String summaryText = redactor.redact(Summaries.failed(job, error, why));
    recordSummary(evidence, job, summaryText);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("error", error);
    p.put("detail", why);
    Optional<ChainHead> head = evidence.recordChained("failed", p);
    queue.fail(claim, error + ": " + why, head.orElse(null));
    return summaryText;
  }

  private void heartbeat(Claim claim, JobEvidence evidence) {
    try {
      double until = queue.heartbeat(claim, options.lease());
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("worker_id", options.workerId());
      p.put("lease_expires_unix", until);
      evidence.record("lease_heartbeat", p);
    } catch (RuntimeException e) {
      LOG.warn("heartbeat of job {} failed: {}", claim.job().jobId(), e.toString());
    }
  }

  private Map<String, Object> runHeader(Job job) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("worker_id", options.workerId());
    h.put("worker_version", Version.get());
    h.put("repo_root_resolved", layout.root().toString());
    h.put("validator_mode", JobValidator.MODE);
    if (capabilities.model() != null) {
      h.put("model_mode", capabilities.model().name());
      h.put("api_base", capabilities.model().apiBase());
      h.put("model_name", capabilities.model().modelName());
    } else {
      h.put("model_mode", "off");
      h.put("api_base", "");
      h.put("model_name", "local-exec-coordinator");
    }
    h.put("tool_policy_hash", Json.hash16(job.toolPolicy().toMap()));
    h.put("budgets_hash", Json.hash16(job.budgets().toMap()));
    h.put("tools", capabilities.tools() == null ? "none" : capabilities.tools().name());
    boolean applies = launcher.appliesResourceLimits();
    h.put(
        "sandbox",
        Sandbox.of(launcher)
            .forNetwork(job.toolPolicy().allowNetwork())
            .withResourceLimits(resources.enforcesAll(job.budgets().resources(), applies))
            .toMap());
    h.put(
        "resource_limits",
        resources.describe(job.budgets().resources(), applies, launcher.boundsTmpfs()));
    return h;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
