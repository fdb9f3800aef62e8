package dev.localexec.mcporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class McporterBackendIT extends AbstractBackendIT {

  @Override
  protected ToolBackend open(McpConfig config) {
    return McporterBackend.builder(config)
        .mcporter(McpTestEnv.mcporter())
        .hostEnv(McpTestEnv.hostEnv())
        .workingDirectory(dir)
        .path(McpTestEnv.pathWithNode())
        .build();
  }

  @Override
  protected Path home(ToolBackend backend) {
    return ((McporterBackend) backend).home();
  }

  @Test
  void name_isMcporter() {
    assertThat(backend.name()).isEqualTo("mcporter");
  }

  @Test
  void derivedConfig_allowsOnlyTheCalledTool() {
    ObjectNode derived = ((McporterBackend) backend).derivedConfig("everything", "ech");

    assertThat(derived.path("mcpServers").propertyNames()).containsExactly("everything");
    assertThat(derived.path("mcpServers").path("everything").path("allowedTools").toString())
        .isEqualTo("[\"ech\"]");
    assertThat(derived.path("imports").toString()).isEqualTo("[]");
  }

  @Test
  void nearMiss_withoutTheDerivedAllowList_mcporterWouldRunEcho() throws Exception {
    // What the derived allowedTools prevents: mcporter itself auto-corrects ech to echo.
    Path home = Files.createTempDirectory("mcporter-autocorrect");
    Path cfg = home.resolve("plain.json");
    ObjectNode plain = JsonNodeFactory.instance.objectNode();
    plain.putObject("mcpServers").set("everything", config.rawServer("everything"));
    plain.putArray("imports");
    Files.writeString(cfg, plain.toString());
    ProcessBuilder pb =
        new ProcessBuilder(
            McpTestEnv.mcporter().toString(),
            "--config",
            cfg.toString(),
            "call",
            "everything.ech",
            "--args",
            "{\"message\":\"hi\"}",
            "--output",
            "json");
    pb.environment().clear();
    pb.environment().put("PATH", McpTestEnv.pathWithNode());
    pb.environment().put("HOME", home.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(0);
    assertThat(out)
        .contains("Auto-corrected tool call to everything.echo (input: everything.ech)")
        .contains("\"text\": \"Echo: hi\"");
    McpTestEnv.assertNoProcessLeft(home);
  }

  @Test
  void outputFlood_isCutAtTheBoundAndRefused() {
    // 300 kB of echo: mcporter's output passes max_response_bytes + 64 KiB, so the plane stops
    // reading, kills mcporter's tree and refuses the answer without holding it.
    String message = "z".repeat(300_000);
    ToolRequest r =
        new ToolRequest(
            "everything.echo",
            "{\"message\":\"" + message + "\"}",
            CALL_TIMEOUT,
            1024,
            () -> false);

    assertThatThrownBy(() -> backend.call(r))
        .isInstanceOfSatisfying(
            ToolCallException.class,
            e -> assertThat(e.code()).isEqualTo("tool_response_too_large:everything.echo"))
        .hasMessage(
            "everything.echo answered more than 66560 bytes, more than max_response_bytes 1024;"
                + " ask the tool for less or raise max_response_bytes in config/mcporter.json");
    McpTestEnv.assertNoProcessLeft(home(backend), true);
  }

  @Test
  void missingMcporter_isUnavailableWithHowToInstall() {
    try (McporterBackend missing =
        McporterBackend.builder(config).mcporter(Path.of("/nonexistent/mcporter")).build()) {
      assertThatThrownBy(() -> missing.call(request("everything.echo", "{\"message\":\"hi\"}")))
          .isInstanceOfSatisfying(
              ToolCallException.class,
              e -> assertThat(e.code()).isEqualTo("tool_unavailable:everything.echo"))
          .hasMessage(
              "mcporter not found at /nonexistent/mcporter; install it with 'npm ci --prefix"
                  + " tools/mcp' (mcporter 0.12.3, needs Node.js 20 or newer) or give the backend"
                  + " the path of a mcporter program");
    }
  }

  @Test
  void mcporterNotOnPath_isUnavailableWithHowToInstall() {
    try (McporterBackend missing =
        McporterBackend.builder(config).mcporter(Path.of("no-such-mcporter-program")).build()) {
      assertThatThrownBy(() -> missing.call(request("everything.echo", "{}")))
          .isInstanceOfSatisfying(
              ToolCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
          .hasMessageStartingWith("mcporter not found at no-such-mcporter-program; install it");
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
              "broken.echo: the MCP server could not be reached (spawn /nonexistent/binary ENOENT);"
                  + " check the server's entry in config/mcporter.json");
    }
  }

  @Test
  void brokenConfig_isConfigInvalid() throws Exception {
    Path root = Files.createTempDirectory("mcp-it-root");
    Files.createDirectories(root.resolve("config"));
    Files.writeString(
        root.resolve("config/mcporter.json"), "{\"enabled_tools\": [\"everything.echo\"]}");

    assertThatThrownBy(
            () ->
                McpBackends.open(
                    root,
                    Path.of("config/mcporter.json"),
                    "mcporter",
                    McpTestEnv.hostEnv(),
                    ToolProcesses.direct()))
        .isInstanceOfSatisfying(
            ToolCallException.class, e -> assertThat(e.code()).isEqualTo("tool_config_invalid:*"))
        .hasMessage(
            root.toRealPath().resolve("config/mcporter.json")
                + ": $.mcpServers: missing; mcporter requires it: add \"mcpServers\": {} (an empty"
                + " object means no servers)");
  }
}
