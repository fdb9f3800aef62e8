package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A command that only reads leaves a repository as it found it: no plane folder, no lock file. The
 * first command that writes creates the folders.
 */
class ReadOnlyCommandsTest {
  @TempDir Path root;

  static Stream<List<String>> readOnly() {
    return Stream.of(
        List.of("--sandbox", "none", "status"),
        List.of("--sandbox", "none", "status", "job-notthere1"),
        List.of("--sandbox", "none", "kill-switch", "status"),
        List.of("--sandbox", "none", "verify"),
        List.of("--sandbox", "none", "health"));
  }

  @ParameterizedTest
  @MethodSource("readOnly")
  void aReadOnlyCommand_createsNothingInTheRepoRoot(List<String> command) throws Exception {
    Cli.Result r = new Cli(root).run(command.toArray(String[]::new));

    assertThat(r.code()).as(r.err()).isIn(LocalExecCli.OK, LocalExecCli.FAILURE);
    try (Stream<Path> files = Files.list(root)) {
      assertThat(files).as("nothing created in the repo root").isEmpty();
    }
  }

  @Test
  void theFirstWrite_createsThePlaneFolders() throws Exception {
    Cli cli = new Cli(root);
    assertThat(cli.run("--sandbox", "none", "status").code()).isZero();
    Cli.Result on = cli.run("--sandbox", "none", "kill-switch", "on", "maintenance");

    assertThat(on.code()).as(on.err()).isZero();
    assertThat(root.resolve("workspace/local_exec/state/KILL_SWITCH")).hasContent("maintenance");
    assertThat(root.resolve("workspace/local_exec/evidence")).isDirectory();
    assertThat(root.resolve("workspace/local_exec/schemas")).isDirectory();
  }
}
