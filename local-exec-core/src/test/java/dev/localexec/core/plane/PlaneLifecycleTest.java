package dev.localexec.core.plane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.plane.PlaneInternals;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.sandbox.ArgvTaskPlugin;
import dev.localexec.core.sandbox.Sandbox;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.sandbox.SandboxProbe;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plane's lifecycle: the sandbox is probed the first time it is needed and only once, and {@link
 * LocalExecPlane#close()} ends what the plane started and refuses what comes after.
 */
@ExtendWith(NoChildProcessesExtension.class)
class PlaneLifecycleTest {

  @TempDir Path root;

  /** A probe that counts its calls and chooses no sandbox, without running anything. */
  private static final class CountingProbe extends SandboxProbe {
    final AtomicInteger calls = new AtomicInteger();

    CountingProbe() {
      super(LocalArgvRunner.SAFE_PATH);
    }

    @Override
    public Choice choose(
        SandboxMode mode, Path root, List<Path> readOnlyInsideRoot, List<String> controlPaths) {
      calls.incrementAndGet();
      return new Choice(new DirectLauncher(), Sandbox.none(), "counting probe for a test");
    }
  }

  private LocalExecPlane.Builder plane(SandboxProbe probe) {
    return LocalExecPlane.builder(root)
        .environment(Map.of())
        .sandboxProbe(probe)
        .register(new ArgvTaskPlugin());
  }

  private static Job job(String id) {
    return new Job(
        id,
        ArgvTaskPlugin.ID,
        "2026-01-02T03:04:05Z",
        Map.of("argv", List.of("true")),
        Budget.of(60, 5, 65_536, 1),
        new ToolPolicy(false, true, List.of()),
        null);
  }

  @Test
  void statusEnqueueVerifyAndKillSwitch_doNotProbe_runningProbesOnce() {
    CountingProbe probe = new CountingProbe();
    try (LocalExecPlane plane = plane(probe).build()) {
      assertThat(probe.calls).hasValue(0);

      plane.status();
      plane.enqueue(job("job-lazyprobe01"));
      plane.enqueue(job("job-lazyprobe02"));
      plane.verify(null);
      plane.turnKillSwitchOn("test");
      plane.turnKillSwitchOn("test");
      plane.turnKillSwitchOff();
      plane.status("job-lazyprobe01");
      assertThat(probe.calls).hasValue(0);

      RunOutcome first = plane.runOnce();
      assertThat(probe.calls).hasValue(1);
      RunOutcome second = plane.runOnce();
      plane.health();
      plane.sandbox();

      assertThat(probe.calls).hasValue(1);
      assertThat(first.status()).isEqualTo(RunOutcome.Status.COMPLETE);
      assertThat(second.status()).isEqualTo(RunOutcome.Status.COMPLETE);
      assertThat(first.result()).containsEntry("exit_code", 0);
    }
  }

  @Test
  void health_isTypedAndPrintsTodaysKeysInOrder() {
    try (LocalExecPlane plane = plane(new CountingProbe()).build()) {
      plane.enqueue(job("job-health0001"));
      plane.enqueue(job("job-health0002"));
      assertThat(plane.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);

      HealthReport h = plane.health();

      assertThat(h.ok()).isTrue();
      assertThat(h.killSwitch()).isFalse();
      assertThat(h.sandbox()).isEqualTo(plane.sandbox());
      assertThat(h.jobs()).isEqualTo(new JobCounts(1, 0, 1, 0));
      assertThat(h.jobs().count(JobState.COMPLETE)).isEqualTo(1);
      assertThat(h.jobs().total()).isEqualTo(2);
      assertThat(h.ledgerEvents()).hasValue(5);
      assertThat(h.lastEvent()).map(HealthReport.LastEvent::event).hasValue("complete");
      assertThat(h.tools()).isEmpty();
      assertThat(h.model()).isEmpty();
      assertThat(h.taskTypes()).containsExactly(ArgvTaskPlugin.ID);
      Map<String, Object> m = h.toMap();
      assertThat(m.keySet())
          .containsExactly(
              "kill_switch",
              "sandbox",
              "resource_limits",
              "tools",
              "model",
              "repo_root",
              "state_dir_writable",
              "evidence_dir_writable",
              "ledger",
              "ledger_bytes",
              "ledger_events",
              "last_event",
              "jobs",
              "task_types",
              "ok",
              "problems");
      assertThat(m)
          .containsEntry("tools", "none")
          .containsEntry("model", "off")
          .containsEntry("ledger_events", 5L)
          .containsEntry("ok", true)
          .containsEntry("problems", List.of())
          .containsEntry("jobs", Map.of("queued", 1, "running", 0, "complete", 1, "failed", 0));
      assertThat(h.jobs().toMap().keySet())
          .containsExactly("queued", "running", "complete", "failed");

      plane.turnKillSwitchOn("test");
      assertThat(plane.health().killSwitch()).isTrue();
      assertThat(plane.health().problems()).containsExactly("kill switch is on");
    }
  }

  @Test
  void healthProbes() {
    CountingProbe probe = new CountingProbe();
    try (LocalExecPlane plane = plane(probe).build()) {
      Map<String, Object> health = plane.health().toMap();

      assertThat(probe.calls).hasValue(1);
      assertThat(health.get("sandbox")).isEqualTo(plane.sandbox().toMap());
    }
  }

  @Test
  void probesRacingThreads_once() throws InterruptedException {
    CountingProbe probe = new CountingProbe();
    try (LocalExecPlane plane = plane(probe).build()) {
      List<Thread> threads = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        threads.add(new Thread(plane::sandbox));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join(10_000);
      }

      assertThat(probe.calls).hasValue(1);
    }
  }

  @Test
  void close_isIdempotent_andOperationsAfterItFail() {
    LocalExecPlane plane = plane(new CountingProbe()).build();
    plane.enqueue(job("job-closed0001"));

    plane.close();
    plane.close();

    assertThat(plane.isClosed()).isTrue();
    List<Runnable> operations =
        List.of(
            plane::status,
            () -> plane.enqueue(job("job-closed0002")),
            () -> plane.requeue("job-closed0001"),
            plane::runOnce,
            () -> plane.loop(Duration.ofMillis(5), Duration.ofHours(1), () -> true),
            plane::worker,
            plane::health,
            () -> plane.verify(null),
            plane::killSwitchOn,
            () -> plane.turnKillSwitchOn("closed"),
            plane::turnKillSwitchOff,
            () -> PlaneInternals.of(plane).queue(),
            plane::sandbox,
            () -> PlaneInternals.of(plane).resources(),
            () -> plane.parseJob("{}"));
    for (Runnable op : operations) {
      assertThatThrownBy(op::run)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the plane is closed");
    }
    assertThat(plane.layout().root()).isEqualTo(root);
  }

  @Test
  void close_endsEveryThreadThePlaneStarted() throws InterruptedException {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    LocalExecPlane plane =
        plane(new CountingProbe()).workerOptions(WorkerOptions.defaults().withSlots(2)).build();
    plane.enqueue(job("job-threads0001"));
    plane.enqueue(job("job-threads0002"));
    assertThat(plane.worker().drain(Duration.ofMillis(5))).isEqualTo("drained");
    assertThat(plane.status()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETE));
    // A loop still running when the plane closes: close stops it and waits for it.
    AtomicReference<String> reason = new AtomicReference<>();
    Thread loop =
        new Thread(
            () -> reason.set(plane.loop(Duration.ofMillis(5), Duration.ofHours(1), () -> false)),
            "test-loop");
    loop.start();
    waitForLoopStart(plane);

    plane.close();
    loop.join(10_000);

    assertThat(reason.get()).isEqualTo("stopped");
    List<String> left =
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .filter(t -> !before.contains(t))
            .filter(t -> !jvmOwned(t))
            .map(Thread::getName)
            .toList();
    assertThat(left).as("threads alive after close").isEmpty();
  }

  private static void waitForLoopStart(LocalExecPlane plane) throws InterruptedException {
    Path events = plane.layout().evidenceDir().resolve("worker_local-exec-worker.jsonl");
    Instant until = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(until)) {
      try {
        long starts =
            java.nio.file.Files.readAllLines(events).stream()
                .filter(l -> l.contains("\"loop_start\""))
                .count();
        if (starts >= 2) {
          return;
        }
      } catch (java.io.IOException e) {
        // not written yet
      }
      Thread.sleep(5);
    }
  }

  /** Threads the JDK starts on its own (e.g. to reap child processes), not the plane's. */
  private static boolean jvmOwned(Thread t) {
    String name = t.getName();
    return name.startsWith("process reaper")
        || name.startsWith("ForkJoinPool.commonPool")
        || name.equals("Common-Cleaner")
        || name.equals("Attach Listener");
  }
}
