package dev.localexec.mcporter.sdk;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.mcporter.AbstractPlaneToolsIT;
import dev.localexec.mcporter.McpTestEnv;
import dev.localexec.mcporter.config.McpConfig;
import java.nio.file.Path;

class SdkPlaneIT extends AbstractPlaneToolsIT {

  @Override
  protected ToolBackend open(McpConfig config, Path root) {
    return SdkBackend.builder(config)
        .hostEnv(McpTestEnv.hostEnv())
        .workingDirectory(root)
        .path(McpTestEnv.pathWithNode())
        .build();
  }

  @Override
  protected String backendName() {
    return "mcp-sdk";
  }

  @Override
  protected String unreachableBecause() {
    return "server 'broken' failed to start: program '/nonexistent/binary' not found on PATH /usr/local/bin:/usr/bin:/bin";
  }

  @Override
  protected Path home(ToolBackend backend) {
    return ((SdkBackend) backend).home();
  }
}
