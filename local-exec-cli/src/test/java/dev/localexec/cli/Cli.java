package dev.localexec.cli;

import dev.localexec.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process against one repo root and keeps what it printed. */
final class Cli {
  private final Path root;
  private final Map<String, String> environment;

  Cli(Path root) {
    this(root, System.getenv());
  }

  /** A CLI that sees {@code environment} as the host environment. */
  Cli(Path root, Map<String, String> environment) {
    this.root = root;
    this.environment = environment;
  }

  Result run(String... args) {
    return runWithInput("", args);
  }

  /** Runs with {@code stdin} as standard input. */
  Result runWithInput(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> argv = new ArrayList<>(List.of("--repo-root", root.toString()));
    argv.addAll(List.of(args));
    int code =
        new LocalExecCli(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock.systemUTC(),
                environment)
            .withStdin(new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
            .run(argv);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  record Result(int code, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> json(int line) {
      return (Map<String, Object>) Json.parse(lines().get(line));
    }

    Map<String, Object> lastJson() {
      return json(lines().size() - 1);
    }
  }
}
