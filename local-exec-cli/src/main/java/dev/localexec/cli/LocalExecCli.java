package dev.localexec.cli;

import dev.localexec.api.JobValidationException;
import dev.localexec.api.LocalExecException;
import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobQueue;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.worker.WorkerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code local-exec} command. Prints JSON lines on standard output; on bad input prints one
 * line on standard error and exits non-zero: 2 for usage errors (unknown option, missing or bad
 * value, missing file), 3 for an invalid job, 1 for anything else.
 *
 * <p>The commands are picocli commands (see {@link CommandTree}); the global options (the {@link
 * Options.Plane}, {@link Options.Resources} and {@link Options.Backends} mixins) go before or after
 * the command.
 */
public final class LocalExecCli {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;
  static final int INVALID = 3;

  /** The job asked about ended failed ({@code result}). */
  static final int JOB_FAILED = 4;

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;
  private final Map<String, String> environment;

  /**
   * Redacts what the command line prints: the environment's secrets, and once a plane is built also
   * the names {@code --secret-env} marks.
   */
  private UnaryOperator<String> redactText;

  private Function<Map<?, ?>, Map<String, Object>> redactObject;

  /** The queue the last plane opened, for the commands that are for one kind of queue. */
  private JobQueue openedQueue;

  /** Where {@code --job-file -} reads from. */
  private InputStream stdin = System.in;

  /** The backends the running command opened; closed when it ends. */
  private CliBackends backends;

  /** The root command of the running command line, which holds the global options. */
  private Main main;

  /** Reads {@code --job-file -} from {@code in} instead of standard input (for tests). */
  LocalExecCli withStdin(InputStream in) {
    this.stdin = in;
    return this;
  }

  LocalExecCli(PrintStream out, PrintStream err, Clock clock) {
    this(out, err, clock, System.getenv());
  }

  LocalExecCli(PrintStream out, PrintStream err, Clock clock, Map<String, String> environment) {
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.environment = Map.copyOf(environment);
    Redactor fromEnvironment = Redactor.fromEnvironment(this.environment);
    this.redactText = fromEnvironment::redact;
    this.redactObject = fromEnvironment::redactObject;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(new LocalExecCli(out, err, Clock.systemUTC()).run(Arrays.asList(args)));
  }

  /** Runs one command and returns the exit status. Never throws. */
  int run(List<String> argv) {
    try (CliBackends opened = new CliBackends(environment)) {
      this.backends = opened;
      this.main = new Main(argv.isEmpty());
      CommandLine line = CommandTree.build(main, this);
      PrintWriter outWriter = utf8(out);
      line.setOut(outWriter);
      line.setErr(utf8(err));
      line.setParameterExceptionHandler((e, args) -> usageError(e, args, outWriter));
      line.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e));
      int code = line.execute(argv.toArray(String[]::new));
      outWriter.flush();
      return code;
    } catch (RuntimeException e) {
      return failure(e);
    }
  }

  private static PrintWriter utf8(PrintStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }

  /** The picocli command tree of this command line, for tests that walk every command. */
  CommandLine commandTree() {
    this.main = new Main(false);
    return CommandTree.build(main, this);
  }

  /** Prints the line of a parse error and returns {@link #USAGE}, or prints help when asked. */
  private int usageError(ParameterException e, String[] args, PrintWriter outWriter) {
    if (CommandTree.asksForHelp(e, args)) {
      e.getCommandLine().usage(outWriter);
      outWriter.flush();
      return OK;
    }
    error(CommandTree.message(e));
    return USAGE;
  }

  /** Prints the line of an exception a command threw and returns its exit status. */
  private int failure(Exception e) {
    if (e instanceof UsageException) {
      error(e.getMessage());
      return USAGE;
    }
    if (e instanceof JobValidationException) {
      error(e.getMessage());
      return INVALID;
    }
    if (e instanceof LocalExecException le) {
      error(le.code() + ": " + oneLine(le.getMessage()));
      return FAILURE;
    }
    error(describe(e));
    return FAILURE;
  }

  /**
   * An unexpected exception as one line: its kind and message, or, when it has none, its cause's
   * message and where it was thrown.
   */
  static String describe(Throwable e) {
    String kind = e.getClass().getSimpleName();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return kind + ": " + oneLine(t.getMessage());
      }
    }
    StackTraceElement[] trace = e.getStackTrace();
    return kind
        + " without a message"
        + (trace.length > 0 ? " at " + trace[0] : "")
        + "; please report it with the command line that caused it";
  }

  /** Prints one error line on standard error, redacted. */
  private void error(String message) {
    err.println(redactText.apply("local-exec: " + message));
  }

  // ---- what the commands use ----

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  Clock clock() {
    return clock;
  }

  Map<String, String> environment() {
    return environment;
  }

  CliBackends backends() {
    return backends;
  }

  JobQueue openedQueue() {
    return openedQueue;
  }

  Options.Plane planeOptions() {
    return main.plane;
  }

  Options.Backends backendOptions() {
    return main.backends;
  }

  /** The repo root: {@code --repo-root}, else the current folder; it must be a folder. */
  Path root() {
    String given = main.plane.repoRoot;
    Path root = Path.of(given != null ? given : ".");
    if (!Files.isDirectory(root)) {
      throw new UsageException("--repo-root is not a folder: " + root);
    }
    return root;
  }

  /** The plane for a command that runs no jobs. */
  LocalExecPlane plane() {
    return plane(false);
  }

  /**
   * The plane for a command; with {@code runsJobs}, jobs also get the MCP tool backend and the
   * model the global options and configuration give.
   */
  LocalExecPlane plane(boolean runsJobs) {
    Path root = root();
    Options.Plane p = main.plane;
    WorkerOptions opts = WorkerOptions.defaults();
    if (p.workerId != null) {
      opts = opts.withWorkerId(p.workerId);
    }
    SandboxMode sandbox = p.sandbox != null ? SandboxMode.parse(p.sandbox) : SandboxMode.AUTO;
    LocalExecPlane.Builder b =
        LocalExecPlane.builder(root)
            .clock(clock)
            .environment(environment)
            .sandbox(sandbox)
            .discoverPlugins(
                PluginJars.loader(pluginDir(p.plugins, root), LocalExecCli.class.getClassLoader()))
            .workerOptions(opts.withAllowShells(p.allowShells))
            .queue(
                context -> {
                  JobQueue q = QueueSelection.factory(p.queueUrl, environment).open(context);
                  openedQueue = q;
                  return q;
                });
    try {
      b.openControlPaths(Options.names(p.openControl));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--open-control: " + e.getMessage());
    }
    b.resourceCeilings(main.resources.ceilings());
    b.tmpfsBytes(main.resources.tmpfsBytes);
    try {
      b.allowEnv(Options.names(p.allowEnv)).secretEnv(Options.names(p.secretEnv));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (runsJobs) {
      b.tools(backends.toolsForJobs(main.backends, root))
          .model(backends.modelForJobs(main.backends, root));
    }
    LocalExecPlane plane = b.build();
    redactText = plane::redact;
    redactObject = plane::redact;
    return plane;
  }

  /**
   * The folder of plug-in jars: {@code --plugins DIR}, or none. Plug-ins never come from inside the
   * repo root (its content is the repository's and the jobs' to write), and the folder must be the
   * operator's: see {@link PluginJars#checkOperatorFolder}.
   */
  private static Path pluginDir(String given, Path root) {
    if (given == null) {
      return null;
    }
    Path dir = Path.of(given);
    if (!Files.isDirectory(dir)) {
      throw new UsageException("--plugins is not a folder: " + dir);
    }
    String problem = PluginJars.checkOperatorFolder(dir, root);
    if (problem != null) {
      throw new UsageException("--plugins " + dir + ": " + problem);
    }
    return dir;
  }

  /** The text of a job file, or of standard input for {@code -}. */
  String readFile(String name) {
    if (name.equals("-")) {
      try {
        byte[] bytes = stdin.readAllBytes();
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new JobValidationException(List.of("$: the job on standard input is not UTF-8 text"));
      } catch (IOException e) {
        throw new UsageException("cannot read the job from standard input: " + e.getMessage());
      }
    }
    Path p = Path.of(name);
    if (!Files.isRegularFile(p)) {
      throw new UsageException("job file not found: " + name);
    }
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new JobValidationException(List.of("$: job file is not UTF-8 text: " + name));
    } catch (IOException e) {
      throw new UsageException("cannot read job file " + name + ": " + e.getMessage());
    }
  }

  /** Prints {@code m} as one JSON line, redacted. */
  void print(Map<String, ?> m) {
    out.println(Json.line(redactObject.apply(m)));
  }

  /** A JSON object from alternating keys and values, in order. */
  static Map<String, Object> line(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** The version in this jar's manifest, or {@code unknown} when run from classes. */
  static String version() {
    String v = LocalExecCli.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }

  /** The {@code --version} line: {@code {"name": "local-exec", "version": ...}}. */
  static final class VersionLine implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {Json.line(line("name", "local-exec", "version", version()))};
    }
  }

  /** The root command: the global options, {@code --help} and {@code --version}. */
  @Command(
      name = CommandTree.ROOT_NAME,
      customSynopsis = CommandTree.ROOT_NAME + " COMMAND [ARGS...]",
      versionProvider = VersionLine.class,
      description =
          "Runs local jobs for agents under a sandbox, with a hash-chained ledger and evidence."
              + " Prints JSON lines on standard output; errors are one line on standard error"
              + " (exit 2: usage, 3: invalid job, 1: anything else).",
      footer = {
        "COMMAND --help (or -h) prints that command's help and does nothing else.",
        "--max-memory-bytes, --max-processes, --max-cpu-sec, --max-file-bytes are the ceilings of"
            + " the jobs' resource budgets, also what a job that does not ask gets; a job asking for"
            + " more fails with resource_above_ceiling:<budget>.",
        "Under bwrap the plane's folders and the repo's control files are read-only:",
        "  .git config and hooks, .envrc, .vscode, config/ and the like;",
        "--open-control .git,config lets jobs write the ones named.",
        "--allow-env: secrets' names such as *_KEY, *_TOKEN, *PASSWORD*, LOCAL_EXEC_*, OPENCLAW_*"
            + " only by exact name; LANG, LANGUAGE, LC_*, TZ, TERM and NO_COLOR are always"
            + " allowed.",
        "The PostgreSQL queue's credentials come from LOCAL_EXEC_PG_USER / LOCAL_EXEC_PG_PASSWORD"
            + " (or PGUSER / PGPASSWORD), never from the URL.",
        "MCP tools: config/mcporter.json (or --mcp-config); jobs get a backend when it enables"
            + " tools.",
        "Task plug-ins: those on the class path, plus every *.jar in --plugins DIR, found by"
            + " ServiceLoader."
      },
      subcommands = {
        JobCommands.Demo.class,
        JobCommands.Enqueue.class,
        JobCommands.WorkerCmd.class,
        JobCommands.Status.class,
        JobCommands.Health.class,
        JobCommands.Validate.class,
        JobCommands.Requeue.class,
        JobCommands.Result.class,
        JobCommands.Wait.class,
        JobCommands.Jobs.class,
        JobCommands.Verify.class,
        JobCommands.KillSwitch.class,
        CapabilityCommands.Mcp.class,
        CapabilityCommands.Vllm.class,
        CapabilityCommands.CoordinatorCmd.class,
        LedgerCommand.class,
        PlaneCommand.class,
        CommandLine.HelpCommand.class
      })
  static final class Main implements Callable<Integer> {
    @Mixin Options.Plane plane = new Options.Plane();
    @Mixin Options.Resources resources = new Options.Resources();
    @Mixin Options.Backends backends = new Options.Backends();

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Print this help and do nothing else.")
    boolean help;

    @Option(
        names = "--version",
        versionHelp = true,
        description = "Print the version as a JSON line.")
    boolean version;

    @Spec CommandSpec spec;

    private final boolean noArguments;

    Main(boolean noArguments) {
      this.noArguments = noArguments;
    }

    @Override
    public Integer call() {
      if (noArguments) {
        PrintWriter err = spec.commandLine().getErr();
        spec.commandLine().usage(err);
        err.flush();
        return USAGE;
      }
      throw new UsageException("no command given; see `local-exec --help`");
    }
  }
}
