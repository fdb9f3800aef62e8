package dev.localexec.mcporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.JsonValues;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.mcporter.AbstractPlaneToolsIT;
import dev.localexec.mcporter.McpTestEnv;
import dev.localexec.mcporter.config.McpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class McporterPlaneIT extends AbstractPlaneToolsIT {

  @Override
  protected ToolBackend open(McpConfig config, Path root) {
    return McporterBackend.builder(config)
        .mcporter(McpTestEnv.mcporter())
        .hostEnv(McpTestEnv.hostEnv())
        .workingDirectory(root)
        .path(McpTestEnv.pathWithNode())
        .build();
  }

  @Override
  protected String backendName() {
    return "mcporter";
  }

  @Override
  protected String unreachableBecause() {
    return "spawn /nonexistent/binary ENOENT";
  }

  @Override
  protected Path home(ToolBackend backend) {
    return ((McporterBackend) backend).home();
  }

  @Test
  void aMissingMcporter_failsTheJobAsUnavailable() throws Exception {
    Path dir = Files.createTempDirectory("mcp-plane-missing");
    McpConfig config =
        McpTestEnv.writeConfig(
            Files.createDirectories(dir.resolve("config")),
            List.of("everything.echo"),
            30,
            131_072,
            null);
    try (ToolBackend missing =
        McporterBackend.builder(config).mcporter(Path.of("/nonexistent/mcporter")).build()) {
      LocalExecPlane p = plane(dir.resolve("plane"), missing);

      RunOutcome o = run(p, "[\"everything.echo\"]", "[{\"tool\":\"everything.echo\"}]");

      assertThat(o.error()).isEqualTo("tool_unavailable:everything.echo");
      assertThat(ledgerError(dir.resolve("plane"), o.jobId()))
          .isEqualTo("tool_unavailable:everything.echo");
      assertThat(
              events(dir.resolve("plane"), o, "tool_result").stream()
                  .map(AbstractPlaneToolsIT::withoutDuration))
          .containsExactly(
              "{\"name\":\"everything.echo\",\"backend\":\"mcporter\",\"outcome\":"
                  + "\"tool_unavailable:everything.echo\",\"error\":"
                  + JsonValues.toJson(
                      "mcporter not found at /nonexistent/mcporter; install it with 'npm ci"
                          + " --prefix tools/mcp' (mcporter 0.12.3, needs Node.js 20 or newer) or"
                          + " give the backend the path of a mcporter program")
                  + "}");
    }
  }
}
