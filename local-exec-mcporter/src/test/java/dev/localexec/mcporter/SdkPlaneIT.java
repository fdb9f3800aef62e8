package dev.localexec.mcporter;

import dev.localexec.api.spi.ToolBackend;
import java.nio.file.Path;

class SdkPlaneIT extends AbstractPlaneToolsIT {

  @Override
  ToolBackend open(McpConfig config, Path root) {
    return SdkBackend.builder(config)
        .hostEnv(McpTestEnv.hostEnv())
        .workingDirectory(root)
        .path(McpTestEnv.pathWithNode())
        .build();
  }

  @Override
  String backendName() {
    return "mcp-sdk";
  }

  @Override
  String unreachableBecause() {
    return "server 'broken' failed to start: program '/nonexistent/binary' not found on PATH /usr/local/bin:/usr/bin:/bin";
  }

  @Override
  Path home(ToolBackend backend) {
    return ((SdkBackend) backend).home();
  }
}
