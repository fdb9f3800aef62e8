package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code result JOB_ID} and {@code wait JOB_ID}: the job's outcome as data, the same {@code result}
 * or {@code error} as its final ledger event, with an exit code per state; {@code jobs} with its
 * filters.
 */
class ResultCommandTest {
  @TempDir Path root;

  private static String exampleJob(String name) throws Exception {
    Path jobs = Path.of(System.getProperty("user.dir")).resolve("../examples/jobs").normalize();
    return Files.readString(jobs.resolve(name), StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String jsonLine) {
    return (Map<String, Object>) Json.parse(jsonLine.strip());
  }

  private Map<?, ?> lastFinalEvent(String jobId) throws Exception {
    Map<?, ?> last = null;
    for (String line :
        Files.readAllLines(
            root.resolve("workspace/local_exec/state/jobs.jsonl"), StandardCharsets.UTF_8)) {
      Map<?, ?> ev = (Map<?, ?>) Json.parse(line);
      if (jobId.equals(ev.get("job_id"))
          && ("complete".equals(ev.get("event")) || "fail".equals(ev.get("event")))) {
        last = ev;
      }
    }
    return last;
  }

  @Test
  void aCompleteJob_printsTheFinalEventsResult_exit0_andQueuedExit1() throws Exception {
    Cli cli = new Cli(root);
    String id = "job-examplerepoindex";
    assertThat(
            cli.runWithInput(exampleJob("repo_index_task.json"), "enqueue", "--job-file", "-")
                .code())
        .isZero();

    Cli.Result queued = cli.run("result", id);
    assertThat(queued.code()).isEqualTo(LocalExecCli.FAILURE);
    assertThat(object(queued.out()))
        .containsEntry("state", "queued")
        .doesNotContainKeys("result", "error");

    assertThat(cli.run("--sandbox", "none", "worker", "--once").code()).isZero();
    Cli.Result done = cli.run("result", id);

    assertThat(done.code()).as(done.err()).isZero();
    Map<String, Object> line = object(done.out());
    assertThat(line)
        .containsEntry("job_id", id)
        .containsEntry("state", "complete")
        .containsEntry("evidence", "workspace/local_exec/evidence/" + id + ".jsonl")
        .containsEntry("summary", "workspace/local_exec/evidence/" + id + ".md");
    assertThat(line.get("result")).isEqualTo(lastFinalEvent(id).get("result"));
  }

  @Test
  void aFailedJob_printsItsError_exit4() throws Exception {
    Cli cli = new Cli(root);
    String id = "job-exampletestrunner";
    // The example test job with subprocesses denied: it fails with subprocess_not_allowed.
    String job =
        exampleJob("test_runner_task.json")
            .replace("\"allow_subprocess\": true", "\"allow_subprocess\": false");
    assertThat(job).contains("\"allow_subprocess\": false");
    cli.runWithInput(job, "enqueue", "--job-file", "-");
    cli.run("--sandbox", "none", "worker", "--once");

    Cli.Result failed = cli.run("result", id);

    assertThat(failed.code()).as(failed.out()).isEqualTo(LocalExecCli.JOB_FAILED);
    Map<String, Object> line = object(failed.out());
    assertThat(line)
        .containsEntry("state", "failed")
        .containsEntry("error", "subprocess_not_allowed")
        .doesNotContainKey("result");
    assertThat(line.get("error")).isEqualTo(lastFinalEvent(id).get("error"));
  }

  @Test
  void anUnknownJob_isAUsageErrorNamingTheQueue() {
    Cli.Result r = new Cli(root).run("result", "job-nosuchjob1");

    assertThat(r.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("job_id 'job-nosuchjob1' is not in the queue")
        .contains("local-exec jobs");
  }

  @Test
  void waitOnAFinishedJob_printsItAtOnce_onAQueuedOneTimesOut_onAnUnknownOneExits2()
      throws Exception {
    Cli cli = new Cli(root);
    String id = "job-examplerepoindex";
    cli.runWithInput(exampleJob("repo_index_task.json"), "enqueue", "--job-file", "-");

    Cli.Result timedOut = cli.run("wait", id, "--timeout", "1");
    assertThat(timedOut.code()).isEqualTo(LocalExecCli.FAILURE);
    assertThat(object(timedOut.out())).containsEntry("state", "queued");

    cli.run("--sandbox", "none", "worker", "--once");
    Cli.Result done = cli.run("wait", id);
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(object(done.out()).get("result")).isEqualTo(lastFinalEvent(id).get("result"));

    Cli.Result unknown = cli.run("wait", "job-nosuchjob1", "--timeout", "5");
    assertThat(unknown.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(unknown.err()).contains("job_id 'job-nosuchjob1' is not in the queue");
    assertThat(cli.run("wait", id, "--timeout", "0").code()).isEqualTo(LocalExecCli.USAGE);
  }

  @Test
  void jobs_filtersByStateAndKeepsTheLastN() throws Exception {
    Cli cli = new Cli(root);
    cli.runWithInput(exampleJob("repo_index_task.json"), "enqueue", "--job-file", "-");
    cli.run("--sandbox", "none", "worker", "--once");
    cli.runWithInput(exampleJob("doc_compactor_task.json"), "enqueue", "--job-file", "-");

    assertThat(cli.run("jobs").out().strip().split("\n")).hasSize(2);
    Cli.Result queued = cli.run("jobs", "--state", "queued");
    assertThat(object(queued.out())).containsEntry("job_id", "job-exampledoccompact");
    Cli.Result last = cli.run("jobs", "--limit", "1");
    assertThat(object(last.out())).containsEntry("job_id", "job-exampledoccompact");
    assertThat(cli.run("jobs", "--state", "done").code()).isEqualTo(LocalExecCli.USAGE);
  }
}
