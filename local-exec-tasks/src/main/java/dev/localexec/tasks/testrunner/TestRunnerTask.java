package dev.localexec.tasks.testrunner;

import dev.localexec.api.PathRejectedException;
import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.TaskFailedException;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.tasks.payload.Payload;
import dev.localexec.tasks.payload.PayloadSchema;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a job's commands and reports each one's exit ({@code test_runner_task}).
 *
 * <p>Payload: {@code commands} (argv arrays), {@code timeout_sec} (per command), {@code cwd}
 * (relative to the root, default {@code "."}), {@code env_allow} (environment variable names passed
 * through). The job needs {@code tool_policy.allow_subprocess}; every argv and the working folder
 * are checked before the first command runs, so a refused command fails the job with nothing run.
 * Each command then runs through {@link TaskContext#argv()}, which counts a tool call, records
 * {@code tool_call}/{@code tool_result} evidence, applies the timeout and keeps output within the
 * output budget. A non-zero exit or a timeout does not fail the job.
 *
 * <p>With {@code max_concurrency_slots} above 1, up to that many commands run at once; results keep
 * the commands' order. If one command fails the job (budget, kill switch), no further command
 * starts, the running ones are waited for, and the first failure in command order is thrown.
 *
 * <p>After the commands, the task reads the test results they left: TAP or a plain {@code N passed,
 * N failed} line in each command's output ({@link OutputCounts}), and the JUnit XML reports named
 * by the optional {@code reports} (root-relative paths or globs, {@link Reports}; a path outside
 * the root is refused as {@code path_rejected} evidence and the job goes on).
 *
 * <p>Result: {@code {"commands_run", "results": [CommandResult.toMap() + "tests"...], "tests",
 * "reports_tests", "reports_read"}}, where each {@code "tests"} is {@code {"tests", "passed",
 * "failed", "errored", "skipped", "failures": [{"name", "message"}]}} ({@code null} for a command
 * whose output shows no counts, at most 50 failures, texts cut at 500 characters), the top-level
 * {@code "tests"} is the sum of the commands' and the reports' counts, {@code "reports_tests"} the
 * reports' alone ({@code null} without {@code reports}) and {@code "reports_read"} the
 * root-relative paths of the report files read. The summary lists each command's exit, then a table
 * of the counts and the failures. Stateless; one instance may run several jobs at once.
 */
public final class TestRunnerTask implements TaskPlugin {

  /** The job type. */
  public static final String ID = "test_runner_task";

  private static final String SCHEMA = PayloadSchema.load(ID);

  /** Creates the plug-in (for {@link java.util.ServiceLoader}). */
  public TestRunnerTask() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String payloadSchema() {
    return SCHEMA;
  }

  @Override
  public List<List<String>> argvs(Map<String, Object> payload) {
    return Payload.of(payload).stringLists("commands");
  }

  @Override
  public TaskResult run(TaskContext ctx) {
    if (!ctx.policy().allowSubprocess()) {
      throw new PolicyViolationException(
          "subprocess_not_allowed",
          "test_runner_task runs subprocesses but the job's tool_policy.allow_subprocess is false;"
              + " set tool_policy.allow_subprocess to true to run its commands");
    }
    Payload payload = Payload.of(ctx.job().payload());
    List<List<String>> commands = payload.stringLists("commands");
    Duration timeout = Duration.ofSeconds(payload.integer("timeout_sec", 1, 3600));
    String cwd = payload.string("cwd", ".");
    List<String> envAllow = payload.strings("env_allow", List.of());
    List<String> reports = payload.strings("reports", List.of());

    for (List<String> argv : commands) {
      ctx.argv().check(argv);
    }
    if (!Files.isDirectory(ctx.paths().resolveExisting(cwd))) {
      throw new PathRejectedException(cwd, "not_a_directory");
    }
    List<CommandRequest> requests = new ArrayList<>(commands.size());
    for (List<String> argv : commands) {
      requests.add(new CommandRequest(argv, cwd, timeout, envAllow));
    }

    int slots = Math.min(ctx.job().budgets().maxConcurrencySlots(), requests.size());
    List<CommandResult> results =
        slots <= 1 ? runInOrder(ctx, requests) : runConcurrently(ctx, requests, slots);

    TestTally total = new TestTally();
    List<TestTally> perCommand = new ArrayList<>(results.size());
    List<Object> resultMaps = new ArrayList<>(results.size());
    for (CommandResult r : results) {
      TestTally tally = OutputCounts.parse(r.stdout(), r.stderr());
      perCommand.add(tally);
      Map<String, Object> m = r.toMap();
      m.put("tests", tally == null ? null : tally.toMap());
      resultMaps.add(m);
      if (tally != null) {
        total.add(tally);
      }
    }
    Reports.Read read = null;
    if (!reports.isEmpty()) {
      ctx.checkKillSwitch("test_runner_reports");
      read = Reports.read(ctx, reports);
      total.add(read.tally());
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("commands_run", results.size());
    result.put("results", resultMaps);
    result.put("tests", total.toMap());
    result.put("reports_tests", read == null ? null : read.tally().toMap());
    result.put("reports_read", read == null ? List.of() : read.files());
    return new TaskResult(result, summary(ctx.job().jobId(), results, perCommand, read, total));
  }

  private static String summary(
      String jobId,
      List<CommandResult> results,
      List<TestTally> perCommand,
      Reports.Read read,
      TestTally total) {
    StringBuilder md =
        new StringBuilder("# Test Runner Task\n\n- job_id: ")
            .append(jobId)
            .append("\n- commands_run: ")
            .append(results.size())
            .append('\n');
    for (int i = 0; i < results.size(); i++) {
      md.append("- cmd_").append(i + 1).append("_rc: ").append(rc(results.get(i))).append('\n');
    }
    md.append("\n## Tests\n\n")
        .append("| source | rc | tests | passed | failed | errored | skipped |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < results.size(); i++) {
      row(md, "cmd_" + (i + 1), rc(results.get(i)), perCommand.get(i));
    }
    if (read != null) {
      row(md, "reports (" + read.files().size() + " files)", "-", read.tally());
    }
    row(md, "**total**", "", total);
    md.append("\n## Failures\n\n");
    if (total.failures().isEmpty()) {
      md.append("- none\n");
    }
    for (Map<String, Object> f : total.failures()) {
      md.append("- `").append(oneLine(f.get("name")).replace('`', '\'')).append('`');
      Object message = f.get("message");
      if (message != null) {
        md.append(": ").append(oneLine(message));
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String source, String rc, TestTally t) {
    md.append("| ").append(source).append(" | ").append(rc).append(" | ");
    if (t == null) {
      md.append("- | - | - | - | - |\n");
      return;
    }
    md.append(t.tests())
        .append(" | ")
        .append(t.passed())
        .append(" | ")
        .append(t.failed())
        .append(" | ")
        .append(t.errored())
        .append(" | ")
        .append(t.skipped())
        .append(" |\n");
  }

  private static String oneLine(Object text) {
    return String.valueOf(text).replaceAll("\\s+", " ").strip();
  }

  private static String rc(CommandResult r) {
    if (r.timedOut()) {
      return "timed_out";
    }
    return r.exitCode() == null ? "none" : r.exitCode().toString();
  }

  private static List<CommandResult> runInOrder(TaskContext ctx, List<CommandRequest> requests) {
    List<CommandResult> results = new ArrayList<>(requests.size());
    for (CommandRequest request : requests) {
      ctx.checkKillSwitch("test_runner");
      results.add(ctx.argv().run(request));
    }
    return results;
  }

  private static List<CommandResult> runConcurrently(
      TaskContext ctx, List<CommandRequest> requests, int slots) {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger threadNumber = new AtomicInteger();
    String jobId = ctx.job().jobId();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            slots,
            r -> {
              Thread t =
                  new Thread(r, "test-runner-" + jobId + "-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<CommandResult>> futures = new ArrayList<>(requests.size());
      for (CommandRequest request : requests) {
        futures.add(
            pool.submit(
                () -> {
                  if (stop.get()) {
                    return null;
                  }
                  try {
                    ctx.checkKillSwitch("test_runner");
                    return ctx.argv().run(request);
                  } catch (RuntimeException | Error e) {
                    stop.set(true);
                    throw e;
                  }
                }));
      }
      List<CommandResult> results = new ArrayList<>(requests.size());
      Throwable failure = null;
      for (Future<CommandResult> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
          }
        }
      }
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new TaskFailedException(
            "command_failed", "a command of test_runner_task failed: " + failure, failure);
      }
      return results;
    } catch (InterruptedException e) {
      stop.set(true);
      Thread.currentThread().interrupt();
      throw new TaskFailedException(
          "interrupted", "test_runner_task was interrupted while its commands ran", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
