package dev.localexec.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.testing.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Worker#stop(Duration)}: no new claims at once, running jobs go on for the grace period
 * (measured on the injected clock) and complete normally within it, and fail with {@code
 * worker_stopped:<where>} when it ends; {@link Worker#stop()} ends them at once.
 */
class WorkerStopTest {
  @TempDir Path root;

  private final FakeClock clock = FakeClock.fixed();
  private final PollingPlugin plugin = new PollingPlugin();
  private LocalExecPlane plane;
  private Worker worker;
  private Thread loop;
  private final AtomicReference<String> reason = new AtomicReference<>();

  /** Runs until released, checking the kill switch (and the worker's stop) every few ms. */
  private static final class PollingPlugin implements TaskPlugin {
    final CountDownLatch running = new CountDownLatch(1);
    final AtomicBoolean release = new AtomicBoolean();

    @Override
    public String id() {
      return "polling_task";
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\"}";
    }

    @Override
    public TaskResult run(TaskContext ctx) {
      running.countDown();
      while (!release.get()) {
        ctx.checkKillSwitch("polling");
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return TaskResult.of(Map.of("interrupted", true));
        }
      }
      return TaskResult.of(Map.of("released", true));
    }
  }

  @BeforeEach
  void setUp() {
    plane =
        LocalExecPlane.builder(root)
            .clock(clock)
            .launcher(new DirectLauncher())
            .environment(Map.of())
            .register(plugin)
            .build();
    worker = plane.worker();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    plugin.release.set(true);
    worker.stop();
    if (loop != null) {
      loop.join(10_000);
    }
  }

  private static Job job(String id) {
    return new Job(
        id,
        "polling_task",
        "2026-01-02T03:04:05Z",
        Map.of(),
        Budget.of(3600, 10, 65536, 1),
        ToolPolicy.denyAll(),
        null);
  }

  private void startLoopWithARunningJob() throws InterruptedException {
    plane.enqueue(job("job-stopgrace01"));
    plane.enqueue(job("job-stopgrace02"));
    loop =
        new Thread(
            () -> reason.set(worker.loop(Duration.ofMillis(5), Duration.ofHours(1), () -> false)));
    loop.start();
    assertThat(plugin.running.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private JobStatus status(String id) {
    return plane.status(id).orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> lines(String file) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    Path p = root.resolve("workspace/local_exec/evidence").resolve(file);
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      out.add((Map<String, Object>) Json.parse(line));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> loopExit() throws IOException {
    List<Map<String, Object>> ev = lines("worker_local-exec-worker.jsonl");
    Map<String, Object> last = ev.get(ev.size() - 1);
    assertThat(last).containsEntry("kind", "loop_exit");
    return (Map<String, Object>) last.get("payload");
  }

  @Test
  void aJobThatFinishesWithinTheGrace_completesAndNothingNewIsClaimed() throws Exception {
    startLoopWithARunningJob();

    worker.stop(Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(9));
    loop.join(200);
    assertThat(loop.isAlive()).as("the loop waits for the running job").isTrue();
    plugin.release.set(true);
    loop.join(10_000);

    assertThat(loop.isAlive()).isFalse();
    assertThat(reason.get()).isEqualTo("stopped");
    assertThat(status("job-stopgrace01").state().jsonName()).isEqualTo("complete");
    assertThat(status("job-stopgrace02").state().jsonName()).isEqualTo("queued");
    assertThat(loopExit())
        .containsEntry("reason", "stopped")
        .containsEntry("jobs_run", 1)
        .containsEntry("jobs_interrupted", 0)
        .containsEntry("stop_grace_ms", 10_000);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aJobStillRunningWhenTheGraceEnds_failsWithWorkerStopped() throws Exception {
    startLoopWithARunningJob();

    worker.stop(Duration.ofSeconds(10));
    clock.advance(Duration.ofMillis(9_999));
    loop.join(200);
    assertThat(loop.isAlive()).isTrue();
    clock.advance(Duration.ofMillis(1));
    loop.join(10_000);

    assertThat(loop.isAlive()).isFalse();
    assertThat(status("job-stopgrace01").error()).isEqualTo("worker_stopped:polling");
    Map<String, Object> stopped =
        lines("job-stopgrace01.jsonl").stream()
            .filter(e -> "worker_stopped".equals(e.get("kind")))
            .findFirst()
            .orElseThrow();
    assertThat((Map<String, Object>) stopped.get("payload"))
        .containsEntry("where", "polling")
        .containsEntry("grace_ms", 10_000);
    assertThat(loopExit()).containsEntry("jobs_run", 1).containsEntry("jobs_interrupted", 1);
  }

  @Test
  void stopWithoutGrace_endsTheRunningJobAtOnceAndShortensAnEarlierGrace() throws Exception {
    startLoopWithARunningJob();

    worker.stop(Duration.ofSeconds(60));
    loop.join(200);
    assertThat(loop.isAlive()).isTrue();
    worker.stop();
    loop.join(10_000);

    assertThat(loop.isAlive()).isFalse();
    assertThat(status("job-stopgrace01").error()).isEqualTo("worker_stopped:polling");
    assertThat(loopExit()).containsEntry("jobs_interrupted", 1).containsEntry("stop_grace_ms", 0);
    assertThat(worker.runOnce().status()).isEqualTo(RunOutcome.Status.STOPPED);
  }

  @Test
  void aLaterStop_neverLengthensTheGrace() throws Exception {
    startLoopWithARunningJob();

    worker.stop(Duration.ofSeconds(1));
    worker.stop(Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(1));
    loop.join(10_000);

    assertThat(loop.isAlive()).isFalse();
    assertThat(status("job-stopgrace01").error()).isEqualTo("worker_stopped:polling");
  }

  @Test
  void stopGracefully_usesTheOptionsGrace() throws Exception {
    worker = plane.worker(plane.workerOptions().withStopGrace(Duration.ofSeconds(3)));
    startLoopWithARunningJob();

    worker.stopGracefully();
    clock.advance(Duration.ofSeconds(3));
    loop.join(10_000);

    assertThat(loopExit()).containsEntry("stop_grace_ms", 3000);
  }

  @Test
  void negativeGrace_isRefused() {
    assertThatThrownBy(() -> worker.stop(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stop grace must be zero or more, got PT-1S");
    assertThatThrownBy(() -> WorkerOptions.defaults().withStopGrace(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stop grace must be in 0..3600 s, got PT2H");
    assertThat(WorkerOptions.defaults().stopGrace()).isEqualTo(Duration.ofSeconds(10));
  }
}
