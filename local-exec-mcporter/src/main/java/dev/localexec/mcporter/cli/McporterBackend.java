package dev.localexec.mcporter.cli;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolCallException;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolProcessSpec;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.config.McpServer;
import dev.localexec.mcporter.config.ServerEnv;
import dev.localexec.mcporter.shared.ProcessTrees;
import dev.localexec.mcporter.shared.ToolOutcomes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls MCP tools through the {@code mcporter} command line, one process per call:
 *
 * <pre>
 * mcporter --config &lt;derived&gt; call &lt;server.tool&gt; --args - --output json --timeout &lt;ms&gt;
 * </pre>
 *
 * with the arguments on stdin. Each call writes a private derived configuration holding only the
 * called server, with {@code allowedTools} set to the one tool called, so that mcporter's
 * auto-correction of near-miss names can never reach another tool. mcporter runs with a cleared
 * environment ({@code PATH}, a private {@code HOME}, and the host variables the server's {@code
 * env} refers to); its whole process tree is killed shortly after the timeout, on cancellation, and
 * after it exits. Standard output is read up to a bound.
 *
 * <p>mcporter starts through the backend's {@link ToolProcesses}: given the plane's, it runs in the
 * plane's sandbox, and so does every server it starts. It needs the network only for an HTTP server
 * or a server with {@code allow_network}; otherwise it runs without any (not even the host's
 * loopback). Its private {@code HOME}, which holds the derived configuration, is the one folder
 * outside the repo root it may write.
 *
 * <p>Thread-safe: calls run in parallel, each in its own processes.
 */
public final class McporterBackend implements ToolBackend {
  private static final Logger LOG = LoggerFactory.getLogger(McporterBackend.class);

  /** The backend's name in evidence. */
  public static final String NAME = "mcporter";

  /** How long after mcporter's own {@code --timeout} the plane kills its process tree. */
  static final Duration KILL_GRACE = Duration.ofSeconds(3);

  /** Output beyond {@code max_response_bytes} still read: mcporter pretty-prints its JSON. */
  private static final int STDOUT_SLACK = 64 * 1024;

  private static final int STDERR_LIMIT = 16 * 1024;
  private static final long POLL_MS = 50;

  private final McpConfig config;
  private final Path mcporter;
  private final Map<String, String> hostEnv;
  private final Path workingDirectory;
  private final String path;
  private final ToolProcesses processes;
  private final Path home;
  private volatile boolean closed;

  private McporterBackend(Builder b) {
    this.processes = b.processes;
    this.config = b.config;
    this.mcporter = b.mcporter;
    this.hostEnv = Map.copyOf(b.hostEnv);
    this.workingDirectory = b.workingDirectory;
    this.path = b.path;
    try {
      this.home = Files.createTempDirectory("local-exec-mcporter-home", ownerOnly());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create a private HOME for mcporter: " + e.getMessage(), e);
    }
  }

  /**
   * Starts a builder.
   *
   * @param config the validated tool configuration
   */
  public static Builder builder(McpConfig config) {
    return new Builder(config);
  }

  /**
   * The default mcporter: {@code <repoRoot>/tools/mcp/node_modules/.bin/mcporter} when present,
   * else {@code mcporter} found on the host's {@code PATH} (may not exist).
   */
  public static Path defaultMcporter(Path repoRoot, Map<String, String> hostEnv) {
    Path local =
        repoRoot.resolve("tools/mcp/node_modules/.bin/mcporter").toAbsolutePath().normalize();
    if (Files.isExecutable(local)) {
      return local;
    }
    String hostPath = hostEnv.getOrDefault("PATH", ServerEnv.SAFE_PATH);
    for (String dir : hostPath.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "mcporter");
        if (Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath();
        }
      }
    }
    return Path.of("mcporter");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ToolSettings settings() {
    return config.settings();
  }

  /** The mcporter program this backend runs. */
  public Path mcporter() {
    return mcporter;
  }

  @Override
  public List<ToolDescription> listTools(Duration timeout) {
    List<ToolDescription> tools = new ArrayList<>();
    for (McpServer server : config.servers().values()) {
      String label = server.name() + ".*";
      ObjectNode derived = derivedConfig(server.name(), null);
      Run run =
          run(
              label,
              derived,
              List.of(
                  "list", server.name(), "--json", "--timeout", Long.toString(timeout.toMillis())),
              null,
              timeout,
              ToolSettings.DEFAULT_MAX_RESPONSE_BYTES * 8,
              server,
              () -> false);
      if (run.timedOut) {
        throw ToolOutcomes.timeout(label, timeout);
      }
      JsonNode json;
      try {
        json = McpConfig.JSONC.readTree(run.stdout);
      } catch (RuntimeException e) {
        json = null;
      }
      if (run.rc != 0 || json == null || !json.path("tools").isArray()) {
        String why =
            json != null && json.has("error")
                ? json.path("error").asString("")
                : "mcporter list exited " + run.rc + ": " + McporterOutput.firstLine(run.stderr);
        throw ToolOutcomes.unavailable(label, why, null);
      }
      tools.addAll(toolsOf(server.name(), json));
    }
    return List.copyOf(tools);
  }

  static List<ToolDescription> toolsOf(String server, JsonNode listJson) {
    List<ToolDescription> tools = new ArrayList<>();
    for (JsonNode t : listJson.path("tools")) {
      JsonNode schema = t.get("inputSchema");
      tools.add(
          new ToolDescription(
              server,
              t.path("name").asString(""),
              t.path("description").asString(""),
              schema == null ? "{}" : schema.toString()));
    }
    return tools;
  }

  @Override
  public ToolResult call(ToolRequest request) {
    String tool = request.tool();
    if (closed) {
      throw ToolOutcomes.unavailable(tool, "the mcporter backend is closed", null);
    }
    ToolOutcomes.checkName(tool, config);
    JsonNode args = ToolOutcomes.arguments(tool, request.argumentsJson());
    McpServer server = config.server(request.server()).orElseThrow();
    ObjectNode derived = derivedConfig(server.name(), request.toolName());
    long start = System.nanoTime();
    Run run =
        run(
            tool,
            derived,
            List.of(
                "call",
                tool,
                "--args",
                "-",
                "--output",
                "json",
                "--timeout",
                Long.toString(request.timeout().toMillis())),
            args.toString(),
            request.timeout().plus(KILL_GRACE),
            request.maxResponseBytes() + STDOUT_SLACK,
            server,
            request.cancelled());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (run.cancelled) {
      throw new KillSwitchException("tool_call");
    }
    if (run.timedOut) {
      throw ToolOutcomes.timeout(tool, request.timeout());
    }
    if (run.overflowed) {
      throw ToolOutcomes.tooLarge(
          tool,
          "more than " + (request.maxResponseBytes() + STDOUT_SLACK),
          request.maxResponseBytes());
    }
    try {
      return McporterOutput.parse(
          tool,
          run.rc,
          run.stdout,
          run.stderr,
          request.timeout(),
          request.maxResponseBytes(),
          took);
    } catch (ToolCallException e) {
      // mcporter's own messages may quote the server's environment: never a host value
      Set<String> hostValues = ServerEnv.hostValues(server, hostEnv);
      String message = ServerEnv.redact(e.getMessage(), hostValues);
      if (message.equals(e.getMessage())) {
        throw e;
      }
      throw new ToolCallException(e.kind(), e.tool(), message);
    }
  }

  /**
   * The configuration mcporter gets for one run: only that server, no imports, and, for a call,
   * {@code allowedTools} holding only the tool called.
   */
  ObjectNode derivedConfig(String serverName, String bareTool) {
    ObjectNode server = config.rawServer(serverName);
    // The derived file lives in a private folder, and mcporter starts a stdio server in its
    // config's folder unless told otherwise: a relative cwd, and a server without one (whose
    // relative paths mean the repo root), keep meaning the working folder.
    if (server.path("cwd").isString()) {
      server.put("cwd", workingDirectory.resolve(server.path("cwd").asString()).toString());
    } else if (server.has("command")) {
      server.put("cwd", workingDirectory.toString());
    }
    server.remove(McpServer.ALLOW_NETWORK);
    if (bareTool != null) {
      server.remove("blockedTools");
      ArrayNode allowed = server.putArray("allowedTools");
      allowed.add(bareTool);
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("mcpServers").set(serverName, server);
    root.putArray("imports");
    return root;
  }

  private static final class Run {
    int rc = -1;
    String stdout = "";
    String stderr = "";
    boolean timedOut;
    boolean cancelled;
    boolean overflowed;
  }

  private Run run(
      String label,
      ObjectNode derived,
      List<String> commandArgs,
      String stdin,
      Duration hardLimit,
      int stdoutLimit,
      McpServer server,
      java.util.function.BooleanSupplier cancelled) {
    if (!Files.isExecutable(mcporter) && mcporter.isAbsolute()) {
      throw missing(label, null);
    }
    Path configFile = null;
    Path argsFile = null;
    Process process = null;
    Set<ProcessHandle> seen = new HashSet<>();
    Run run = new Run();
    try {
      configFile = Files.createTempFile(home, "mcporter-", ".json", ownerOnlyFile());
      Files.writeString(configFile, derived.toString(), StandardCharsets.UTF_8);
      List<String> command = new ArrayList<>();
      command.add(mcporter.toString());
      command.add("--config");
      command.add(configFile.toAbsolutePath().toString());
      command.addAll(commandArgs);
      // The arguments come from a private file: mcporter 0.12.3 fails with EAGAIN reading a large
      // --args from a pipe, and a file never blocks either side.
      if (stdin != null) {
        argsFile = Files.createTempFile(home, "args-", ".json", ownerOnlyFile());
        Files.writeString(argsFile, stdin, StandardCharsets.UTF_8);
      }
      ToolProcessSpec spec =
          new ToolProcessSpec(
              command,
              workingDirectory,
              environment(server),
              server.needsNetwork(),
              argsFile,
              List.of(home));
      try {
        process = processes.start(spec);
      } catch (IOException e) {
        throw missing(label, e);
      } catch (LocalExecException e) {
        throw ToolOutcomes.unavailable(label, e.getMessage(), e);
      }
      if (argsFile == null) {
        try {
          process.getOutputStream().close();
        } catch (IOException e) {
          LOG.debug("mcporter's standard input was already closed: {}", e.getMessage());
        }
      }
      ProcessHandle root = process.toHandle();
      BoundedCapture out =
          BoundedCapture.start(process.getInputStream(), stdoutLimit, "mcporter-stdout");
      BoundedCapture err =
          BoundedCapture.start(process.getErrorStream(), STDERR_LIMIT, "mcporter-stderr");
      long deadline = System.nanoTime() + hardLimit.toNanos();
      while (true) {
        ProcessTrees.remember(root, seen);
        if (process.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
          break;
        }
        if (cancelled.getAsBoolean()) {
          run.cancelled = true;
          break;
        }
        if (out.overflowed()) {
          run.overflowed = true;
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          run.timedOut = true;
          break;
        }
      }
      boolean allEnded = ProcessTrees.kill(root, seen);
      if (!allEnded) {
        LOG.warn("a process of mcporter ({}) did not end after SIGKILL", label);
      }
      out.await(2000);
      err.await(2000);
      run.overflowed |= out.overflowed();
      run.stdout = out.text();
      run.stderr = err.text();
      if (!process.isAlive()) {
        run.rc = process.exitValue();
      }
      return run;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.cancelled = true;
      if (process != null) {
        ProcessTrees.kill(process.toHandle(), seen);
      }
      return run;
    } catch (IOException e) {
      throw ToolOutcomes.unavailable(
          label, "cannot write mcporter's configuration: " + e.getMessage(), e);
    } finally {
      if (process != null && process.isAlive()) {
        ProcessTrees.kill(process.toHandle(), seen);
      }
      for (Path f : new Path[] {configFile, argsFile}) {
        if (f != null) {
          try {
            Files.deleteIfExists(f);
          } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", f, e.getMessage());
          }
        }
      }
    }
  }

  /**
   * mcporter's environment: PATH, the private HOME, and the host variables the server refers to.
   */
  Map<String, String> environment(McpServer server) {
    Map<String, String> env = new LinkedHashMap<>(ServerEnv.base(path, home.toString()));
    for (String name : ServerEnv.referencedNames(server)) {
      String value = hostEnv.get(name);
      if (value != null && !env.containsKey(name)) {
        env.put(name, value);
      }
    }
    return env;
  }

  private ToolCallException missing(String label, Throwable cause) {
    return new ToolCallException(
        ToolCallException.Kind.UNAVAILABLE,
        label,
        "mcporter not found at "
            + mcporter
            + "; install it with 'npm ci --prefix tools/mcp' (mcporter 0.12.3, needs Node.js 20"
            + " or newer) or give the backend the path of a mcporter program",
        cause);
  }

  /** The private {@code HOME} every process of this backend gets (for tests). */
  Path home() {
    return home;
  }

  @Override
  public void close() {
    closed = true;
    try (var files = Files.walk(home)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot remove mcporter's private HOME: {}", e.getMessage());
    }
  }

  private static java.nio.file.attribute.FileAttribute<?> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  }

  private static java.nio.file.attribute.FileAttribute<?> ownerOnlyFile() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }

  /** Builds a {@link McporterBackend}. */
  public static final class Builder {
    private final McpConfig config;
    private Path mcporter = Path.of("mcporter");
    private Map<String, String> hostEnv = Map.of();
    private Path workingDirectory = Path.of(".").toAbsolutePath().normalize();
    private String path = ServerEnv.SAFE_PATH;
    private ToolProcesses processes = ToolProcesses.direct();

    private Builder(McpConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * What starts mcporter (default {@link ToolProcesses#direct()}, on the host without a sandbox);
     * the plane's {@code toolProcesses()} runs it, and so the servers it starts, in the plane's
     * sandbox.
     */
    public Builder processes(ToolProcesses processes) {
      this.processes = Objects.requireNonNull(processes, "processes");
      return this;
    }

    /**
     * The mcporter program (default {@code mcporter}, looked up on the JVM's {@code PATH}); {@link
     * McporterBackend#defaultMcporter} finds the repository's copy.
     */
    public Builder mcporter(Path mcporter) {
      Objects.requireNonNull(mcporter, "mcporter");
      // A bare name is looked up on PATH; a path with folders is made absolute here, so that it
      // does not depend on the working folder mcporter runs in.
      this.mcporter = mcporter.getNameCount() > 1 ? mcporter.toAbsolutePath() : mcporter;
      return this;
    }

    /**
     * The host's environment, read only for the variables a server's {@code env} refers to (default
     * none). Nothing else of it reaches mcporter or a server.
     */
    public Builder hostEnv(Map<String, String> hostEnv) {
      this.hostEnv = Map.copyOf(hostEnv);
      return this;
    }

    /** mcporter's working folder (default the current folder), usually the repo root. */
    public Builder workingDirectory(Path dir) {
      this.workingDirectory = dir.toAbsolutePath().normalize();
      return this;
    }

    /** The {@code PATH} mcporter and servers get (default {@code /usr/local/bin:/usr/bin:/bin}). */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Builds the backend; it starts nothing until the first call. */
    public McporterBackend build() {
      return new McporterBackend(this);
    }
  }
}
