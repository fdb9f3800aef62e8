package dev.localexec.cli;

import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import dev.localexec.mcporter.McpBackends;
import dev.localexec.mcporter.cli.McporterBackend;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.sdk.SdkBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The tool backend of a worker, opened on first use: the configuration is read when a job first
 * calls a tool (so a broken file fails that call with {@code tool_config_invalid:<tool>}, not every
 * job), and the backend (mcporter, or the SDK's sessions) starts only then, its processes in the
 * plane's sandbox.
 */
final class LazyToolBackend implements ToolBackend {
  private final Path root;
  private final Path config;
  private final String kind;
  private final Map<String, String> environment;
  private final ToolProcesses processes;
  private ToolBackend opened;

  LazyToolBackend(
      Path root,
      Path config,
      String kind,
      Map<String, String> environment,
      ToolProcesses processes) {
    this.root = root;
    this.config = config;
    this.kind = kind;
    this.environment = Map.copyOf(environment);
    this.processes = processes;
  }

  private synchronized ToolBackend backend() {
    if (opened == null) {
      opened = McpBackends.open(root, config, kind, environment, processes);
    }
    return opened;
  }

  @Override
  public String name() {
    return kind.equals(McpBackends.SDK) ? SdkBackend.NAME : McporterBackend.NAME;
  }

  @Override
  public ToolSettings settings() {
    synchronized (this) {
      if (opened != null) {
        return opened.settings();
      }
    }
    return McpConfig.load(root.resolve(config)).settings();
  }

  @Override
  public List<ToolDescription> listTools(Duration timeout) {
    return backend().listTools(timeout);
  }

  @Override
  public ToolResult call(ToolRequest request) {
    return backend().call(request);
  }

  @Override
  public synchronized void close() {
    if (opened != null) {
      opened.close();
      opened = null;
    }
  }
}
