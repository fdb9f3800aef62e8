package dev.localexec.mcporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McpBackendsTest {
  @TempDir Path root;

  private void writeConfig() throws Exception {
    Files.createDirectories(root.resolve("config"));
    Files.writeString(root.resolve("config/mcporter.json"), "{\"mcpServers\": {}}");
  }

  @Test
  void open_givesTheNamedKind() throws Exception {
    writeConfig();

    try (ToolBackend m =
            McpBackends.open(
                root,
                Path.of("config/mcporter.json"),
                "mcporter",
                Map.of(),
                ToolProcesses.direct());
        ToolBackend s =
            McpBackends.open(
                root, Path.of("config/mcporter.json"), "sdk", Map.of(), ToolProcesses.direct())) {
      assertThat(m.name()).isEqualTo("mcporter");
      assertThat(s.name()).isEqualTo("mcp-sdk");
      assertThat(m.settings().enabledTools()).isEmpty();
    }
  }

  @Test
  void open_unknownKind_namesTheKnownOnes() throws Exception {
    writeConfig();

    assertThatThrownBy(
            () ->
                McpBackends.open(
                    root,
                    Path.of("config/mcporter.json"),
                    "daemon",
                    Map.of(),
                    ToolProcesses.direct()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown MCP backend 'daemon'; use 'mcporter' or 'sdk'");
  }

  @Test
  void childPath_addsNodesFolderOnlyWhenTheFixedPathLacksIt() throws Exception {
    Path bin = Files.createDirectories(root.resolve("node-bin"));
    Files.createFile(bin.resolve("node")).toFile().setExecutable(true);
    boolean nodeInSafePath =
        Files.isExecutable(Path.of("/usr/local/bin/node"))
            || Files.isExecutable(Path.of("/usr/bin/node"))
            || Files.isExecutable(Path.of("/bin/node"));

    assertThat(McpBackends.childPath(Map.of("PATH", bin + ":/usr/bin")))
        .isEqualTo(
            nodeInSafePath
                ? "/usr/local/bin:/usr/bin:/bin"
                : bin + ":/usr/local/bin:/usr/bin:/bin");
    assertThat(McpBackends.childPath(Map.of())).isEqualTo("/usr/local/bin:/usr/bin:/bin");
  }
}
