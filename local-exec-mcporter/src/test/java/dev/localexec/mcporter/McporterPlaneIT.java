package dev.localexec.mcporter;

import dev.localexec.api.spi.ToolBackend;
import java.nio.file.Path;

class McporterPlaneIT extends AbstractPlaneToolsIT {

  @Override
  ToolBackend open(McpConfig config, Path root) {
    return McporterBackend.builder(config)
        .mcporter(McpTestEnv.mcporter())
        .hostEnv(McpTestEnv.hostEnv())
        .workingDirectory(root)
        .path(McpTestEnv.pathWithNode())
        .build();
  }

  @Override
  String backendName() {
    return "mcporter";
  }

  @Override
  Path home(ToolBackend backend) {
    return ((McporterBackend) backend).home();
  }
}
