package dev.localexec.cli;

import static dev.localexec.cli.Fixtures.BUDGETS;
import static dev.localexec.cli.Fixtures.POLICY_SUBPROCESS;
import static dev.localexec.cli.Fixtures.job;
import static dev.localexec.cli.Fixtures.jsonl;
import static dev.localexec.cli.Fixtures.ledger;
import static dev.localexec.cli.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resource flags: the operator's ceilings, what health says, and a job above a ceiling. */
class ResourceFlagsTest {
  @TempDir Path root;

  @Test
  @SuppressWarnings("unchecked")
  void ceilings_areTheDefaults_andHealthSaysSo() {
    Cli.Result r =
        new Cli(root)
            .run(
                "--max-processes",
                "64",
                "--max-cpu-sec",
                "30",
                "--tmpfs-bytes",
                "1048576",
                "--sandbox",
                "none",
                "health");

    assertThat(r.code()).as(r.err()).isZero();
    Map<String, Object> limits = (Map<String, Object>) r.json(0).get("resource_limits");
    Map<String, Object> ceilings = (Map<String, Object>) limits.get("ceilings");
    Map<String, Object> defaults = (Map<String, Object>) limits.get("defaults");
    assertThat(ceilings).containsEntry("max_processes", 64).containsEntry("max_cpu_sec", 30);
    assertThat(defaults).containsEntry("max_processes", 64).containsEntry("max_cpu_sec", 30);
    assertThat(ceilings).containsEntry("max_file_bytes", 17_179_869_184L);
    assertThat(limits.get("tmpfs_bytes")).isEqualTo(1_048_576);
  }

  @Test
  void aJobAboveTheCeiling_failsWithResourceAboveCeiling() {
    Cli cli = new Cli(root);
    String doc =
        job(
            "job-aboveceiling1",
            "test_runner_task",
            "{\"commands\": [[\"true\"]], \"timeout_sec\": 5}",
            BUDGETS.replace("}", ", \"max_processes\": 200}"),
            POLICY_SUBPROCESS);
    Path f = write(root, "job.json", doc);
    assertThat(cli.run("enqueue", "--job-file", f.toString()).code()).isZero();

    Cli.Result w = cli.run("--max-processes", "100", "--sandbox", "none", "worker", "--once");

    assertThat(w.code()).as(w.err()).isZero();
    assertThat(w.json(0))
        .containsEntry("status", "failed")
        .containsEntry("error", "resource_above_ceiling:max_processes");
    List<Map<String, Object>> ledger = jsonl(ledger(root));
    assertThat(ledger.get(ledger.size() - 1))
        .containsEntry("event", "fail")
        .containsEntry("error", "resource_above_ceiling:max_processes");
  }

  @Test
  void aValueOutOfRange_isAUsageError() {
    Cli.Result r = new Cli(root).run("--max-processes", "0", "health");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("local-exec: --max-processes must be in 1..65536, got 0\n");
  }
}
