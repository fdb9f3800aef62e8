package dev.localexec.cli;

import static dev.localexec.cli.Fixtures.jsonl;
import static dev.localexec.cli.Fixtures.kinds;
import static dev.localexec.cli.Fixtures.ledger;
import static dev.localexec.cli.Fixtures.payloadOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every job file of the original run behaves as the original's evidence shows. */
class FixtureJobsTest {
  @TempDir Path root;
  Cli cli;
  Path jobs;

  @BeforeEach
  void setUp() {
    jobs = Fixtures.originalRun().resolve("jobs");
    cli = new Cli(root);
    Fixtures.seedRoot(root);
  }

  @Test
  void badJob_isRefusedAtEnqueueWithItsJsonPaths() throws Exception {
    Cli.Result r = cli.run("enqueue", "--job-file", jobs.resolve("bad.json").toString());

    assertThat(r.code()).isEqualTo(LocalExecCli.INVALID);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("local-exec: invalid job: ")
        .contains("$.job_id: does not match the regex pattern ^job-[a-z0-9]{8,32}$")
        .contains("$.payload: required property 'include_globs' not found")
        .contains("$.payload: required property 'max_files' not found")
        .contains("$.payload: required property 'max_file_bytes' not found");
    assertThat(Files.exists(ledger(root))).isFalse();
  }

  @Test
  void originalJobs_endAsTheOriginalsEvidenceShows_exceptAShellAsProgram() throws Exception {
    for (String f :
        List.of(
            "job-testrun0001.json",
            "job-doccompact01.json",
            "job-shelllike001.json",
            "job-outbudget001.json")) {
      // A shell as the program is refused at enqueue too, unless shells are allowed there: this
      // shows what a worker that does not allow them does with such a job.
      Cli.Result r =
          f.equals("job-testrun0001.json")
              ? cli.run("--allow-shells", "enqueue", "--job-file", jobs.resolve(f).toString())
              : cli.run("enqueue", "--job-file", jobs.resolve(f).toString());
      assertThat(r.code()).as(r.err()).isZero();
    }
    List<Map<String, Object>> outcomes = drain();

    assertThat(outcomes)
        .extracting(o -> o.get("job_id") + "=" + o.get("status") + ":" + o.get("error"))
        .containsExactly(
            "job-testrun0001=failed:argv_rejected:shell_program",
            "job-doccompact01=complete:null",
            "job-shelllike001=failed:argv_rejected:shell_like",
            "job-outbudget001=complete:null");

    // The shell as a program is refused before anything runs.
    assertThat(kinds(root, "job-testrun0001")).doesNotContain("tool_result");

    long mcporterBytes = Files.size(root.resolve("config/mcporter.json"));
    assertThat(outcomes.get(1).get("result"))
        .isEqualTo(
            Map.of(
                "inputs_considered",
                4,
                "bytes_read",
                (int) mcporterBytes,
                "output_bytes",
                ((Map<?, ?>) outcomes.get(1).get("result")).get("output_bytes"),
                "ratio",
                ((Map<?, ?>) outcomes.get(1).get("result")).get("ratio"),
                "headings_kept",
                0,
                "headings_total",
                0,
                "duplicates_dropped",
                0,
                "code_blocks_shortened",
                0,
                "lists_shortened",
                0));
    List<Object> rejected = new ArrayList<>();
    for (Map<String, Object> e :
        jsonl(root.resolve("workspace/local_exec/evidence/job-doccompact01.jsonl"))) {
      if ("path_rejected".equals(e.get("kind"))) {
        rejected.add(e.get("payload"));
      }
    }
    assertThat(rejected)
        .containsExactly(
            Map.of("path", "../etc/passwd", "reason", "path_rejected:parent_ref"),
            Map.of("path", "/etc/passwd", "reason", "path_rejected:absolute"),
            Map.of("path", "missing.txt", "reason", "path_rejected:not_found"));
    assertThat(Files.readString(root.resolve("workspace/local_exec/evidence/job-doccompact01.md")))
        .startsWith("# Compacted\n\n## config/mcporter.json\n");

    @SuppressWarnings("unchecked")
    Map<String, Object> flood =
        ((List<Map<String, Object>>)
                ((Map<String, Object>) outcomes.get(3).get("result")).get("results"))
            .get(0);
    assertThat(flood)
        .containsEntry("returncode", 0)
        .containsEntry("stdout_bytes", 5001)
        .containsEntry("stdout_truncated", true);
    assertThat((String) flood.get("stdout")).hasSize(1024);

    for (String id :
        List.of("job-testrun0001", "job-doccompact01", "job-shelllike001", "job-outbudget001")) {
      assertThat(root.resolve("workspace/local_exec/evidence/" + id + ".md")).exists();
      // Evidence lines keep the original's keys and order, then the chain's seq and hash.
      for (Map<String, Object> e :
          jsonl(root.resolve("workspace/local_exec/evidence/" + id + ".jsonl"))) {
        assertThat(e.keySet())
            .containsExactly("ts_utc", "job_id", "kind", "payload", "seq", "hash");
      }
    }
    List<Map<String, Object>> finals = new ArrayList<>();
    for (Map<String, Object> e : jsonl(ledger(root))) {
      if ("complete".equals(e.get("event")) || "fail".equals(e.get("event"))) {
        finals.add(e);
      }
    }
    assertThat(finals).hasSize(4).allSatisfy(e -> assertThat(e).containsKey("evidence_head"));
    Cli.Result verify = cli.run("verify");
    assertThat(verify.code()).as(verify.out()).isZero();
    // The ledger, and each of the 4 jobs' evidence and its chained summary.
    assertThat(verify.lastJson())
        .isEqualTo(Map.of("status", "verified", "files", 9, "problems", 0));
  }

  @Test
  void shellAsProgram_isRefusedAtValidateAndEnqueue_namingAllowShells() throws Exception {
    String file = jobs.resolve("job-testrun0001.json").toString();
    for (String command : List.of("validate", "enqueue")) {
      Cli.Result r =
          command.equals("validate")
              ? cli.run("validate", file)
              : cli.run("enqueue", "--job-file", file);

      assertThat(r.code()).as(r.err()).isEqualTo(LocalExecCli.INVALID);
      assertThat(r.err())
          .startsWith("local-exec: invalid job: $.payload: command 2 of 3 would be refused when it")
          .contains("argv element 0", "is the shell 'sh'", "--allow-shells");
    }
    assertThat(Files.exists(ledger(root))).isFalse();
  }

  @Test
  @SuppressWarnings("unchecked")
  void shellAsProgram_completesWhenTheApplicationAllowsShells() {
    cli.run(
        "--allow-shells", "enqueue", "--job-file", jobs.resolve("job-testrun0001.json").toString());

    Cli.Result r = cli.run("--allow-shells", "worker", "--once");

    Map<String, Object> out = r.json(0);
    assertThat(out).containsEntry("status", "complete");
    List<Map<String, Object>> results =
        (List<Map<String, Object>>) ((Map<String, Object>) out.get("result")).get("results");
    assertThat(results).extracting(m -> m.get("returncode")).containsExactly(0, 3, null);
    assertThat(results).extracting(m -> m.get("timed_out")).containsExactly(false, false, true);
    assertThat(results.get(0)).containsEntry("stdout", "ok\n").containsEntry("stdout_bytes", 3);
    assertThat(payloadOf(root, "job-testrun0001", "run_header"))
        .containsEntry("tool_policy_hash", "1386501432790695")
        .containsEntry("budgets_hash", "bef8b541c6877f85");
  }

  @Test
  void status_onACopyOfTheOriginalLedger_reportsTheStatesItImplies() throws Exception {
    Path state = root.resolve("workspace/local_exec/state");
    Files.createDirectories(state);
    Files.copy(
        Fixtures.originalRun().resolve("state/jobs.jsonl"),
        state.resolve("jobs.jsonl"),
        StandardCopyOption.REPLACE_EXISTING);

    Cli.Result r = cli.run("status");

    assertThat(r.code()).isZero();
    assertThat(r.lines()).hasSize(6);
    assertThat(Arrays.asList(0, 1, 2, 3, 4))
        .extracting(i -> r.json(i).get("job_id") + "=" + r.json(i).get("state"))
        .containsExactly(
            "job-demorepoindex01=complete",
            "job-testrun0001=complete",
            "job-doccompact01=complete",
            "job-shelllike001=failed",
            "job-outbudget001=complete");
    assertThat(r.json(3)).containsEntry("error", "argv_rejected:shell_like");
    assertThat(r.lastJson().get("by_state"))
        .isEqualTo(Map.of("queued", 0, "running", 0, "complete", 4, "failed", 1));
    // The original's unchained lines verify as legacy lines.
    assertThat(cli.run("verify").lines())
        .containsExactly(
            "{\"file\": \"workspace/local_exec/state/jobs.jsonl\", \"ok\": true, \"lines\": 40}",
            "{\"status\": \"verified\", \"files\": 1, \"problems\": 0}");
    // Nothing is left to claim.
    assertThat(cli.run("worker", "--once").json(0)).containsEntry("status", "idle");
  }

  private List<Map<String, Object>> drain() {
    List<Map<String, Object>> outcomes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Cli.Result r = cli.run("worker", "--once");
      assertThat(r.code()).as(r.err()).isZero();
      Map<String, Object> o = r.json(0);
      if ("idle".equals(o.get("status"))) {
        return outcomes;
      }
      outcomes.add(o);
    }
    throw new AssertionError("the queue did not drain: " + outcomes);
  }
}
