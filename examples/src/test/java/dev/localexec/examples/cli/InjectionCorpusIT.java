package dev.localexec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.JobValidationException;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shell-injection and smuggling argvs, each of which would create the file {@code canary} if a
 * shell ever ran it: every one is refused before anything runs, and the canary never appears.
 */
class InjectionCorpusIT {
  @TempDir static Path root;
  static LocalExecPlane plane;
  static int seq;

  static final String T = "touch canary";

  static Stream<List<String>> corpus() {
    List<List<String>> c = new ArrayList<>();
    // Shell lines in one element.
    for (String line :
        List.of(
            "touch canary; true",
            "true;touch canary",
            "true && touch canary",
            "false || touch canary",
            "true | touch canary",
            "true|touch canary",
            "$(touch canary)",
            "`touch canary`",
            "touch canary > out",
            "touch canary >> out",
            "touch canary < /dev/null",
            "touch canary 2>&1",
            "touch canary &",
            "touch\ncanary",
            "touch\tcanary",
            "touch canary",
            " touch",
            "touch${IFS}canary",
            "{touch,canary}",
            "(touch canary)",
            "touch canary #",
            "touch$IFS$9canary",
            "!touch",
            "to*ch",
            "touc?",
            "~/touch",
            "touch\rcanary",
            "touch canary\n")) {
      c.add(List.of(line));
    }
    // The same as a program with arguments.
    c.add(List.of("touch canary;", "x"));
    c.add(List.of("touch|tee", "canary"));
    c.add(List.of("$(which touch)", "canary"));
    // NUL smuggling.
    c.add(List.of("touch\0", "canary"));
    c.add(List.of("touch", "canary\0"));
    c.add(List.of("touch", "x\0; touch canary"));
    // Empty program.
    c.add(List.of("", "canary"));
    c.add(List.of(" ", "canary"));
    // A shell as the program.
    for (String sh :
        List.of(
            "sh",
            "bash",
            "dash",
            "zsh",
            "ksh",
            "mksh",
            "ash",
            "csh",
            "tcsh",
            "fish",
            "/bin/sh",
            "/usr/bin/bash",
            "/usr/bin/dash",
            "busybox")) {
      c.add(List.of(sh, "-c", T));
    }
    c.add(List.of("bash"));
    c.add(List.of("sh", "script.sh"));
    c.add(List.of("busybox", "sh", "-c", T));
    // Wrappers around a shell.
    c.add(List.of("env", "sh", "-c", T));
    c.add(List.of("/usr/bin/env", "bash", "-c", T));
    c.add(List.of("env", "-i", "sh", "-c", T));
    c.add(List.of("env", "X=1", "dash", "-c", T));
    c.add(List.of("env", "-S", "sh -c 'touch canary'"));
    c.add(List.of("xargs", "sh", "-c", T));
    c.add(List.of("xargs", "-0", "bash", "-c", T));
    c.add(List.of("nice", "sh", "-c", T));
    c.add(List.of("nice", "-n", "5", "bash", "-c", T));
    c.add(List.of("nohup", "sh", "-c", T));
    c.add(List.of("setsid", "sh", "-c", T));
    c.add(List.of("timeout", "5", "sh", "-c", T));
    c.add(List.of("stdbuf", "-o0", "bash", "-c", T));
    c.add(List.of("ionice", "-c3", "sh", "-c", T));
    c.add(List.of("taskset", "1", "sh", "-c", T));
    c.add(List.of("flock", "lock", "sh", "-c", T));
    c.add(List.of("chrt", "-o", "0", "sh", "-c", T));
    c.add(List.of("nice", "env", "sh", "-c", T));
    c.add(List.of("/usr/bin/nohup", "/bin/bash", "-c", T));
    // Programs that pass a string to a shell.
    c.add(List.of("su", "-c", T));
    c.add(List.of("runuser", "-u", "nobody", "--", "touch", "canary"));
    c.add(List.of("script", "-qc", T, "/dev/null"));
    c.add(List.of("watch", "-n", "1", T));
    return c.stream();
  }

  @BeforeAll
  static void plane() {
    plane = LocalExecPlane.builder(root).discoverPlugins().build();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("corpus")
  void injection_isRefusedBeforeAnythingRuns(List<String> argv) {
    String id = String.format("job-inject%04d", ++seq);
    String doc =
        Json.line(
            Map.of(
                "job_id",
                id,
                "job_type",
                "test_runner_task",
                "created_at_utc",
                "2026-11-24T00:00:00Z",
                "payload",
                Map.of("commands", List.of(argv), "timeout_sec", 5),
                "budgets",
                Map.of(
                    "max_wall_time_sec", 30,
                    "max_tool_calls", 10,
                    "max_output_bytes", 65536,
                    "max_concurrency_slots", 1),
                "tool_policy",
                Map.of(
                    "allow_network", false,
                    "allow_subprocess", true,
                    "allowed_tools", List.of())));
    try {
      plane.enqueue(plane.parseJob(doc));
    } catch (JobValidationException e) {
      // Refused even earlier: the schema does not admit it (e.g. an empty string).
      assertThat(e.errors()).anyMatch(m -> m.startsWith("$.payload.commands[0]"));
      assertThat(root.resolve("canary")).doesNotExist();
      return;
    }

    RunOutcome o = plane.runOnce();

    assertThat(o.jobId()).isEqualTo(id);
    assertThat(o.status()).isEqualTo("failed");
    assertThat(o.error()).startsWith("argv_rejected:");
    assertThat(Fixtures.kinds(root, id)).doesNotContain("tool_result");
    assertThat(root.resolve("canary")).doesNotExist();
  }

  @AfterAll
  static void atLeastSixtyAndNoCanaryAnywhere() throws IOException {
    assertThat(corpus().count()).isGreaterThanOrEqualTo(60);
    try (Stream<Path> s = Files.walk(root)) {
      assertThat(s.filter(p -> p.getFileName().toString().equals("canary"))).isEmpty();
    }
  }
}
