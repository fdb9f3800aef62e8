package dev.localexec.mcporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.mcporter.config.ServerEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's {@code config/mcporter.json} block, as written (comments, the relative path of the
 * reference server), serves {@code everything.echo} through both backends from the repo root.
 */
class ReadmeConfigIT {
  @TempDir Path dir;

  private static String readmeBlock() throws Exception {
    String readme = Files.readString(McpTestEnv.repoRoot().resolve("README.md"));
    int section = readme.indexOf("## MCP tools");
    int start = readme.indexOf("```jsonc\n", section) + "```jsonc\n".length();
    int end = readme.indexOf("```", start);
    return readme.substring(start, end);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mcporter", "sdk"})
  void theReadmesBlock_servesEcho(String kind) throws Exception {
    McpTestEnv.requireNode();
    String block = readmeBlock();
    assertThat(block).contains("\"tools/mcp/node_modules/");
    Path config = dir.resolve("mcporter.json");
    Files.writeString(config, block, StandardCharsets.UTF_8);
    Map<String, String> host =
        Map.of("PATH", System.getenv().getOrDefault("PATH", ServerEnv.SAFE_PATH), "MY_TOKEN", "t");

    try (ToolBackend tools =
        McpBackends.open(McpTestEnv.repoRoot(), config, kind, host, ToolProcesses.direct())) {
      ToolResult r =
          tools.call(
              new ToolRequest(
                  "everything.echo",
                  "{\"message\":\"hi\"}",
                  tools.settings().timeout(),
                  tools.settings().maxResponseBytes(),
                  () -> false));

      assertThat(r.resultJson())
          .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Echo: hi\"}]}");
    }
  }
}
