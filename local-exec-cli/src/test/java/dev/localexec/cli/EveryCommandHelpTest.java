package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code COMMAND --help} for every command and subcommand of the command tree (so a new command is
 * covered when it is added): exit 0, its help on standard output, nothing on standard error and
 * nothing created in the repo root.
 */
class EveryCommandHelpTest {
  @TempDir Path root;

  /** Every command's words after {@code local-exec}, from the tree, the root's first (empty). */
  static List<List<String>> commandPaths() {
    CommandLine tree =
        new LocalExecCli(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Clock.systemUTC(),
                Map.of())
            .commandTree();
    List<List<String>> paths = new ArrayList<>();
    collect(tree, List.of(), paths);
    return paths;
  }

  private static void collect(CommandLine line, List<String> path, List<List<String>> paths) {
    paths.add(path);
    line.getSubcommands()
        .forEach(
            (name, sub) -> {
              List<String> longer = new ArrayList<>(path);
              longer.add(name);
              collect(sub, longer, paths);
            });
  }

  @Test
  void theTreeHasEveryCommand() {
    assertThat(commandPaths())
        .contains(
            List.of("demo"),
            List.of("enqueue"),
            List.of("worker"),
            List.of("status"),
            List.of("health"),
            List.of("validate"),
            List.of("requeue"),
            List.of("result"),
            List.of("wait"),
            List.of("jobs"),
            List.of("verify"),
            List.of("kill-switch", "on"),
            List.of("kill-switch", "off"),
            List.of("kill-switch", "status"),
            List.of("mcp", "list"),
            List.of("mcp", "call"),
            List.of("vllm", "serve-command"),
            List.of("vllm", "health"),
            List.of("coordinator"),
            List.of("ledger", "export"),
            List.of("ledger", "import"),
            List.of("ledger", "accept-head"),
            List.of("plane", "start"),
            List.of("plane", "stop"),
            List.of("plane", "status"),
            List.of("plane", "health"),
            List.of("plane", "install-units"),
            List.of("help"));
  }

  @Test
  void everyCommandsHelp_isItsHelpAndNothingElse() throws Exception {
    for (List<String> path : commandPaths()) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);

        Cli.Result r = new Cli(root).run(args.toArray(String[]::new));

        String what = String.join(" ", args);
        assertThat(r.code()).as(what + ": " + r.err()).isZero();
        assertThat(r.err()).as(what).isEmpty();
        assertThat(r.out())
            .as(what)
            .startsWith(
                "usage: local-exec [GLOBAL OPTIONS] "
                    + (path.isEmpty() ? "COMMAND" : String.join(" ", path) + " "))
            .contains("-h, --help");
        assertThat(r.out().lines().count()).as(what).isGreaterThan(3);
        try (Stream<Path> files = Files.list(root)) {
          assertThat(files).as(what + ": nothing created in the repo root").isEmpty();
        }
      }
    }
  }

  @Test
  void helpCommand_printsTheNamedCommandsHelp() {
    Cli.Result r = new Cli(root).run("help", "worker");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("usage: local-exec [GLOBAL OPTIONS] worker ");
  }
}
