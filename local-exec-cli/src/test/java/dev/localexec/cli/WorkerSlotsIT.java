package dev.localexec.cli;

import static dev.localexec.cli.Fixtures.POLICY_SUBPROCESS;
import static dev.localexec.cli.Fixtures.job;
import static dev.localexec.cli.Fixtures.jsonl;
import static dev.localexec.cli.Fixtures.kinds;
import static dev.localexec.cli.Fixtures.ledger;
import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's slot pool, commands run concurrently within a job's slots, and worker stop. */
class WorkerSlotsIT {
  @TempDir Path root;

  private static String sleeper(String id, int slots, String... seconds) {
    StringBuilder cmds = new StringBuilder();
    for (String s : seconds) {
      if (cmds.length() > 0) {
        cmds.append(", ");
      }
      cmds.append("[\"sleep\", \"").append(s).append("\"]");
    }
    return job(
        id,
        "test_runner_task",
        "{\"commands\": [" + cmds + "], \"timeout_sec\": 60}",
        "{\"max_wall_time_sec\": 60, \"max_tool_calls\": 10, \"max_output_bytes\": 65536,"
            + " \"max_concurrency_slots\": "
            + slots
            + "}",
        POLICY_SUBPROCESS);
  }

  private LocalExecPlane plane() {
    return LocalExecPlane.builder(root).discoverPlugins().build();
  }

  private List<String> ledgerEvents() {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> e : jsonl(ledger(root))) {
      if (!"heartbeat".equals(e.get("event"))) {
        out.add(e.get("event") + ":" + e.get("job_id"));
      }
    }
    return out;
  }

  private static String runLoopUntilDrained(LocalExecPlane plane, Worker worker, int jobs) {
    return worker.loop(
        Duration.ofMillis(20),
        Duration.ofSeconds(30),
        () -> plane.status().stream().filter(s -> s.state().terminal()).count() >= jobs);
  }

  @Test
  void twoSlots_runTwoOneSlotJobsAtOnce() {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(sleeper("job-slotaaaa01", 1, "1")));
    plane.enqueue(plane.parseJob(sleeper("job-slotbbbb01", 1, "1")));

    runLoopUntilDrained(plane, plane.worker(plane.workerOptions().withSlots(2)), 2);

    List<String> events = ledgerEvents();
    assertThat(events.subList(2, 4))
        .containsExactly("claim:job-slotaaaa01", "claim:job-slotbbbb01");
    assertThat(events.subList(4, 6)).allMatch(e -> e.startsWith("complete:"));
  }

  @Test
  void oneSlot_runsJobsOneAfterTheOther() {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(sleeper("job-slotaaaa02", 1, "0.2")));
    plane.enqueue(plane.parseJob(sleeper("job-slotbbbb02", 1, "0.2")));

    runLoopUntilDrained(plane, plane.worker(), 2);

    assertThat(ledgerEvents().subList(2, 6))
        .containsExactly(
            "claim:job-slotaaaa02",
            "complete:job-slotaaaa02",
            "claim:job-slotbbbb02",
            "complete:job-slotbbbb02");
  }

  @Test
  void aTwoSlotJob_waitsForBothSlotsAndRunsItsCommandsConcurrently() {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(sleeper("job-slotaaaa03", 2, "1", "1")));

    runLoopUntilDrained(plane, plane.worker(plane.workerOptions().withSlots(2)), 1);

    List<String> k = kinds(root, "job-slotaaaa03");
    int firstResult = k.indexOf("tool_result");
    assertThat(k.subList(0, firstResult)).filteredOn("tool_call"::equals).hasSize(2);
  }

  @Test
  void stop_endsTheLoopAndFailsTheRunningJobWithoutLeavingItsProcess() throws Exception {
    LocalExecPlane plane = plane();
    plane.enqueue(plane.parseJob(sleeper("job-slotstop01", 1, "3007")));
    Worker worker = plane.worker();
    AtomicReference<String> reason = new AtomicReference<>();
    Thread loop =
        new Thread(
            () ->
                reason.set(
                    worker.loop(Duration.ofMillis(20), Duration.ofSeconds(30), () -> false)));
    loop.start();
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline
        && !(Files.exists(Fixtures.evidence(root, "job-slotstop01.jsonl"))
            && kinds(root, "job-slotstop01").contains("tool_call"))) {
      Thread.sleep(20);
    }
    Thread.sleep(200);

    worker.stop();
    loop.join(20_000);

    assertThat(loop.isAlive()).isFalse();
    assertThat(reason.get()).isEqualTo("stopped");
    assertThat(plane.status("job-slotstop01").orElseThrow().error())
        .isEqualTo("worker_stopped:subprocess");
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 3007"))
                .filter(ProcessHandle::isAlive)
                .count())
        .isZero();
  }
}
