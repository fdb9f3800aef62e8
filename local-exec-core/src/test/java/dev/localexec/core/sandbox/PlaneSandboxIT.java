package dev.localexec.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.limits.Cgroups;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.Timestamps;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.worker.RunOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox as a plane wires it: the probe's choice reaches the worker's runner, {@code
 * run_header} and {@code health}; a plane with no working sandbox fails subprocess jobs closed.
 */
@ExtendWith(NoChildProcessesExtension.class)
class PlaneSandboxIT {

  @TempDir Path root;
  @TempDir Path emptyBin;

  private LocalExecPlane.Builder plane() {
    return LocalExecPlane.builder(root).register(new ArgvTaskPlugin());
  }

  private static Job job(String id, boolean network, String... argv) {
    return new Job(
        id,
        ArgvTaskPlugin.ID,
        Timestamps.utc(Instant.now()),
        Map.of("argv", List.of(argv)),
        Budget.of(60, 5, 65_536, 1),
        new ToolPolicy(network, true, List.of()),
        null);
  }

  /**
   * {@code sandbox} with {@code resource_limits} enforced where this host's cgroups hold the
   * standard memory and process limits.
   */
  private static Sandbox held(Sandbox sandbox) {
    Cgroups c = Cgroups.host();
    return sandbox.withResourceLimits(c.memory() && c.pids());
  }

  @Test
  void noSandbox_failsTheJobClosed_andHealthSaysWhy() throws IOException {
    LocalExecPlane plane =
        plane().sandboxProbe(SandboxProbe.searching(emptyBin.toString())).build();
    plane.enqueue(job("job-failclosed01", false, "touch", "canary"));

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo("sandbox_unavailable");
    assertThat(root.resolve("canary")).doesNotExist();
    assertThat(SandboxTesting.evidence(plane, "job-failclosed01", "run_header").get("sandbox"))
        .isEqualTo(Sandbox.unavailable().toMap());
    Map<String, Object> health = plane.health().toMap();
    assertThat(health.get("sandbox")).isEqualTo(Sandbox.unavailable().toMap());
    assertThat(health.get("ok")).isEqualTo(false);
    assertThat((List<?>) health.get("problems"))
        .anySatisfy(
            p -> assertThat(p.toString()).startsWith("sandbox unavailable: no sandbox works"));
  }

  @Test
  void sandboxNone_runsUnsandboxed_andEveryRunHeaderSaysNone() throws IOException {
    LocalExecPlane plane =
        plane()
            .sandbox(SandboxMode.NONE)
            .sandboxProbe(SandboxProbe.searching(emptyBin.toString()))
            .build();
    plane.enqueue(job("job-sandboxnone01", false, "touch", "canary"));

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(root.resolve("canary")).exists();
    assertThat(plane.sandbox()).isEqualTo(held(Sandbox.none()));
    Map<String, Object> header = SandboxTesting.evidence(plane, "job-sandboxnone01", "run_header");
    assertThat(header.get("sandbox")).isEqualTo(held(Sandbox.none()).toMap());
    assertThat(((Map<?, ?>) header.get("sandbox")).get("mechanism")).isEqualTo("none");
    assertThat(plane.health().toMap().get("ok")).isEqualTo(true);
  }

  @Test
  void auto_runsJobsInBwrap_andKeepsThePlaneFolderReadOnly() throws IOException {
    SandboxTesting.bwrapOrSkip(root);
    LocalExecPlane plane = plane().build();
    plane.enqueue(job("job-bwrapplane01", false, "touch", "workspace/local_exec/state/jobs.jsonl"));
    plane.enqueue(job("job-bwrapplane02", true, "touch", "written-by-job"));
    byte[] ledger = Files.readAllBytes(plane.layout().ledger());

    RunOutcome first = plane.runOnce();
    RunOutcome second = plane.runOnce();

    assertThat(plane.sandbox()).isEqualTo(held(Sandbox.bwrap()));
    assertThat(plane.health().toMap().get("sandbox")).isEqualTo(held(Sandbox.bwrap()).toMap());
    assertThat(first.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(first.result().get("exit_code")).isEqualTo(1);
    assertThat(first.result().get("stderr").toString()).contains("Read-only file system");
    assertThat(Files.readAllBytes(plane.layout().ledger())).startsWith(ledger);
    assertThat(SandboxTesting.evidence(plane, "job-bwrapplane01", "run_header").get("sandbox"))
        .isEqualTo(held(Sandbox.bwrap()).toMap());
    assertThat(second.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(root.resolve("written-by-job")).exists();
    Map<?, ?> networked =
        (Map<?, ?>) SandboxTesting.evidence(plane, "job-bwrapplane02", "run_header").get("sandbox");
    assertThat(networked.get("enforces"))
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .doesNotContain("network_namespace");
    assertThat(networked.get("not_enforced"))
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .startsWith("network_namespace");
  }

  @Test
  void launcherAndSandboxMode_together_areAConflict() {
    IllegalStateException e =
        catchThrowableOfType(
            IllegalStateException.class,
            () -> plane().launcher(new DirectLauncher()).sandbox(SandboxMode.AUTO).build());

    assertThat(e.getMessage()).contains("both launcher(none) and sandbox(AUTO)");
  }
}
