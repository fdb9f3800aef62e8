package dev.localexec.core.plane;

import dev.localexec.api.Job;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.core.exec.DirectLauncher;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.killswitch.KillSwitch;
import dev.localexec.core.plugin.TaskRegistry;
import dev.localexec.core.queue.FileLedgerQueue;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.schema.JobValidator;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import dev.localexec.core.worker.WorkerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The plane an application embeds: validate and enqueue jobs, run workers, read the state.
 *
 * <pre>{@code
 * LocalExecPlane plane = LocalExecPlane.builder(Path.of(".")).discoverPlugins().build();
 * plane.enqueue(plane.parseJob(Files.readString(Path.of("job.json"))));
 * RunOutcome outcome = plane.runOnce();
 * }</pre>
 *
 * <p>Thread-safe; several planes (in several processes) may share one state folder.
 */
public final class LocalExecPlane {
  private final PlaneLayout layout;
  private final Clock clock;
  private final TaskRegistry registry;
  private final JobValidator validator;
  private final FileLedgerQueue queue;
  private final KillSwitch killSwitch;
  private final WorkerOptions workerOptions;
  private final ProcessLauncher launcher;

  private LocalExecPlane(Builder b) {
    this.layout = b.layout != null ? b.layout : PlaneLayout.defaults(b.root);
    this.clock = b.clock;
    this.registry = b.registry.build();
    this.validator = new JobValidator(registry);
    this.queue = new FileLedgerQueue(layout.stateDir(), validator, clock);
    this.killSwitch = new KillSwitch(layout.killSwitchFile());
    this.workerOptions = b.workerOptions;
    this.launcher = b.launcher;
  }

  /** A builder for a plane serving {@code repoRoot}. */
  public static Builder builder(Path repoRoot) {
    return new Builder(repoRoot);
  }

  /** Where the plane keeps its files. */
  public PlaneLayout layout() {
    return layout;
  }

  /** The task plug-ins. */
  public TaskRegistry tasks() {
    return registry;
  }

  /** The job validator. */
  public JobValidator validator() {
    return validator;
  }

  /** The queue. */
  public FileLedgerQueue queue() {
    return queue;
  }

  /** The kill switch. */
  public KillSwitch killSwitch() {
    return killSwitch;
  }

  /**
   * Parses and validates a job document.
   *
   * @throws dev.localexec.api.JobValidationException with every error and its JSON path
   */
  public Job parseJob(String json) {
    return validator.parse(json);
  }

  /**
   * Validates and enqueues a job, exporting the schema files first.
   *
   * @return the enqueue event's {@code ts_utc}
   */
  public String enqueue(Job job) {
    exportSchemas();
    return queue.enqueue(job);
  }

  /** Re-queues a finished job; returns the event's {@code ts_utc}. */
  public String requeue(String jobId) {
    return queue.requeue(jobId);
  }

  /** The options of {@link #worker()}. */
  public WorkerOptions workerOptions() {
    return workerOptions;
  }

  /** A worker with this plane's options. */
  public Worker worker() {
    return worker(workerOptions);
  }

  /** A worker with other options (e.g. another id). */
  public Worker worker(WorkerOptions options) {
    return new Worker(options, queue, registry, killSwitch, layout, launcher, clock);
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

  /** Every job's state, in enqueue order. */
  public List<JobStatus> status() {
    return queue.status();
  }

  /** Writes the schema files into {@link PlaneLayout#schemasDir()}. */
  public void exportSchemas() {
    validator.export(layout.schemasDir());
  }

  /** A health report: kill switch, sandbox, folders, ledger and jobs by state. */
  public Map<String, Object> health() {
    Map<String, Object> h = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    boolean ks = killSwitch.isOn();
    h.put("kill_switch", ks);
    if (ks) {
      problems.add("kill switch is on");
    }
    h.put("sandbox", launcher.name());
    h.put("repo_root", layout.root().toString());
    boolean stateOk = writable(layout.stateDir());
    boolean evidenceOk = writable(layout.evidenceDir());
    h.put("state_dir_writable", stateOk);
    h.put("evidence_dir_writable", evidenceOk);
    if (!stateOk) {
      problems.add("state folder not writable: " + layout.stateDir());
    }
    if (!evidenceOk) {
      problems.add("evidence folder not writable: " + layout.evidenceDir());
    }
    Path ledger = queue.ledger();
    long size = 0;
    try {
      size = Files.exists(ledger) ? Files.size(ledger) : 0;
    } catch (java.io.IOException e) {
      problems.add("cannot read ledger size: " + e.getMessage());
    }
    h.put("ledger", layout.display(ledger));
    h.put("ledger_bytes", size);
    Map<String, Object> byState = new LinkedHashMap<>();
    for (JobState s : JobState.values()) {
      byState.put(s.jsonName(), 0);
    }
    for (JobStatus s : queue.status()) {
      byState.merge(s.state().jsonName(), 1, (a, b) -> (Integer) a + (Integer) b);
    }
    h.put("jobs", byState);
    List<Integer> bad = queue.unreadableLines();
    if (!bad.isEmpty()) {
      problems.add("ledger lines unreadable: " + bad);
    }
    h.put("task_types", registry.ids());
    if (!registry.problems().isEmpty()) {
      problems.addAll(registry.problems());
    }
    h.put("ok", problems.isEmpty());
    h.put("problems", problems);
    return h;
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
    private final TaskRegistry.Builder registry = TaskRegistry.builder();
    private WorkerOptions workerOptions = WorkerOptions.defaults();
    private ProcessLauncher launcher = new DirectLauncher();

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

    /** Lets an argv's program be a shell ({@code sh}, {@code bash}, ...); refused by default. */
    public Builder allowShells(boolean allow) {
      this.workerOptions = workerOptions.withAllowShells(allow);
      return this;
    }

    /** How subprocesses are started. */
    public Builder launcher(ProcessLauncher l) {
      this.launcher = l;
      return this;
    }

    /** The plane. */
    public LocalExecPlane build() {
      return new LocalExecPlane(this);
    }
  }
}
