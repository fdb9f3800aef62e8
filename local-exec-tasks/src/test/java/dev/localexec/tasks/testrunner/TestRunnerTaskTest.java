package dev.localexec.tasks.testrunner;

import static dev.localexec.tasks.testing.ScriptedArgvRunner.exits;
import static dev.localexec.tasks.testing.ScriptedArgvRunner.timesOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.ArgvRejectedException;
import dev.localexec.api.Budget;
import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.PathRejectedException;
import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.testing.FakeTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestRunnerTaskTest {
  private static final ToolPolicy SUBPROCESS = new ToolPolicy(false, true, List.of());
  private static final List<String> OK = List.of("python3", "-c", "print(\"ok\")");
  private static final List<String> EXIT3 = List.of("python3", "-c", "raise SystemExit(3)");
  private static final List<String> SLEEP = List.of("sleep", "5");

  @TempDir Path root;

  private final TestRunnerTask task = new TestRunnerTask();

  @Test
  void run_withoutAllowSubprocess_isRefusedBeforeAnythingRuns() {
    FakeTaskContext ctx =
        new FakeTaskContext(
            root,
            FakeTaskContext.job(
                TestRunnerTask.ID,
                payload(List.of(OK), 5),
                FakeTaskContext.DEFAULT_BUDGET,
                ToolPolicy.denyAll()));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("tool_policy.allow_subprocess")
        .extracting(e -> ((PolicyViolationException) e).code())
        .isEqualTo("subprocess_not_allowed");
    assertThat(ctx.runner().requests()).isEmpty();
  }

  @Test
  void run_shellLikeCommand_failsTheJobBeforeAnyCommandRuns() {
    FakeTaskContext ctx = context(payload(List.of(OK, List.of("echo hello")), 5));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(ArgvRejectedException.class)
        .extracting(e -> ((ArgvRejectedException) e).code())
        .isEqualTo("argv_rejected:shell_like");
    assertThat(ctx.runner().requests()).isEmpty();
    assertThat(ctx.budget().toolCallsUsed()).isZero();
  }

  @Test
  void run_shellProgram_isRejectedWithItsReason() {
    FakeTaskContext ctx = context(payload(List.of(List.of("sh", "-c", "exit 3")), 5));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(ArgvRejectedException.class)
        .extracting(e -> ((ArgvRejectedException) e).code())
        .isEqualTo("argv_rejected:shell_program");
  }

  @Test
  void run_mapsEveryResultAndSummarisesExitCodes() {
    FakeTaskContext ctx = context(payload(List.of(OK, EXIT3, SLEEP), 1));
    ctx.runner().when(OK, exits(0, "ok\n")).when(EXIT3, exits(3, "")).when(SLEEP, timesOut());

    TaskResult result = task.run(ctx);

    assertThat(result.result())
        .containsExactly(
            Map.entry("commands_run", 3),
            Map.entry(
                "results",
                List.of(
                    resultMap(OK, 0, false, 5, "ok\n", 3),
                    resultMap(EXIT3, 3, false, 5, "", 0),
                    resultMap(SLEEP, null, true, 1000, "", 0))),
            Map.entry("tests", tests(0, 0, 0, 0, 0, List.of())),
            new java.util.AbstractMap.SimpleEntry<>("reports_tests", null),
            Map.entry("reports_read", List.of()));
    assertThat(result.summaryMarkdown())
        .isEqualTo(
            "# Test Runner Task\n\n- job_id: job-testjob0001\n- commands_run: 3\n"
                + "- cmd_1_rc: 0\n- cmd_2_rc: 3\n- cmd_3_rc: timed_out\n"
                + "\n## Tests\n\n"
                + "| source | rc | tests | passed | failed | errored | skipped |\n"
                + "|---|---|---|---|---|---|---|\n"
                + "| cmd_1 | 0 | - | - | - | - | - |\n"
                + "| cmd_2 | 3 | - | - | - | - | - |\n"
                + "| cmd_3 | timed_out | - | - | - | - | - |\n"
                + "| **total** |  | 0 | 0 | 0 | 0 | 0 |\n"
                + "\n## Failures\n\n- none\n");
    assertThat(ctx.runner().requests())
        .containsExactly(
            new CommandRequest(OK, ".", Duration.ofSeconds(1), List.of()),
            new CommandRequest(EXIT3, ".", Duration.ofSeconds(1), List.of()),
            new CommandRequest(SLEEP, ".", Duration.ofSeconds(1), List.of()));
    assertThat(ctx.killSwitchChecks()).containsExactly("test_runner", "test_runner", "test_runner");
  }

  @Test
  void run_passesCwdAndEnvAllowThrough() throws IOException {
    Files.createDirectories(root.resolve("module"));
    Map<String, Object> payload = new LinkedHashMap<>(payload(List.of(OK), 30));
    payload.put("cwd", "module");
    payload.put("env_allow", List.of("JAVA_HOME", "LANG"));
    FakeTaskContext ctx = context(payload);

    task.run(ctx);

    assertThat(ctx.runner().requests())
        .containsExactly(
            new CommandRequest(OK, "module", Duration.ofSeconds(30), List.of("JAVA_HOME", "LANG")));
  }

  @Test
  void run_missingCwd_isRejectedBeforeAnythingRuns() {
    Map<String, Object> payload = new LinkedHashMap<>(payload(List.of(OK), 5));
    payload.put("cwd", "../elsewhere");
    FakeTaskContext ctx = context(payload);

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(PathRejectedException.class)
        .extracting(e -> ((PathRejectedException) e).code())
        .isEqualTo("path_rejected:parent_ref");
    assertThat(ctx.runner().requests()).isEmpty();
  }

  @Test
  void run_cwdThatIsAFile_isRejected() throws IOException {
    Files.writeString(root.resolve("file.txt"), "x");
    Map<String, Object> payload = new LinkedHashMap<>(payload(List.of(OK), 5));
    payload.put("cwd", "file.txt");
    FakeTaskContext ctx = context(payload);

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(PathRejectedException.class)
        .extracting(e -> ((PathRejectedException) e).code())
        .isEqualTo("path_rejected:not_a_directory");
  }

  @Test
  void run_killSwitchOn_stopsBeforeTheFirstCommand() {
    FakeTaskContext ctx = context(payload(List.of(OK, SLEEP), 5));
    ctx.killSwitch(true);

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(KillSwitchException.class)
        .extracting(e -> ((KillSwitchException) e).code())
        .isEqualTo("kill_switch:test_runner");
    assertThat(ctx.runner().requests()).isEmpty();
  }

  @Test
  void run_moreCommandsThanToolCalls_failsWhenTheBudgetRunsOut() {
    FakeTaskContext ctx =
        new FakeTaskContext(
            root,
            FakeTaskContext.job(
                TestRunnerTask.ID,
                payload(List.of(OK, EXIT3, SLEEP), 5),
                Budget.of(30, 2, 65536, 1),
                SUBPROCESS));

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(BudgetExceededException.class)
        .extracting(e -> ((BudgetExceededException) e).code())
        .isEqualTo("max_tool_calls exceeded");
    assertThat(ctx.runner().requests()).extracting(CommandRequest::argv).containsExactly(OK, EXIT3);
  }

  @Test
  void run_withTwoSlots_runsTwoCommandsAtOnceAndKeepsTheirOrder() {
    FakeTaskContext ctx =
        new FakeTaskContext(
            root,
            FakeTaskContext.job(
                TestRunnerTask.ID,
                payload(List.of(OK, EXIT3), 5),
                Budget.of(30, 10, 65536, 2),
                SUBPROCESS));
    CountDownLatch bothStarted = new CountDownLatch(2);
    ctx.runner()
        .when(OK, request -> exitsOnceBothStarted(bothStarted, request, 0))
        .when(EXIT3, request -> exitsOnceBothStarted(bothStarted, request, 3));

    TaskResult result = task.run(ctx);

    assertThat(result.summaryMarkdown()).contains("- cmd_1_rc: 0\n- cmd_2_rc: 3\n");
  }

  @Test
  void run_withTwoSlots_throwsTheFailureOfACommand() {
    FakeTaskContext ctx =
        new FakeTaskContext(
            root,
            FakeTaskContext.job(
                TestRunnerTask.ID,
                payload(List.of(OK, EXIT3, SLEEP), 5),
                Budget.of(30, 10, 65536, 2),
                SUBPROCESS));
    ctx.runner()
        .when(
            EXIT3,
            request -> {
              throw new BudgetExceededException("max_wall_time_sec", 30, 31);
            });

    assertThatThrownBy(() -> task.run(ctx))
        .isInstanceOf(LocalExecException.class)
        .extracting(e -> ((LocalExecException) e).code())
        .isEqualTo("max_wall_time_sec exceeded");
  }

  @Test
  void run_tapAndPlainOutputAndAReport_areCountedPerCommandAndInTotal() throws IOException {
    Path reports = Files.createDirectories(root.resolve("target/surefire-reports"));
    copyResource("surefire-calc.xml", reports.resolve("TEST-demo.CalcTest.xml"));
    Files.writeString(reports.resolve("demo.CalcTest.txt"), "not xml, not matched");
    List<String> tapCmd = List.of("prove", "t");
    List<String> plainCmd = List.of("runner");
    Map<String, Object> payload = new LinkedHashMap<>(payload(List.of(tapCmd, plainCmd), 5));
    payload.put("reports", List.of("target/surefire-reports/*.xml"));
    FakeTaskContext ctx = context(payload);
    ctx.runner()
        .when(tapCmd, exits(1, "1..3\nok 1 - a\nnot ok 2 - b # TODO later\nnot ok 3 - c\n"))
        .when(plainCmd, exits(0, "summary: 4 passed, 0 failed, 2 skipped\n"));

    TaskResult result = task.run(ctx);

    List<?> results = (List<?>) result.result().get("results");
    assertThat(((Map<?, ?>) results.get(0)).get("tests"))
        .isEqualTo(tests(3, 1, 1, 0, 1, List.of(JunitXmlTest.failure("c", null))));
    assertThat(((Map<?, ?>) results.get(1)).get("tests"))
        .isEqualTo(tests(6, 4, 0, 0, 2, List.of()));
    Map<String, Object> calcFailure =
        JunitXmlTest.failure("demo.CalcTest.fails", "expected: <3> but was: <4>");
    assertThat(result.result().get("reports_tests"))
        .isEqualTo(tests(3, 2, 1, 0, 0, List.of(calcFailure)));
    assertThat(result.result().get("tests"))
        .isEqualTo(tests(12, 7, 2, 0, 3, List.of(JunitXmlTest.failure("c", null), calcFailure)));
    assertThat(result.result().get("reports_read"))
        .isEqualTo(List.of("target/surefire-reports/TEST-demo.CalcTest.xml"));
    assertThat(result.summaryMarkdown())
        .contains(
            "| cmd_1 | 1 | 3 | 1 | 1 | 0 | 1 |\n"
                + "| cmd_2 | 0 | 6 | 4 | 0 | 0 | 2 |\n"
                + "| reports (1 files) | - | 3 | 2 | 1 | 0 | 0 |\n"
                + "| **total** |  | 12 | 7 | 2 | 0 | 3 |\n")
        .endsWith("## Failures\n\n- `c`\n- `demo.CalcTest.fails`: expected: <3> but was: <4>\n");
    assertThat(ctx.evidence().events()).isEmpty();
  }

  @Test
  void run_reportPathsOutsideTheRoot_areRejectedWithEvidenceAndTheJobGoesOn(@TempDir Path outside)
      throws IOException {
    copyResource("surefire-calc.xml", outside.resolve("x.xml"));
    Files.createDirectories(root.resolve("reports"));
    Files.createSymbolicLink(root.resolve("reports/link.xml"), outside.resolve("x.xml"));
    Files.createSymbolicLink(root.resolve("out"), outside);
    copyResource("xxe.xml", root.resolve("reports/evil.xml"));
    copyResource("gradle-style.xml", root.resolve("reports/TEST-ok.xml"));
    Map<String, Object> payload = new LinkedHashMap<>(payload(List.of(OK), 5));
    payload.put(
        "reports",
        List.of("../x.xml", "/etc/x.xml", "reports", "out/*.xml", "missing/*.xml", "none*.xml"));
    FakeTaskContext ctx = context(payload);

    TaskResult result = task.run(ctx);

    assertThat(result.result().get("reports_read")).isEqualTo(List.of("reports/TEST-ok.xml"));
    assertThat(((Map<?, ?>) result.result().get("tests")).get("tests")).isEqualTo(4L);
    assertThat(ctx.evidence().events())
        .extracting(e -> e.kind() + " " + e.payload().get("path") + " " + e.payload().get("reason"))
        .containsExactly(
            "path_rejected ../x.xml path_rejected:parent_ref",
            "path_rejected /etc/x.xml path_rejected:absolute",
            "path_rejected out/*.xml path_rejected:outside_repo",
            "path_rejected missing/*.xml path_rejected:not_found",
            "report_unmatched none*.xml no_match",
            "report_unreadable reports/evil.xml "
                + ctx.evidence().ofKind("report_unreadable").get(0).payload().get("reason"),
            "path_rejected reports/link.xml path_rejected:outside_repo");
    assertThat((String) ctx.evidence().ofKind("report_unreadable").get(0).payload().get("reason"))
        .contains("DOCTYPE");
    assertThat(ctx.killSwitchChecks()).containsExactly("test_runner", "test_runner_reports");
  }

  private static void copyResource(String name, Path target) throws IOException {
    try (var in = TestRunnerTaskTest.class.getResourceAsStream(name)) {
      Files.copy(in, target);
    }
  }

  private static Map<String, Object> tests(
      long tests, long passed, long failed, long errored, long skipped, List<Object> failures) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tests", tests);
    m.put("passed", passed);
    m.put("failed", failed);
    m.put("errored", errored);
    m.put("skipped", skipped);
    m.put("failures", failures);
    return m;
  }

  private static CommandResult exitsOnceBothStarted(
      CountDownLatch bothStarted, CommandRequest request, int code) {
    bothStarted.countDown();
    try {
      boolean together = bothStarted.await(5, TimeUnit.SECONDS);
      return exits(together ? code : 99, "").apply(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private FakeTaskContext context(Map<String, Object> payload) {
    return new FakeTaskContext(
        root,
        FakeTaskContext.job(TestRunnerTask.ID, payload, Budget.of(30, 10, 65536, 1), SUBPROCESS));
  }

  private static Map<String, Object> payload(List<List<String>> commands, int timeoutSec) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("commands", commands);
    payload.put("timeout_sec", timeoutSec);
    return payload;
  }

  private static Map<String, Object> resultMap(
      List<String> argv, Integer rc, boolean timedOut, long ms, String stdout, long stdoutBytes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("argv", argv);
    m.put("returncode", rc);
    m.put("timed_out", timedOut);
    m.put("duration_ms", ms);
    m.put("stdout", stdout);
    m.put("stderr", "");
    m.put("stdout_bytes", stdoutBytes);
    m.put("stderr_bytes", 0L);
    m.put("stdout_truncated", false);
    m.put("stderr_truncated", false);
    m.put("tests", null);
    return m;
  }
}
