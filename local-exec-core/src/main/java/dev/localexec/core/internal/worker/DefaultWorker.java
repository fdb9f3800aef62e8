package dev.localexec.core.internal.worker;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.internal.limits.ResourceControl;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.plane.PlaneLayout;
import dev.localexec.core.queue.Claim;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import dev.localexec.core.worker.WorkerOptions;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plane's {@link Worker}: claims jobs, holds their slots and renews their leases, and stops.
 * {@link #runOnce()} runs at most one job; {@link #loop} runs until the kill switch trips or it is
 * told to stop. Each claimed job is run to its end by the worker's {@link JobRunner}, which records
 * everything a plug-in throws as the job's failure.
 */
public final class DefaultWorker implements Worker {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultWorker.class);

  private final WorkerOptions options;
  private final JobQueue queue;
  private final KillSwitch killSwitch;
  private final PlaneLayout layout;
  private final Clock clock;
  private final WorkerEvents events;
  private final StopSignal stop;
  private final JobRunner runner;
  private final JobQueue.ClaimFailures claimFailures;
  private final Set<String> jobTypes;

  /** Guards {@link #active}. */
  private final Object activity = new Object();

  /** Calls of {@link #runOnce()}, {@link #loop} and {@link #drain} in progress. */
  private int active;

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
    this.options = options;
    this.queue = queue;
    this.killSwitch = killSwitch;
    this.layout = layout;
    this.clock = clock;
    this.stop = new StopSignal(clock);
    Redactor redactor = Redactor.fromEnvironment(environment, options.envPolicy().secretNames());
    this.events = new WorkerEvents(layout.evidenceDir(), options.workerId(), clock, redactor);
    this.claimFailures = new ClaimFailureEvidence(layout, clock, redactor);
    this.jobTypes = Set.copyOf(registry.ids());
    this.runner =
        new JobRunner(
            options,
            queue,
            registry,
            killSwitch,
            stop,
            layout,
            launcher,
            clock,
            Map.copyOf(environment),
            redactor,
            capabilities == null ? Capabilities.none() : capabilities,
            resources == null ? ResourceControl.disabled() : resources);
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
      return RunOutcome.nothingRun(RunOutcome.Status.KILL_SWITCH, options.workerId());
    }
    if (stop.requested()) {
      return RunOutcome.nothingRun(RunOutcome.Status.STOPPED, options.workerId());
    }
    Optional<Claim> claimed =
        queue.claim(
            options.workerId(), options.lease(), options.maxAttempts(), jobTypes, claimFailures);
    if (claimed.isEmpty()) {
      return RunOutcome.nothingRun(RunOutcome.Status.IDLE, options.workerId());
    }
    return run(start(claimed.get()));
  }

  @Override
  public void stop() {
    stop(Duration.ZERO);
  }

  @Override
  public void stop(Duration grace) {
    if (stop.request(grace)) {
      LOG.info("worker {} stopping, running jobs get {} ms", options.workerId(), grace.toMillis());
    }
  }

  @Override
  public void stopGracefully() {
    stop(options.stopGrace());
  }

  @Override
  public boolean stopRequested() {
    return stop.requested();
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
      Duration idleSleep, Duration maxIdle, BooleanSupplier stopWhen, boolean drain) {
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
        if (stopWhen.getAsBoolean() || stop.requested()) {
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
        Leased run;
        try {
          Optional<Claim> claimed =
              queue.claim(
                  options.workerId(),
                  options.lease(),
                  options.maxAttempts(),
                  jobTypes,
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
        int held = Math.min(run.job.claim().job().budgets().maxConcurrencySlots(), slots);
        free.acquire(held - 1);
        Leased job = run;
        pool.execute(
            () -> {
              try {
                if (run(job).interrupted()) {
                  interrupted.incrementAndGet();
                }
              } catch (RuntimeException e) {
                LOG.error(
                    "job {} could not be recorded: {}",
                    job.job.claim().job().jobId(),
                    e.toString());
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
    if (stop.requested()) {
      exit.put("stop_grace_ms", stop.grace().toMillis());
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

  /** A claimed job, its evidence open, whose lease is being renewed. */
  private record Leased(JobRunner.Claimed job, ScheduledExecutorService beats) {}

  /**
   * Opens the job's evidence ({@code claimed}, {@code run_header}) and starts renewing its lease.
   */
  private Leased start(Claim claim) {
    JobRunner.Claimed job = runner.open(claim);
    ScheduledExecutorService beats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "local-exec-heartbeat-" + claim.job().jobId());
              t.setDaemon(true);
              return t;
            });
    heartbeat(job);
    long every = options.heartbeatEvery().toMillis();
    beats.scheduleAtFixedRate(() -> heartbeat(job), every, every, TimeUnit.MILLISECONDS);
    return new Leased(job, beats);
  }

  /** Runs the job to its end; the lease is no longer renewed once the task has ended. */
  private RunOutcome run(Leased leased) {
    return runner.run(leased.job(), () -> stopBeats(leased.beats()));
  }

  /** Renews the job's lease and records {@code lease_heartbeat}; never throws. */
  private void heartbeat(JobRunner.Claimed job) {
    Claim claim = job.claim();
    try {
      double until = queue.heartbeat(claim, options.lease());
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("worker_id", options.workerId());
      p.put("lease_expires_unix", until);
      job.evidence().record("lease_heartbeat", p);
    } catch (RuntimeException e) {
      LOG.warn("heartbeat of job {} failed: {}", claim.job().jobId(), e.toString());
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

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
