package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frozen worker (SIGSTOP) loses its lease; another worker runs the job as attempt 2; when the
 * first wakes up, its late writes are refused by the attempt number (the fencing token), the job
 * has exactly one outcome, and the evidence of both attempts stays readable and verifies.
 */
class FencingIT {
  @TempDir Path root;
  @RegisterExtension final CliProcesses processes = new CliProcesses();

  private Process worker(String id) throws IOException {
    return processes
        .cli(
            root,
            "--worker-id",
            id,
            "worker",
            "--loop",
            "--idle-sleep-ms",
            "50",
            "--lease-sec",
            "3")
        .stderr(root.resolve(id + ".err"))
        .start();
  }

  private static void signal(long pid, String sig) throws Exception {
    CliProcesses.signal(pid, sig);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private String ledgerText() {
    try {
      Path l = Fixtures.ledger(root);
      return Files.exists(l) ? Files.readString(l, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void aFrozenWorkersLateWritesAreRefused() throws Exception {
    LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build();
    plane.enqueue(
        plane.parseJob(
            Json.line(
                Map.of(
                    "job_id",
                    "job-fence0001",
                    "job_type",
                    "test_runner_task",
                    "created_at_utc",
                    "2026-11-24T00:00:00Z",
                    "payload",
                    Map.of("commands", List.of(List.of("sleep", "4")), "timeout_sec", 60),
                    "budgets",
                    Map.of(
                        "max_wall_time_sec", 120,
                        "max_tool_calls", 10,
                        "max_output_bytes", 4096,
                        "max_concurrency_slots", 1),
                    "tool_policy",
                    Map.of(
                        "allow_network", false,
                        "allow_subprocess", true,
                        "allowed_tools", List.of())))));
    Process a = worker("wa");
    await(() -> ledgerText().contains("\"worker_id\": \"wa\""), "worker wa's claim");
    Thread.sleep(500);
    signal(a.pid(), "STOP");

    Process b = worker("wb");
    await(
        () -> ledgerText().contains("\"event\": \"complete\", \"job_id\": \"job-fence0001\""),
        "attempt 2 to complete");
    signal(a.pid(), "CONT");
    await(
        () -> {
          try {
            return Files.readString(Fixtures.evidence(root, "job-fence0001.jsonl"))
                .contains("stale_claim");
          } catch (IOException e) {
            return false;
          }
        },
        "worker wa to find its claim stale");
    plane.turnKillSwitchOn("done");
    assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();

    List<String> events = new ArrayList<>();
    for (Map<String, Object> e : Fixtures.jsonl(Fixtures.ledger(root))) {
      if (!"heartbeat".equals(e.get("event"))) {
        events.add(e.get("event") + "/" + e.get("worker_id") + "/" + e.get("attempt"));
      }
    }
    assertThat(events)
        .containsExactly("enqueue/null/null", "claim/wa/1", "claim/wb/2", "complete/wb/2");
    assertThat(plane.status("job-fence0001").orElseThrow().attempts()).isEqualTo(2);
    List<String> kinds = Fixtures.kinds(root, "job-fence0001");
    assertThat(kinds).filteredOn("claimed"::equals).hasSize(2);
    assertThat(kinds).contains("stale_claim");
    assertThat(new Cli(root).run("verify").code()).isZero();
  }
}
