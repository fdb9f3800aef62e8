package dev.localexec.mcporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.core.exec.ProcessStates;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.mcporter.config.McpConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Both backends opened by a plane with the bubblewrap sandbox: the MCP server (and mcporter) start
 * through the plane's launcher, so the server process runs in other mount, PID and network
 * namespaces than the test's JVM, and nothing of it is left after close. The plane serves the
 * repository's root (bubblewrap shows a server nothing else of the host), so its folders are made
 * under the root's {@code workspace/}, which git ignores.
 */
class SandboxedServersIT {
  private static final String SERVER_MARK = "server-everything/dist/index.js";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void theServerRunsInsideTheSandbox_andNothingIsLeftAfterClose(String kind) throws Exception {
    McpTestEnv.requireNode();
    Path root = McpTestEnv.repoRoot();
    McpTestEnv.writeConfig(
        dir,
        List.of(
            "everything.echo", "everything.get-env", "everything.trigger-long-running-operation"),
        30,
        131_072,
        null);
    Path config = dir.resolve("mcporter.json");

    try (LocalExecPlane plane = LocalExecPlane.builder(root).sandbox(SandboxMode.BWRAP).build()) {
      ToolProcesses processes = plane.toolProcesses();
      assertThat(processes.sandbox()).isEqualTo("bwrap");
      try (ToolBackend backend =
          McpBackends.open(root, config, kind, McpTestEnv.hostEnv(), processes)) {
        ToolRequest slow =
            new ToolRequest(
                "everything.trigger-long-running-operation",
                "{\"duration\":4,\"steps\":2}",
                Duration.ofSeconds(30),
                131_072,
                () -> false);
        // called from a thread that ends afterwards, as a job's thread does
        CompletableFuture<ToolResult> running = new CompletableFuture<>();
        Thread caller =
            new Thread(
                () -> {
                  try {
                    running.complete(backend.call(slow));
                  } catch (RuntimeException e) {
                    running.completeExceptionally(e);
                  }
                },
                "job-thread");
        caller.start();
        ProcessHandle server = awaitServer();
        for (String ns : List.of("mnt", "pid", "net")) {
          assertThat(namespace(server.pid(), ns))
              .as("the server's %s namespace", ns)
              .isNotEqualTo(namespace(ProcessHandle.current().pid(), ns));
        }
        assertThat(running.get().resultJson()).contains("Long running operation completed");
        caller.join();
        if (kind.equals(McpBackends.SDK)) {
          Thread.sleep(500);
          assertThat(ProcessStates.isRunning(server))
              .as("the warm server outlives the thread whose call started it")
              .isTrue();
        }

        assertThat(backend.listTools(Duration.ofSeconds(30)))
            .anySatisfy(t -> assertThat(t.name()).isEqualTo("everything.echo"));

        ToolResult env =
            backend.call(
                new ToolRequest(
                    "everything.get-env", "{}", Duration.ofSeconds(30), 131_072, () -> false));
        JsonNode vars = McpConfig.JSONC.readTree(env.resultJson());
        assertThat(vars.path("PATH").asString()).isEqualTo("/usr/local/bin:/usr/bin:/bin");
        assertThat(vars.has(McpTestEnv.SECRET_NAME)).isFalse();
      }
      assertNoChildLeft();
    }
  }

  /** The server process, once it runs (a descendant of this JVM running the reference server). */
  private static ProcessHandle awaitServer() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
        if (h.info().commandLine().orElse("").contains(SERVER_MARK)
            && !h.info().commandLine().orElse("").contains("bwrap")) {
          return h;
        }
      }
      Thread.sleep(20);
    }
    return fail("no server process appeared within 20 s");
  }

  private static String namespace(long pid, String ns) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", ns)).toString();
  }

  private static void assertNoChildLeft() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> left = children();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = children();
    }
    assertThat(left).as("child processes of the test JVM").isEmpty();
  }

  private static List<String> children() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessStates::isRunning)
        .map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
        .toList();
  }
}
