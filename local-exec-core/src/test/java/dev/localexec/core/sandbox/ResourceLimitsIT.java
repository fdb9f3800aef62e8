package dev.localexec.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ResourceLimits;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.internal.limits.Cgroups;
import dev.localexec.core.internal.plane.PlaneInternals;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.Timestamps;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.core.worker.Worker;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resource budgets through a real plane: each hostile job fails with its budget's error, its tree
 * stopped and its cgroups removed, and the same worker then runs a normal job.
 */
@ExtendWith(NoChildProcessesExtension.class)
class ResourceLimitsIT {

  private static final long MIB = 1L << 20;

  @TempDir Path root;

  private final String marker = ProcessMarkers.newMarker();

  @AfterEach
  void noMarkedProcessLeft() {
    List<String> left = ProcessMarkers.describe(marker);
    ProcessMarkers.killAll(marker);
    assertThat(left).as("processes left behind").isEmpty();
  }

  private LocalExecPlane plane(SandboxMode mode) {
    SandboxTesting.cgroupsOrSkip();
    if (mode == SandboxMode.BWRAP) {
      SandboxTesting.bwrapOrSkip(root);
    } else if (mode == SandboxMode.UNSHARE) {
      SandboxTesting.unshareOrSkip(root);
    }
    return LocalExecPlane.builder(root).register(new ArgvTaskPlugin()).sandbox(mode).build();
  }

  private static Job job(String id, ResourceLimits limits, String... argv) {
    return new Job(
        id,
        ArgvTaskPlugin.ID,
        Timestamps.utc(Instant.now()),
        Map.of("argv", List.of(argv)),
        Budget.of(60, 5, 65_536, 1).withResources(limits),
        new ToolPolicy(false, true, List.of()),
        null);
  }

  /** Runs {@code hostile} then a normal job on one worker; returns the hostile job's outcome. */
  private RunOutcome runThenNormal(LocalExecPlane plane, Job hostile) throws IOException {
    plane.enqueue(hostile);
    plane.enqueue(job(hostile.jobId() + "ok", ResourceLimits.NONE, "python3", "-c", "print(6*7)"));
    Worker worker = plane.worker();
    RunOutcome outcome = worker.runOnce();
    assertThat(ProcessMarkers.describe(marker)).as("processes left by the job").isEmpty();
    assertThat(leftoverGroups()).as("cgroups left by the job").isEmpty();
    RunOutcome normal = worker.runOnce();
    assertThat(normal.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(normal.result().get("exit_code")).isEqualTo(0);
    assertThat(normal.result().get("stdout")).isEqualTo("42\n");
    return outcome;
  }

  /** This JVM's command groups still present. */
  private static List<Path> leftoverGroups() throws IOException {
    String prefix = "local-exec-" + ProcessHandle.current().pid() + "-";
    List<Path> left = new ArrayList<>();
    for (Path parent : Cgroups.host().parentDirs()) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, prefix + "*")) {
        children.forEach(left::add);
      }
    }
    return left;
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"BWRAP", "UNSHARE", "NONE"})
  void twoThousandProcesses_againstSixtyFour_failWithMaxProcesses(SandboxMode mode)
      throws IOException {
    LocalExecPlane plane = plane(mode);
    String forks =
        "import os, time\n"
            + "for i in range(2000):\n"
            + "    if os.fork() == 0:\n"
            + "        time.sleep(60)\n"
            + "        os._exit(0)\n"
            + "time.sleep(60)\n";
    Job hostile =
        job(
            "job-forks" + mode.name().toLowerCase(),
            new ResourceLimits(0, 64, 0, 0),
            "python3",
            "-c",
            forks,
            marker);

    RunOutcome outcome = runThenNormal(plane, hostile);

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo("max_processes exceeded");
    Map<String, Object> exceeded =
        SandboxTesting.evidence(plane, hostile.jobId(), "budget_exceeded");
    assertThat(exceeded.get("budget")).isEqualTo("max_processes");
    assertThat(exceeded.get("limit")).isEqualTo(64);
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"BWRAP", "UNSHARE", "NONE"})
  void oneGibibyte_againstTwoHundredFiftySixMebibytes_failsWithMaxMemory(SandboxMode mode)
      throws IOException {
    LocalExecPlane plane = plane(mode);
    Job hostile =
        job(
            "job-memory" + mode.name().toLowerCase(),
            new ResourceLimits(256 * MIB, 0, 0, 0),
            "python3",
            "-c",
            "import time\nb = bytearray(1 << 30)\ntime.sleep(60)\n",
            marker);

    RunOutcome outcome = runThenNormal(plane, hostile);

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo("max_memory_bytes exceeded");
    Map<String, Object> exceeded =
        SandboxTesting.evidence(plane, hostile.jobId(), "budget_exceeded");
    assertThat(((Number) exceeded.get("limit")).longValue()).isEqualTo(256 * MIB);
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"BWRAP", "UNSHARE", "NONE"})
  void oneGibibyteFile_againstSixtyFourMebibytes_failsWithMaxFileBytes(SandboxMode mode)
      throws IOException {
    LocalExecPlane plane = plane(mode);
    Job hostile =
        job(
            "job-file" + mode.name().toLowerCase(),
            new ResourceLimits(0, 0, 0, 64 * MIB),
            "dd",
            "if=/dev/zero",
            "of=big-" + marker + ".bin",
            "bs=1M",
            "count=1024");

    RunOutcome outcome = runThenNormal(plane, hostile);

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo("max_file_bytes exceeded");
    assertThat(Files.size(root.resolve("big-" + marker + ".bin"))).isLessThanOrEqualTo(64 * MIB);
    Map<String, Object> exceeded =
        SandboxTesting.evidence(plane, hostile.jobId(), "budget_exceeded");
    assertThat(((Number) exceeded.get("limit")).longValue()).isEqualTo(64 * MIB);
  }

  @ParameterizedTest
  @EnumSource(
      value = SandboxMode.class,
      names = {"BWRAP", "UNSHARE", "NONE"})
  void busyLoop_againstTwoCpuSeconds_failsWithMaxCpu(SandboxMode mode) throws IOException {
    LocalExecPlane plane = plane(mode);
    Job hostile =
        job(
            "job-cpuuse" + mode.name().toLowerCase(),
            new ResourceLimits(0, 0, 2, 0),
            "python3",
            "-c",
            "while True: pass",
            marker);
    long t0 = System.nanoTime();

    RunOutcome outcome = runThenNormal(plane, hostile);

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo("max_cpu_sec exceeded");
    assertThat((System.nanoTime() - t0) / 1_000_000L).isLessThan(15_000);
    Map<String, Object> exceeded =
        SandboxTesting.evidence(plane, hostile.jobId(), "budget_exceeded");
    assertThat(exceeded.get("limit")).isEqualTo(2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void askingAboveTheCeiling_isRefusedWithTheValueTheCeilingAndTheFix() throws IOException {
    SandboxTesting.bwrapOrSkip(root);
    LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .register(new ArgvTaskPlugin())
            .resourceCeilings(new ResourceLimits(512 * MIB, 0, 0, 0))
            .build();
    Job greedy =
        job("job-greedy01", new ResourceLimits(1L << 30, 0, 0, 0), "touch", "canary-" + marker);
    plane.enqueue(greedy);

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(outcome.error()).isEqualTo("resource_above_ceiling:max_memory_bytes");
    assertThat(root.resolve("canary-" + marker)).doesNotExist();
    assertThat(Files.readString(plane.layout().evidenceDir().resolve("job-greedy01.md")))
        .contains(
            "budgets.max_memory_bytes 1073741824 is above the operator's ceiling 536870912;"
                + " ask for at most 536870912, or have the operator raise the ceiling"
                + " (--max-memory-bytes N on the command line,"
                + " LocalExecPlane.Builder.resourceCeilings in code)");
    Map<String, Object> limits =
        (Map<String, Object>)
            SandboxTesting.evidence(plane, "job-greedy01", "run_header").get("resource_limits");
    assertThat(limits.get("max_memory_bytes"))
        .isEqualTo(
            Map.of(
                "value",
                1 << 30,
                "source",
                "job",
                "enforced_by",
                List.of("refused_above_ceiling")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void runHeaderAndHealth_sayHowEachLimitIsEnforced() throws IOException {
    LocalExecPlane plane = plane(SandboxMode.BWRAP);
    String cg = Cgroups.host().version().label();
    plane.enqueue(job("job-header01", new ResourceLimits(0, 100, 30, 0), "true"));

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    Map<String, Object> header = SandboxTesting.evidence(plane, "job-header01", "run_header");
    Map<String, Object> limits = (Map<String, Object>) header.get("resource_limits");
    long memory = PlaneInternals.of(plane).resources().policy().defaults().maxMemoryBytes();
    assertThat(limits)
        .containsExactly(
            Map.entry(
                "max_memory_bytes",
                Map.of("value", memory, "source", "default", "enforced_by", List.of(cg))),
            Map.entry(
                "max_processes", Map.of("value", 100, "source", "job", "enforced_by", List.of(cg))),
            Map.entry(
                "max_cpu_sec",
                Map.of("value", 30, "source", "job", "enforced_by", List.of(cg, "rlimit"))),
            Map.entry(
                "max_file_bytes",
                Map.of("value", 16L << 30, "source", "default", "enforced_by", List.of("rlimit"))),
            Map.entry("tmpfs_bytes", (int) (256 * MIB)));
    assertThat((List<String>) ((Map<String, Object>) header.get("sandbox")).get("enforces"))
        .endsWith("resource_limits");
    Map<String, Object> health = plane.health().resourceLimits();
    assertThat(((Map<String, Object>) health.get("cgroup")).get("version")).isEqualTo(cg);
    assertThat(health.get("rlimits")).isEqualTo(true);
    assertThat(health.get("tmpfs_bytes")).isEqualTo(256 * MIB);
  }

  @Test
  void theSandboxTmpfsFolders_areBounded() throws IOException {
    LocalExecPlane plane = plane(SandboxMode.BWRAP);
    plane.enqueue(
        job(
            "job-tmpfs001",
            ResourceLimits.NONE,
            "python3",
            "-c",
            "import os\n"
                + "for d in ('/tmp', '/run', '/dev/shm'):\n"
                + "    s = os.statvfs(d)\n"
                + "    print(d, s.f_blocks * s.f_frsize)\n"
                + "try:\n"
                + "    open('/dev/x', 'w')\n"
                + "except OSError as e:\n"
                + "    print('/dev', e.errno)\n"));

    RunOutcome outcome = plane.runOnce();

    assertThat(outcome.status()).isEqualTo(RunOutcome.Status.COMPLETE);
    long size = 256 * MIB;
    assertThat(outcome.result().get("stdout"))
        .isEqualTo("/tmp " + size + "\n/run " + size + "\n/dev/shm " + size + "\n/dev 30\n");
  }
}
