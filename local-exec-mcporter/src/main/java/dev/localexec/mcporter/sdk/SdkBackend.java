package dev.localexec.mcporter.sdk;

import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolProcessSpec;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import dev.localexec.core.exec.ProcessStates;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.config.McpServer;
import dev.localexec.mcporter.config.ServerEnv;
import dev.localexec.mcporter.shared.ProcessTrees;
import dev.localexec.mcporter.shared.ToolOutcomes;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls MCP tools through the MCP Java SDK, with one warm stdio session per server: started on
 * first use, reused by later calls, so a call costs milliseconds instead of a process start.
 *
 * <p>The backend starts each server itself, through its {@link ToolProcesses} (given the plane's,
 * in the plane's sandbox, without network unless the server has {@code allow_network}), and speaks
 * MCP to it over the process's standard input and output with the SDK's client on a transport of
 * its own. The server's environment is exactly a fixed {@code PATH}, a private {@code HOME} (the
 * one folder outside the repo root it may write) and its configured {@code env} (host references
 * resolved from the host environment given to the backend), nothing else of the host's. Servers
 * start on a thread the backend keeps until {@link #close()}: a sandbox that ends a process with
 * the thread that started it (bubblewrap's {@code --die-with-parent}) then does not end a warm
 * server with the job whose call started it. Tool names are sent exactly as asked. A call that
 * times out or is cancelled ends its session: the server process tree is killed, and the next call
 * starts a fresh one. A session that fails to initialize is closed and its process tree killed at
 * once, so that no retry leaves an orphan server behind.
 *
 * <p>Thread-safe. Calls to one server share its session; a session starts once even when several
 * calls race for it.
 */
public final class SdkBackend implements ToolBackend {
  private static final Logger LOG = LoggerFactory.getLogger(SdkBackend.class);

  /** The backend's name in evidence. */
  public static final String NAME = "mcp-sdk";

  /** The default bound on starting and initializing a server. */
  public static final Duration DEFAULT_INIT_TIMEOUT = Duration.ofSeconds(60);

  private static final long POLL_MS = 20;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final McpConfig config;
  private final Map<String, String> hostEnv;
  private final Path workingDirectory;
  private final String path;
  private final Duration initTimeout;
  private final ToolProcesses processes;
  private final Path home;
  private final McpJsonMapper sdkMapper = McpJsonDefaults.getMapper();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final ExecutorService starter =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "mcp-sdk-server-starter");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;

  private SdkBackend(Builder b) {
    this.config = b.config;
    this.hostEnv = Map.copyOf(b.hostEnv);
    this.workingDirectory = b.workingDirectory;
    this.path = b.path;
    this.initTimeout = b.initTimeout;
    this.processes = b.processes;
    try {
      this.home =
          Files.createTempDirectory(
              "local-exec-mcp-home",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create a private HOME for MCP servers: " + e.getMessage(), e);
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

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ToolSettings settings() {
    return config.settings();
  }

  @Override
  public List<ToolDescription> listTools(Duration timeout) {
    List<ToolDescription> tools = new ArrayList<>();
    for (McpServer server : config.servers().values()) {
      String label = server.name() + ".*";
      long deadline = System.nanoTime() + timeout.toNanos();
      Session session = session(server, label, deadline, timeout, () -> false);
      String cursor = null;
      do {
        McpSchema.ListToolsResult page =
            await(
                label,
                session,
                session.client.listTools(cursor).toFuture(),
                deadline,
                timeout,
                () -> false);
        for (McpSchema.Tool t : page.tools()) {
          tools.add(
              new ToolDescription(
                  server.name(),
                  t.name(),
                  t.description(),
                  t.inputSchema() == null
                      ? "{}"
                      : McpConfig.JSONC.valueToTree(t.inputSchema()).toString()));
        }
        cursor = page.nextCursor();
      } while (cursor != null && !cursor.isEmpty());
    }
    return List.copyOf(tools);
  }

  @Override
  public ToolResult call(ToolRequest request) {
    String tool = request.tool();
    if (closed) {
      throw ToolOutcomes.unavailable(tool, "the MCP SDK backend is closed", null);
    }
    ToolOutcomes.checkName(tool, config);
    JsonNode args = ToolOutcomes.arguments(tool, request.argumentsJson());
    McpServer server = config.server(request.server()).orElseThrow();
    long start = System.nanoTime();
    long deadline = start + request.timeout().toNanos();
    Session session = session(server, tool, deadline, request.timeout(), request.cancelled());
    Map<String, Object> argMap = McpConfig.JSONC.convertValue(args, MAP);
    McpSchema.CallToolResult result =
        await(
            tool,
            session,
            session
                .client
                .callTool(
                    McpSchema.CallToolRequest.builder(request.toolName()).arguments(argMap).build())
                .toFuture(),
            deadline,
            request.timeout(),
            request.cancelled());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (Boolean.TRUE.equals(result.isError())) {
      throw ToolOutcomes.toolError(tool, ToolOutcomes.text(envelope(result)));
    }
    if (result.structuredContent() != null) {
      return ToolOutcomes.result(
          tool,
          McpConfig.JSONC.valueToTree(result.structuredContent()),
          true,
          request.maxResponseBytes(),
          took);
    }
    ObjectNode envelope = envelope(result);
    JsonNode unwrapped = singleJsonText(envelope);
    if (unwrapped != null) {
      return ToolOutcomes.result(tool, unwrapped, true, request.maxResponseBytes(), took);
    }
    return ToolOutcomes.result(tool, envelope, false, request.maxResponseBytes(), took);
  }

  /** The {@code {"content":[...]}} envelope of a result, in the server's own shape. */
  private ObjectNode envelope(McpSchema.CallToolResult result) {
    ObjectNode envelope = JsonNodeFactory.instance.objectNode();
    JsonNode content;
    try {
      // The whole record, so that each block keeps its "type" (the list alone loses it).
      content = McpConfig.JSONC.readTree(sdkMapper.writeValueAsString(result)).get("content");
    } catch (IOException e) {
      throw new IllegalStateException("cannot write an MCP result as JSON", e);
    }
    envelope.set(
        "content",
        content == null || !content.isArray() ? JsonNodeFactory.instance.arrayNode() : content);
    if (Boolean.TRUE.equals(result.isError())) {
      envelope.put("isError", true);
    }
    return envelope;
  }

  /**
   * The parsed text when the result is one text block holding a JSON object or array, as mcporter
   * prints it.
   */
  private static JsonNode singleJsonText(ObjectNode envelope) {
    JsonNode content = envelope.get("content");
    if (content.size() != 1 || !"text".equals(content.get(0).path("type").asString(""))) {
      return null;
    }
    String text = content.get(0).path("text").asString("").strip();
    if (!(text.startsWith("{") || text.startsWith("["))) {
      return null;
    }
    try {
      return McpConfig.JSONC.readTree(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private <T> T await(
      String tool,
      Session session,
      CompletableFuture<T> future,
      long deadline,
      Duration timeout,
      BooleanSupplier cancelled) {
    try {
      while (true) {
        try {
          return future.get(POLL_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          session.remember();
          if (cancelled.getAsBoolean()) {
            future.cancel(true);
            end(session, "cancelled");
            throw new KillSwitchException("tool_call");
          }
          if (session.transport.inboundClosed()) {
            // The SDK stops reading, and never answers the call, when the server's output ends or
            // after a message longer than its line bound; the two cannot be told apart here.
            future.cancel(true);
            end(session, "the transport stopped reading");
            throw ToolOutcomes.unavailable(
                tool,
                "the server's output ended before its answer: the server exited, or sent a"
                    + " message longer than "
                    + session.transport.maxLine()
                    + " bytes",
                null);
          }
          if (System.nanoTime() - deadline > 0) {
            future.cancel(true);
            end(session, "call timed out");
            throw ToolOutcomes.timeout(tool, timeout);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      end(session, "interrupted");
      throw new KillSwitchException("tool_call");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof McpError) {
        throw ToolOutcomes.toolError(tool, cause.getMessage());
      }
      end(session, "call failed");
      throw ToolOutcomes.unavailable(tool, String.valueOf(cause.getMessage()), cause);
    }
  }

  /**
   * The server's running session, started if needed (one start at a time per server).
   *
   * @param deadline when the caller's time is up ({@link System#nanoTime()})
   * @param timeout the caller's whole timeout, for its message
   */
  private Session session(
      McpServer server, String tool, long deadline, Duration timeout, BooleanSupplier cancelled) {
    if (!server.stdio()) {
      throw ToolOutcomes.unavailable(
          tool,
          "server '"
              + server.name()
              + "' is an HTTP server and the sdk backend runs stdio servers only; use the mcporter backend",
          null);
    }
    Session current = sessions.get(server.name());
    if (current != null && current.running()) {
      return current;
    }
    synchronized (locks.computeIfAbsent(server.name(), k -> new Object())) {
      current = sessions.get(server.name());
      if (current != null && current.running()) {
        return current;
      }
      if (current != null) {
        end(current, "server process ended");
      }
      if (closed) {
        throw ToolOutcomes.unavailable(tool, "the MCP SDK backend is closed", null);
      }
      Session fresh = start(server, tool, deadline, timeout, cancelled);
      sessions.put(server.name(), fresh);
      return fresh;
    }
  }

  private Session start(
      McpServer server, String tool, long deadline, Duration timeout, BooleanSupplier cancelled) {
    Path dir = dir(server);
    Path program = program(server.command(), dir);
    if (program == null) {
      throw ToolOutcomes.unavailable(
          tool,
          "server '"
              + server.name()
              + "' failed to start: program '"
              + server.command()
              + "' not found on PATH "
              + path,
          null);
    }
    Map<String, String> env = new LinkedHashMap<>(ServerEnv.base(path, home.toString()));
    env.putAll(ServerEnv.resolve(server, hostEnv));
    List<String> argv = new ArrayList<>();
    argv.add(program.toString());
    argv.addAll(server.args());
    Process process =
        startProcess(
            tool,
            server,
            new ToolProcessSpec(argv, dir, env, server.needsNetwork(), null, List.of(home)));
    int maxLine = Math.max(1 << 20, 4 * config.settings().maxResponseBytes()) + 64 * 1024;
    Set<String> hostValues = ServerEnv.hostValues(server, hostEnv);
    LaunchedStdioTransport transport =
        new LaunchedStdioTransport(
            process,
            sdkMapper,
            maxLine,
            line ->
                LOG.debug(
                    "MCP server {}: {}",
                    server.name(),
                    ServerEnv.redact(ToolOutcomes.clip(line), hostValues)));
    Duration requestTimeout = Duration.ofSeconds(310).plus(initTimeout);
    McpAsyncClient client =
        McpClient.async(transport)
            .requestTimeout(requestTimeout)
            .initializationTimeout(requestTimeout)
            .clientInfo(McpSchema.Implementation.builder("local-exec", "0.1.0").build())
            .build();
    Session session = new Session(server.name(), client, transport);
    // Bounded by the initialization bound and by the caller's own time, whichever ends first;
    // a kill switch stops it too. Any failure ends the session: its server dies with it.
    long initDeadline = System.nanoTime() + initTimeout.toNanos();
    boolean callerBound = deadline - initDeadline < 0;
    CompletableFuture<McpSchema.InitializeResult> init = client.initialize().toFuture();
    try {
      while (true) {
        try {
          init.get(POLL_MS, TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          session.remember();
          if (cancelled.getAsBoolean()) {
            init.cancel(true);
            end(session, "cancelled while starting");
            throw new KillSwitchException("tool_call");
          }
          if (System.nanoTime() - (callerBound ? deadline : initDeadline) > 0) {
            init.cancel(true);
            end(session, "initialization timed out");
            if (callerBound) {
              throw ToolOutcomes.timeout(tool, timeout);
            }
            throw ToolOutcomes.unavailable(
                tool,
                "server '"
                    + server.name()
                    + "' did not initialize within "
                    + initTimeout.toMillis()
                    + " ms",
                e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      end(session, "interrupted while starting");
      throw new KillSwitchException("tool_call");
    } catch (ExecutionException | RuntimeException e) {
      if (e instanceof LocalExecException) {
        throw (LocalExecException) e;
      }
      end(session, "initialization failed");
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw ToolOutcomes.unavailable(
          tool, "server '" + server.name() + "' failed to start: " + rootMessage(cause), cause);
    }
    session.remember();
    LOG.debug(
        "MCP server {} started by {} (pid {})",
        server.name(),
        processes.sandbox(),
        session.process().pid());
    return session;
  }

  /**
   * Starts a server on the backend's own starter thread, which lives as long as the backend: a
   * sandbox such as bubblewrap ({@code --die-with-parent}) ends the process when the thread that
   * started it ends, and a warm server must outlive the job thread whose call started it.
   */
  private Process startProcess(String tool, McpServer server, ToolProcessSpec spec) {
    Future<Process> started;
    try {
      started = starter.submit(() -> processes.start(spec));
    } catch (RejectedExecutionException e) {
      throw ToolOutcomes.unavailable(tool, "the MCP SDK backend is closed", e);
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return started.get();
        } catch (InterruptedException e) {
          // a start is quick and must not be abandoned: its process would be left behind
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          throw ToolOutcomes.unavailable(
              tool, "server '" + server.name() + "' failed to start: " + rootMessage(cause), cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Path dir(McpServer server) {
    return server.cwd() == null ? workingDirectory : workingDirectory.resolve(server.cwd());
  }

  /**
   * The server's program as an absolute path: a name with a slash as given (against the server's
   * folder), a bare name searched on the servers' PATH (not the JVM's); {@code null} if there is
   * none.
   */
  private Path program(String command, Path dir) {
    if (command.contains("/")) {
      Path p = dir.resolve(command);
      return Files.isExecutable(p) && !Files.isDirectory(p) ? p : null;
    }
    for (String d : path.split(":")) {
      Path p = Path.of(d.isEmpty() ? "." : d).resolve(command);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return p.toAbsolutePath();
      }
    }
    return null;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  /** Ends a session: closes the client and kills the server's process tree. */
  private void end(Session session, String why) {
    sessions.remove(session.server, session);
    LOG.debug("ending MCP session of {}: {}", session.server, why);
    ProcessHandle process = session.process();
    try {
      session.client.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the MCP client of {}: {}", session.server, e.getMessage());
    }
    session.remember();
    if (!ProcessTrees.kill(process, session.seen)) {
      LOG.warn("a process of MCP server {} did not end after SIGKILL", session.server);
    }
  }

  /** How many sessions run now (for tests and diagnostics). */
  int liveSessions() {
    return (int) sessions.values().stream().filter(Session::running).count();
  }

  /** The server processes of the running sessions (for tests). */
  List<ProcessHandle> serverProcesses() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Session s : sessions.values()) {
      out.add(s.process());
    }
    return out;
  }

  /** The private {@code HOME} every process of this backend gets (for tests). */
  Path home() {
    return home;
  }

  @Override
  public void close() {
    closed = true;
    for (Session session : List.copyOf(sessions.values())) {
      try {
        session
            .client
            .closeGracefully()
            .toFuture()
            .get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        LOG.debug("graceful close of {} failed: {}", session.server, e.getMessage());
      }
      end(session, "backend closed");
    }
    starter.shutdownNow();
    try (var files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot remove the servers' private HOME: {}", e.getMessage());
    }
  }

  private static final class Session {
    final String server;
    final McpAsyncClient client;
    final LaunchedStdioTransport transport;
    final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    Session(String server, McpAsyncClient client, LaunchedStdioTransport transport) {
      this.server = server;
      this.client = client;
      this.transport = transport;
    }

    ProcessHandle process() {
      return transport.process().toHandle();
    }

    void remember() {
      ProcessTrees.remember(process(), seen);
    }

    boolean running() {
      return !transport.inboundClosed() && ProcessStates.isRunning(process());
    }
  }

  /** Builds a {@link SdkBackend}. */
  public static final class Builder {
    private final McpConfig config;
    private Map<String, String> hostEnv = Map.of();
    private Path workingDirectory = Path.of(".").toAbsolutePath().normalize();
    private String path = ServerEnv.SAFE_PATH;
    private Duration initTimeout = DEFAULT_INIT_TIMEOUT;
    private ToolProcesses processes = ToolProcesses.direct();

    private Builder(McpConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * What starts the servers (default {@link ToolProcesses#direct()}, on the host without a
     * sandbox); the plane's {@code toolProcesses()} runs them in the plane's sandbox.
     */
    public Builder processes(ToolProcesses processes) {
      this.processes = Objects.requireNonNull(processes, "processes");
      return this;
    }

    /**
     * The host's environment, read only for the variables a server's {@code env} refers to (default
     * none). Nothing else of it reaches a server.
     */
    public Builder hostEnv(Map<String, String> hostEnv) {
      this.hostEnv = Map.copyOf(hostEnv);
      return this;
    }

    /** The servers' working folder (default the current folder), usually the repo root. */
    public Builder workingDirectory(Path dir) {
      this.workingDirectory = dir.toAbsolutePath().normalize();
      return this;
    }

    /** The {@code PATH} servers get (default {@code /usr/local/bin:/usr/bin:/bin}). */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** How long starting and initializing a server may take (default 60 s). */
    public Builder initializationTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(
            "initializationTimeout must be positive, got " + timeout);
      }
      this.initTimeout = timeout;
      return this;
    }

    /** Builds the backend; it starts no server until the first call. */
    public SdkBackend build() {
      return new SdkBackend(this);
    }
  }
}
