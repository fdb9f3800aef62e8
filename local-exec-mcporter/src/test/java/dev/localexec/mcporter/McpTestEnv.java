package dev.localexec.mcporter;

import static org.assertj.core.api.Assertions.fail;

import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.config.ServerEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The real MCP test setup: Node.js, the npm folder {@code tools/mcp} with mcporter and the
 * reference server {@code @modelcontextprotocol/server-everything}. Tests skip when it is missing,
 * except under {@code CI=true}, where they fail.
 */
public final class McpTestEnv {
  public static final String SECRET_NAME = "LOCAL_EXEC_TEST_SECRET_TOKEN";
  public static final String SECRET_VALUE = "s3cr3t-value-that-must-not-leak";
  public static final String PLAIN_NAME = "LOCAL_EXEC_TEST_PLAIN";
  public static final String PLAIN_VALUE = "plain-value";

  private McpTestEnv() {}

  /** The repository root (the folder holding {@code tools/mcp}). */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  public static Path serverScript() {
    return repoRoot()
        .resolve("tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
  }

  public static Path mcporter() {
    return repoRoot().resolve("tools/mcp/node_modules/.bin/mcporter");
  }

  /** The node program, found on this process's PATH. */
  public static Optional<Path> node() {
    String path = System.getenv().getOrDefault("PATH", ServerEnv.SAFE_PATH);
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "node");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /** Skips (or, under CI=true, fails) when node or the npm folder is missing. */
  public static Path requireNode() {
    Optional<Path> node = node();
    String missing = null;
    if (node.isEmpty()) {
      missing = "node is not on PATH (install Node.js 20 or newer)";
    } else if (!Files.isRegularFile(serverScript()) || !Files.isExecutable(mcporter())) {
      missing = "tools/mcp/node_modules is missing (run: npm ci --prefix tools/mcp)";
    }
    if (missing != null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("MCP integration tests cannot run under CI=true: " + missing);
      }
      Assumptions.assumeTrue(false, "MCP integration tests skipped: " + missing);
    }
    return node.orElseThrow();
  }

  /** PATH for backends: the fixed safe one, with node's folder first if it is elsewhere. */
  public static String pathWithNode() {
    Path nodeDir = requireNode().getParent();
    String safe = ServerEnv.SAFE_PATH;
    return List.of(safe.split(":")).contains(nodeDir.toString()) ? safe : nodeDir + ":" + safe;
  }

  /** The host environment given to backends: holds a secret no server may see. */
  public static Map<String, String> hostEnv() {
    return Map.of(SECRET_NAME, SECRET_VALUE, "PATH", System.getenv().getOrDefault("PATH", ""));
  }

  /**
   * Writes {@code mcporter.json} with the server {@code everything} (and any extra servers) and
   * reads it back.
   */
  public static McpConfig writeConfig(
      Path dir, List<String> enabled, int timeoutSec, int maxBytes, ObjectNode extraServers)
      throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putArray("enabled_tools")
        .addAll(enabled.stream().map(JsonNodeFactory.instance::stringNode).toList());
    root.put("timeout_sec", timeoutSec);
    root.put("max_response_bytes", maxBytes);
    ObjectNode servers = root.putObject("mcpServers");
    ObjectNode everything = servers.putObject("everything");
    everything.put("command", requireNode().toString());
    everything.putArray("args").add(serverScript().toString()).add("stdio");
    everything.putObject("env").put(PLAIN_NAME, PLAIN_VALUE);
    if (extraServers != null) {
      servers.setAll(extraServers);
    }
    root.putArray("imports");
    Path file = dir.resolve("mcporter.json");
    Files.writeString(file, root.toPrettyString());
    return McpConfig.load(file);
  }

  public static McpConfig writeConfig(Path dir) throws IOException {
    return writeConfig(
        dir,
        List.of("everything.echo", "everything.get-sum", "everything.get-structured-content"),
        30,
        131_072,
        null);
  }

  /** Processes (not zombies) whose environment holds {@code HOME=<home>}: the backend's own. */
  public static List<String> processesWithHome(Path home) {
    byte[] marker = ("HOME=" + home + "\0").getBytes(StandardCharsets.UTF_8);
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          byte[] env = Files.readAllBytes(proc.resolve("environ"));
          if (indexOf(env, marker) >= 0) {
            long pid = Long.parseLong(proc.getFileName().toString());
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent() && dev.localexec.core.exec.ProcessStates.isRunning(h.get())) {
              found.add(pid + " " + h.get().info().commandLine().orElse("?"));
            }
          }
        } catch (IOException | RuntimeException e) {
          // gone or not ours to read
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }

  /** Waits (up to 10 s) until no process of the backend runs; fails naming those left. */
  public static void assertNoProcessLeft(Path home) {
    assertNoProcessLeft(home, false);
  }

  /**
   * Waits (up to 10 s) until no process of the backend runs, and with {@code allChildren} none of
   * the test JVM's children either; fails naming those left.
   */
  public static void assertNoProcessLeft(Path home, boolean allChildren) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<String> left = processesWithHome(home);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      left = processesWithHome(home);
    }
    if (!left.isEmpty()) {
      fail("processes left behind: " + left);
    }
    if (!allChildren) {
      return;
    }
    List<String> children =
        ProcessHandle.current()
            .descendants()
            .filter(dev.localexec.core.exec.ProcessStates::isRunning)
            .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
            .toList();
    if (!children.isEmpty()) {
      fail("child processes of the test JVM left behind: " + children);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
