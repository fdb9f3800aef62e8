package dev.localexec.core.plane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.worker.WorkerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose commands have a shell as the program is refused by the plane when it is validated or
 * enqueued, not only when it runs, unless the workers allow shells.
 */
class PlaneShellRefusalTest {

  @TempDir Path root;

  /** Declares the argvs of its payload ({@code {"argvs": [[...], ...]}}); never runs them here. */
  private static final class ArgvsPlugin implements TaskPlugin {
    @Override
    public String id() {
      return "argvs_task";
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\",\"required\":[\"argvs\"],\"properties\":{\"argvs\":"
          + "{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}}";
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<List<String>> argvs(Map<String, Object> payload) {
      return (List<List<String>>) payload.get("argvs");
    }

    @Override
    public TaskResult run(TaskContext context) {
      return TaskResult.of(Map.of());
    }
  }

  private LocalExecPlane plane(boolean allowShells) {
    return LocalExecPlane.builder(root)
        .environment(Map.of())
        .launcher(new DirectLauncher())
        .register(new ArgvsPlugin())
        .workerOptions(WorkerOptions.defaults().withAllowShells(allowShells))
        .build();
  }

  private static Job job(List<List<String>> argvs) {
    return new Job(
        "job-shells0001",
        "argvs_task",
        "2026-01-02T03:04:05Z",
        Map.of("argvs", argvs),
        Budget.of(60, 5, 65_536, 1),
        new ToolPolicy(false, true, List.of()),
        null);
  }

  @Test
  void aShellProgram_isRefusedAtValidateAndAtEnqueue_andNothingIsQueued() throws Exception {
    Job job = job(List.of(List.of("git", "status"), List.of("bash", "-c", "make test")));
    try (LocalExecPlane plane = plane(false)) {
      assertThatThrownBy(() -> plane.validate(job))
          .isInstanceOfSatisfying(
              JobValidationException.class,
              e ->
                  assertThat(e.errors())
                      .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                      .startsWith("$.payload: command 2 of 2 would be refused when it runs: ")
                      .contains("shells are refused by default")
                      .contains("--allow-shells"));
      assertThatThrownBy(() -> plane.enqueue(job)).isInstanceOf(JobValidationException.class);
      assertThat(plane.status()).isEmpty();
      assertThat(plane.layout().ledger()).satisfies(l -> assertThat(sizeOf(l)).isZero());
    }
  }

  @Test
  void withShellsAllowed_theSameJobValidatesAndIsQueued() {
    Job job = job(List.of(List.of("bash", "-c", "make test")));
    try (LocalExecPlane plane = plane(true)) {
      plane.validate(job);
      plane.enqueue(job);
      assertThat(plane.status())
          .singleElement()
          .satisfies(s -> assertThat(s.jobId()).isEqualTo("job-shells0001"));
    }
  }

  @Test
  void commandsWithoutAShell_validate() {
    try (LocalExecPlane plane = plane(false)) {
      plane.validate(job(List.of(List.of("python3", "-m", "pytest"))));
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
