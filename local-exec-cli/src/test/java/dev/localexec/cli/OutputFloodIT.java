package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output floods: kept output stays within the budget, the heap stays flat, the child never blocks.
 */
class OutputFloodIT {
  @TempDir Path root;

  private static final long BUDGET = 1_048_576;

  private RunOutcome run(List<String> argv, int timeoutSec) {
    LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build();
    String doc =
        Json.line(
            Map.of(
                "job_id",
                "job-flood0001",
                "job_type",
                "test_runner_task",
                "created_at_utc",
                "2026-11-24T00:00:00Z",
                "payload",
                Map.of("commands", List.of(argv), "timeout_sec", timeoutSec),
                "budgets",
                Map.of(
                    "max_wall_time_sec", 600,
                    "max_tool_calls", 10,
                    "max_output_bytes", BUDGET,
                    "max_concurrency_slots", 1),
                "tool_policy",
                Map.of(
                    "allow_network", false,
                    "allow_subprocess", true,
                    "allowed_tools", List.of())));
    plane.enqueue(plane.parseJob(doc));
    return plane.runOnce();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> firstResult(RunOutcome o) {
    return ((List<Map<String, Object>>) o.result().get("results")).get(0);
  }

  private static long heapAfterGc(MemoryMXBean mem) {
    System.gc();
    System.gc();
    return mem.getHeapMemoryUsage().getUsed();
  }

  @Test
  void finiteFlood_runsToTheEndKeepsExactlyTheBudgetAndTheHeapStaysFlat() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long before = heapAfterGc(mem);

    // 300 MB through a 64 KiB pipe: a child blocked on a full pipe would hit the 120 s timeout.
    RunOutcome o = run(List.of("head", "-c", "300000000", "/dev/zero"), 120);

    long after = heapAfterGc(mem);
    Map<String, Object> r = firstResult(o);
    assertThat(o.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(r)
        .containsEntry("returncode", 0)
        .containsEntry("timed_out", false)
        .containsEntry("stdout_truncated", true);
    assertThat(((Number) r.get("stdout_bytes")).longValue()).isEqualTo(300_000_000L);
    assertThat(((String) r.get("stdout")).length()).isEqualTo((int) BUDGET);
    assertThat(after - before).as("heap growth in bytes").isLessThan(32L * 1024 * 1024);
  }

  @Test
  void endlessYes_isStoppedAtItsTimeoutWithOutputWithinTheBudget() {
    RunOutcome o = run(List.of("yes", "local-exec"), 2);

    Map<String, Object> r = firstResult(o);
    assertThat(r).containsEntry("timed_out", true).containsEntry("returncode", null);
    assertThat(((String) r.get("stdout")).length()).isEqualTo((int) BUDGET);
    assertThat(((Number) r.get("stdout_bytes")).longValue()).isGreaterThan(BUDGET);
  }
}
