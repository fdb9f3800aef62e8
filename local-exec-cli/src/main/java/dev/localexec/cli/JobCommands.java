package dev.localexec.cli;

import static dev.localexec.cli.LocalExecCli.FAILURE;
import static dev.localexec.cli.LocalExecCli.OK;
import static dev.localexec.cli.LocalExecCli.line;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.plane.HealthReport;
import dev.localexec.core.plane.JobCounts;
import dev.localexec.core.plane.JobResult;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands on jobs and the plane's files: {@code demo}, {@code enqueue}, {@code worker}, {@code
 * status}, {@code health}, {@code validate}, {@code requeue}, {@code verify} and {@code
 * kill-switch}.
 */
final class JobCommands {
  private JobCommands() {}

  /** {@code demo}. */
  @Command(
      name = "demo",
      description =
          "Enqueue the demo job (a repo_index_task over this repo), run it once and print where"
              + " its evidence is. Jobs queued before it run first.")
  static final class Demo implements Callable<Integer> {
    @Mixin Options.Help help;
    private final LocalExecCli cli;

    Demo(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane(true)) {
        Optional<JobStatus> existing = plane.status(DemoJob.ID);
        String ts;
        if (existing.isEmpty()) {
          ts = plane.enqueue(DemoJob.create(cli.clock().instant()));
        } else if (existing.get().state().terminal()) {
          ts = plane.requeue(DemoJob.ID);
        } else {
          ts = existing.get().updatedTs();
        }
        cli.print(line("status", "enqueued", "job_id", DemoJob.ID, "event_ts", ts));
        RunOutcome outcome;
        do {
          outcome = plane.runOnce();
          if (outcome.ranJob()) {
            cli.print(outcome.toMap());
          }
        } while (outcome.ranJob() && !DemoJob.ID.equals(outcome.jobId()));
        if (!outcome.ranJob()) {
          cli.print(outcome.toMap());
          return FAILURE;
        }
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("status", "evidence");
        where.put("job_id", DemoJob.ID);
        where.put("ledger", plane.layout().display(plane.layout().ledger()));
        where.put("evidence", outcome.evidence());
        where.put("summary", outcome.summary());
        if (outcome.result() != null && outcome.result().get("index_jsonl") != null) {
          where.put("index", outcome.result().get("index_jsonl"));
        }
        cli.print(where);
        return outcome.complete() ? OK : FAILURE;
      }
    }
  }

  /** {@code enqueue --demo | --job-file F}. */
  @Command(
      name = "enqueue",
      description =
          "Validate a job and queue it: the demo job (--demo) or a job document (--job-file F).")
  static final class Enqueue implements Callable<Integer> {
    @Mixin Options.Help help;

    @Option(names = "--demo", description = "Queue the demo job.")
    boolean demo;

    @Option(
        names = "--job-file",
        paramLabel = "F",
        description = "Queue the job document in file F; - reads it from standard input.")
    String jobFile;

    private final LocalExecCli cli;

    Enqueue(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (demo == (jobFile != null)) {
        throw new UsageException("enqueue needs exactly one of --demo or --job-file F");
      }
      try (LocalExecPlane plane = cli.plane()) {
        Job job =
            demo ? DemoJob.create(cli.clock().instant()) : plane.parseJob(cli.readFile(jobFile));
        String ts = plane.enqueue(job);
        cli.print(line("status", "enqueued", "job_id", job.jobId(), "event_ts", ts));
        return OK;
      }
    }
  }

  /** {@code worker --once | --loop}. */
  @Command(
      name = "worker",
      description = {
        "Run one job (--once), or run jobs until the kill switch is on (--loop).",
        "SIGTERM stops the loop: no new claims, running jobs get the grace period (default 10 s),"
            + " then their process trees are stopped."
      })
  static final class WorkerCmd implements Callable<Integer> {
    @Mixin Options.Help help;

    @Option(names = "--once", description = "Claim and run one job, then print its outcome.")
    boolean once;

    @Option(names = "--loop", description = "Run jobs until the kill switch is on or SIGTERM.")
    boolean loop;

    @Mixin Options.WorkerLoop options;
    @Mixin Options.Attempts attempts;

    private final LocalExecCli cli;

    WorkerCmd(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (once == loop) {
        throw new UsageException("worker needs exactly one of --once or --loop");
      }
      int maxAttempts = attempts.maxAttempts;
      try (LocalExecPlane plane = cli.plane(true)) {
        if (once) {
          cli.print(
              plane.worker(plane.workerOptions().withMaxAttempts(maxAttempts)).runOnce().toMap());
          return OK;
        }
        int leaseSec = options.leaseSec != null ? options.leaseSec : 60;
        int graceSec = options.stopGraceSec;
        Worker worker =
            plane.worker(
                plane
                    .workerOptions()
                    .withSlots(options.slots != null ? options.slots : 1)
                    .withMaxAttempts(maxAttempts)
                    .withLease(
                        Duration.ofSeconds(leaseSec), Duration.ofMillis(leaseSec * 1000L / 3))
                    .withStopGrace(Duration.ofSeconds(graceSec)));
        CountDownLatch done = new CountDownLatch(1);
        // SIGTERM: no new claims; running jobs get the grace period, then their trees are stopped.
        // The hook keeps the JVM alive until the loop has recorded its end.
        Thread hook =
            new Thread(
                () -> {
                  worker.stopGracefully();
                  try {
                    done.await(graceSec + 30L, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "local-exec-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
          String reason =
              worker.loop(
                  Duration.ofMillis(options.idleSleepMs != null ? options.idleSleepMs : 1000),
                  Duration.ofSeconds(options.maxIdleSec != null ? options.maxIdleSec : 30),
                  () -> false);
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException e) {
            // the JVM is already shutting down
          }
          cli.print(line("status", reason, "worker_id", worker.options().workerId()));
        } finally {
          done.countDown();
        }
        return OK;
      }
    }
  }

  /** {@code status [JOB_ID]}. */
  @Command(
      name = "status",
      description =
          "Print every job's state (one JSON line each), then the totals by state; or one job's"
              + " state.")
  static final class Status implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "JOB_ID", arity = "0..1", description = "Print only this job's state.")
    String jobId;

    private final LocalExecCli cli;

    Status(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        List<JobStatus> all = plane.status();
        if (jobId != null) {
          JobStatus s =
              all.stream()
                  .filter(j -> j.jobId().equals(jobId))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new LocalExecException(
                              "unknown_job", "job_id '" + jobId + "' is not in the ledger", false));
          cli.print(s.toMap());
          return OK;
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        for (JobState st : JobState.values()) {
          counts.put(st.jsonName(), 0);
        }
        for (JobStatus s : all) {
          cli.print(s.toMap());
          counts.merge(s.state().jsonName(), 1, (x, y) -> (Integer) x + (Integer) y);
        }
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("status", "ok");
        total.put("jobs", all.size());
        total.put("by_state", counts);
        total.put("kill_switch", plane.killSwitchOn());
        cli.print(total);
        return OK;
      }
    }
  }

  /** {@code health}. */
  @Command(
      name = "health",
      description =
          "Print the plane's health as a JSON line (kill switch, sandbox, resource limits, folders,"
              + " ledger, jobs by state) and a one-line summary on standard error. Exit 1 when degraded (and the"
              + " kill switch is off).")
  static final class Health implements Callable<Integer> {
    @Mixin Options.Help help;
    private final LocalExecCli cli;

    Health(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      return health(cli, null);
    }
  }

  /**
   * Prints the health JSON line (with {@code worker}, the background worker's state, when not null)
   * on stdout and its one-line summary on stderr; returns the exit status.
   */
  static int health(LocalExecCli cli, Map<String, Object> worker) {
    boolean model = "vllm".equals(cli.backendOptions().model);
    try (LocalExecPlane plane = cli.plane(model)) {
      HealthReport report = plane.health();
      Map<String, Object> h = report.toMap();
      if (model) {
        h.put("model_health", cli.backends().model(cli.root()).client().health().toMap());
      }
      if (worker != null) {
        h.put("worker", worker);
      }
      cli.print(h);
      JobCounts jobs = report.jobs();
      cli.err()
          .println(
              "health: "
                  + (report.ok() ? "ok" : "degraded")
                  + " kill_switch="
                  + (report.killSwitch() ? "on" : "off")
                  + " sandbox="
                  + report.sandbox().mechanism()
                  + " queued="
                  + jobs.queued()
                  + " running="
                  + jobs.running()
                  + " complete="
                  + jobs.complete()
                  + " failed="
                  + jobs.failed()
                  + " events="
                  + (report.ledgerEvents().isPresent() ? report.ledgerEvents().getAsLong() : null)
                  + report.lastEvent().map(e -> " last=" + e.event() + "@" + e.tsUtc()).orElse(""));
      return report.ok() || report.killSwitch() ? OK : FAILURE;
    }
  }

  /** {@code validate F}. */
  @Command(
      name = "validate",
      description =
          "Check a job file against the schemas and the plane's rules, without queueing it. Exit 3"
              + " when it is invalid.")
  static final class Validate implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "FILE", description = "The job document; - reads standard input.")
    String file;

    private final LocalExecCli cli;

    Validate(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        try {
          Job job = plane.parseJob(cli.readFile(file));
          plane.validate(job);
          cli.print(line("status", "valid", "job_id", job.jobId(), "job_type", job.jobType()));
          return OK;
        } catch (JobValidationException e) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("status", "invalid");
          m.put("file", file);
          m.put("errors", e.errors());
          cli.print(m);
          throw e;
        }
      }
    }
  }

  /** {@code requeue JOB_ID}. */
  @Command(name = "requeue", description = "Queue a finished job again.")
  static final class Requeue implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "JOB_ID", description = "The job to queue again.")
    String jobId;

    private final LocalExecCli cli;

    Requeue(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        String ts = plane.requeue(jobId);
        cli.print(line("status", "requeued", "job_id", jobId, "event_ts", ts));
        return OK;
      }
    }
  }

  /** {@code result JOB_ID}. */
  @Command(
      name = "result",
      description = {
        "Print a job with its outcome as one JSON line: its state, the result of its final ledger"
            + " event (complete) or its error (failed), and its evidence and summary files.",
        "Exit 0 when the job is complete, 4 when it failed, 1 while it is queued or running,"
            + " 2 for a job id the queue does not know."
      })
  static final class Result implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "JOB_ID", description = "The job.")
    String jobId;

    private final LocalExecCli cli;

    Result(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        JobResult job = known(plane, jobId);
        cli.print(job.toMap(plane.layout()));
        return exitOf(job);
      }
    }
  }

  /** {@code wait JOB_ID [--timeout SEC]}. */
  @Command(
      name = "wait",
      description = {
        "Wait until a job is finished by any worker of the queue (this host's daemon, another"
            + " process, another host on PostgreSQL), then print it as `result` does.",
        "Exit 0 when the job is complete, 4 when it failed, 1 when --timeout passed first (the"
            + " line then says its state), 2 for a job id the queue does not know."
      })
  static final class Wait implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "JOB_ID", description = "The job.")
    String jobId;

    @Option(
        names = "--timeout",
        paramLabel = "SEC",
        description = "Give up after SEC seconds (1 to 86400, default 600).")
    int timeoutSec = 600;

    private final LocalExecCli cli;

    Wait(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws InterruptedException {
      if (timeoutSec < 1 || timeoutSec > 86_400) {
        throw new UsageException("--timeout must be 1 to 86400 seconds, got " + timeoutSec);
      }
      try (LocalExecPlane plane = cli.plane()) {
        long deadline = System.nanoTime() + timeoutSec * 1_000_000_000L;
        while (true) {
          JobResult job = known(plane, jobId);
          if (job.finished() || System.nanoTime() >= deadline) {
            cli.print(job.toMap(plane.layout()));
            return exitOf(job);
          }
          Thread.sleep(100);
        }
      }
    }
  }

  /** {@code jobs [--state S] [--limit N]}. */
  @Command(
      name = "jobs",
      description =
          "Print the queue's jobs, one JSON line each in enqueue order (as `status` does),"
              + " optionally only those in one state and only the last N.")
  static final class Jobs implements Callable<Integer> {
    @Mixin Options.Help help;

    @Option(
        names = "--state",
        paramLabel = "S",
        description = "Only jobs in state S: queued, running, complete or failed.")
    String state;

    @Option(
        names = "--limit",
        paramLabel = "N",
        description = "Only the last N of them (1 to 100000, default all).")
    Integer limit;

    private final LocalExecCli cli;

    Jobs(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      JobState wanted = null;
      if (state != null) {
        wanted =
            java.util.Arrays.stream(JobState.values())
                .filter(s -> s.jsonName().equals(state))
                .findFirst()
                .orElseThrow(
                    () ->
                        new UsageException(
                            "--state must be queued, running, complete or failed, got '"
                                + state
                                + "'"));
      }
      if (limit != null && (limit < 1 || limit > 100_000)) {
        throw new UsageException("--limit must be 1 to 100000, got " + limit);
      }
      try (LocalExecPlane plane = cli.plane()) {
        List<JobStatus> all = new ArrayList<>();
        for (JobStatus s : plane.status()) {
          if (wanted == null || s.state() == wanted) {
            all.add(s);
          }
        }
        int from = limit == null ? 0 : Math.max(0, all.size() - limit);
        for (JobStatus s : all.subList(from, all.size())) {
          cli.print(s.toMap());
        }
        return OK;
      }
    }
  }

  /** The job, or a usage error naming the queue when it does not know the id. */
  static JobResult known(LocalExecPlane plane, String jobId) {
    return plane
        .job(jobId)
        .orElseThrow(
            () ->
                new UsageException(
                    "job_id '"
                        + jobId
                        + "' is not in the queue "
                        + plane.queueLocation()
                        + "; `local-exec jobs` lists the jobs it has"));
  }

  /** 0 complete, 4 failed, 1 not finished. */
  static int exitOf(JobResult job) {
    return switch (job.state()) {
      case COMPLETE -> OK;
      case FAILED -> LocalExecCli.JOB_FAILED;
      default -> FAILURE;
    };
  }

  /** {@code verify [JOB_ID]}. */
  @Command(
      name = "verify",
      description =
          "Recompute the hash chains of the ledger and the evidence, check the ledger against"
              + " state/jobs.head and each summary against its evidence. One line per file, then"
              + " the totals; exit 1 on a problem.")
  static final class Verify implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(
        paramLabel = "JOB_ID",
        arity = "0..1",
        description = "Check only the ledger and this job's files.")
    String jobId;

    private final LocalExecCli cli;

    Verify(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (LocalExecPlane plane = cli.plane()) {
        VerifyReport report = plane.verify(jobId);
        for (VerifyReport.FileCheck f : report.files()) {
          cli.print(f.toMap());
        }
        cli.print(report.summary());
        return report.verified() ? OK : FAILURE;
      }
    }
  }

  /** {@code kill-switch on [REASON...] | off | status}. */
  @Command(
      name = "kill-switch",
      description =
          "Turn the kill switch (state/KILL_SWITCH, and the shared switch of a PostgreSQL queue) on"
              + " or off, or report it. While it is on, workers claim no job.",
      subcommands = {KillSwitch.On.class, KillSwitch.Off.class, KillSwitch.State.class})
  static final class KillSwitch implements Callable<Integer> {
    @Mixin Options.Help help;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      throw new UsageException(CommandTree.needs(spec));
    }

    /** {@code kill-switch on [REASON...]}. */
    @Command(name = "on", description = "Turn the kill switch on.")
    static final class On implements Callable<Integer> {
      @Mixin Options.Help help;

      @Parameters(
          paramLabel = "REASON",
          arity = "0..*",
          description = "Why, written into the switch (default: set by local-exec kill-switch on).")
      List<String> reason = new ArrayList<>();

      private final LocalExecCli cli;

      On(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        try (LocalExecPlane plane = cli.plane()) {
          plane.turnKillSwitchOn(
              reason.isEmpty() ? "set by local-exec kill-switch on" : String.join(" ", reason));
          cli.print(
              line(
                  "status",
                  "kill_switch_on",
                  "path",
                  plane.layout().display(plane.killSwitchFile())));
          return OK;
        }
      }
    }

    /** {@code kill-switch off}. */
    @Command(name = "off", description = "Turn the kill switch off.")
    static final class Off implements Callable<Integer> {
      @Mixin Options.Help help;
      private final LocalExecCli cli;

      Off(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        try (LocalExecPlane plane = cli.plane()) {
          boolean was = plane.turnKillSwitchOff();
          cli.print(
              line(
                  "status",
                  "kill_switch_off",
                  "path",
                  plane.layout().display(plane.killSwitchFile()),
                  "was_on",
                  was));
          return OK;
        }
      }
    }

    /** {@code kill-switch status}. */
    @Command(name = "status", description = "Print whether the kill switch is on.")
    static final class State implements Callable<Integer> {
      @Mixin Options.Help help;
      private final LocalExecCli cli;

      State(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        try (LocalExecPlane plane = cli.plane()) {
          cli.print(
              line(
                  "status",
                  plane.killSwitchOn() ? "kill_switch_on" : "kill_switch_off",
                  "path",
                  plane.layout().display(plane.killSwitchFile())));
          return OK;
        }
      }
    }
  }
}
