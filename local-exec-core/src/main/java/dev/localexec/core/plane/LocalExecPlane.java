package dev.localexec.core.plane;

import dev.localexec.api.ArgvRejectedException;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ResourceLimits;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.core.exec.EnvPolicy;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.integrity.VerifyReport;
import dev.localexec.core.internal.exec.ArgvPolicy;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.integrity.Verifier;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.internal.limits.ResourceControl;
import dev.localexec.core.internal.limits.ResourcePolicy;
import dev.localexec.core.internal.paths.PlaneFiles;
import dev.localexec.core.internal.plane.PlaneInternals;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.queue.PlaneQueueContext;
import dev.localexec.core.internal.sandbox.BwrapLauncher;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.internal.tools.SandboxedToolProcesses;
import dev.localexec.core.internal.worker.Capabilities;
import dev.localexec.core.internal.worker.DefaultWorker;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.queue.LedgerEvent;
import dev.localexec.core.sandbox.Sandbox;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.sandbox.SandboxProbe;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import dev.localexec.core.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plane an application embeds: validate and enqueue jobs, run workers, read the state.
 *
 * <pre>{@code
 * try (LocalExecPlane plane = LocalExecPlane.builder(Path.of(".")).discoverPlugins().build()) {
 *   plane.enqueue(plane.parseJob(Files.readString(Path.of("job.json"))));
 *   RunOutcome outcome = plane.runOnce();
 * }
 * }</pre>
 *
 * <p>Every subprocess of a job runs in the sandbox the plane chooses ({@link Builder#sandbox},
 * {@link SandboxMode#AUTO} by default: bubblewrap, else {@code unshare}, else subprocesses are
 * refused). The choice, which runs trial processes, and the probe of the host's resource controls
 * are made once, the first time they are needed: by {@link #health()}, {@link #sandbox()}, or a
 * worker ({@link #worker()}, {@link #runOnce()}, {@link #loop}). Enqueueing, status, verification
 * and the kill switch never probe.
 *
 * <p>A plane holds resources (the queue's connections, a shared kill switch's poller, the threads
 * of its workers' jobs): {@link #close()} releases them. The tool and model backends the
 * application passed to the {@link Builder} stay open; their owner closes them. A tool backend the
 * plane opened itself ({@link Builder#tools(ToolBackend.Factory)}) starts its servers in the
 * plane's sandbox and is closed with the plane.
 *
 * <p>Thread-safe; several planes (in several processes) may share one state folder.
 */
public final class LocalExecPlane implements AutoCloseable {
  /** How long {@link #close()} waits for the plane's workers to end their running jobs. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(LocalExecPlane.class);

  private final PlaneLayout layout;
  private final Clock clock;
  private final TaskRegistry registry;
  private final JobValidator validator;
  private final JobQueue queue;
  private final KillSwitch killSwitch;
  private final WorkerOptions workerOptions;
  private final Map<String, String> environment;
  private final Redactor redactor;
  private final Memo<SandboxProbe.Choice> sandbox;
  private final Capabilities capabilities;
  private final Memo<ResourceControl> resources;
  private final ToolProcesses toolProcesses;
  private final ToolBackend ownedTools;
  private final Object lock = new Object();

  /** The workers this plane made; weak, so a plane that runs many jobs does not keep them all. */
  private final Set<Worker> workers = Collections.newSetFromMap(new WeakHashMap<>());

  private boolean closed;

  /** How often the futures of submitted jobs look at the queue. */
  static final Duration SUBMIT_POLL = Duration.ofMillis(50);

  /** The futures of submitted jobs that have not finished, by job id. */
  private final Map<String, CompletableFuture<JobResult>> awaited = new ConcurrentHashMap<>();

  /** Looks at the queue for {@link #awaited} jobs; made with the first submit. */
  private ScheduledExecutorService watcher;

  /** Whether {@link #writing()} created and checked the folders. */
  private volatile boolean foldersReady;

  static {
    PlaneInternals.install(LocalExecPlane::parts);
  }

  private PlaneInternals.Parts parts() {
    return new PlaneInternals.Parts(
        () -> {
          checkOpen();
          return queue;
        },
        () -> validator,
        () -> registry,
        () -> killSwitch,
        () -> redactor,
        () -> {
          checkOpen();
          return resources.get();
        });
  }

  private LocalExecPlane(Builder b) {
    this.layout = b.layout != null ? b.layout : PlaneLayout.defaults(b.root);
    checkFolders(layout, false);
    this.clock = b.clock;
    this.registry = b.registry.build();
    this.validator = new JobValidator(registry, b.maxDocumentBytes);
    this.environment = Map.copyOf(b.environment);
    this.workerOptions =
        b.workerOptions.withEnvPolicy(
            b.workerOptions.envPolicy().allowing(b.allowEnv).markingSecret(b.secretEnv));
    this.redactor = Redactor.fromEnvironment(environment, workerOptions.envPolicy().secretNames());
    this.queue = b.queueFactory.open(new PlaneQueueContext(layout, validator, clock, redactor));
    this.killSwitch =
        new KillSwitch(layout.killSwitchFile(), queue.sharedKillSwitch().orElse(null));
    this.sandbox = new Memo<>(b.sandboxChooser(layout));
    this.toolProcesses =
        new SandboxedToolProcesses(() -> sandbox.get().launcher(), layout.root(), b.tmpfsBytes);
    this.ownedTools = b.toolsFactory == null ? null : b.toolsFactory.open(toolProcesses);
    this.capabilities =
        new Capabilities(ownedTools != null ? ownedTools : b.tools, b.model, b.modelTimeout);
    ResourcePolicy policy = b.resourcePolicy();
    this.resources = new Memo<>(() -> ResourceControl.probe(policy, LocalArgvRunner.SAFE_PATH));
  }

  /**
   * A value made once, the first time it is asked for, by one thread while the others wait. A
   * failure is not kept: the next call tries again.
   */
  private static final class Memo<T> {
    private final Supplier<T> make;
    private volatile T value;

    Memo(Supplier<T> make) {
      this.make = make;
    }

    T get() {
      T v = value;
      if (v == null) {
        synchronized (this) {
          v = value;
          if (v == null) {
            v = Objects.requireNonNull(make.get(), "memoized value");
            value = v;
          }
        }
      }
      return v;
    }
  }

  /**
   * Refuses to go on when one of the plane's folders, or a folder between the root and it, is a
   * symlink, not a folder, or not this user's; with {@code create}, creates the missing ones. A
   * plane creates its folders when it first writes, so a plane that only reads (status, health,
   * verify) leaves a repository as it found it.
   */
  private static void checkFolders(PlaneLayout layout, boolean create) {
    for (Path dir : List.of(layout.stateDir(), layout.evidenceDir(), layout.schemasDir())) {
      try {
        if (create) {
          PlaneFiles.checkFolder(layout.root(), dir);
        } else {
          PlaneFiles.checkExistingFolder(layout.root(), dir);
        }
      } catch (IOException e) {
        throw new LocalExecException(
            "plane_folder_unsafe", "refusing to use " + dir + ": " + e.getMessage(), false, e);
      }
    }
  }

  /** Before the plane first writes: creates its folders, checked as the constructor checks them. */
  private void writing() {
    if (!foldersReady) {
      checkFolders(layout, true);
      foldersReady = true;
    }
  }

  /** A builder for a plane serving {@code repoRoot}. */
  public static Builder builder(Path repoRoot) {
    return new Builder(repoRoot);
  }

  /** Where the plane keeps its files. */
  public PlaneLayout layout() {
    return layout;
  }

  /**
   * The sandbox of this plane's subprocesses: what it enforces and what it does not, with {@code
   * resource_limits} enforced when the operator's default limits are (see {@link #health()}).
   */
  public Sandbox sandbox() {
    checkOpen();
    SandboxProbe.Choice choice = sandbox.get();
    return choice
        .sandbox()
        .withResourceLimits(
            resources
                .get()
                .enforcesAll(ResourceLimits.NONE, choice.launcher().appliesResourceLimits()));
  }

  /** The job types of the plane's task plug-ins, sorted. */
  public List<String> taskTypes() {
    return registry.ids();
  }

  /** The task plug-in of a job type, if the plane has one. */
  public Optional<TaskPlugin> task(String jobType) {
    return registry.find(jobType);
  }

  /**
   * The schema files {@link #exportSchemas()} writes, by file name: the job schema and each task's
   * payload schema, as JSON text.
   */
  public Map<String, String> schemaFiles() {
    return validator.schemaFiles();
  }

  /** Whether the kill switch is on: its file exists, or a queue shared by several hosts says so. */
  public boolean killSwitchOn() {
    checkOpen();
    return killSwitch.isOn();
  }

  /**
   * Turns the kill switch on with a free-text reason: no worker claims another job, and running
   * jobs are stopped at their next check.
   */
  public void turnKillSwitchOn(String reason) {
    checkOpen();
    writing();
    killSwitch.turnOn(reason);
  }

  /**
   * Turns the kill switch off.
   *
   * @return whether it was on
   */
  public boolean turnKillSwitchOff() {
    checkOpen();
    return killSwitch.turnOff();
  }

  /** The kill switch's file. */
  public Path killSwitchFile() {
    return killSwitch.file();
  }

  /** Where the queue lives, for people: a file path, or a database URL without credentials. */
  public String queueLocation() {
    return queue.location();
  }

  /**
   * Writes the queue's ledger as a {@code jobs.jsonl} file in the file ledger's format, replacing
   * {@code target}.
   *
   * @return the number of lines written
   */
  public long exportLedger(Path target) {
    checkOpen();
    return queue.exportLedger(target);
  }

  /**
   * Parses and validates a job document.
   *
   * @throws dev.localexec.api.JobValidationException with every error and its JSON path
   */
  public Job parseJob(String json) {
    checkOpen();
    return validator.parse(json);
  }

  /**
   * Checks a job as {@link #enqueue} does, without enqueuing it: its schemas, that it holds no
   * secret value of the plane's environment, and that none of its commands has a shell as the
   * program while the workers refuse shells ({@link WorkerOptions#allowShells()}), so a document
   * the worker would refuse when it runs is refused now.
   *
   * @throws dev.localexec.api.JobValidationException if the job does not satisfy its schemas, or
   *     names a command with a shell as the program ({@code $.payload: command N of M would be
   *     refused when it runs: ...})
   * @throws dev.localexec.api.PolicyViolationException {@code secret_in_job} naming where
   */
  public void validate(Job job) {
    checkOpen();
    validator.validate(job.toMap());
    redactor.refuseSecretsIn(job.toMap());
    refuseShells(job);
  }

  /**
   * Validates and enqueues a job, exporting the schema files first; the checks are {@link
   * #validate(Job)}'s.
   *
   * @return the enqueue event's {@code ts_utc}
   */
  public String enqueue(Job job) {
    checkOpen();
    refuseShells(job);
    writing();
    exportSchemas();
    return queue.enqueue(job);
  }

  private void refuseShells(Job job) {
    if (workerOptions.allowShells()) {
      return;
    }
    Optional<TaskPlugin> plugin = registry.find(job.jobType());
    if (plugin.isEmpty()) {
      return;
    }
    List<List<String>> argvs = plugin.get().argvs(job.payload());
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < argvs.size(); i++) {
      try {
        ArgvPolicy.defaults().check(argvs.get(i));
      } catch (ArgvRejectedException e) {
        if (e.reason().equals("shell_program")) {
          errors.add(
              "$.payload: command "
                  + (i + 1)
                  + " of "
                  + argvs.size()
                  + " would be refused when it runs: "
                  + e.getMessage());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  /** Re-queues a finished job; returns the event's {@code ts_utc}. */
  public String requeue(String jobId) {
    checkOpen();
    writing();
    return queue.requeue(jobId);
  }

  /**
   * Starts tool processes (MCP servers) in this plane's sandbox, the one a job's commands run in;
   * what {@link Builder#tools(ToolBackend.Factory)} opens its backend with, for a backend the
   * application opens itself. The sandbox is chosen at the first start.
   */
  public ToolProcesses toolProcesses() {
    return toolProcesses;
  }

  /** The options of {@link #worker()}. */
  public WorkerOptions workerOptions() {
    return workerOptions;
  }

  /** A worker with this plane's options. */
  public Worker worker() {
    return worker(workerOptions);
  }

  /**
   * A worker with other options (e.g. another id). Making the first worker chooses the sandbox and
   * probes the resource controls. {@link #close()} stops the workers the plane made.
   */
  public Worker worker(WorkerOptions options) {
    checkOpen();
    writing();
    Worker w =
        new DefaultWorker(
            options,
            queue,
            registry,
            killSwitch,
            layout,
            sandbox.get().launcher(),
            clock,
            environment,
            capabilities,
            resources.get());
    synchronized (lock) {
      checkOpen();
      workers.add(w);
    }
    return w;
  }

  /** Runs at most one job with a default worker. */
  public RunOutcome runOnce() {
    exportSchemas();
    return worker().runOnce();
  }

  /** Runs jobs until the kill switch trips or {@code stop} is true; see {@link Worker#loop}. */
  public String loop(Duration idleSleep, Duration maxIdle, BooleanSupplier stop) {
    exportSchemas();
    return worker().loop(idleSleep, maxIdle, stop);
  }

  /**
   * {@code text} with every secret value of the plane's environment ({@link Builder#environment})
   * replaced, as in everything the plane writes.
   */
  public String redact(String text) {
    return redactor.redact(text);
  }

  /** A copy of {@code object} with every secret value, at any depth, replaced. */
  public Map<String, Object> redact(Map<?, ?> object) {
    return redactor.redactObject(object);
  }

  /**
   * Refuses a job that holds a secret value of the plane's environment, as {@link #enqueue} does.
   *
   * @throws dev.localexec.api.PolicyViolationException {@code secret_in_job} naming where
   */
  public void refuseSecretsIn(Job job) {
    redactor.refuseSecretsIn(job.toMap());
  }

  /**
   * Recomputes the hash chains of the ledger and the evidence, checks the file ledger against its
   * head file and the summaries against their evidence (see {@link Verifier}).
   *
   * @param jobId a job whose evidence to check with the ledger, or {@code null} for every job's
   *     evidence and the worker event files
   * @throws dev.localexec.api.LocalExecException {@code unknown_job} if the job is unknown
   */
  public VerifyReport verify(String jobId) {
    checkOpen();
    Path folder =
        Files.isDirectory(layout.stateDir(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
            ? layout.stateDir()
            : Path.of(System.getProperty("java.io.tmpdir"));
    JobQueue.LedgerFile ledger = queue.ledgerFile(folder);
    try {
      Verifier v =
          new Verifier(layout.root(), ledger.file(), layout.evidenceDir(), ledger.host())
              .withClock(clock);
      if (ledger.headFile() != null) {
        v = v.withHeadFile(ledger.headFile());
      }
      return jobId == null ? v.verifyAll() : v.verifyJob(jobId);
    } finally {
      if (ledger.copy()) {
        try {
          Files.deleteIfExists(ledger.file());
        } catch (IOException e) {
          LOG.debug("cannot delete the ledger copy {}: {}", ledger.file(), e.toString());
        }
      }
    }
  }

  /**
   * The operator accepts the file ledger as it is now after it was cut or rewritten: see {@link
   * JobQueue#acceptLedgerHead()}, whose status, previous head, ledger head and new head it returns.
   * Until then no job is claimed or queued ({@code ledger_cut}).
   *
   * @throws dev.localexec.api.LocalExecException {@code not_a_file_ledger} when the queue is not
   *     the file ledger (a database queue keeps its head in the database)
   */
  public Map<String, Object> acceptLedgerHead() {
    checkOpen();
    writing();
    return queue.acceptLedgerHead();
  }

  /** Every job's state, in enqueue order. */
  public List<JobStatus> status() {
    checkOpen();
    return queue.status();
  }

  /** One job's state, if the job is known. */
  public Optional<JobStatus> status(String jobId) {
    checkOpen();
    return queue.status(jobId);
  }

  /**
   * Enqueues a job (as {@link #enqueue} does) and returns a handle whose future completes when any
   * worker of the queue finishes it: a worker of this plane, of another process on the same repo
   * root, or of another host on a shared queue. The plane looks at the queue every 50 ms, on one
   * thread of its own while jobs are awaited; {@link #close()} ends it.
   *
   * @throws dev.localexec.api.JobValidationException as {@link #enqueue} does
   */
  public JobHandle submit(Job job) {
    enqueue(job);
    CompletableFuture<JobResult> f =
        awaited.computeIfAbsent(job.jobId(), id -> new CompletableFuture<>());
    synchronized (lock) {
      checkOpen();
      if (watcher == null) {
        watcher =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "local-exec-submitted-jobs");
                  t.setDaemon(true);
                  return t;
                });
        watcher.scheduleWithFixedDelay(
            this::lookAtAwaited,
            SUBMIT_POLL.toMillis(),
            SUBMIT_POLL.toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }
    return new JobHandle(job.jobId(), f);
  }

  /** Completes the futures of the awaited jobs that have finished. */
  private void lookAtAwaited() {
    for (Map.Entry<String, CompletableFuture<JobResult>> e : awaited.entrySet()) {
      CompletableFuture<JobResult> f = e.getValue();
      if (f.isDone()) {
        awaited.remove(e.getKey(), f);
        continue;
      }
      try {
        Optional<JobResult> job = job(e.getKey());
        if (job.isPresent() && job.get().finished()) {
          awaited.remove(e.getKey(), f);
          f.complete(job.get());
        }
      } catch (LocalExecException ex) {
        if (!ex.retryable()) {
          awaited.remove(e.getKey(), f);
          f.completeExceptionally(ex);
        }
      } catch (IllegalStateException ex) {
        return; // closed meanwhile
      } catch (RuntimeException ex) {
        LOG.warn("cannot look at job {}: {}", e.getKey(), ex.toString());
      }
    }
  }

  /**
   * A job with its outcome: its state, and for a finished job the {@code result} or {@code error}
   * of its final ledger event (whichever worker, in whichever process or host, finished it), with
   * its evidence and summary files.
   *
   * @return the job, or empty if the queue does not know it
   */
  public Optional<JobResult> job(String jobId) {
    checkOpen();
    Optional<JobStatus> found = queue.status(jobId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    JobStatus s = found.get();
    Map<String, Object> result = null;
    String error = s.error();
    if (s.state() == JobState.COMPLETE || s.state() == JobState.FAILED) {
      Optional<LedgerEvent> last = queue.finalEvent(jobId);
      if (last.isPresent() && last.get() instanceof LedgerEvent.Completed c) {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) c.result();
        result = r;
      } else if (last.isPresent() && last.get() instanceof LedgerEvent.Failed f) {
        error = f.error();
      }
    }
    Path evidence = layout.evidenceDir().resolve(jobId + ".jsonl");
    Path summary = layout.evidenceDir().resolve(jobId + ".md");
    return Optional.of(
        new JobResult(
            s.jobId(),
            s.jobType(),
            s.state(),
            s.attempts(),
            s.workerId(),
            s.updatedTs(),
            result,
            error,
            Files.isRegularFile(evidence, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? evidence
                : null,
            Files.isRegularFile(summary, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? summary
                : null));
  }

  /** Writes the schema files into {@link PlaneLayout#schemasDir()}. */
  public void exportSchemas() {
    checkOpen();
    writing();
    validator.export(layout.schemasDir());
  }

  /**
   * A health report: kill switch, sandbox, folders, ledger (size, {@code ledger_events} = its
   * complete lines, {@code last_event} = the {@code ts_utc} and {@code event} of the last one, or
   * {@code null}) and jobs by state.
   */
  public HealthReport health() {
    checkOpen();
    SandboxProbe.Choice choice = sandbox.get();
    ProcessLauncher launcher = choice.launcher();
    List<String> problems = new ArrayList<>();
    boolean ks = killSwitch.isOn();
    if (ks) {
      problems.add("kill switch is on");
    }
    Sandbox box = sandbox();
    if (choice.sandbox().refusesSubprocesses()) {
      problems.add("sandbox unavailable: " + choice.reason());
    }
    Map<String, Object> resourceLimits =
        resources.get().health(launcher.appliesResourceLimits(), launcher.boundsTmpfs());
    Map<String, Object> tools = null;
    if (capabilities.tools() != null) {
      tools = new LinkedHashMap<>();
      tools.put("backend", capabilities.tools().name());
      try {
        tools.put(
            "enabled_tools",
            List.copyOf(new java.util.TreeSet<>(capabilities.tools().settings().enabledTools())));
      } catch (dev.localexec.api.ToolCallException e) {
        tools.put("error", e.getMessage());
        problems.add("tool configuration invalid: " + e.getMessage());
      }
    }
    Map<String, Object> model = null;
    if (capabilities.model() != null) {
      model = new LinkedHashMap<>();
      model.put("backend", capabilities.model().name());
      model.put("api_base", capabilities.model().apiBase());
      model.put("model_name", capabilities.model().modelName());
    }
    boolean stateOk = writable(layout.stateDir());
    boolean evidenceOk = writable(layout.evidenceDir());
    if (!stateOk) {
      problems.add("state folder not writable: " + layout.stateDir());
    }
    if (!evidenceOk) {
      problems.add("evidence folder not writable: " + layout.evidenceDir());
    }
    Map<String, Object> ledgerFacts = new LinkedHashMap<>();
    ledgerFacts.putAll(queue.health());
    problems.addAll(queue.problems());
    JobCounts jobs = JobCounts.of(queue.status());
    List<Integer> bad = queue.unreadableLines();
    if (!bad.isEmpty()) {
      problems.add("ledger lines unreadable: " + bad);
    }
    List<String> taskTypes = registry.ids();
    if (!registry.problems().isEmpty()) {
      problems.addAll(registry.problems());
    }
    return new HealthReport(
        ks,
        box,
        resourceLimits,
        tools,
        model,
        layout.root().toString(),
        stateOk,
        evidenceOk,
        ledgerFacts,
        jobs,
        taskTypes,
        problems);
  }

  /**
   * Closes the plane: asks the workers it made to stop at once (a running job fails with {@code
   * worker_stopped}), waits up to 30 s for them to end, then closes the queue (a database queue's
   * connections and its kill switch poller). Idempotent; never throws. Afterwards every operation
   * of the plane and of its workers' queue throws {@link IllegalStateException}; {@link #layout()},
   * {@link #taskTypes()}, {@link #task}, {@link #schemaFiles()}, {@link #redact(String)} and {@link
   * #workerOptions()} still answer. The tool and model backends of {@link
   * Builder#tools(ToolBackend)} and {@link Builder#model} are not closed: the application that made
   * them closes them; one the plane opened from a {@link ToolBackend.Factory} is closed last.
   */
  @Override
  public void close() {
    List<Worker> running;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      running = new ArrayList<>(workers);
      workers.clear();
    }
    running.forEach(Worker::stop);
    ScheduledExecutorService looking;
    synchronized (lock) {
      looking = watcher;
    }
    if (looking != null) {
      looking.shutdownNow();
      try {
        looking.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (CompletableFuture<JobResult> f : awaited.values()) {
      f.completeExceptionally(new IllegalStateException("the plane is closed"));
    }
    awaited.clear();
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    boolean interrupted = false;
    for (Worker w : running) {
      try {
        long left = deadline - System.nanoTime();
        if (!w.awaitIdle(Duration.ofNanos(Math.max(0, left)))) {
          LOG.warn(
              "worker {} still runs a job {} s after the plane was closed",
              w.options().workerId(),
              CLOSE_WAIT.toSeconds());
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      queue.close();
    } catch (RuntimeException e) {
      LOG.warn("closing the queue {} failed: {}", queue.location(), e.toString());
    }
    if (ownedTools != null) {
      try {
        ownedTools.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the tool backend {} failed: {}", ownedTools.name(), e.toString());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void checkOpen() {
    if (isClosed()) {
      throw new IllegalStateException("the plane is closed");
    }
  }

  private static boolean writable(Path dir) {
    Path p = dir;
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p != null && Files.isWritable(p);
  }

  /** Configures a plane. Not thread-safe. */
  public static final class Builder {
    private final Path root;
    private PlaneLayout layout;
    private Clock clock = Clock.systemUTC();
    private Map<String, String> environment = System.getenv();
    private final List<String> allowEnv = new ArrayList<>();
    private final List<String> secretEnv = new ArrayList<>();
    private final TaskRegistry.Builder registry = TaskRegistry.builder();
    private WorkerOptions workerOptions = WorkerOptions.defaults();
    private ProcessLauncher launcher;
    private SandboxMode sandboxMode;
    private SandboxProbe sandboxProbe = SandboxProbe.standard();
    private ToolBackend tools;
    private ToolBackend.Factory toolsFactory;
    private ModelBackend model;
    private Duration modelTimeout = Capabilities.DEFAULT_MODEL_TIMEOUT;
    private JobQueue.Factory queueFactory = JobQueue.Factory.fileLedger();
    private final List<String> controlPaths = new ArrayList<>(BwrapLauncher.CONTROL_PATHS);
    private long maxDocumentBytes = JobValidator.DEFAULT_MAX_DOCUMENT_BYTES;
    private ResourceLimits resourceDefaults = ResourceLimits.NONE;
    private ResourceLimits resourceCeilings = ResourceLimits.NONE;
    private long tmpfsBytes = ResourcePolicy.STANDARD_TMPFS_BYTES;

    private Builder(Path root) {
      if (root == null) {
        throw new IllegalArgumentException("repo root must not be null");
      }
      if (!Files.isDirectory(root)) {
        throw new IllegalArgumentException("repo root is not a folder: " + root);
      }
      this.root = root;
    }

    /** Another file layout (the default is {@link PlaneLayout#defaults}). */
    public Builder layout(PlaneLayout l) {
      this.layout = l;
      return this;
    }

    /** The time source (tests drive it). */
    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /**
     * The host environment (the default is {@link System#getenv()}): the values a job's {@code
     * env_allow} names pass to its subprocesses when the operator allows them ({@link #allowEnv}),
     * and the source of the secrets redacted from the ledger, evidence, summaries and outputs (see
     * {@link Redactor}).
     */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(Objects.requireNonNull(env, "env"));
      return this;
    }

    /**
     * Lets jobs have these host environment variables (through {@code env_allow}), besides {@link
     * EnvPolicy#DEFAULT_ALLOWED}: exact names, or {@code PREFIX_*} patterns. A secret's name
     * ({@code *_KEY}, {@code *_TOKEN}, {@code *PASSWORD*}, ..., the plane's own {@code
     * LOCAL_EXEC_*}, {@code OPENCLAW_*}, names marked with {@link #secretEnv}) is allowed only by
     * its exact name. A job asking for any other fails with {@code env_not_allowed:<NAME>}. Adds to
     * earlier calls and to the policy of {@link #workerOptions}; see {@link EnvPolicy}.
     *
     * @throws IllegalArgumentException for a name that is neither a variable name nor such a
     *     pattern, or {@code PATH}
     */
    public Builder allowEnv(Collection<String> names) {
      EnvPolicy.defaults().allowing(names);
      allowEnv.addAll(names);
      return this;
    }

    /**
     * Marks these environment variables (exact names) secret: their values are redacted from
     * everything recorded like the configured secrets', and no pattern of {@link #allowEnv} covers
     * them. Adds to earlier calls.
     *
     * @throws IllegalArgumentException for a name that is not a variable name
     */
    public Builder secretEnv(Collection<String> names) {
      EnvPolicy.defaults().markingSecret(names);
      secretEnv.addAll(names);
      return this;
    }

    /** Registers a task plug-in explicitly. */
    public Builder register(TaskPlugin plugin) {
      registry.register(plugin);
      return this;
    }

    /** Adds the plug-ins {@link java.util.ServiceLoader} finds on the class path. */
    public Builder discoverPlugins() {
      registry.discover(Thread.currentThread().getContextClassLoader());
      return this;
    }

    /** Adds the plug-ins {@link java.util.ServiceLoader} finds through {@code loader}. */
    public Builder discoverPlugins(ClassLoader loader) {
      registry.discover(loader);
      return this;
    }

    /** Worker id, lease and shell permission for {@link #worker()}. */
    public Builder workerOptions(WorkerOptions o) {
      this.workerOptions = o;
      return this;
    }

    /**
     * Lets jobs write some of the repo's control files, which the bubblewrap sandbox otherwise
     * keeps read-only ({@link BwrapLauncher#CONTROL_PATHS}: {@code .git}'s configuration and hooks,
     * {@code .envrc}, editor settings, {@code config/}, ...). Code that reads them later (git, an
     * editor, the plane's own configuration) then runs whatever a job wrote there.
     *
     * @param paths root-relative names from {@link BwrapLauncher#CONTROL_PATHS}
     * @throws IllegalArgumentException for a name that is not one of them
     */
    public Builder openControlPaths(Collection<String> paths) {
      for (String p : paths) {
        if (!BwrapLauncher.CONTROL_PATHS.contains(p)) {
          throw new IllegalArgumentException(
              "'"
                  + p
                  + "' is not a control path the sandbox keeps read-only; those are "
                  + String.join(", ", BwrapLauncher.CONTROL_PATHS));
        }
        controlPaths.remove(p);
      }
      return this;
    }

    /**
     * The largest job document {@link LocalExecPlane#parseJob} accepts, in UTF-8 bytes (default
     * {@link JobValidator#DEFAULT_MAX_DOCUMENT_BYTES}, 1 MiB; at least 1024).
     */
    public Builder maxDocumentBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException(
            "the job document limit must be at least 1024 bytes, got " + bytes);
      }
      this.maxDocumentBytes = bytes;
      return this;
    }

    /** Lets an argv's program be a shell ({@code sh}, {@code bash}, ...); refused by default. */
    public Builder allowShells(boolean allow) {
      this.workerOptions = workerOptions.withAllowShells(allow);
      return this;
    }

    /**
     * How subprocesses are started, instead of the sandbox {@link #sandbox} would choose (e.g. a
     * scripted launcher in tests); {@code run_header} reports its {@link ProcessLauncher#name()}.
     */
    public Builder launcher(ProcessLauncher l) {
      this.launcher = l;
      return this;
    }

    /**
     * How the sandbox of subprocesses is chosen: {@link SandboxMode#AUTO} (the default) probes for
     * bubblewrap, then {@code unshare}, and refuses subprocesses when neither works; {@link
     * SandboxMode#NONE} turns the sandbox off explicitly. The probe runs the first time the plane
     * needs the sandbox (see {@link LocalExecPlane}), so a forced mode that does not work fails
     * there ({@code sandbox_unavailable}), not in {@link #build()}.
     */
    public Builder sandbox(SandboxMode mode) {
      this.sandboxMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Where the sandbox programs are looked for (the default: {@link SandboxProbe#standard()}). */
    public Builder sandboxProbe(SandboxProbe probe) {
      this.sandboxProbe = Objects.requireNonNull(probe, "probe");
      return this;
    }

    /**
     * The MCP tools jobs may call (through {@code TaskContext.tools()}), within their policy and
     * the backend's {@code enabled_tools}. Without one every tool call is refused. The plane does
     * not close the backend; its owner does.
     */
    public Builder tools(ToolBackend backend) {
      this.tools = backend;
      this.toolsFactory = null;
      return this;
    }

    /**
     * The MCP tools jobs may call, as {@link #tools(ToolBackend)}, from a backend the plane opens
     * when it is built, with its {@link LocalExecPlane#toolProcesses()}: the backend's servers then
     * run in the plane's sandbox. The plane closes that backend when it is closed. {@code null}
     * means no tools.
     */
    public Builder tools(ToolBackend.Factory factory) {
      this.toolsFactory = factory;
      this.tools = null;
      return this;
    }

    /**
     * The model jobs may ask (through {@code TaskContext.model()}) when their policy names {@code
     * model.chat}. Without one every model call is refused. The plane does not close the backend;
     * its owner does.
     */
    public Builder model(ModelBackend backend) {
      this.model = backend;
      return this;
    }

    /** The longest one model call may take, queueing included (default 300 s). */
    public Builder modelTimeout(Duration timeout) {
      this.modelTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Where the jobs are queued (the default: {@link JobQueue.Factory#fileLedger()}, the ledger in
     * the state folder), e.g. the PostgreSQL queue of the module {@code local-exec-postgres}.
     */
    public Builder queue(JobQueue.Factory factory) {
      this.queueFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * The operator's resource ceilings: the most a job may ask for under {@code budgets}. Each
     * budget set here (not 0) replaces the standard ceiling of {@link ResourcePolicy#standard()}
     * and, unless {@link #resourceDefaults} sets it, becomes the default of jobs that do not ask. A
     * job asking for more fails with {@code resource_above_ceiling:<budget>}.
     */
    public Builder resourceCeilings(ResourceLimits ceilings) {
      this.resourceCeilings = Objects.requireNonNull(ceilings, "ceilings");
      return this;
    }

    /**
     * What a job that does not ask gets: each budget set here (not 0) replaces the default; it must
     * not be above its ceiling ({@link #build()} fails then).
     */
    public Builder resourceDefaults(ResourceLimits defaults) {
      this.resourceDefaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /**
     * The size of each of bubblewrap's {@code /tmp}, {@code /run} and {@code /dev/shm} (default 256
     * MiB; at most the job's memory limit), at least 1 MiB.
     */
    public Builder tmpfsBytes(long bytes) {
      this.tmpfsBytes = bytes;
      return this;
    }

    private ResourcePolicy resourcePolicy() {
      return ResourcePolicy.standard()
          .withTmpfsBytes(tmpfsBytes)
          .withCeilings(resourceCeilings)
          .withDefaults(resourceDefaults);
    }

    /**
     * What makes the sandbox choice, later: the launcher set explicitly, or the probe's choice for
     * the mode. The builder's settings are copied now; conflicting ones fail now.
     */
    private Supplier<SandboxProbe.Choice> sandboxChooser(PlaneLayout l) {
      if (launcher != null) {
        if (sandboxMode != null) {
          throw new IllegalStateException(
              "LocalExecPlane.Builder got both launcher("
                  + launcher.name()
                  + ") and sandbox("
                  + sandboxMode
                  + "); set only one: the launcher replaces the sandbox choice");
        }
        SandboxProbe.Choice set =
            new SandboxProbe.Choice(
                launcher, Sandbox.of(launcher), "launcher set by the embedding application");
        return () -> set;
      }
      List<Path> planeFolders = new ArrayList<>();
      for (Path p :
          List.of(
              l.root().resolve(PlaneLayout.WORKSPACE),
              l.stateDir(),
              l.evidenceDir(),
              l.schemasDir())) {
        if (p.startsWith(l.root()) && !p.equals(l.root())) {
          planeFolders.add(p);
        }
      }
      SandboxMode mode = sandboxMode != null ? sandboxMode : SandboxMode.AUTO;
      SandboxProbe probe = sandboxProbe;
      List<Path> readOnly = List.copyOf(planeFolders);
      List<String> control = List.copyOf(controlPaths);
      return () -> probe.choose(mode, l.root(), readOnly, control);
    }

    /** The plane. */
    public LocalExecPlane build() {
      return new LocalExecPlane(this);
    }
  }
}
