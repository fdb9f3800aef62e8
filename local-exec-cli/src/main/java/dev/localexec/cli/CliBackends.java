package dev.localexec.cli;

import dev.localexec.api.spi.ModelBackend;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.mcporter.McpBackends;
import dev.localexec.vllm.VllmConfig;
import dev.localexec.vllm.VllmModelBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tool and model backends the command line opens from the global flags {@code --mcp-backend
 * mcporter|sdk|off}, {@code --mcp-config FILE} and {@code --model off|vllm}, and closes when the
 * command ends (an SDK backend holds server processes).
 */
final class CliBackends implements AutoCloseable {
  static final String DEFAULT_MCP_CONFIG = "config/mcporter.json";

  private final Map<String, String> environment;
  private final List<AutoCloseable> opened = new ArrayList<>();

  CliBackends(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The tool configuration file: {@code --mcp-config}, else {@code config/mcporter.json}. */
  static Path mcpConfig(Options.Backends a, Path root) {
    return a.mcpConfig != null ? root.resolve(a.mcpConfig) : root.resolve(DEFAULT_MCP_CONFIG);
  }

  /** {@code kind} when it is a backend kind ({@code mcporter}, {@code sdk} or {@code off}). */
  static String checkMcpKind(String kind) {
    if (!List.of(McpBackends.MCPORTER, McpBackends.SDK, "off").contains(kind)) {
      throw new UsageException("--mcp-backend must be mcporter, sdk or off, got '" + kind + "'");
    }
    return kind;
  }

  /**
   * The tool backend for running jobs, for the plane to open with its sandbox, or {@code null} when
   * {@code --mcp-backend off} or the configuration file does not exist. It reads the configuration
   * on a job's first tool call (see {@link LazyToolBackend}).
   */
  ToolBackend.Factory toolsForJobs(Options.Backends a, Path root) {
    String kind = a.mcpBackend;
    Path config = mcpConfig(a, root);
    if (kind.equals("off")) {
      return null;
    }
    if (!Files.exists(config)) {
      if (a.mcpConfig != null) {
        throw new UsageException("--mcp-config: no such file: " + config);
      }
      return null;
    }
    return processes -> {
      ToolBackend backend = new LazyToolBackend(root, config, kind, environment, processes);
      opened.add(backend);
      return backend;
    };
  }

  /**
   * The tool backend for {@code mcp list}: always opened, from the configuration file, its
   * processes started by {@code processes} (a plane's, so in its sandbox).
   */
  ToolBackend toolsForCommand(Options.Backends a, Path root, ToolProcesses processes) {
    String kind = a.mcpBackend;
    if (kind.equals("off")) {
      throw new UsageException("mcp commands need a backend; --mcp-backend is off");
    }
    Path config = mcpConfig(a, root);
    if (!Files.exists(config)) {
      throw new UsageException(
          "no MCP configuration at "
              + config
              + "; create it (see the README's MCP section) or pass --mcp-config FILE");
    }
    ToolBackend backend = McpBackends.open(root, config, kind, environment, processes);
    opened.add(backend);
    return backend;
  }

  /** The model for running jobs: {@code --model vllm} opens the vLLM configuration's backend. */
  ModelBackend modelForJobs(Options.Backends a, Path root) {
    return a.model.equals("vllm") ? model(root) : null;
  }

  /** The vLLM backend of {@code config/vllm/dali_local_exec.yaml} under the root. */
  VllmModelBackend model(Path root) {
    VllmModelBackend backend = VllmModelBackend.create(vllmConfig(root), environment);
    opened.add(backend);
    return backend;
  }

  /** The vLLM configuration under the root. */
  static VllmConfig vllmConfig(Path root) {
    return VllmConfig.loadFromRoot(root);
  }

  @Override
  public void close() {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        // closing is best effort; the backends stop their own processes
      }
    }
    opened.clear();
  }
}
