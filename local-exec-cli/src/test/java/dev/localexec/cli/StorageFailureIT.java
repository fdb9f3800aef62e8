package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only and a full state folder give clear errors and lose nothing already written. The plane
 * runs in a separate JVM inside bubblewrap, which makes the state folder read-only or a tiny tmpfs
 * (the worker is root here, so file permissions alone cannot make a folder read-only).
 */
class StorageFailureIT {
  @RegisterExtension final CliProcesses processes = new CliProcesses();

  @TempDir Path root;
  Path state;

  @BeforeEach
  void bwrap() {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/bwrap")),
        "bubblewrap is not installed (apt-get install bubblewrap); it builds the read-only and"
            + " full folders");
    state = root.resolve("workspace/local_exec/state");
  }

  private record Run(int code, String out, String err) {}

  private Run java(List<String> sandbox, String mainClass, String... args) throws Exception {
    List<String> prefix =
        new ArrayList<>(List.of("/usr/bin/bwrap", "--die-with-parent", "--dev-bind", "/", "/"));
    prefix.addAll(sandbox);
    prefix.add("--");
    CliProcesses.Finished p =
        processes
            .program(CliProcesses.javaCommand(prefix, mainClass, args))
            .stdout(root.resolve("out.txt"))
            .stderr(root.resolve("err.txt"))
            .run(java.time.Duration.ofSeconds(120));
    return new Run(p.code(), p.out(), p.err());
  }

  @Test
  void readOnlyState_refusesWithAClearErrorAndChangesNothing() throws Exception {
    LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build();
    plane.enqueue(DemoJob.create(Instant.now()));
    byte[] before = Files.readAllBytes(state.resolve("jobs.jsonl"));
    Path job =
        Fixtures.write(
            root,
            "job.json",
            Fixtures.job(
                "job-readonly01",
                "repo_index_task",
                "{\"include_globs\": [\"**/*.md\"], \"max_files\": 10, \"max_file_bytes\": 1024}",
                Fixtures.BUDGETS,
                Fixtures.POLICY_NONE));
    List<String> ro = List.of("--ro-bind", state.toString(), state.toString());

    Run enqueue =
        java(
            ro,
            LocalExecCli.class.getName(),
            "--repo-root",
            root.toString(),
            "enqueue",
            "--job-file",
            job.toString());
    Run worker =
        java(ro, LocalExecCli.class.getName(), "--repo-root", root.toString(), "worker", "--once");

    assertThat(enqueue.code()).isEqualTo(1);
    assertThat(enqueue.err().lines().filter(l -> l.startsWith("local-exec:")).toList())
        .singleElement()
        .asString()
        .contains("Read-only file system")
        .contains(state.toString());
    assertThat(worker.code()).isEqualTo(1);
    assertThat(worker.err()).contains("Read-only file system");
    assertThat(Files.readAllBytes(state.resolve("jobs.jsonl"))).isEqualTo(before);
    assertThat(plane.status())
        .singleElement()
        .satisfies(s -> assertThat(s.jobId()).isEqualTo(DemoJob.ID));
  }

  @Test
  @SuppressWarnings("unchecked")
  void fullDisk_refusesWithAClearErrorAndKeepsEveryAcceptedJob() throws Exception {
    Files.createDirectories(state);
    List<String> tiny = List.of("--size", "262144", "--tmpfs", state.toString());

    Run r = java(tiny, DiskFullProbe.class.getName(), root.toString());

    assertThat(r.code()).as(r.err()).isZero();
    Map<String, Object> out =
        (Map<String, Object>) Json.parse(r.out().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertThat(((Number) out.get("accepted")).intValue()).isGreaterThan(50);
    assertThat(out.get("code")).isEqualTo("ledger_write_failed");
    assertThat((String) out.get("message")).contains("No space left on device");
    assertThat(out.get("queued_after")).isEqualTo(out.get("accepted"));
    assertThat((List<Object>) out.get("unreadable_lines")).isEmpty();
  }
}
