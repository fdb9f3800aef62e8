package dev.localexec.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.ArgvRejectedException;
import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.PathRejectedException;
import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.TaskFailedException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.core.exec.EnvPolicy;
import dev.localexec.core.exec.LaunchSpec;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.paths.RepoRootPaths;
import dev.localexec.core.testing.FakeClock;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks {@link LocalArgvRunner} makes before a process starts; no process is started. */
class LocalArgvRunnerTest {

  private static final ToolPolicy SUBPROCESS = new ToolPolicy(false, true, List.of());

  /** Records what it was asked to start and refuses to start it. */
  static final class CapturingLauncher implements ProcessLauncher {
    volatile LaunchSpec last;

    @Override
    public String name() {
      return "capturing";
    }

    @Override
    public Process start(LaunchSpec spec) throws IOException {
      last = spec;
      throw new IOException("scripted: not started");
    }
  }

  @TempDir Path root;
  private final FakeClock clock = FakeClock.fixed();
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();
  private final CapturingLauncher launcher = new CapturingLauncher();
  private RepoRootPaths paths;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("file.txt"), "x");
    paths = RepoRootPaths.of(root);
  }

  private LocalArgvRunner.Builder runner(ToolPolicy policy, ClockBudgetTracker budget) {
    return LocalArgvRunner.builder()
        .paths(paths)
        .policy(policy)
        .budget(budget)
        .evidence(evidence)
        .launcher(launcher)
        .clock(clock)
        .hostEnvironment(Map.of("HOME", "/home/x", "API_TOKEN", "s3cret", "LANG", "C.UTF-8"));
  }

  private ClockBudgetTracker budget(int toolCalls) {
    return ClockBudgetTracker.start(Budget.of(60, toolCalls, 1024, 1), clock);
  }

  private static Map<String, Object> toolCall(List<String> argv, String cwd, int timeoutSec) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("argv", argv);
    args.put("cwd", cwd);
    args.put("timeout_sec", timeoutSec);
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("name", "subprocess.run_argv");
    call.put("validated_args", args);
    return call;
  }

  private static Map<String, Object> refusal(String code) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("name", "subprocess.run_argv");
    result.put("error", code);
    return result;
  }

  @Test
  void run_withoutAllowSubprocess_refusesBeforeEvidence() {
    LocalArgvRunner runner = runner(ToolPolicy.denyAll(), budget(5)).build();

    PolicyViolationException e =
        catchThrowableOfType(
            PolicyViolationException.class,
            () -> runner.run(CommandRequest.of(List.of("echo", "hi"), Duration.ofSeconds(5))));

    assertThat(e.code()).isEqualTo("subprocess_not_allowed");
    assertThat(e.rule()).isEqualTo("subprocess_not_allowed");
    assertThat(e.getMessage()).contains("allow_subprocess");
    assertThat(evidence.events()).isEmpty();
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_shellLine_recordsCallThenRefuses() {
    ClockBudgetTracker budget = budget(5);
    LocalArgvRunner runner = runner(SUBPROCESS, budget).build();

    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class,
            () -> runner.run(CommandRequest.of(List.of("echo hello"), Duration.ofSeconds(7))));

    assertThat(e.code()).isEqualTo("argv_rejected:shell_like");
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_call"))
        .containsExactlyEntriesOf(toolCall(List.of("echo hello"), ".", 7));
    assertThat(evidence.single("tool_result"))
        .containsExactlyEntriesOf(refusal("argv_rejected:shell_like"));
    assertThat(budget.toolCallsUsed()).isZero();
    assertThat(launcher.last).isNull();
  }

  @Test
  void check_usesTheArgvPolicy() {
    LocalArgvRunner defaults = runner(SUBPROCESS, budget(5)).build();
    LocalArgvRunner shells =
        runner(SUBPROCESS, budget(5)).argvPolicy(ArgvPolicy.defaults().allowingShells()).build();

    assertThat(
            catchThrowableOfType(
                    ArgvRejectedException.class, () -> defaults.check(List.of("sh", "-c", "x")))
                .code())
        .isEqualTo("argv_rejected:shell_program");
    shells.check(List.of("sh", "-c", "x"));
  }

  @Test
  void run_cwdOutsideRoot_recordsPathRejected() {
    LocalArgvRunner runner = runner(SUBPROCESS, budget(5)).build();
    CommandRequest request =
        new CommandRequest(List.of("ls"), "../", Duration.ofSeconds(1), List.of());

    PathRejectedException e =
        catchThrowableOfType(PathRejectedException.class, () -> runner.run(request));

    assertThat(e.code()).isEqualTo("path_rejected:parent_ref");
    assertThat(evidence.kinds()).containsExactly("tool_call", "path_rejected", "tool_result");
    assertThat(evidence.single("path_rejected"))
        .containsExactly(
            Map.entry("path", "../"),
            Map.entry("reason", "parent_ref"),
            Map.entry("tool", "subprocess.run_argv"));
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_cwdIsAFile_isNotADirectory() {
    LocalArgvRunner runner = runner(SUBPROCESS, budget(5)).build();
    CommandRequest request =
        new CommandRequest(List.of("ls"), "file.txt", Duration.ofSeconds(1), List.of());

    PathRejectedException e =
        catchThrowableOfType(PathRejectedException.class, () -> runner.run(request));

    assertThat(e.code()).isEqualTo("path_rejected:not_a_directory");
  }

  @Test
  void run_noToolCallsLeft_refusesWithMaxToolCalls() {
    LocalArgvRunner runner = runner(SUBPROCESS, budget(0)).build();

    BudgetExceededException e =
        catchThrowableOfType(
            BudgetExceededException.class,
            () -> runner.run(CommandRequest.of(List.of("echo"), Duration.ofSeconds(1))));

    assertThat(e.code()).isEqualTo("max_tool_calls exceeded");
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_result"))
        .containsExactlyEntriesOf(refusal("max_tool_calls exceeded"));
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_killSwitchOn_refusesBeforeStart() {
    ClockBudgetTracker budget = budget(5);
    LocalArgvRunner runner = runner(SUBPROCESS, budget).killSwitch(() -> true).build();

    KillSwitchException e =
        catchThrowableOfType(
            KillSwitchException.class,
            () -> runner.run(CommandRequest.of(List.of("echo"), Duration.ofSeconds(1))));

    assertThat(e.code()).isEqualTo("kill_switch:before_subprocess");
    assertThat(budget.toolCallsUsed()).isEqualTo(1);
    assertThat(evidence.single("tool_result"))
        .containsExactlyEntriesOf(refusal("kill_switch:before_subprocess"));
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_wallTimeUsedUp_refusesBeforeStart() {
    ClockBudgetTracker budget = budget(5);
    LocalArgvRunner runner = runner(SUBPROCESS, budget).build();
    clock.advance(Duration.ofSeconds(61));

    BudgetExceededException e =
        catchThrowableOfType(
            BudgetExceededException.class,
            () -> runner.run(CommandRequest.of(List.of("echo"), Duration.ofSeconds(1))));

    assertThat(e.code()).isEqualTo("max_wall_time_sec exceeded");
    assertThat(e.limit()).isEqualTo(60);
    assertThat(e.used()).isEqualTo(61);
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_environment_isOnlyPathAndAllowedNames() {
    LocalArgvRunner runner =
        runner(SUBPROCESS, budget(5))
            .envPolicy(EnvPolicy.defaults().allowing(List.of("MISSING", "API_TOKEN")))
            .build();
    CommandRequest request =
        new CommandRequest(
            List.of("env"),
            "sub",
            Duration.ofSeconds(3),
            List.of("LANG", "PATH", "MISSING", "LANG", "API_TOKEN"));

    catchThrowableOfType(TaskFailedException.class, () -> runner.run(request));

    LaunchSpec spec = launcher.last;
    assertThat(spec.environment())
        .containsExactly(
            Map.entry("PATH", "/usr/local/bin:/usr/bin:/bin"),
            Map.entry("LANG", "C.UTF-8"),
            Map.entry("API_TOKEN", "s3cret"));
    assertThat(spec.cwd()).isEqualTo(paths.root().resolve("sub"));
    assertThat(spec.argv()).containsExactly("env");
    assertThat(spec.allowNetwork()).isFalse();
    assertThat(spec.toString()).doesNotContain("C.UTF-8");
  }

  @Test
  void run_envNameTheOperatorDidNotAllow_isRefusedBeforeAnythingRuns() {
    ClockBudgetTracker budget = budget(5);
    LocalArgvRunner runner = runner(SUBPROCESS, budget).build();
    CommandRequest request =
        new CommandRequest(
            List.of("env"), ".", Duration.ofSeconds(3), List.of("LANG", "HOME", "API_TOKEN"));

    PolicyViolationException e =
        catchThrowableOfType(PolicyViolationException.class, () -> runner.run(request));

    assertThat(e.code()).isEqualTo("env_not_allowed:HOME");
    assertThat(e.getMessage())
        .isEqualTo(
            "env_allow asks for the environment variable HOME, which the operator has not"
                + " allowed (allowed: LANG, LANGUAGE, LC_*, NO_COLOR, TERM, TZ); the operator can"
                + " allow it with --allow-env HOME (LocalExecPlane.Builder.allowEnv in Java), or"
                + " the job can leave it out of env_allow");
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_result"))
        .containsExactlyEntriesOf(refusal("env_not_allowed:HOME"));
    assertThat(budget.toolCallsUsed()).isZero();
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_secretNameUnderAPattern_needsItsExactName() {
    LocalArgvRunner runner =
        runner(SUBPROCESS, budget(5))
            .envPolicy(EnvPolicy.defaults().allowing(List.of("API_*")))
            .build();
    CommandRequest request =
        new CommandRequest(List.of("env"), ".", Duration.ofSeconds(3), List.of("API_TOKEN"));

    PolicyViolationException e =
        catchThrowableOfType(PolicyViolationException.class, () -> runner.run(request));

    assertThat(e.code()).isEqualTo("env_not_allowed:API_TOKEN");
    assertThat(e.getMessage())
        .startsWith("env_allow asks for the environment variable API_TOKEN, which is a secret's")
        .doesNotContain("s3cret");
    assertThat(evidence.single("tool_result"))
        .containsExactlyEntriesOf(refusal("env_not_allowed:API_TOKEN"));
    assertThat(launcher.last).isNull();
  }

  @Test
  void run_launcherFails_isSpawnFailedWithEvidence() {
    LocalArgvRunner runner = runner(SUBPROCESS, budget(5)).build();

    TaskFailedException e =
        catchThrowableOfType(
            TaskFailedException.class,
            () -> runner.run(CommandRequest.of(List.of("no-such-tool"), Duration.ofSeconds(1))));

    assertThat(e.code()).isEqualTo("spawn_failed");
    assertThat(e.getMessage())
        .isEqualTo(
            "could not start 'no-such-tool': scripted: not started; check the program is"
                + " installed and on PATH /usr/local/bin:/usr/bin:/bin");
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_result"))
        .containsEntry("name", "subprocess.run_argv")
        .containsEntry("error", "spawn_failed")
        .containsEntry("detail", "scripted: not started");
  }

  @Test
  void run_missingProgramWithDirectLauncher_isSpawnFailed() {
    LocalArgvRunner runner = runner(SUBPROCESS, budget(5)).launcher(new DirectLauncher()).build();

    TaskFailedException e =
        catchThrowableOfType(
            TaskFailedException.class,
            () ->
                runner.run(
                    CommandRequest.of(
                        List.of("local-exec-no-such-program"), Duration.ofSeconds(1))));

    assertThat(e.code()).isEqualTo("spawn_failed");
    assertThat(e.getMessage()).startsWith("could not start 'local-exec-no-such-program': ");
  }

  @Test
  void sandboxName_isTheLaunchers() {
    assertThat(runner(SUBPROCESS, budget(1)).build().sandboxName()).isEqualTo("capturing");
    assertThat(new DirectLauncher().name()).isEqualTo("none");
  }

  @Test
  void builder_missingParts_namesThem() {
    IllegalStateException e =
        catchThrowableOfType(
            IllegalStateException.class, () -> LocalArgvRunner.builder().paths(paths).build());

    assertThat(e.getMessage()).contains("policy, budget, evidence");
  }
}
