package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.worker.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's whole process tree ends with the job, through the plane with its default sandbox: a
 * command that outlives {@code max_wall_time_sec}, the kill switch mid-run, and a worker stop. The
 * tree holds a double-forked child, a {@code setsid} child and a child that ignores SIGTERM, each
 * carrying a unique marker in its environment, searched for in {@code /proc} afterwards.
 */
class ProcessTreeKillIT {
  @TempDir Path root;

  private final String marker = "LOCAL_EXEC_TREE_" + UUID.randomUUID().toString().replace("-", "");

  private String treeJob(String id, int wallSec) {
    String script =
        "(sleep 300 &) ; setsid sleep 301 & sh -c 'trap \"\" TERM; sleep 302' & "
            + "trap '' TERM; sleep 303";
    return Json.line(
        Map.of(
            "job_id",
            id,
            "job_type",
            "test_runner_task",
            "created_at_utc",
            "2026-11-24T00:00:00Z",
            "payload",
            Map.of(
                "commands",
                List.of(List.of("env", marker + "=1", "sh", "-c", script)),
                "timeout_sec",
                600),
            "budgets",
            Map.of(
                "max_wall_time_sec", wallSec,
                "max_tool_calls", 10,
                "max_output_bytes", 65536,
                "max_concurrency_slots", 1),
            "tool_policy",
            Map.of(
                "allow_network", false,
                "allow_subprocess", true,
                "allowed_tools", List.of())));
  }

  private LocalExecPlane plane() {
    return LocalExecPlane.builder(root).discoverPlugins().allowShells(true).build();
  }

  private void awaitTree() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (Fixtures.processesWithEnvironment(marker) < 4 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(Fixtures.processesWithEnvironment(marker))
        .as("marked processes while the job runs")
        .isGreaterThanOrEqualTo(4);
  }

  private Thread loop(Worker worker, AtomicReference<String> reason) {
    Thread t =
        new Thread(
            () ->
                reason.set(
                    worker.loop(Duration.ofMillis(20), Duration.ofSeconds(60), () -> false)));
    t.start();
    return t;
  }

  private static Duration between(String from, String to) {
    return Duration.between(Instant.parse(from), Instant.parse(to));
  }

  @Test
  void wallTime_failsWithinTheGracePeriodAndLeavesNoProcess() throws Exception {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(treeJob("job-treewall01", 2)));

    plane.runOnce();

    JobStatus s = plane.status("job-treewall01").orElseThrow();
    assertThat(s.error()).isEqualTo("max_wall_time_sec exceeded");
    List<Map<String, Object>> ev = Fixtures.jsonl(Fixtures.evidence(root, "job-treewall01.jsonl"));
    String claimed = (String) ev.get(0).get("ts_utc");
    String failed = (String) ev.get(ev.size() - 1).get("ts_utc");
    // 2 s of wall time, then TERM, 1 s of grace, KILL; a second of slack for a loaded machine.
    assertThat(between(claimed, failed)).isLessThan(Duration.ofSeconds(2 + 1 + 1));
    assertThat(Fixtures.processesWithEnvironment(marker)).isZero();
  }

  @Test
  void killSwitchMidRun_failsTheJobAndLeavesNoProcess() throws Exception {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(treeJob("job-treekill01", 600)));
    AtomicReference<String> reason = new AtomicReference<>();
    Thread t = loop(plane.worker(), reason);
    awaitTree();

    plane.turnKillSwitchOn("test");
    t.join(30_000);

    assertThat(t.isAlive()).isFalse();
    assertThat(reason.get()).isEqualTo("kill_switch");
    assertThat(plane.status("job-treekill01").orElseThrow().error())
        .isEqualTo("kill_switch:subprocess");
    assertThat(Fixtures.processesWithEnvironment(marker)).isZero();
  }

  @Test
  void workerStop_failsTheJobAndLeavesNoProcess() throws Exception {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(treeJob("job-treestop01", 600)));
    Worker worker = plane.worker();
    AtomicReference<String> reason = new AtomicReference<>();
    Thread t = loop(worker, reason);
    awaitTree();

    worker.stop();
    t.join(30_000);

    assertThat(t.isAlive()).isFalse();
    assertThat(reason.get()).isEqualTo("stopped");
    assertThat(plane.status("job-treestop01").orElseThrow().error())
        .isEqualTo("worker_stopped:subprocess");
    assertThat(Fixtures.processesWithEnvironment(marker)).isZero();
  }
}
