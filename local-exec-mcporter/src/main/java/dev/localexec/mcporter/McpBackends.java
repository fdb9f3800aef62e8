package dev.localexec.mcporter;

import dev.localexec.api.ToolCallException;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.mcporter.cli.McporterBackend;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.config.ServerEnv;
import dev.localexec.mcporter.sdk.SdkBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Opens a {@link ToolBackend} from the tool configuration: {@code mcporter} or {@code sdk}. Given
 * to the plane as a {@link ToolBackend.Factory} ({@link #factory}), the backend starts its
 * processes in the plane's sandbox.
 */
public final class McpBackends {

  /** The backend kind that runs the mcporter command line per call. */
  public static final String MCPORTER = "mcporter";

  /** The backend kind that keeps warm MCP Java SDK sessions. */
  public static final String SDK = "sdk";

  private McpBackends() {}

  /**
   * The {@code PATH} children get: the fixed {@code /usr/local/bin:/usr/bin:/bin}, preceded by the
   * folder of {@code node} when the host finds it elsewhere (mcporter and most servers run on it).
   */
  static String childPath(Map<String, String> hostEnv) {
    List<String> safe = List.of(ServerEnv.SAFE_PATH.split(":"));
    for (String dir : safe) {
      if (Files.isExecutable(Path.of(dir, "node"))) {
        return ServerEnv.SAFE_PATH;
      }
    }
    for (String dir : hostEnv.getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Path.of(dir).isAbsolute() && Files.isExecutable(Path.of(dir, "node"))) {
        return dir + ":" + ServerEnv.SAFE_PATH;
      }
    }
    return ServerEnv.SAFE_PATH;
  }

  /**
   * Reads {@code configFile} and opens a backend of that kind whose processes {@code processes}
   * starts.
   *
   * @param repoRoot the repo root the plane serves: servers and mcporter run there, and the default
   *     mcporter is {@code <repoRoot>/tools/mcp/node_modules/.bin/mcporter}
   * @param configFile the configuration, usually {@code <repoRoot>/config/mcporter.json}; relative
   *     paths resolve against {@code repoRoot}
   * @param kind {@code "mcporter"} or {@code "sdk"}
   * @param hostEnv the host environment, read only for the variables a server's {@code env} refers
   *     to (e.g. {@code System.getenv()})
   * @param processes starts mcporter or the servers: the plane's {@code toolProcesses()} (its
   *     sandbox), or {@link ToolProcesses#direct()} on the host as they are
   * @throws ToolCallException of kind {@code CONFIG_INVALID} for a bad file
   * @throws IllegalArgumentException for an unknown kind
   */
  public static ToolBackend open(
      Path repoRoot,
      Path configFile,
      String kind,
      Map<String, String> hostEnv,
      ToolProcesses processes) {
    Path root = repoRoot.toAbsolutePath().normalize();
    McpConfig config = McpConfig.load(root.resolve(configFile));
    String path = childPath(hostEnv);
    switch (kind) {
      case MCPORTER:
        return McporterBackend.builder(config)
            .mcporter(McporterBackend.defaultMcporter(root, hostEnv))
            .hostEnv(hostEnv)
            .workingDirectory(root)
            .path(path)
            .processes(processes)
            .build();
      case SDK:
        return SdkBackend.builder(config)
            .hostEnv(hostEnv)
            .workingDirectory(root)
            .path(path)
            .processes(processes)
            .build();
      default:
        throw new IllegalArgumentException(
            "unknown MCP backend '" + kind + "'; use 'mcporter' or 'sdk'");
    }
  }

  /**
   * What {@code LocalExecPlane.Builder.tools} opens a backend with, {@link #open} with the plane's
   * {@link ToolProcesses}: the backend's processes then run in the plane's sandbox.
   */
  public static ToolBackend.Factory factory(
      Path repoRoot, Path configFile, String kind, Map<String, String> hostEnv) {
    Map<String, String> env = Map.copyOf(hostEnv);
    return processes -> open(repoRoot, configFile, kind, env, processes);
  }
}
