package dev.localexec.cli;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ResourceLimits;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.limits.ResourcePolicy;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.HealthReport;
import dev.localexec.core.plane.JobCounts;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import dev.localexec.core.worker.WorkerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The {@code local-exec} command. Prints JSON lines on standard output; on bad input prints one
 * line on standard error and exits non-zero: 2 for usage errors (unknown flag, missing file), 3 for
 * an invalid job, 1 for anything else.
 */
public final class LocalExecCli {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;
  static final int INVALID = 3;

  private static final Set<String> GLOBAL_VALUED =
      Set.of(
          "--repo-root",
          "--worker-id",
          "--sandbox",
          "--plugins",
          "--mcp-backend",
          "--mcp-config",
          "--model",
          "--open-control",
          "--max-memory-bytes",
          "--max-processes",
          "--max-cpu-sec",
          "--max-file-bytes",
          "--tmpfs-bytes",
          "--allow-env",
          "--secret-env",
          QueueSelection.FLAG);
  private static final Set<String> GLOBAL_SWITCHES = Set.of("--allow-shells", "--help");

  private static final String HELP =
      String.join(
          "\n",
          "usage: local-exec [--repo-root DIR] [--worker-id ID] [--allow-shells]"
              + " [--sandbox auto|bwrap|unshare|none] [--plugins DIR] [--open-control P,Q]",
          "                  [--allow-env NAME[,NAME...]] [--secret-env NAME[,NAME...]]",
          "                  [--mcp-backend mcporter|sdk|off] [--mcp-config FILE]"
              + " [--model off|vllm]",
          "                  [--max-memory-bytes N] [--max-processes N] [--max-cpu-sec N]"
              + " [--max-file-bytes N] [--tmpfs-bytes N] COMMAND ...",
          "",
          "commands:",
          "  demo                        enqueue the demo job, run it once, print where the evidence is",
          "  enqueue --demo | --job-file F (- reads standard input)",
          "                              validate and queue a job",
          "  worker --once | --loop [--slots N] [--idle-sleep-ms N] [--max-idle-sec N]"
              + " [--lease-sec N] [--stop-grace-sec N] [--max-attempts N]",
          "                              run one job, or run jobs (N at once) until the kill switch"
              + " is on;",
          "                              SIGTERM: no new claims, running jobs get the grace"
              + " (default 10 s)",
          "  status [JOB_ID]             every job's state (one JSON line each), then the totals",
          "  health                      kill switch, sandbox, folders, ledger, jobs by state",
          "  validate F                  check a job file against the schemas",
          "  requeue JOB_ID              queue a finished job again",
          "  verify [JOB_ID]             recompute the hash chains of the ledger and the evidence,"
              + " check the ledger",
          "                              against state/jobs.head and each summary against its"
              + " evidence (one JOB_ID:",
          "                              the ledger and that job's files); exit 1 on a problem",
          "  kill-switch on [REASON] | off | status",
          "  mcp list                    the configured MCP servers' tools, and which are enabled",
          "  mcp call SERVER.TOOL [--args JSON]",
          "                              call one tool as an ad-hoc mcp_call_task job (same policy,"
              + " budgets, evidence)",
          "  vllm serve-command | health the `vllm serve` line for config/vllm/dali_local_exec.yaml;"
              + " the server's state",
          "  coordinator GOAL... [--dry-run] [--allow-subprocess] [--allow-network]"
              + " [--allow-tools A,B]",
          "                              ask the model for a job, validate it, enqueue it only if"
              + " valid",
          "  ledger export FILE | import FILE | accept-head",
          "                              write the queue's ledger as jobs.jsonl; load a file ledger"
              + " into an empty database queue;",
          "                              accept a cut or rewritten ledger as it is (claims"
              + " resume)",
          "  plane start | stop | status | health | install-units [--mode auto|systemd|pidfile]",
          "                              the worker loop as a service: a systemd user unit when"
              + " `systemctl --user`",
          "                              works, else a pidfile daemon (state/worker.pid);"
              + " start takes the worker --loop flags",
          "",
          "COMMAND --help (or -h) prints that command's help and does nothing else; --version prints"
              + " the version.",
          "--repo-root defaults to the current folder. Files go to workspace/local_exec/ under it.",
          "MCP tools: config/mcporter.json (or --mcp-config); jobs get a backend when it enables"
              + " tools",
          "(--mcp-backend mcporter, the default, or sdk for warm sessions). --model vllm lets jobs"
              + " with",
          "model.chat in allowed_tools ask the server of config/vllm/dali_local_exec.yaml.",
          "--sandbox auto (the default) runs subprocesses in bubblewrap, else unshare, else refuses"
              + " them;",
          "bwrap or unshare insist on one; none turns the sandbox off. bwrap keeps the plane's"
              + " folders and the",
          "repo's control files (.git config and hooks, .envrc, .vscode, config/, ...) read-only;"
              + " --open-control .git,config",
          "lets jobs write the ones named.",
          "--max-memory-bytes, --max-processes, --max-cpu-sec, --max-file-bytes: the ceilings of"
              + " the jobs' resource budgets,",
          "also what a job that does not ask gets (defaults: memory 4 GiB, at most half the RAM;"
              + " 1024 processes;",
          "no CPU limit; files up to 16 GiB). A job asking for more fails with"
              + " resource_above_ceiling:<budget>.",
          "--tmpfs-bytes: the size of the sandbox's /tmp, /run and /dev/shm (default 256 MiB).",
          "--allow-env lets jobs have these variables through env_allow (names or PREFIX_*"
              + " patterns; secrets' names",
          "such as *_KEY, *_TOKEN, *PASSWORD*, LOCAL_EXEC_*, OPENCLAW_* only by exact name);"
              + " LANG, LANGUAGE, LC_*, TZ,",
          "TERM and NO_COLOR are always allowed. --secret-env marks more variables secret:"
              + " their values are redacted.",
          "--queue-url jdbc:postgresql://HOST:PORT/DB (or LOCAL_EXEC_QUEUE_URL) queues jobs in"
              + " PostgreSQL instead of",
          "the ledger file; credentials from LOCAL_EXEC_PG_USER / LOCAL_EXEC_PG_PASSWORD (or PGUSER"
              + " / PGPASSWORD).",
          "Task plug-ins: those on the class path, plus every *.jar in --plugins DIR (a folder of"
              + " yours outside the repo root), found by ServiceLoader.",
          "");

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;
  private final Map<String, String> environment;

  /**
   * Redacts what the command prints: the environment's secrets, and once a plane is built also the
   * names {@code --secret-env} marks.
   */
  /** Redacts what the command line prints: the environment's secrets, then the plane's. */
  private UnaryOperator<String> redactText;

  private Function<Map<?, ?>, Map<String, Object>> redactObject;

  /** The queue the last plane opened, for the commands that are for one kind of queue. */
  private JobQueue openedQueue;

  /** Where {@code --job-file -} reads from. */
  private java.io.InputStream stdin = System.in;

  /** Reads {@code --job-file -} from {@code in} instead of standard input (for tests). */
  LocalExecCli withStdin(java.io.InputStream in) {
    this.stdin = in;
    return this;
  }

  LocalExecCli(PrintStream out, PrintStream err, Clock clock) {
    this(out, err, clock, System.getenv());
  }

  LocalExecCli(PrintStream out, PrintStream err, Clock clock, Map<String, String> environment) {
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.environment = Map.copyOf(environment);
    Redactor fromEnvironment = Redactor.fromEnvironment(this.environment);
    this.redactText = fromEnvironment::redact;
    this.redactObject = fromEnvironment::redactObject;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(new LocalExecCli(out, err, Clock.systemUTC()).run(Arrays.asList(args)));
  }

  /** Runs one command and returns the exit status. Never throws. */
  int run(List<String> argv) {
    try (CliBackends backends = new CliBackends(environment)) {
      this.backends = backends;
      return dispatch(argv);
    } catch (UsageException e) {
      error(e.getMessage());
      return USAGE;
    } catch (JobValidationException e) {
      error(e.getMessage());
      return INVALID;
    } catch (LocalExecException e) {
      error(e.code() + ": " + oneLine(e.getMessage()));
      return FAILURE;
    } catch (RuntimeException e) {
      error(e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
      return FAILURE;
    }
  }

  /** Prints one error line on standard error, redacted. */
  private void error(String message) {
    err.println(redactText.apply("local-exec: " + message));
  }

  /** The backends the running command opened; closed when it ends. */
  private CliBackends backends;

  private CapabilityCommands capabilities() {
    return new CapabilityCommands(out, clock, backends, this::plane);
  }

  private static Path root(Args a) {
    Path root = Path.of(a.has("--repo-root") ? a.get("--repo-root") : ".");
    if (!Files.isDirectory(root)) {
      throw new UsageException("--repo-root is not a folder: " + root);
    }
    return root;
  }

  private int dispatch(List<String> argv) {
    int cmdAt = commandIndex(argv);
    if (cmdAt < 0 ? argv.contains("--version") : argv.subList(0, cmdAt).contains("--version")) {
      print(line("name", "local-exec", "version", version()));
      return OK;
    }
    if (cmdAt >= 0 && argv.get(cmdAt).equals("-h")) {
      out.print(HELP);
      return OK;
    }
    if (cmdAt >= 0 && asksForHelp(argv.subList(cmdAt + 1, argv.size()))) {
      String help = commandHelp(argv.get(cmdAt));
      if (help == null) {
        throw new UsageException(
            "unknown command: " + argv.get(cmdAt) + "; see `local-exec --help`");
      }
      out.print(help);
      return OK;
    }
    if (cmdAt < 0) {
      Args g = Args.parse(argv, GLOBAL_VALUED, GLOBAL_SWITCHES);
      if (g.has("--help")) {
        out.print(HELP);
        return OK;
      }
      if (argv.isEmpty()) {
        err.print(HELP);
        return USAGE;
      }
      throw new UsageException("no command given; see `local-exec --help`");
    }
    String cmd = argv.get(cmdAt);
    List<String> rest = new ArrayList<>(argv.subList(0, cmdAt));
    rest.addAll(argv.subList(cmdAt + 1, argv.size()));
    switch (cmd) {
      case "demo":
        return demo(parse(rest, Set.of(), Set.of()));
      case "enqueue":
        return enqueue(parse(rest, Set.of("--job-file"), Set.of("--demo")));
      case "worker":
        return worker(
            parse(
                rest,
                Set.of(
                    "--idle-sleep-ms",
                    "--max-idle-sec",
                    "--slots",
                    "--lease-sec",
                    "--stop-grace-sec",
                    "--max-attempts"),
                Set.of("--once", "--loop")));
      case "status":
        return status(parse(rest, Set.of(), Set.of()));
      case "health":
        return health(parse(rest, Set.of(), Set.of()));
      case "validate":
        return validate(parse(rest, Set.of(), Set.of()));
      case "requeue":
        return requeue(parse(rest, Set.of(), Set.of()));
      case "verify":
        return verify(parse(rest, Set.of(), Set.of()));
      case "kill-switch":
        return killSwitch(parse(rest, Set.of(), Set.of()));
      case "mcp":
        {
          Args a = parse(rest, CapabilityCommands.MCP_VALUED, Set.of());
          return capabilities().mcp(a, root(a));
        }
      case "vllm":
        {
          Args a = parse(rest, Set.of(), Set.of());
          return capabilities().vllm(a, root(a));
        }
      case "coordinator":
        {
          Args a =
              parse(
                  rest,
                  CapabilityCommands.COORDINATOR_VALUED,
                  CapabilityCommands.COORDINATOR_SWITCHES);
          return capabilities().coordinator(a, root(a));
        }
      case "ledger":
        return ledger(parse(rest, Set.of(), Set.of()));
      case "plane":
        return new PlaneCommand(out, err)
            .run(parse(rest, PlaneCommand.VALUED, Set.of()), this::health);
      case "help":
        out.print(HELP);
        return OK;
      default:
        throw new UsageException("unknown command '" + cmd + "'; see `local-exec --help`");
    }
  }

  /** The index of the first argument that is not a global flag or its value, or -1. */
  /** Whether the arguments after a command hold {@code --help} or {@code -h} (not as a value). */
  private static boolean asksForHelp(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
      if (GLOBAL_VALUED.contains(a) || VALUED_AFTER_COMMAND.contains(a)) {
        i++;
      }
    }
    return false;
  }

  /** Options of commands whose value may itself look like an option. */
  private static final Set<String> VALUED_AFTER_COMMAND =
      Set.of("--job-file", "--args", "--mode", "--slots", "--max-attempts");

  /**
   * The lines of {@link #HELP} that describe {@code command}, under a usage line; null when there
   * is no such command.
   */
  static String commandHelp(String command) {
    StringBuilder sb = new StringBuilder();
    boolean in = false;
    for (String l : HELP.split("\n", -1)) {
      boolean commandLine = l.startsWith("  ") && !l.startsWith("   ");
      if (commandLine) {
        in = l.substring(2).equals(command) || l.substring(2).startsWith(command + " ");
      } else if (!l.startsWith("   ")) {
        in = false;
      }
      if (in) {
        sb.append(l).append('\n');
      }
    }
    if (sb.length() == 0) {
      return null;
    }
    return "usage: local-exec [GLOBAL OPTIONS] "
        + command
        + " ...   (global options: local-exec --help)\n"
        + sb;
  }

  /** The version in this jar's manifest, or {@code unknown} when run from classes. */
  static String version() {
    String v = LocalExecCli.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }

  private static int commandIndex(List<String> argv) {
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (GLOBAL_VALUED.contains(a)) {
        i++;
      } else if (!a.startsWith("--")) {
        return i;
      }
    }
    return -1;
  }

  private static Args parse(List<String> rest, Set<String> valued, Set<String> switches) {
    Set<String> v = new java.util.HashSet<>(GLOBAL_VALUED);
    v.addAll(valued);
    Set<String> s = new java.util.HashSet<>(GLOBAL_SWITCHES);
    s.addAll(switches);
    Args a = Args.parse(rest, v, s);
    // Values of global options are checked before any command runs, used or not.
    CliBackends.mcpKind(a);
    if (a.has("--model") && !List.of("off", "vllm").contains(a.get("--model"))) {
      throw new UsageException("--model must be off or vllm, got '" + a.get("--model") + "'");
    }
    return a;
  }

  private LocalExecPlane plane(Args a) {
    return plane(a, false);
  }

  /**
   * The plane for a command; with {@code runsJobs}, jobs also get the MCP tool backend and the
   * model the global flags and configuration give.
   */
  private LocalExecPlane plane(Args a, boolean runsJobs) {
    Path root = root(a);
    WorkerOptions opts = WorkerOptions.defaults();
    if (a.has("--worker-id")) {
      try {
        opts = opts.withWorkerId(a.get("--worker-id"));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    SandboxMode sandbox = SandboxMode.AUTO;
    if (a.has("--sandbox")) {
      try {
        sandbox = SandboxMode.parse(a.get("--sandbox"));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--sandbox: " + e.getMessage());
      }
    }
    LocalExecPlane.Builder b =
        LocalExecPlane.builder(root)
            .clock(clock)
            .environment(environment)
            .sandbox(sandbox)
            .discoverPlugins(
                PluginJars.loader(pluginDir(a, root), LocalExecCli.class.getClassLoader()))
            .workerOptions(opts.withAllowShells(a.has("--allow-shells")))
            .queue(
                context -> {
                  JobQueue q =
                      QueueSelection.factory(a.get(QueueSelection.FLAG), environment).open(context);
                  openedQueue = q;
                  return q;
                });
    try {
      b.openControlPaths(openControl(a));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--open-control: " + e.getMessage());
    }
    resourceFlags(a, b);
    try {
      b.allowEnv(names(a, "--allow-env")).secretEnv(names(a, "--secret-env"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (runsJobs) {
      b.tools(backends.toolsForJobs(a, root)).model(backends.modelForJobs(a, root));
    }
    LocalExecPlane plane = b.build();
    redactText = plane::redact;
    redactObject = plane::redact;
    return plane;
  }

  /** The comma-separated names of a flag, none when it is absent. */
  static List<String> names(Args a, String flag) {
    if (!a.has(flag)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String n : a.get(flag).split(",", -1)) {
      names.add(n.strip());
    }
    return names;
  }

  /** The resource ceilings and the tmpfs size given by the global flags. */
  private static void resourceFlags(Args a, LocalExecPlane.Builder b) {
    ResourceLimits ceilings =
        new ResourceLimits(
            a.longFlag(
                "--max-memory-bytes",
                0,
                ResourceLimits.MIN_MEMORY_BYTES,
                ResourceLimits.MAX_MEMORY_BYTES),
            a.intFlag("--max-processes", 0, 1, ResourceLimits.MAX_PROCESSES),
            a.intFlag("--max-cpu-sec", 0, 1, ResourceLimits.MAX_CPU_SEC),
            a.longFlag(
                "--max-file-bytes",
                0,
                ResourceLimits.MIN_FILE_BYTES,
                ResourceLimits.MAX_FILE_BYTES));
    b.resourceCeilings(ceilings);
    b.tmpfsBytes(
        a.longFlag(
            "--tmpfs-bytes",
            ResourcePolicy.STANDARD_TMPFS_BYTES,
            ResourcePolicy.MIN_TMPFS_BYTES,
            ResourceLimits.MAX_MEMORY_BYTES));
  }

  /**
   * The folder of plug-in jars: {@code --plugins DIR}, or none. Plug-ins never come from inside the
   * repo root (its content is the repository's and the jobs' to write), and the folder must be the
   * operator's: see {@link PluginJars#checkOperatorFolder}.
   */
  private static Path pluginDir(Args a, Path root) {
    if (!a.has("--plugins")) {
      return null;
    }
    Path dir = Path.of(a.get("--plugins"));
    if (!Files.isDirectory(dir)) {
      throw new UsageException("--plugins is not a folder: " + dir);
    }
    String problem = PluginJars.checkOperatorFolder(dir, root);
    if (problem != null) {
      throw new UsageException("--plugins " + dir + ": " + problem);
    }
    return dir;
  }

  /** The control paths {@code --open-control P,Q} lets jobs write. */
  private static List<String> openControl(Args a) {
    if (!a.has("--open-control")) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String n : a.get("--open-control").split(",", -1)) {
      names.add(n.strip());
    }
    return names;
  }

  private static void noPositionals(Args a, String cmd) {
    if (!a.positionals.isEmpty()) {
      throw new UsageException("unexpected argument '" + a.positionals.get(0) + "' for " + cmd);
    }
  }

  private int demo(Args a) {
    noPositionals(a, "demo");
    try (LocalExecPlane plane = plane(a, true)) {
      Optional<JobStatus> existing = plane.status(DemoJob.ID);
      String ts;
      if (existing.isEmpty()) {
        ts = plane.enqueue(DemoJob.create(clock.instant()));
      } else if (existing.get().state().terminal()) {
        ts = plane.requeue(DemoJob.ID);
      } else {
        ts = existing.get().updatedTs();
      }
      print(line("status", "enqueued", "job_id", DemoJob.ID, "event_ts", ts));
      RunOutcome outcome;
      do {
        outcome = plane.runOnce();
        if (outcome.ranJob()) {
          print(outcome.toMap());
        }
      } while (outcome.ranJob() && !DemoJob.ID.equals(outcome.jobId()));
      if (!outcome.ranJob()) {
        print(outcome.toMap());
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
      print(where);
      return outcome.complete() ? OK : FAILURE;
    }
  }

  private int enqueue(Args a) {
    noPositionals(a, "enqueue");
    if (a.has("--demo") == a.has("--job-file")) {
      throw new UsageException("enqueue needs exactly one of --demo or --job-file F");
    }
    try (LocalExecPlane plane = plane(a)) {
      Job job =
          a.has("--demo")
              ? DemoJob.create(clock.instant())
              : plane.parseJob(readFile(a.get("--job-file")));
      String ts = plane.enqueue(job);
      print(line("status", "enqueued", "job_id", job.jobId(), "event_ts", ts));
      return OK;
    }
  }

  private int worker(Args a) {
    noPositionals(a, "worker");
    if (a.has("--once") == a.has("--loop")) {
      throw new UsageException("worker needs exactly one of --once or --loop");
    }
    // Every value is checked before anything runs, for --once too: out of range is a usage error.
    int maxAttempts =
        a.intFlag("--max-attempts", JobQueue.DEFAULT_MAX_ATTEMPTS, 1, WorkerOptions.MAX_ATTEMPTS);
    int sleepMs = a.intFlag("--idle-sleep-ms", 1000, 10, 600_000);
    int maxIdle = a.intFlag("--max-idle-sec", 30, 1, 86_400);
    int slots = a.intFlag("--slots", 1, 1, WorkerOptions.MAX_SLOTS);
    int leaseSec = a.intFlag("--lease-sec", 60, 3, 3600);
    int graceSec =
        a.intFlag(
            "--stop-grace-sec",
            (int) WorkerOptions.DEFAULT_STOP_GRACE.toSeconds(),
            0,
            (int) WorkerOptions.MAX_STOP_GRACE.toSeconds());
    try (LocalExecPlane plane = plane(a, true)) {
      if (a.has("--once")) {
        print(plane.worker(plane.workerOptions().withMaxAttempts(maxAttempts)).runOnce().toMap());
        return OK;
      }
      Worker worker =
          plane.worker(
              plane
                  .workerOptions()
                  .withSlots(slots)
                  .withMaxAttempts(maxAttempts)
                  .withLease(Duration.ofSeconds(leaseSec), Duration.ofMillis(leaseSec * 1000L / 3))
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
            worker.loop(Duration.ofMillis(sleepMs), Duration.ofSeconds(maxIdle), () -> false);
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down
        }
        print(line("status", reason, "worker_id", worker.options().workerId()));
      } finally {
        done.countDown();
      }
      return OK;
    }
  }

  private int status(Args a) {
    if (a.positionals.size() > 1) {
      throw new UsageException("status takes at most one job id");
    }
    try (LocalExecPlane plane = plane(a)) {
      List<JobStatus> all = plane.status();
      if (a.positionals.size() == 1) {
        String id = a.positionals.get(0);
        JobStatus s =
            all.stream()
                .filter(j -> j.jobId().equals(id))
                .findFirst()
                .orElseThrow(
                    () ->
                        new LocalExecException(
                            "unknown_job", "job_id '" + id + "' is not in the ledger", false));
        print(s.toMap());
        return OK;
      }
      Map<String, Object> counts = new LinkedHashMap<>();
      for (JobState st : JobState.values()) {
        counts.put(st.jsonName(), 0);
      }
      for (JobStatus s : all) {
        print(s.toMap());
        counts.merge(s.state().jsonName(), 1, (x, y) -> (Integer) x + (Integer) y);
      }
      Map<String, Object> total = new LinkedHashMap<>();
      total.put("status", "ok");
      total.put("jobs", all.size());
      total.put("by_state", counts);
      total.put("kill_switch", plane.killSwitchOn());
      print(total);
      return OK;
    }
  }

  private int health(Args a) {
    return health(a, null);
  }

  /**
   * Prints the health JSON line (with {@code worker}, the daemon's state, when not null) on stdout
   * and its one-line summary on stderr.
   */
  private int health(Args a, Map<String, Object> worker) {
    noPositionals(a, "health");
    try (LocalExecPlane plane = plane(a, "vllm".equals(a.get("--model")))) {
      HealthReport report = plane.health();
      Map<String, Object> h = report.toMap();
      if ("vllm".equals(a.get("--model"))) {
        h.put("model_health", capabilities().modelHealth(root(a)));
      }
      if (worker != null) {
        h.put("worker", worker);
      }
      print(h);
      JobCounts jobs = report.jobs();
      err.println(
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

  private int validate(Args a) {
    if (a.positionals.size() != 1) {
      throw new UsageException("validate needs exactly one job file");
    }
    try (LocalExecPlane plane = plane(a)) {
      try {
        Job job = plane.parseJob(readFile(a.positionals.get(0)));
        plane.validate(job);
        print(line("status", "valid", "job_id", job.jobId(), "job_type", job.jobType()));
        return OK;
      } catch (JobValidationException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "invalid");
        m.put("file", a.positionals.get(0));
        m.put("errors", e.errors());
        print(m);
        throw e;
      }
    }
  }

  private int requeue(Args a) {
    if (a.positionals.size() != 1) {
      throw new UsageException("requeue needs exactly one job id");
    }
    try (LocalExecPlane plane = plane(a)) {
      String id = a.positionals.get(0);
      String ts = plane.requeue(id);
      print(line("status", "requeued", "job_id", id, "event_ts", ts));
      return OK;
    }
  }

  private int verify(Args a) {
    if (a.positionals.size() > 1) {
      throw new UsageException("verify takes at most one job id");
    }
    try (LocalExecPlane plane = plane(a)) {
      VerifyReport report = plane.verify(a.positionals.isEmpty() ? null : a.positionals.get(0));
      for (VerifyReport.FileCheck f : report.files()) {
        print(f.toMap());
      }
      print(report.summary());
      return report.verified() ? OK : FAILURE;
    }
  }

  private int killSwitch(Args a) {
    if (a.positionals.isEmpty()) {
      throw new UsageException("kill-switch needs on, off or status");
    }
    try (LocalExecPlane plane = plane(a)) {
      String what = a.positionals.get(0);
      String file = plane.layout().display(plane.killSwitchFile());
      switch (what) {
        case "on" -> {
          String reason =
              a.positionals.size() > 1
                  ? String.join(" ", a.positionals.subList(1, a.positionals.size()))
                  : "set by local-exec kill-switch on";
          plane.turnKillSwitchOn(reason);
          print(line("status", "kill_switch_on", "path", file));
        }
        case "off" -> {
          noExtra(a);
          boolean was = plane.turnKillSwitchOff();
          print(line("status", "kill_switch_off", "path", file, "was_on", was));
        }
        case "status" -> {
          noExtra(a);
          print(
              line(
                  "status",
                  plane.killSwitchOn() ? "kill_switch_on" : "kill_switch_off",
                  "path",
                  file));
        }
        default ->
            throw new UsageException("kill-switch needs on, off or status, got '" + what + "'");
      }
      return OK;
    }
  }

  private int ledger(Args a) {
    try (LocalExecPlane plane = plane(a)) {
      print(LedgerCommand.run(a.positionals, plane, openedQueue));
    }
    return OK;
  }

  private static void noExtra(Args a) {
    if (a.positionals.size() > 1) {
      throw new UsageException("unexpected argument '" + a.positionals.get(1) + "'");
    }
  }

  private String readFile(String name) {
    if (name.equals("-")) {
      try {
        byte[] bytes = stdin.readAllBytes();
        return StandardCharsets.UTF_8
            .newDecoder()
            .decode(java.nio.ByteBuffer.wrap(bytes))
            .toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new JobValidationException(List.of("$: the job on standard input is not UTF-8 text"));
      } catch (IOException e) {
        throw new UsageException("cannot read the job from standard input: " + e.getMessage());
      }
    }
    Path p = Path.of(name);
    if (!Files.isRegularFile(p)) {
      throw new UsageException("job file not found: " + name);
    }
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new JobValidationException(List.of("$: job file is not UTF-8 text: " + name));
    } catch (IOException e) {
      throw new UsageException("cannot read job file " + name + ": " + e.getMessage());
    }
  }

  /** A JSON object from alternating keys and values, in order. */
  static Map<String, Object> line(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private void print(Map<String, ?> m) {
    out.println(Json.line(redactObject.apply(m)));
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }
}
