package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.JobValidationException;
import dev.localexec.core.internal.plane.PlaneInternals;
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
import org.junit.jupiter.api.Test;
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

  /**
   * Ways around a rule that refused shells by name only, each refused as {@code shell_program}:
   * other shells, the loader, {@code env -S}, {@code flock -c}, {@code find -exec}, runners inside
   * runners, and files in the root that are shells by content, link or {@code #!} line.
   */
  static Stream<List<String>> shellBypasses() {
    List<List<String>> c = new ArrayList<>();
    c.add(List.of("rbash", "-c", T));
    c.add(List.of("/usr/bin/rbash", "-c", T));
    c.add(List.of("ksh93", "-c", T));
    c.add(List.of("yash", "-c", T));
    c.add(List.of("bash-static", "-c", T));
    c.add(List.of("toybox", "sh", "-c", T));
    c.add(List.of("busybox", "touch", "canary"));
    c.add(List.of("env", "-Ssh -c 'touch canary'"));
    c.add(List.of("env", "--split-string=sh -c 'touch canary'"));
    c.add(List.of("env", "--split-string", "sh -c 'touch canary'"));
    c.add(List.of("env", "--split-s=sh -c 'touch canary'"));
    c.add(List.of("env", "-iS", "sh -c 'touch canary'"));
    c.add(List.of("env", "-vSsh", "-c", T));
    c.add(List.of("flock", "f", "-c", T));
    c.add(List.of("flock", "-n", "f", "--command", T));
    c.add(List.of("/lib64/ld-linux-x86-64.so.2", "/bin/sh", "-c", T));
    c.add(List.of("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/bin/sh", "-c", T));
    c.add(List.of("find", ".", "-maxdepth", "0", "-exec", "sh", "-c", T, ";"));
    c.add(List.of("find", ".", "-maxdepth", "0", "-execdir", "bash", "-c", T, ";"));
    c.add(List.of("find", ".", "-maxdepth", "0", "-exec", "env", "dash", "-c", T, "{}", "+"));
    c.add(List.of("find", ".", "-name", "mysh", "-exec", "{}", "-c", T, ";"));
    c.add(List.of("env", "nice", "sh", "-c", T));
    c.add(List.of("timeout", "-s", "KILL", "5", "nice", "-n", "1", "sh", "-c", T));
    c.add(List.of("xargs", "-I{}", "{}", "-c", T));
    c.add(List.of("unshare", "-r"));
    c.add(List.of("strace", "-f", "-o", "trace", "sh", "-c", T));
    c.add(List.of("parallel", T, ":::", "x"));
    c.add(List.of("capsh", "--", "-c", T));
    c.add(List.of("./mysh", "-c", T));
    c.add(List.of("./lnsh", "-c", T));
    c.add(List.of("./run.sh"));
    c.add(List.of("./envsh"));
    c.add(List.of("./plain"));
    c.add(List.of("env", "./mysh", "-c", T));
    c.add(List.of("find", ".", "-maxdepth", "0", "-exec", "./run.sh", ";"));
    return c.stream();
  }

  @BeforeAll
  static void plane() throws IOException {
    plane = LocalExecPlane.builder(root).discoverPlugins().build();
    Path sh = Path.of("/bin/sh").toRealPath();
    Files.copy(sh, root.resolve("mysh"));
    Files.createSymbolicLink(root.resolve("lnsh"), sh);
    script("run.sh", "#!/bin/sh\n" + T + "\n");
    script("envsh", "#!/usr/bin/env sh\n" + T + "\n");
    script("plain", T + "\n");
    root.resolve("mysh").toFile().setExecutable(true);
  }

  private static void script(String name, String text) throws IOException {
    Files.writeString(root.resolve(name), text);
    root.resolve(name).toFile().setExecutable(true);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("shellBypasses")
  void shellBypass_isRefusedAsShellProgram(List<String> argv) {
    RunOutcome o = enqueueAndRun(argv);

    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).isEqualTo("argv_rejected:shell_program");
    // Refused by name before the command's turn, or at its turn (once the file is looked at)
    // with a tool_result that holds only the refusal: nothing ran either way.
    if (Fixtures.kinds(root, o.jobId()).contains("tool_result")) {
      assertThat(Fixtures.payloadOf(root, o.jobId(), "tool_result"))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "name", "subprocess.run_argv",
                  "error", "argv_rejected:shell_program"));
    }
    assertThat(root.resolve("canary")).doesNotExist();
  }

  @Test
  void control_theSameFilesRunAShell_whenShellsAreAllowed(@TempDir Path other) throws IOException {
    Files.copy(Path.of("/bin/sh").toRealPath(), other.resolve("mysh"));
    other.resolve("mysh").toFile().setExecutable(true);
    Files.writeString(other.resolve("run.sh"), "#!/bin/sh\ntouch canary2\n");
    other.resolve("run.sh").toFile().setExecutable(true);
    LocalExecPlane open = LocalExecPlane.builder(other).discoverPlugins().allowShells(true).build();

    open.enqueue(open.parseJob(job("job-control01", List.of("./mysh", "-c", T))));
    open.enqueue(open.parseJob(job("job-control02", List.of("./run.sh"))));

    assertThat(open.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(open.runOnce().status()).isEqualTo(RunOutcome.Status.COMPLETE);
    assertThat(other.resolve("canary")).exists();
    assertThat(other.resolve("canary2")).exists();
  }

  /**
   * Queues a job as a writer that does not refuse shells would (a plane with shells allowed, an
   * older version, another process on a shared queue): the plane refuses a shell at enqueue, and
   * this corpus checks that the worker refuses it again before it runs.
   */
  private static void enqueuePastThePlanesCheck(dev.localexec.api.Job job) {
    PlaneInternals.of(plane).queue().enqueue(job);
  }

  private static RunOutcome enqueueAndRun(List<String> argv) {
    String id = String.format("job-inject%04d", ++seq);
    enqueuePastThePlanesCheck(plane.parseJob(job(id, argv)));
    RunOutcome o = plane.runOnce();
    assertThat(o.jobId()).isEqualTo(id);
    return o;
  }

  private static String job(String id, List<String> argv) {
    return Json.line(
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
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("corpus")
  void injection_isRefusedBeforeAnythingRuns(List<String> argv) {
    String id = String.format("job-inject%04d", ++seq);
    String doc = job(id, argv);
    try {
      enqueuePastThePlanesCheck(plane.parseJob(doc));
    } catch (JobValidationException e) {
      // Refused even earlier: the schema does not admit it (e.g. an empty string).
      assertThat(e.errors()).anyMatch(m -> m.startsWith("$.payload.commands[0]"));
      assertThat(root.resolve("canary")).doesNotExist();
      return;
    }

    RunOutcome o = plane.runOnce();

    assertThat(o.jobId()).isEqualTo(id);
    assertThat(o.status()).isEqualTo(RunOutcome.Status.FAILED);
    assertThat(o.error()).startsWith("argv_rejected:");
    assertThat(Fixtures.kinds(root, id)).doesNotContain("tool_result");
    assertThat(root.resolve("canary")).doesNotExist();
  }

  @AfterAll
  static void atLeastSixtyAndNoCanaryAnywhere() throws IOException {
    assertThat(corpus().count()).isGreaterThanOrEqualTo(60);
    assertThat(shellBypasses().count()).isGreaterThanOrEqualTo(35);
    try (Stream<Path> s = Files.walk(root)) {
      assertThat(s.filter(p -> p.getFileName().toString().equals("canary"))).isEmpty();
    }
  }
}
