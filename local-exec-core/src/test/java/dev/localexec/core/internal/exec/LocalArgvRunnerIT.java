package dev.localexec.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.core.exec.EnvPolicy;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.paths.RepoRootPaths;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalArgvRunner} with real processes started by the {@link DirectLauncher}. */
@ExtendWith(NoChildProcessesExtension.class)
class LocalArgvRunnerIT {

  private static final ToolPolicy SUBPROCESS = new ToolPolicy(false, true, List.of());

  /** Collects every descendant of the test JVM seen while it is open, every 20 ms. */
  static final class DescendantWatcher implements AutoCloseable {
    final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean done = new AtomicBoolean();
    private final Thread thread;

    DescendantWatcher() {
      thread =
          new Thread(
              () -> {
                while (!done.get()) {
                  ProcessHandle.current().descendants().forEach(seen::add);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "descendant-watcher");
      thread.setDaemon(true);
      thread.start();
    }

    /**
     * The processes seen that still run (zombies do not count). They are killed, so a failing test
     * leaves nothing behind.
     */
    List<Long> stillRunning() {
      List<ProcessHandle> running =
          seen.stream().filter(NoChildProcessesExtension::isRunning).toList();
      running.forEach(ProcessHandle::destroyForcibly);
      return running.stream().map(ProcessHandle::pid).toList();
    }

    @Override
    public void close() {
      done.set(true);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @TempDir Path root;
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();
  private RepoRootPaths paths;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(root.resolve("sub"));
    paths = RepoRootPaths.of(root);
  }

  private LocalArgvRunner.Builder runner(ClockBudgetTracker budget) {
    return LocalArgvRunner.builder()
        .paths(paths)
        .policy(SUBPROCESS)
        .budget(budget)
        .evidence(evidence)
        .hostEnvironment(Map.of("MY_VAR", "v1", "OTHER_VAR", "v2"));
  }

  private static ClockBudgetTracker budget(long outputBytes) {
    return ClockBudgetTracker.start(Budget.of(600, 50, outputBytes, 1), Clock.systemUTC());
  }

  private static CommandRequest command(Duration timeout, String... argv) {
    return CommandRequest.of(List.of(argv), timeout);
  }

  @Test
  void run_echo_capturesOutputAndRecordsEvidence() {
    ClockBudgetTracker budget = budget(262_144);
    CommandResult r = runner(budget).build().run(command(Duration.ofSeconds(10), "echo", "hello"));

    assertThat(r.exitCode()).isZero();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.stdout()).isEqualTo("hello\n");
    assertThat(r.stderr()).isEmpty();
    assertThat(r.stdoutBytes()).isEqualTo(6);
    assertThat(r.argv()).containsExactly("echo", "hello");
    assertThat(budget.toolCallsUsed()).isEqualTo(1);
    assertThat(budget.outputBytesUsed()).isEqualTo(6);

    Map<String, Object> args = new LinkedHashMap<>();
    args.put("argv", List.of("echo", "hello"));
    args.put("cwd", ".");
    args.put("timeout_sec", 10);
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("name", "subprocess.run_argv");
    call.put("validated_args", args);
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_call")).containsExactlyEntriesOf(call);

    Map<String, Object> result = evidence.single("tool_result");
    assertThat(result.keySet())
        .containsExactly(
            "name",
            "exit_code",
            "timed_out",
            "stdout_bytes",
            "stderr_bytes",
            "stdout_truncated",
            "stderr_truncated",
            "duration_ms");
    assertThat(result)
        .containsEntry("name", "subprocess.run_argv")
        .containsEntry("exit_code", 0)
        .containsEntry("timed_out", false)
        .containsEntry("stdout_bytes", 6L)
        .containsEntry("stderr_bytes", 0L)
        .containsEntry("stdout_truncated", false)
        .containsEntry("stderr_truncated", false)
        .containsEntry("duration_ms", r.durationMs());
  }

  @Test
  void run_nonZeroExit_isANormalResult() {
    CommandResult r =
        runner(budget(262_144))
            .build()
            .run(command(Duration.ofSeconds(10), "ls", "local-exec-no-such-file"));

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("local-exec-no-such-file");
    assertThat(r.stderrBytes()).isEqualTo(r.stderr().length());
    assertThat(evidence.single("tool_result")).containsEntry("exit_code", 2);
  }

  @Test
  void run_printf_keepsArgumentsVerbatim() {
    CommandResult r =
        runner(budget(262_144))
            .build()
            .run(command(Duration.ofSeconds(10), "printf", "%s|", "a b", "$(id)", "`x`;"));

    assertThat(r.stdout()).isEqualTo("a b|$(id)|`x`;|");
  }

  @Test
  void run_invalidUtf8_isReplaced() {
    CommandResult r =
        runner(budget(262_144)).build().run(command(Duration.ofSeconds(10), "printf", "a\\377b"));

    assertThat(r.stdout()).isEqualTo("a\uFFFDb");
    assertThat(r.stdoutBytes()).isEqualTo(3);
  }

  @Test
  void run_cwd_isResolvedInsideRoot() {
    CommandResult r =
        runner(budget(262_144))
            .build()
            .run(new CommandRequest(List.of("pwd"), "sub", Duration.ofSeconds(10), List.of()));

    assertThat(r.stdout()).isEqualTo(paths.root().resolve("sub") + "\n");
  }

  @Test
  void run_env_seesOnlyPathAndAllowedNames() {
    CommandResult r =
        runner(budget(262_144))
            .envPolicy(EnvPolicy.defaults().allowing(List.of("MY_VAR", "NOPE")))
            .build()
            .run(
                new CommandRequest(
                    List.of("env"),
                    ".",
                    Duration.ofSeconds(10),
                    List.of("MY_VAR", "PATH", "NOPE")));

    assertThat(r.stdout().lines().sorted().toList())
        .containsExactly("MY_VAR=v1", "PATH=/usr/local/bin:/usr/bin:/bin");
  }

  @Test
  void run_flood_keepsBudgetAndCountsEverything() {
    ClockBudgetTracker budget = budget(1024);
    LocalArgvRunner runner = runner(budget).build();

    CommandResult r =
        runner.run(command(Duration.ofSeconds(30), "head", "-c", "5000000", "/dev/zero"));

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).hasSize(1024);
    assertThat(r.stdoutBytes()).isEqualTo(5_000_000);
    assertThat(r.stdoutTruncated()).isTrue();
    assertThat(r.stderrTruncated()).isFalse();
    assertThat(budget.outputBytesUsed()).isEqualTo(1024);
    assertThat(evidence.single("tool_result"))
        .containsEntry("stdout_bytes", 5_000_000L)
        .containsEntry("stdout_truncated", true);

    CommandResult next = runner.run(command(Duration.ofSeconds(10), "echo", "more"));

    assertThat(next.stdout()).isEmpty();
    assertThat(next.stdoutBytes()).isEqualTo(5);
    assertThat(next.stdoutTruncated()).isTrue();
  }

  @Test
  void run_floodOnBothStreams_doesNotDeadlock() {
    ClockBudgetTracker budget = budget(10_000_000);
    CommandResult r =
        runner(budget)
            .argvPolicy(ArgvPolicy.defaults().allowingShells())
            .build()
            .run(
                command(
                    Duration.ofSeconds(60),
                    "sh",
                    "-c",
                    "head -c 3000000 /dev/zero >&2; head -c 3000000 /dev/zero;"
                        + " head -c 1000000 /dev/zero >&2"));

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdoutBytes()).isEqualTo(3_000_000);
    assertThat(r.stderrBytes()).isEqualTo(4_000_000);
    assertThat(r.stdout()).hasSize(3_000_000);
    assertThat(r.stderr()).hasSize(4_000_000);
    assertThat(r.stdoutTruncated()).isFalse();
    assertThat(budget.outputBytesUsed()).isEqualTo(7_000_000);
  }

  @Test
  void run_timeout_stopsProcessAndReportsTimedOut() {
    CommandResult r =
        runner(budget(262_144)).build().run(command(Duration.ofSeconds(1), "sleep", "5"));

    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isNull();
    assertThat(r.durationMs()).isGreaterThanOrEqualTo(900).isLessThan(4_500);
    Map<String, Object> result = evidence.single("tool_result");
    assertThat(result).containsEntry("timed_out", true).containsEntry("exit_code", null);
    assertThat(NoChildProcessesExtension.running()).isEmpty();
  }

  @Test
  void run_timeout_stopsWholeTree() {
    DescendantWatcher watcher = new DescendantWatcher();
    CommandResult r;
    try (watcher) {
      r =
          runner(budget(262_144))
              .argvPolicy(ArgvPolicy.defaults().allowingShells())
              .build()
              .run(command(Duration.ofSeconds(1), "sh", "-c", "sleep 30 & sleep 30 & wait"));
    }

    assertThat(r.timedOut()).isTrue();
    assertThat(watcher.seen).as("sh and both sleeps were seen").hasSizeGreaterThanOrEqualTo(3);
    assertThat(watcher.stillRunning()).isEmpty();
  }

  @Test
  void run_termIgnored_killsAfterGrace() {
    DescendantWatcher watcher = new DescendantWatcher();
    CommandResult r;
    try (watcher) {
      r =
          runner(budget(262_144))
              .argvPolicy(ArgvPolicy.defaults().allowingShells())
              .killGrace(Duration.ofMillis(300))
              .build()
              .run(command(Duration.ofSeconds(1), "sh", "-c", "trap '' TERM; sleep 30; sleep 30"));
    }

    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isNull();
    assertThat(watcher.seen).hasSizeGreaterThanOrEqualTo(2);
    assertThat(watcher.stillRunning()).isEmpty();
  }

  @Test
  void run_normalExit_stopsWhatItLeftBehind() {
    DescendantWatcher watcher = new DescendantWatcher();
    CommandResult r;
    try (watcher) {
      r =
          runner(budget(262_144))
              .argvPolicy(ArgvPolicy.defaults().allowingShells())
              .build()
              .run(command(Duration.ofSeconds(10), "sh", "-c", "sleep 30 & sleep 0.5; echo early"));
    }

    assertThat(r.exitCode()).isZero();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.stdout()).isEqualTo("early\n");
    assertThat(watcher.seen).as("sh and the sleeps were seen").hasSizeGreaterThanOrEqualTo(3);
    assertThat(watcher.stillRunning()).isEmpty();
  }

  @Test
  void run_killSwitch_stopsTreeAndThrows() {
    AtomicBoolean killSwitch = new AtomicBoolean();
    LocalArgvRunner runner = runner(budget(262_144)).killSwitch(killSwitch::get).build();
    Thread trip =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                return;
              }
              killSwitch.set(true);
            });
    trip.start();

    KillSwitchException e =
        catchThrowableOfType(
            KillSwitchException.class,
            () -> runner.run(command(Duration.ofSeconds(30), "sleep", "30")));

    assertThat(e.code()).isEqualTo("kill_switch:subprocess");
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_result"))
        .containsEntry("exit_code", null)
        .containsEntry("timed_out", false)
        .containsEntry("error", "kill_switch:subprocess");
    assertThat(NoChildProcessesExtension.running()).isEmpty();
  }

  @Test
  void run_wallTimeDeadline_stopsTreeAndThrows() {
    ClockBudgetTracker budget =
        ClockBudgetTracker.start(Budget.of(1, 5, 1024, 1), Clock.systemUTC());
    LocalArgvRunner runner = runner(budget).build();

    BudgetExceededException e =
        catchThrowableOfType(
            BudgetExceededException.class,
            () -> runner.run(command(Duration.ofSeconds(30), "sleep", "30")));

    assertThat(e.code()).isEqualTo("max_wall_time_sec exceeded");
    assertThat(e.limit()).isEqualTo(1);
    assertThat(evidence.single("tool_result"))
        .containsEntry("error", "max_wall_time_sec exceeded")
        .containsEntry("exit_code", null);
    assertThat(NoChildProcessesExtension.running()).isEmpty();
  }

  @Test
  void run_concurrentCommands_shareTheRunner() throws InterruptedException {
    ClockBudgetTracker budget = budget(262_144);
    LocalArgvRunner runner = runner(budget).build();
    Map<Integer, String> outputs = new ConcurrentHashMap<>();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      int n = i;
      threads[i] =
          new Thread(
              () ->
                  outputs.put(
                      n, runner.run(command(Duration.ofSeconds(10), "echo", "n" + n)).stdout()));
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(outputs)
        .containsOnly(
            Map.entry(0, "n0\n"), Map.entry(1, "n1\n"), Map.entry(2, "n2\n"), Map.entry(3, "n3\n"));
    assertThat(budget.toolCallsUsed()).isEqualTo(4);
  }
}
