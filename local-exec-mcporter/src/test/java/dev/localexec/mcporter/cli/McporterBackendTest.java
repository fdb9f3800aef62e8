package dev.localexec.mcporter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.ToolCallException;
import dev.localexec.api.spi.ToolProcessSpec;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.mcporter.config.McpConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class McporterBackendTest {

  private static final String CONFIG =
      "{\"enabled_tools\": [\"docs.search\"], \"mcpServers\": {"
          + "\"docs\": {\"command\": \"node\", \"args\": [\"docs.js\"],"
          + " \"env\": {\"API_TOKEN\": \"${DOCS_TOKEN}\", \"MODE\": \"fast\"},"
          + " \"blockedTools\": [\"delete\"]},"
          + "\"other\": {\"command\": \"node\", \"args\": [\"other.js\"]}},"
          + " \"imports\": []}";

  @Test
  void environment_isPathHomeAndReferencedHostVariablesOnly() {
    McpConfig config = McpConfig.parse(CONFIG, "mcporter.json");
    try (McporterBackend backend =
        McporterBackend.builder(config)
            .hostEnv(Map.of("DOCS_TOKEN", "t0k", "AWS_SECRET_ACCESS_KEY", "leak", "USER", "me"))
            .build()) {
      Map<String, String> env = backend.environment(config.server("docs").orElseThrow());

      assertThat(env)
          .containsOnly(
              Map.entry("PATH", "/usr/local/bin:/usr/bin:/bin"),
              Map.entry("HOME", backend.home().toString()),
              Map.entry("DOCS_TOKEN", "t0k"));
      assertThat(backend.environment(config.server("other").orElseThrow()))
          .containsOnlyKeys("PATH", "HOME");
    }
  }

  @Test
  void derivedConfig_holdsOnlyTheServerAndTheOneTool() {
    McpConfig config = McpConfig.parse(CONFIG, "mcporter.json");
    Path root = Path.of("/srv/repo");
    try (McporterBackend backend = McporterBackend.builder(config).workingDirectory(root).build()) {
      ObjectNode derived = backend.derivedConfig("docs", "search");

      // The server starts in the repo root, so its relative paths mean what they say there.
      assertThat(derived.toString())
          .isEqualTo(
              "{\"mcpServers\":{\"docs\":{\"command\":\"node\",\"args\":[\"docs.js\"],"
                  + "\"env\":{\"API_TOKEN\":\"${DOCS_TOKEN}\",\"MODE\":\"fast\"},"
                  + "\"cwd\":\"/srv/repo\","
                  + "\"allowedTools\":[\"search\"]}},\"imports\":[]}");
      assertThat(backend.derivedConfig("docs", null).toString())
          .contains("\"blockedTools\":[\"delete\"]")
          .doesNotContain("allowedTools");
    }
  }

  @Test
  void derivedConfig_relativeCwd_isResolvedAgainstTheWorkingFolder(@TempDir Path root) {
    McpConfig config =
        McpConfig.parse(
            "{\"mcpServers\": {\"docs\": {\"command\": \"node\", \"cwd\": \"servers/docs\"}}}",
            "mcporter.json");
    try (McporterBackend backend = McporterBackend.builder(config).workingDirectory(root).build()) {
      assertThat(
              backend
                  .derivedConfig("docs", "search")
                  .path("mcpServers")
                  .path("docs")
                  .path("cwd")
                  .asString())
          .isEqualTo(root.resolve("servers/docs").toString());
    }
  }

  @Test
  void close_removesThePrivateHome() {
    McpConfig config = McpConfig.parse(CONFIG, "mcporter.json");
    McporterBackend backend = McporterBackend.builder(config).build();
    Path home = backend.home();
    assertThat(home).isDirectory();

    backend.close();

    assertThat(Files.exists(home)).isFalse();
  }

  @Test
  void defaultMcporter_prefersTheRepoCopy(@TempDir Path root) throws Exception {
    assertThat(
            McporterBackend.defaultMcporter(root, Map.of("PATH", root.resolve("bin").toString())))
        .isEqualTo(Path.of("mcporter"));

    Path bin = Files.createDirectories(root.resolve("bin"));
    Path onPath = Files.createFile(bin.resolve("mcporter"));
    onPath.toFile().setExecutable(true);
    assertThat(McporterBackend.defaultMcporter(root, Map.of("PATH", bin.toString())))
        .isEqualTo(onPath);

    Path local = root.resolve("tools/mcp/node_modules/.bin/mcporter");
    Files.createDirectories(local.getParent());
    Files.createFile(local).toFile().setExecutable(true);
    assertThat(McporterBackend.defaultMcporter(root, Map.of("PATH", bin.toString())))
        .isEqualTo(local);
  }

  @Test
  void mcporterStartsThroughTheGivenProcesses_withoutNetwork_andOnlyItsHomeWritable()
      throws Exception {
    McpConfig config =
        McpConfig.parse(
            "{\"enabled_tools\": [\"docs.search\"], \"mcpServers\": {\"docs\": {\"command\":"
                + " \"node\", \"allow_network\": false}}}",
            "mcporter.json");
    Path root = Path.of("/srv/repo");
    Path mcporter = Files.createTempFile("mcporter", "");
    mcporter.toFile().setExecutable(true);
    List<ToolProcessSpec> specs = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    ToolProcesses recording =
        new ToolProcesses() {
          @Override
          public String sandbox() {
            return "recording";
          }

          @Override
          public Process start(ToolProcessSpec spec) throws IOException {
            specs.add(spec);
            inputs.add(Files.readString(spec.input()));
            throw new IOException("not started");
          }
        };
    try (McporterBackend backend =
        McporterBackend.builder(config)
            .mcporter(mcporter)
            .workingDirectory(root)
            .processes(recording)
            .build()) {
      assertThatThrownBy(
              () ->
                  backend.call(
                      new ToolRequest(
                          "docs.search",
                          "{\"q\":\"x\"}",
                          Duration.ofSeconds(5),
                          4096,
                          () -> false)))
          .isInstanceOf(ToolCallException.class);

      ToolProcessSpec spec = specs.get(0);
      assertThat(spec.argv().subList(0, 2)).containsExactly(mcporter.toString(), "--config");
      assertThat(spec.argv().get(2)).startsWith(backend.home().toString());
      assertThat(spec.cwd()).isEqualTo(root);
      assertThat(spec.allowNetwork()).isFalse();
      assertThat(spec.privateFolders()).containsExactly(backend.home());
      assertThat(spec.input().getParent()).isEqualTo(backend.home());
      assertThat(inputs).containsExactly("{\"q\":\"x\"}");
      assertThat(backend.derivedConfig("docs", "search").toString())
          .doesNotContain("allow_network");
    } finally {
      Files.delete(mcporter);
    }
  }
}
