package dev.localexec.mcporter.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.ToolCallException;
import dev.localexec.api.ToolCallException.Kind;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.mcporter.AbstractBackendIT;
import dev.localexec.mcporter.McpBackends;
import dev.localexec.mcporter.McpTestEnv;
import dev.localexec.mcporter.config.McpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class SdkBackendIT extends AbstractBackendIT {

  @Override
  protected ToolBackend open(McpConfig config) {
    return SdkBackend.builder(config)
        .hostEnv(McpTestEnv.hostEnv())
        .workingDirectory(dir)
        .path(McpTestEnv.pathWithNode())
        .build();
  }

  @Override
  protected Path home(ToolBackend backend) {
    return ((SdkBackend) backend).home();
  }

  @Test
  void name_isMcpSdk() {
    assertThat(backend.name()).isEqualTo("mcp-sdk");
  }

  @Test
  void session_isWarmAndReused() {
    SdkBackend sdk = (SdkBackend) backend;
    backend.call(request("everything.echo", "{\"message\":\"one\"}"));
    List<ProcessHandle> first = sdk.serverProcesses();
    backend.call(request("everything.echo", "{\"message\":\"two\"}"));

    assertThat(first).hasSize(1);
    assertThat(sdk.serverProcesses()).isEqualTo(first);
    assertThat(sdk.liveSessions()).isEqualTo(1);
  }

  @Test
  void racingFirstCalls_startOneSession() throws Exception {
    try (SdkBackend fresh = (SdkBackend) open(config)) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String message = "m" + i;
          results.add(
              pool.submit(
                  () ->
                      fresh
                          .call(request("everything.echo", "{\"message\":\"" + message + "\"}"))
                          .resultJson()));
        }
        for (int i = 0; i < 4; i++) {
          assertThat(results.get(i).get())
              .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Echo: m" + i + "\"}]}");
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(fresh.serverProcesses()).hasSize(1);
      assertThat(McpTestEnv.processesWithHome(fresh.home())).hasSize(1);
    }
  }

  @Test
  void serverThatCannotStart_isUnavailable() throws Exception {
    ObjectNode broken = JsonNodeFactory.instance.objectNode();
    broken.putObject("broken").put("command", "/nonexistent/binary");
    Path other = Files.createTempDirectory("mcp-it-broken");
    McpConfig cfg = McpTestEnv.writeConfig(other, List.of("broken.echo"), 30, 131_072, broken);
    try (ToolBackend b = open(cfg)) {
      assertThatThrownBy(() -> b.call(request("broken.echo", "{}")))
          .isInstanceOfSatisfying(
              ToolCallException.class,
              e -> assertThat(e.code()).isEqualTo("tool_unavailable:broken.echo"))
          .hasMessage(
              "broken.echo: the MCP server could not be reached (server 'broken' failed to start:"
                  + " program '/nonexistent/binary' not found on PATH "
                  + McpTestEnv.pathWithNode()
                  + "); check the server's entry in config/mcporter.json");
    }
  }

  @Test
  void serverThatNeverInitializes_isKilledEveryTime() throws Exception {
    ObjectNode silent = JsonNodeFactory.instance.objectNode();
    ObjectNode server = silent.putObject("silent");
    server.put("command", McpTestEnv.requireNode().toString());
    server.putArray("args").add("-e").add("setTimeout(() => {}, 120000)");
    Path other = Files.createTempDirectory("mcp-it-silent");
    McpConfig cfg = McpTestEnv.writeConfig(other, List.of("silent.echo"), 30, 131_072, silent);
    SdkBackend b =
        SdkBackend.builder(cfg)
            .workingDirectory(other)
            .path(McpTestEnv.pathWithNode())
            .initializationTimeout(Duration.ofSeconds(2))
            .build();
    try {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> b.call(request("silent.echo", "{}")))
            .isInstanceOfSatisfying(
                ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
            .hasMessage(
                "silent.echo: the MCP server could not be reached (server 'silent' did not"
                    + " initialize within 2000 ms); check the server's entry in"
                    + " config/mcporter.json");
        assertThat(McpTestEnv.processesWithHome(b.home())).isEmpty();
      }
    } finally {
      b.close();
    }
    McpTestEnv.assertNoProcessLeft(b.home());
  }

  @Test
  void serverThatNeverInitializes_withinTheCallersTimeout_isATimeout() throws Exception {
    ObjectNode silent = JsonNodeFactory.instance.objectNode();
    ObjectNode server = silent.putObject("silent");
    server.put("command", McpTestEnv.requireNode().toString());
    server.putArray("args").add("-e").add("setTimeout(() => {}, 120000)");
    Path other = Files.createTempDirectory("mcp-it-silent");
    McpConfig cfg = McpTestEnv.writeConfig(other, List.of("silent.echo"), 30, 131_072, silent);
    SdkBackend b =
        SdkBackend.builder(cfg).workingDirectory(other).path(McpTestEnv.pathWithNode()).build();
    try {
      ToolRequest shortCall =
          new ToolRequest("silent.echo", "{}", Duration.ofMillis(1500), 131_072, () -> false);
      assertThatThrownBy(() -> b.call(shortCall))
          .isInstanceOfSatisfying(
              ToolCallException.class,
              e -> assertThat(e.code()).isEqualTo("tool_timeout:silent.echo"))
          .hasMessage(
              "silent.echo did not answer within 1500 ms; the call was stopped (raise timeout_sec"
                  + " in config/mcporter.json if it needs longer)");
      assertThat(McpTestEnv.processesWithHome(b.home())).isEmpty();

      ToolRequest cancelled =
          new ToolRequest("silent.echo", "{}", Duration.ofSeconds(30), 131_072, () -> true);
      assertThatThrownBy(() -> b.call(cancelled))
          .isInstanceOfSatisfying(
              KillSwitchException.class,
              e -> assertThat(e.code()).isEqualTo("kill_switch:tool_call"));
      assertThat(McpTestEnv.processesWithHome(b.home())).isEmpty();
    } finally {
      b.close();
    }
    McpTestEnv.assertNoProcessLeft(b.home());
  }

  @Test
  void responseLongerThanTheTransportLine_endsTheSessionAtOnce() {
    // 1.2 MB in one JSON-RPC line: beyond the SDK's line bound (1 MiB + 64 KiB here), the SDK
    // stops reading; the call fails as unavailable at once (not as a timeout after 60 s).
    String message = "y".repeat(1_200_000);
    ToolRequest r =
        new ToolRequest(
            "everything.echo",
            "{\"message\":\"" + message + "\"}",
            Duration.ofSeconds(60),
            131_072,
            () -> false);

    assertThatThrownBy(() -> backend.call(r))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_unavailable:everything.echo"))
        .hasMessage(
            "everything.echo: the MCP server could not be reached (the server's output ended"
                + " before its answer: the server exited, or sent a message longer than 1114112"
                + " bytes); check the server's entry in config/mcporter.json");
    assertThat(backend.call(request("everything.echo", "{\"message\":\"after\"}")).resultJson())
        .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Echo: after\"}]}");
  }

  @Test
  void brokenConfig_isConfigInvalid() throws Exception {
    Path root = Files.createTempDirectory("mcp-it-root");
    Files.createDirectories(root.resolve("config"));
    Files.writeString(
        root.resolve("config/mcporter.json"), "{\"mcpServers\": {}, \"timeout_sec\": 0}");

    assertThatThrownBy(
            () ->
                McpBackends.open(
                    root,
                    Path.of("config/mcporter.json"),
                    "sdk",
                    McpTestEnv.hostEnv(),
                    ToolProcesses.direct()))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.code()).isEqualTo("tool_config_invalid:*"))
        .hasMessage(
            root.toRealPath().resolve("config/mcporter.json")
                + ": $.timeout_sec: expected a whole number of seconds from 1 to 300, got 0; set it"
                + " in that range or remove it for the default 30");
  }
}
