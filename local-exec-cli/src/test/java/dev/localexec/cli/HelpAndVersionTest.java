package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code COMMAND --help} prints that command's help and does nothing else; {@code --version}. */
class HelpAndVersionTest {
  @TempDir Path root;

  /** A command's words and arguments after them that would make it run if help did not win. */
  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of(List.of("demo"), List.of()),
        Arguments.of(List.of("enqueue"), List.of("--demo")),
        Arguments.of(List.of("worker"), List.of("--once")),
        Arguments.of(List.of("status"), List.of()),
        Arguments.of(List.of("health"), List.of()),
        Arguments.of(List.of("validate"), List.of("job.json")),
        Arguments.of(List.of("requeue"), List.of("job-demorepoindex01")),
        Arguments.of(List.of("verify"), List.of()),
        Arguments.of(List.of("kill-switch", "on"), List.of("maintenance")),
        Arguments.of(List.of("mcp", "list"), List.of()),
        Arguments.of(List.of("vllm", "health"), List.of()),
        Arguments.of(List.of("coordinator"), List.of("a", "goal")),
        Arguments.of(List.of("ledger", "export"), List.of("f")),
        Arguments.of(List.of("plane", "start"), List.of()),
        Arguments.of(List.of("plane", "stop"), List.of()));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void commandHelp_printsTheCommandsHelpAndCreatesNothing(List<String> command, List<String> rest)
      throws Exception {
    for (String flag : List.of("--help", "-h")) {
      String[] args =
          Stream.of(command.stream(), rest.stream(), Stream.of(flag))
              .flatMap(s -> s)
              .toArray(String[]::new);

      Cli.Result r = new Cli(root).run(args);

      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(r.out())
          .startsWith("usage: local-exec [GLOBAL OPTIONS] " + String.join(" ", command) + " ")
          .contains("\n  -h, --help ");
      try (Stream<Path> files = Files.list(root)) {
        assertThat(files).as("nothing created in the repo root").isEmpty();
      }
    }
  }

  @Test
  void unknownValues_areUsageErrorsBeforeAnythingRuns() throws Exception {
    Cli cli = new Cli(root);
    Cli.Result model = cli.run("--model", "gpt", "status");
    assertThat(model.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(model.err().strip()).isEqualTo("local-exec: --model must be off or vllm, got 'gpt'");

    Cli.Result backend = cli.run("--mcp-backend", "foo", "status");
    assertThat(backend.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(backend.err().strip())
        .isEqualTo("local-exec: --mcp-backend must be mcporter, sdk or off, got 'foo'");

    Cli.Result slots = cli.run("worker", "--once", "--slots", "0");
    assertThat(slots.code()).isEqualTo(LocalExecCli.USAGE);
    assertThat(slots.err()).contains("--slots");
    try (Stream<Path> files = Files.list(root)) {
      assertThat(files).as("nothing created in the repo root").isEmpty();
    }
  }

  @Test
  void version_isOneJsonLine() {
    Cli.Result r = new Cli(root).run("--version");

    assertThat(r.code()).isZero();
    assertThat(r.lines()).hasSize(1);
    assertThat(r.json(0)).containsOnlyKeys("name", "version").containsEntry("name", "local-exec");
  }

  @Test
  void enqueue_readsTheJobFromStandardInputForADash() throws Exception {
    Cli cli = new Cli(root);
    String job =
        Files.readString(Fixtures.originalRun().resolve("jobs").resolve("job-doccompact01.json"));

    Cli.Result r = cli.runWithInput(job, "enqueue", "--job-file", "-");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json(0))
        .containsEntry("status", "enqueued")
        .containsEntry("job_id", "job-doccompact01");
  }
}
