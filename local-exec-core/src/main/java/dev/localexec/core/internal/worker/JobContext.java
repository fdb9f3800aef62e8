package dev.localexec.core.internal.worker;

import dev.localexec.api.EvidenceSink;
import dev.localexec.api.Job;
import dev.localexec.api.spi.ArgvRunner;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.JsonlOutput;
import dev.localexec.api.spi.ModelChat;
import dev.localexec.api.spi.RepoPaths;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.ToolInvoker;
import dev.localexec.core.internal.evidence.JobJsonlOutput;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.plane.PlaneLayout;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Pattern;

/** The context a task runs one job with. */
public final class JobContext implements TaskContext {
  private static final Pattern OUTPUT_NAME = Pattern.compile("^[a-z0-9_.-]{1,64}$");

  private final ClaimScope scope;
  private final Job job;
  private final BudgetTracker budget;
  private final EvidenceSink evidence;
  private final RepoPaths paths;
  private final ArgvRunner argv;
  private final PlaneLayout layout;
  private final Clock clock;
  private final Redactor redactor;
  private final ToolInvoker tools;
  private final ModelChat model;

  JobContext(
      ClaimScope scope,
      RepoPaths paths,
      ArgvRunner argv,
      PlaneLayout layout,
      Redactor redactor,
      ToolInvoker tools,
      ModelChat model) {
    this.scope = scope;
    this.job = scope.job();
    this.budget = scope.budget();
    this.evidence = scope.evidence();
    this.paths = paths;
    this.argv = argv;
    this.layout = layout;
    this.clock = scope.clock();
    this.redactor = redactor;
    this.tools = tools;
    this.model = model;
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
  public EvidenceSink evidence() {
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
    if (name == null || !OUTPUT_NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException(
          "output name must match " + OUTPUT_NAME.pattern() + " without '..', got '" + name + "'");
    }
    Path file = layout.evidenceDir().resolve(job.jobId() + "_" + name);
    return new JobJsonlOutput(file, layout.display(file), budget, redactor);
  }

  @Override
  public void checkKillSwitch(String where) {
    scope.checkCancelled(where);
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public ToolInvoker tools() {
    return tools;
  }

  @Override
  public ModelChat model() {
    return model;
  }
}
