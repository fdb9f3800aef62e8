package dev.localexec.core.internal.exec;

import dev.localexec.api.ArgvRejectedException;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.EvidenceSink;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.PathRejectedException;
import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.TaskFailedException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.ArgvRunner;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.core.exec.EnvPolicy;
import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.exec.ProcessTree;
import dev.localexec.core.internal.limits.CommandLimits;
import dev.localexec.core.internal.limits.JobResources;
import dev.localexec.core.internal.paths.RepoRootPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ArgvRunner} of one job: runs argv commands through a {@link ProcessLauncher} under the
 * job's {@link ToolPolicy}, budgets and kill switch. Thread-safe: a task may run several commands
 * at once.
 *
 * <p>{@link #run} refuses without {@code allow_subprocess}, records {@code tool_call}, checks the
 * argv and the working directory, asks the launcher whether it may start anything ({@link
 * ProcessLauncher#checkAvailable()}: a plane with no working sandbox refuses with {@code
 * sandbox_unavailable}), counts one tool call, checks the kill switch, then starts the process with
 * only {@code PATH} ({@value #SAFE_PATH}) and the job's {@code env_allow} names in its environment;
 * a name the operator's {@link EnvPolicy} does not allow refuses the command with {@code
 * env_not_allowed:<NAME>} (and a {@code tool_result} with that error) before the sandbox check.
 * Both output streams are drained at once and kept up to the job's {@code max_output_bytes}. The
 * command ends at its exit, its timeout (its process tree is stopped and the result says {@code
 * timedOut}), the job's wall-time deadline ({@code max_wall_time_sec exceeded}) or the kill switch
 * ({@code kill_switch:subprocess}); in the last two cases the tree is stopped and the exception
 * thrown. Processes the command left behind at a normal exit are stopped too. Every {@code
 * tool_call} is followed by a {@code tool_result}, which holds an {@code error} code when the
 * command did not finish normally; a refused working directory also records {@code path_rejected}.
 * The {@code budget_exceeded} and {@code kill_switch} events are left to whoever catches the
 * exception (the worker), so they are recorded once.
 */
public final class LocalArgvRunner implements ArgvRunner {

  /** The tool name recorded in evidence and counted against {@code max_tool_calls}. */
  public static final String TOOL = "subprocess.run_argv";

  /** The fixed {@code PATH} every command gets. */
  public static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

  private static final Logger log = LoggerFactory.getLogger(LocalArgvRunner.class);

  private final RepoRootPaths paths;
  private final ToolPolicy policy;
  private final BudgetTracker budget;
  private final EvidenceSink evidence;
  private final ArgvPolicy argvPolicy;
  private final ProcessLauncher launcher;
  private final BooleanSupplier killSwitchOn;
  private final Clock clock;
  private final Map<String, String> hostEnvironment;
  private final EnvPolicy envPolicy;
  private final Duration killGrace;
  private final Duration pollInterval;
  private final Duration outputWait;
  private final JobResources resources;

  private LocalArgvRunner(Builder b) {
    this.paths = b.paths;
    this.policy = b.policy;
    this.budget = b.budget;
    this.evidence = b.evidence;
    this.argvPolicy = b.argvPolicy;
    this.launcher = b.launcher;
    this.killSwitchOn = b.killSwitchOn;
    this.clock = b.clock;
    this.hostEnvironment = b.hostEnvironment;
    this.envPolicy = b.envPolicy;
    this.killGrace = b.killGrace;
    this.pollInterval = b.pollInterval;
    this.outputWait = b.outputWait;
    this.resources = b.resources;
  }

  /**
   * Starts building the runner of one job; {@link Builder#paths}, {@link Builder#policy}, {@link
   * Builder#budget} and {@link Builder#evidence} are required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The launcher's name, as {@code run_header} reports it under {@code sandbox}. */
  public String sandboxName() {
    return launcher.name();
  }

  @Override
  public void check(List<String> argv) {
    argvPolicy.check(argv);
  }

  @Override
  public CommandResult run(CommandRequest request) {
    List<String> argv = request.argv();
    if (!policy.allowSubprocess()) {
      throw new PolicyViolationException(
          "subprocess_not_allowed",
          "command "
              + ArgvPolicy.render(argv)
              + " refused: the job's tool_policy.allow_subprocess is false;"
              + " set it to true to let the job run commands");
    }
    Map<String, Object> validated = new LinkedHashMap<>();
    validated.put("argv", argv);
    validated.put("cwd", request.cwd());
    validated.put("timeout_sec", timeoutSeconds(request.timeout()));
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("name", TOOL);
    call.put("validated_args", validated);
    evidence.record("tool_call", call);

    Path cwd;
    try {
      argvPolicy.check(argv);
      cwd = paths.resolveDirectory(request.cwd());
      argvPolicy.check(argv, cwd);
    } catch (PathRejectedException e) {
      Map<String, Object> rejected = new LinkedHashMap<>();
      rejected.put("path", request.cwd());
      rejected.put("reason", e.reason());
      rejected.put("tool", TOOL);
      evidence.record("path_rejected", rejected);
      throw refused(e);
    } catch (ArgvRejectedException e) {
      throw refused(e);
    }
    Map<String, String> environment;
    try {
      environment = environment(request.envAllow());
    } catch (PolicyViolationException e) {
      throw refused(e);
    }
    try {
      launcher.checkAvailable();
    } catch (PolicyViolationException e) {
      throw refused(e);
    }
    try {
      budget.useToolCall(TOOL);
    } catch (BudgetExceededException e) {
      throw refused(e);
    }
    if (killSwitchOn.getAsBoolean()) {
      throw refused(new KillSwitchException("before_subprocess"));
    }
    Duration wallLeft = budget.wallTimeLeft();
    if (wallLeft.isNegative() || wallLeft.isZero()) {
      throw refused(budget.wallTimeExceeded());
    }
    CommandLimits limits = openLimits();

    Instant started = clock.instant();
    Process process;
    try {
      LaunchSpec spec =
          new LaunchSpec(
              argv,
              cwd,
              environment,
              policy.allowNetwork(),
              limits.wrapper(),
              resources.tmpfsBytes());
      process = launcher.start(spec);
    } catch (IOException | RuntimeException e) {
      limits.close();
      if (e instanceof RuntimeException re) {
        throw re;
      }
      Map<String, Object> failed = new LinkedHashMap<>();
      failed.put("name", TOOL);
      failed.put("error", "spawn_failed");
      failed.put("detail", String.valueOf(e.getMessage()));
      evidence.record("tool_result", failed);
      throw new TaskFailedException(
          "spawn_failed",
          "could not start '"
              + argv.get(0)
              + "': "
              + e.getMessage()
              + "; check the program is installed and on PATH "
              + SAFE_PATH,
          e);
    }
    log.debug(
        "started {} pid {} in {} via {}, env names {}",
        ArgvPolicy.render(argv),
        process.pid(),
        cwd,
        launcher.name(),
        environment.keySet());
    try {
      return supervise(request, process, limits, started, started.plus(wallLeft));
    } finally {
      limits.close();
    }
  }

  /**
   * The limits of the next command: refuses it once the job's CPU time is used up, and fails closed
   * when its cgroup cannot be made.
   */
  private CommandLimits openLimits() {
    if (!launcher.appliesResourceLimits()) {
      return CommandLimits.none();
    }
    try {
      resources.checkCpuLeft();
    } catch (BudgetExceededException e) {
      throw refused(e);
    }
    try {
      return resources.open();
    } catch (IOException e) {
      throw refused(
          new TaskFailedException(
              "resource_limits_unavailable",
              "the command's cgroup could not be made ("
                  + e
                  + "), so it was not run; check that the worker may write the cgroup folders",
              e));
    }
  }

  private CommandResult supervise(
      CommandRequest request,
      Process process,
      CommandLimits limits,
      Instant started,
      Instant wallDeadline) {
    Instant timeoutDeadline = started.plus(request.timeout());
    String label = Long.toString(process.pid());
    OutputDrain out = OutputDrain.start(process.getInputStream(), budget, "stdout-" + label);
    OutputDrain err = OutputDrain.start(process.getErrorStream(), budget, "stderr-" + label);
    Set<ProcessHandle> seen = new LinkedHashSet<>();
    Outcome outcome = null;
    BudgetExceededException[] exceeded = new BudgetExceededException[1];
    try {
      outcome = await(process, seen, limits, exceeded, timeoutDeadline, wallDeadline);
    } finally {
      if (outcome == Outcome.EXITED) {
        int stopped = ProcessTree.stop(null, seen, killGrace);
        if (stopped > 0) {
          log.debug("pid {}: stopped {} processes it left behind", label, stopped);
        }
      } else {
        int stopped = ProcessTree.stop(process.toHandle(), seen, killGrace);
        log.debug("pid {}: {}, stopped {} processes", label, outcome, stopped);
      }
      long wait = outputWait.toMillis();
      boolean drained = out.join(wait) & err.join(wait);
      if (!drained) {
        log.warn(
            "pid {}: output still open {} ms after the command ended (a process it left behind"
                + " holds it); the rest of its output is dropped",
            label,
            wait);
      }
    }

    long durationMs = Math.max(0, Duration.between(started, clock.instant()).toMillis());
    Integer exitCode = outcome == Outcome.EXITED ? process.exitValue() : null;
    LocalExecException overLimit = exceeded[0];
    if (exitCode != null) {
      overLimit = limits.afterExit(exitCode);
    }
    boolean timedOut = outcome == Outcome.TIMEOUT;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("name", TOOL);
    result.put("exit_code", exitCode);
    result.put("timed_out", timedOut);
    result.put("stdout_bytes", out.produced());
    result.put("stderr_bytes", err.produced());
    result.put("stdout_truncated", out.truncated());
    result.put("stderr_truncated", err.truncated());
    result.put("duration_ms", durationMs);

    if (overLimit != null && outcome != Outcome.KILL_SWITCH && outcome != Outcome.INTERRUPTED) {
      result.put("error", overLimit.code());
      evidence.record("tool_result", result);
      throw overLimit;
    }
    switch (outcome) {
      case WALL_TIME -> {
        BudgetExceededException e = budget.wallTimeExceeded();
        result.put("error", e.code());
        evidence.record("tool_result", result);
        throw e;
      }
      case KILL_SWITCH -> {
        KillSwitchException e = new KillSwitchException("subprocess");
        result.put("error", e.code());
        evidence.record("tool_result", result);
        throw e;
      }
      case INTERRUPTED -> {
        result.put("error", "subprocess_interrupted");
        evidence.record("tool_result", result);
        throw new TaskFailedException(
            "subprocess_interrupted",
            "command "
                + ArgvPolicy.render(request.argv())
                + " was interrupted (the worker is stopping); its process tree was stopped");
      }
      default -> evidence.record("tool_result", result);
    }
    log.debug("pid {} ended: exit {}, timed out {}, {} ms", label, exitCode, timedOut, durationMs);
    return new CommandResult(
        request.argv(),
        exitCode,
        timedOut,
        durationMs,
        out.text(),
        err.text(),
        out.produced(),
        err.produced(),
        out.truncated(),
        err.truncated());
  }

  private enum Outcome {
    EXITED,
    TIMEOUT,
    WALL_TIME,
    KILL_SWITCH,
    INTERRUPTED,
    RESOURCE_LIMIT
  }

  private Outcome await(
      Process process,
      Set<ProcessHandle> seen,
      CommandLimits limits,
      BudgetExceededException[] exceeded,
      Instant timeoutDeadline,
      Instant wallDeadline) {
    long pollMs = Math.max(1, pollInterval.toMillis());
    try {
      while (true) {
        Instant now = clock.instant();
        Instant next = timeoutDeadline.isBefore(wallDeadline) ? timeoutDeadline : wallDeadline;
        long untilNext = Math.max(1, Duration.between(now, next).toMillis());
        if (process.waitFor(Math.min(pollMs, untilNext), TimeUnit.MILLISECONDS)) {
          return Outcome.EXITED;
        }
        ProcessTree.snapshot(process.toHandle(), seen);
        if (killSwitchOn.getAsBoolean()) {
          return Outcome.KILL_SWITCH;
        }
        exceeded[0] = limits.poll();
        if (exceeded[0] != null) {
          return Outcome.RESOURCE_LIMIT;
        }
        now = clock.instant();
        if (!now.isBefore(wallDeadline)) {
          return Outcome.WALL_TIME;
        }
        if (!now.isBefore(timeoutDeadline)) {
          return Outcome.TIMEOUT;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.INTERRUPTED;
    }
  }

  /**
   * Records the {@code tool_result} of a refused call and returns the exception. {@code
   * budget_exceeded} and {@code kill_switch} events are the worker's to record when it catches the
   * exception.
   */
  private LocalExecException refused(LocalExecException e) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("name", TOOL);
    result.put("error", e.code());
    evidence.record("tool_result", result);
    return e;
  }

  /**
   * {@code PATH} and the allowed {@code env_allow} names; refuses a name the policy does not allow.
   */
  private Map<String, String> environment(List<String> envAllow) {
    envPolicy.check(envAllow);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", SAFE_PATH);
    for (String name : envAllow) {
      if (name == null || env.containsKey(name)) {
        continue;
      }
      String value = hostEnvironment.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }

  /** Whole seconds of a timeout, rounded up; job timeouts are whole seconds already. */
  private static int timeoutSeconds(Duration timeout) {
    long seconds = timeout.toSeconds() + (timeout.toNanosPart() > 0 ? 1 : 0);
    return (int) Math.min(Integer.MAX_VALUE, seconds);
  }

  /**
   * Builds a {@link LocalArgvRunner}. The defaults: {@link ArgvPolicy#defaults()}, a {@link
   * DirectLauncher}, a kill switch that is never on, the UTC system clock, {@link System#getenv()}
   * as the host environment, {@link EnvPolicy#defaults()}, a 1 s grace between TERM and KILL, a 50
   * ms poll interval, and 2 s to wait for output still open after a command ended. Not thread-safe.
   */
  public static final class Builder {
    private RepoRootPaths paths;
    private ToolPolicy policy;
    private BudgetTracker budget;
    private EvidenceSink evidence;
    private ArgvPolicy argvPolicy = ArgvPolicy.defaults();
    private ProcessLauncher launcher = new DirectLauncher();
    private BooleanSupplier killSwitchOn = () -> false;
    private Clock clock = Clock.systemUTC();
    private Map<String, String> hostEnvironment = System.getenv();
    private EnvPolicy envPolicy = EnvPolicy.defaults();
    private Duration killGrace = Duration.ofSeconds(1);
    private Duration pollInterval = Duration.ofMillis(50);
    private Duration outputWait = Duration.ofSeconds(2);
    private JobResources resources = JobResources.none();

    private Builder() {}

    /** The repo root the working directories must resolve inside (required). */
    public Builder paths(RepoRootPaths paths) {
      this.paths = Objects.requireNonNull(paths, "paths");
      return this;
    }

    /** The job's tool policy (required). */
    public Builder policy(ToolPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The job's live budgets (required). */
    public Builder budget(BudgetTracker budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /** The job's evidence (required). */
    public Builder evidence(EvidenceSink evidence) {
      this.evidence = Objects.requireNonNull(evidence, "evidence");
      return this;
    }

    /** The argv rules; {@link ArgvPolicy#defaults()} refuses shells. */
    public Builder argvPolicy(ArgvPolicy argvPolicy) {
      this.argvPolicy = Objects.requireNonNull(argvPolicy, "argvPolicy");
      return this;
    }

    /** How processes are started (directly or in a sandbox). */
    public Builder launcher(ProcessLauncher launcher) {
      this.launcher = Objects.requireNonNull(launcher, "launcher");
      return this;
    }

    /** Whether the kill switch is on; polled before a start and while a command runs. */
    public Builder killSwitch(BooleanSupplier killSwitchOn) {
      this.killSwitchOn = Objects.requireNonNull(killSwitchOn, "killSwitchOn");
      return this;
    }

    /** The clock timeouts and durations are measured with. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the values of {@code env_allow} names come from (copied). */
    public Builder hostEnvironment(Map<String, String> hostEnvironment) {
      this.hostEnvironment = Map.copyOf(hostEnvironment);
      return this;
    }

    /**
     * Which {@code env_allow} names the operator allows (the default: {@link
     * EnvPolicy#defaults()}); a command asking for another is refused with {@code
     * env_not_allowed:<NAME>}.
     */
    public Builder envPolicy(EnvPolicy envPolicy) {
      this.envPolicy = Objects.requireNonNull(envPolicy, "envPolicy");
      return this;
    }

    /** How long a stopped process tree gets between TERM and KILL. */
    public Builder killGrace(Duration killGrace) {
      this.killGrace = nonNegative("killGrace", killGrace);
      return this;
    }

    /** How often the kill switch, the timeout and the wall-time deadline are checked. */
    public Builder pollInterval(Duration pollInterval) {
      if (nonNegative("pollInterval", pollInterval).isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * The job's resource limits, applied to each command through the launcher's wrapper (when it
     * {@link ProcessLauncher#appliesResourceLimits() applies them}); none by default.
     */
    public Builder resources(JobResources resources) {
      this.resources = Objects.requireNonNull(resources, "resources");
      return this;
    }

    /**
     * How long to wait, once a command ended, for its output streams to close; a process it left
     * behind that nobody could see may hold them open.
     */
    public Builder outputWait(Duration outputWait) {
      this.outputWait = nonNegative("outputWait", outputWait);
      return this;
    }

    /**
     * Builds the runner.
     *
     * @throws IllegalStateException if a required part is missing, naming all that are
     */
    public LocalArgvRunner build() {
      List<String> missing = new ArrayList<>();
      if (paths == null) {
        missing.add("paths");
      }
      if (policy == null) {
        missing.add("policy");
      }
      if (budget == null) {
        missing.add("budget");
      }
      if (evidence == null) {
        missing.add("evidence");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "LocalArgvRunner.builder() is missing "
                + String.join(", ", missing)
                + "; set them before build()");
      }
      return new LocalArgvRunner(this);
    }

    private static Duration nonNegative(String name, Duration value) {
      if (value == null || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero or positive, got " + value);
      }
      return value;
    }
  }
}
