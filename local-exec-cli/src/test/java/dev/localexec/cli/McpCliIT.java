package dev.localexec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code local-exec mcp list|call} against the real reference server through real mcporter and
 * through the MCP Java SDK, with a secret in the host environment.
 */
class McpCliIT {
  static final String SECRET_NAME = "LOCAL_EXEC_TEST_SECRET_TOKEN";
  static final String SECRET_VALUE = "cli-secret-4b1d9e7a2c6f";

  @TempDir Path root;
  private Cli cli;

  static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  @BeforeEach
  void setUp() throws IOException {
    Path npm = repo().resolve("tools/mcp/node_modules");
    Path server = npm.resolve("@modelcontextprotocol/server-everything/dist/index.js");
    boolean node =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d.isEmpty() ? "." : d, "node")));
    if (!node
        || !Files.isRegularFile(server)
        || !Files.isExecutable(npm.resolve(".bin/mcporter"))) {
      String why = "node or tools/mcp/node_modules missing (run: npm ci --prefix tools/mcp)";
      if ("true".equals(System.getenv("CI"))) {
        fail("MCP CLI tests cannot run under CI=true: " + why);
      }
      Assumptions.assumeTrue(false, "MCP CLI tests skipped: " + why);
    }
    Files.createDirectories(root.resolve("config"));
    Files.writeString(
        root.resolve("config/mcporter.json"),
        "{\"enabled_tools\":[\"everything.echo\",\"everything.get-env\"],\"timeout_sec\":60,"
            + "\"max_response_bytes\":131072,\"mcpServers\":{\"everything\":{\"command\":\"node\","
            + "\"args\":[\""
            + server
            + "\",\"stdio\"]}},\"imports\":[]}");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PATH", npm.resolve(".bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put(SECRET_NAME, SECRET_VALUE);
    cli = new Cli(root, env);
  }

  @AfterEach
  void noChildProcessLeft() throws InterruptedException {
    for (int i = 0; i < 50 && ProcessHandle.current().descendants().findAny().isPresent(); i++) {
      Thread.sleep(100);
    }
    assertThat(ProcessHandle.current().descendants().map(p -> p.info().commandLine().orElse("?")))
        .as("processes left behind")
        .isEmpty();
  }

  /**
   * Runs the command line in the {@code unshare} sandbox: the test's server and mcporter lie
   * outside its temporary repo root, which is all bubblewrap would show them ({@code
   * SandboxedServersIT} of the mcporter module runs them under bubblewrap from the repository's
   * root).
   */
  private Cli.Result run(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--sandbox";
    all[1] = "unshare";
    System.arraycopy(args, 0, all, 2, args.length);
    return cli.run(all);
  }

  private List<Path> filesWithTheSecret() throws IOException {
    return FilesContaining.under(root, SECRET_VALUE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void list_showsTheServersToolsAndWhichAreEnabled(String backend) {
    Cli.Result r = run("--mcp-backend", backend, "mcp", "list");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        "{\"server\": \"everything\", \"tool\": \"echo\", \"name\":"
                            + " \"everything.echo\", \"enabled\": true"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        "{\"server\": \"everything\", \"tool\": \"get-sum\", \"name\":"
                            + " \"everything.get-sum\", \"enabled\": false"));
    assertThat(r.lastJson())
        .containsEntry("status", "ok")
        .containsEntry("servers", 1)
        .containsEntry("enabled", 2)
        .containsEntry("enabled_but_not_offered", List.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void call_echo_printsTheToolsResult(String backend) {
    Cli.Result r =
        run(
            "--mcp-backend",
            backend,
            "mcp",
            "call",
            "everything.echo",
            "--args",
            "{\"message\":\"hi\"}");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.json(1)).containsEntry("status", "complete");
    assertThat(r.lastJson())
        .isEqualTo(
            Map.of(
                "status",
                "result",
                "tool",
                "everything.echo",
                "result",
                Map.of("content", List.of(Map.of("type", "text", "text", "Echo: hi")))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void call_aToolNotEnabled_orANearMiss_neverRuns(String backend) {
    Cli.Result sum =
        run(
            "--mcp-backend",
            backend,
            "mcp",
            "call",
            "everything.get-sum",
            "--args",
            "{\"a\":2,\"b\":3}");
    Cli.Result nearMiss =
        run(
            "--mcp-backend",
            backend,
            "mcp",
            "call",
            "everything.ech",
            "--args",
            "{\"message\":\"hi\"}");

    assertThat(sum.code()).isEqualTo(1);
    assertThat(sum.json(1))
        .containsEntry("status", "failed")
        .containsEntry("error", "tool_not_enabled:everything.get-sum");
    assertThat(nearMiss.code()).isEqualTo(1);
    assertThat(nearMiss.json(1)).containsEntry("error", "tool_not_enabled:everything.ech");
    assertThat(nearMiss.out()).doesNotContain("Echo: hi");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void call_getEnv_theHostsSecretNeverReachesTheServer(String backend) throws IOException {
    Cli.Result r = run("--mcp-backend", backend, "mcp", "call", "everything.get-env");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("PATH").doesNotContain(SECRET_NAME).doesNotContain(SECRET_VALUE);
    assertThat(filesWithTheSecret()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void call_badArguments_isAJsonUsageError(String backend) {
    Cli.Result r = run("--mcp-backend", backend, "mcp", "call", "everything.echo", "--args", "[1]");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("local-exec: --args must be a JSON object, e.g. '{\"message\":\"hi\"}'\n");
  }
}
