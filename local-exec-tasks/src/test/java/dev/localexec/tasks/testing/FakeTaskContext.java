package dev.localexec.tasks.testing;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.ArgvRunner;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.api.spi.RepoPaths;
import dev.localexec.api.spi.TaskContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task context over a real folder (e.g. a {@code @TempDir}) with fakes for everything else. JSON
 * lines outputs are real files under {@code workspace/local_exec/evidence/}; the kill switch is a
 * flag; every {@link #checkKillSwitch} call is recorded.
 */
public final class FakeTaskContext implements TaskContext {

  /** The id of the jobs made by {@link #job}. */
  public static final String JOB_ID = "job-testjob0001";

  /** The budget of the jobs made by {@link #job} without one: 300 s, 10 calls, 256 KiB, 1 slot. */
  public static final Budget DEFAULT_BUDGET = Budget.of(300, 10, 262_144, 1);

  private static final String EVIDENCE_DIR = "workspace/local_exec/evidence";

  private final Job job;
  private final Path root;
  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T04:22:04Z"));
  private final FakeBudgetTracker budget;
  private final RecordingEvidence evidence = new RecordingEvidence();
  private final FakeRepoPaths paths;
  private final ScriptedArgvRunner argv;
  private final AtomicBoolean killSwitch = new AtomicBoolean();
  private final List<String> killSwitchChecks = new CopyOnWriteArrayList<>();

  /** A context running {@code job} over {@code root} (which must exist). */
  public FakeTaskContext(Path root, Job job) {
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.job = job;
    this.budget = new FakeBudgetTracker(job.budgets(), clock);
    this.paths = new FakeRepoPaths(this.root);
    this.argv = new ScriptedArgvRunner(budget);
  }

  /** A job with id {@link #JOB_ID}. */
  public static Job job(
      String type, Map<String, Object> payload, Budget budget, ToolPolicy policy) {
    return new Job(JOB_ID, type, "2026-11-24T04:22:04.926399Z", payload, budget, policy, null);
  }

  /** A job with the default budget and a policy that allows nothing. */
  public static Job job(String type, Map<String, Object> payload) {
    return job(type, payload, DEFAULT_BUDGET, ToolPolicy.denyAll());
  }

  /** The real path of the root. */
  public Path root() {
    return root;
  }

  /** The scripted runner. */
  public ScriptedArgvRunner runner() {
    return argv;
  }

  /** Trips or resets the kill switch. */
  public void killSwitch(boolean on) {
    killSwitch.set(on);
  }

  /** The {@code where} of every kill switch check, in order. */
  public List<String> killSwitchChecks() {
    return List.copyOf(killSwitchChecks);
  }

  /** The lines of a JSON lines output, by its root-relative path. */
  public List<String> readLines(String relativePath) {
    try {
      return Files.readAllLines(root.resolve(relativePath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Job job() {
    return job;
  }

  @Override
  public BudgetTracker budget() {
    return budget;
  }

  @Override
  public RecordingEvidence evidence() {
    return evidence;
  }

  @Override
  public RepoPaths paths() {
    return paths;
  }

  @Override
  public ArgvRunner argv() {
    return argv;
  }

  @Override
  public JsonlOutput openJsonl(String name) {
    if (!name.matches("^[a-z0-9_.-]+$")) {
      throw new IllegalArgumentException("bad output name " + name);
    }
    String relative = EVIDENCE_DIR + "/" + job.jobId() + "_" + name;
    Path file = root.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FakeJsonlOutput(file, relative, budget);
  }

  @Override
  public void checkKillSwitch(String where) {
    killSwitchChecks.add(where);
    if (killSwitch.get()) {
      throw new KillSwitchException(where);
    }
  }

  @Override
  public FakeClock clock() {
    return clock;
  }
}
