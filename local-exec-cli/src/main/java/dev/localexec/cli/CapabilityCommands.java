package dev.localexec.cli;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.JsonValues;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.cli.coordinator.Coordinator;
import dev.localexec.core.json.Json;
import dev.localexec.core.json.JsonParseException;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobState;
import dev.localexec.core.queue.JobStatus;
import dev.localexec.core.worker.RunOutcome;
import dev.localexec.tasks.mcpcall.McpCallTask;
import dev.localexec.vllm.VllmHealth;
import dev.localexec.vllm.VllmModelBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mcp list|call}, {@code vllm serve-command|health} and {@code coordinator}. */
final class CapabilityCommands {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CapabilityCommands() {}

  // ---- mcp ----

  /** {@code mcp list | call SERVER.TOOL}. */
  @Command(
      name = "mcp",
      description =
          "The MCP tools of config/mcporter.json (or --mcp-config): list them, or call one as a"
              + " job.",
      subcommands = {Mcp.ListTools.class, Mcp.Call.class})
  static final class Mcp implements Callable<Integer> {
    @Mixin Options.Help help;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      throw new UsageException(CommandTree.needs(spec));
    }

    /** {@code mcp list}. */
    @Command(
        name = "list",
        description =
            "Print the configured servers' tools, one JSON line each with whether it is enabled,"
                + " then the totals and any enabled tool no server offers.")
    static final class ListTools implements Callable<Integer> {
      @Mixin Options.Help help;
      private final LocalExecCli cli;

      ListTools(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        return mcpList(cli);
      }
    }

    /** {@code mcp call SERVER.TOOL [--args JSON]}. */
    @Command(
        name = "call",
        description =
            "Call one tool as an ad-hoc mcp_call_task job allowed only that tool (same policy,"
                + " budgets and evidence as any job; jobs queued before it run first).")
    static final class Call implements Callable<Integer> {
      @Mixin Options.Help help;

      @Parameters(paramLabel = "SERVER.TOOL", description = "The tool, e.g. everything.echo.")
      String tool;

      @Option(
          names = "--args",
          paramLabel = "JSON",
          description = "The tool's arguments, a JSON object (default {}).")
      String args = "{}";

      private final LocalExecCli cli;

      Call(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        return mcpCall(cli, tool, args);
      }
    }
  }

  private static int mcpList(LocalExecCli cli) {
    Path root = cli.root();
    try (LocalExecPlane plane = cli.plane(false)) {
      // the servers (and mcporter) start in the plane's sandbox, as a job's would
      return mcpList(
          cli, cli.backends().toolsForCommand(cli.backendOptions(), root, plane.toolProcesses()));
    }
  }

  private static int mcpList(LocalExecCli cli, ToolBackend backend) {
    Set<String> enabled = backend.settings().enabledTools();
    List<ToolDescription> tools = backend.listTools(backend.settings().timeout());
    Set<String> offered = new HashSet<>();
    Set<String> servers = new TreeSet<>();
    for (ToolDescription t : tools) {
      offered.add(t.name());
      servers.add(t.server());
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("server", t.server());
      line.put("tool", t.tool());
      line.put("name", t.name());
      line.put("enabled", enabled.contains(t.name()));
      line.put("description", firstLine(t.description()));
      print(cli, line);
    }
    Set<String> missing = new TreeSet<>(enabled);
    missing.removeAll(offered);
    Map<String, Object> total = new LinkedHashMap<>();
    total.put("status", "ok");
    total.put("backend", backend.name());
    total.put("servers", servers.size());
    total.put("tools", tools.size());
    total.put("enabled", enabled.size() - missing.size());
    total.put("enabled_but_not_offered", List.copyOf(missing));
    print(cli, total);
    return LocalExecCli.OK;
  }

  private static int mcpCall(LocalExecCli cli, String tool, String argsText) {
    Object args;
    try {
      args = Json.parse(argsText);
    } catch (JsonParseException e) {
      throw new UsageException("--args is not valid JSON: " + e.getMessage());
    }
    if (!(args instanceof Map<?, ?>)) {
      throw new UsageException("--args must be a JSON object, e.g. '{\"message\":\"hi\"}'");
    }
    try (LocalExecPlane plane = cli.plane(true)) {
      Job job = adHocJob(cli.clock(), tool, args);
      String ts = plane.enqueue(job);
      print(cli, LocalExecCli.line("status", "enqueued", "job_id", job.jobId(), "event_ts", ts));
      RunOutcome outcome =
          runUntilDone(cli.clock(), plane, job.jobId(), job.budgets().maxWallTimeSec());
      print(cli, outcome.toMap());
      if (!outcome.complete()) {
        return LocalExecCli.FAILURE;
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("status", "result");
      result.put("tool", tool);
      result.put("result", resultFromSummary(plane, outcome, tool));
      print(cli, result);
      return LocalExecCli.OK;
    }
  }

  /** A one-call {@code mcp_call_task} job allowed exactly that tool. */
  private static Job adHocJob(Clock clock, String tool, Object args) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("tool", tool);
    call.put("arguments", args);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("calls", List.of(call));
    StringBuilder id = new StringBuilder("job-mcpcall");
    for (int i = 0; i < 12; i++) {
      id.append(Character.forDigit(RANDOM.nextInt(36), 36));
    }
    return new Job(
        id.toString(),
        McpCallTask.ID,
        clock.instant().truncatedTo(ChronoUnit.SECONDS).toString(),
        payload,
        Budget.of(330, 1, 1_048_576, 1),
        new ToolPolicy(false, false, List.of(tool)),
        Map.of("source", "mcp-call"));
  }

  /**
   * Runs queued jobs here until {@code jobId} has ended (jobs queued before it run first, as a
   * worker would run them), or waits for another worker to end it.
   */
  private static RunOutcome runUntilDone(
      Clock clock, LocalExecPlane plane, String jobId, int maxWaitSec) {
    Instant deadline = clock.instant().plusSeconds(maxWaitSec + 60L);
    while (clock.instant().isBefore(deadline)) {
      RunOutcome o = plane.runOnce();
      if (o.ranJob() && jobId.equals(o.jobId())) {
        return o;
      }
      Optional<JobStatus> s = plane.status(jobId);
      if (s.isPresent() && s.get().state().terminal()) {
        return new RunOutcome(
            s.get().state() == JobState.COMPLETE
                ? RunOutcome.Status.COMPLETE
                : RunOutcome.Status.FAILED,
            jobId,
            s.get().workerId(),
            null,
            s.get().error(),
            false,
            plane.layout().display(plane.layout().evidenceDir().resolve(jobId + ".jsonl")),
            plane.layout().display(plane.layout().evidenceDir().resolve(jobId + ".md")));
      }
      if (o.status() == RunOutcome.Status.KILL_SWITCH) {
        return o;
      }
      if (!o.ranJob()) {
        sleep(Duration.ofMillis(200));
      }
    }
    throw new IllegalStateException(
        "job "
            + jobId
            + " did not end within "
            + (maxWaitSec + 60)
            + " s; see `local-exec status`");
  }

  /** The result JSON of {@code tool} as {@code mcp_call_task} wrote it into the summary. */
  private static Object resultFromSummary(LocalExecPlane plane, RunOutcome o, String tool) {
    Path summary = plane.layout().evidenceDir().resolve(o.jobId() + ".md");
    String text;
    try {
      text = Files.readString(summary, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
    String start = "## " + tool + "\n\n```json\n";
    int from = text.indexOf(start);
    if (from < 0) {
      return null;
    }
    from += start.length();
    int to = text.indexOf("\n```", from);
    try {
      return Json.parse(text.substring(from, to));
    } catch (JsonParseException e) {
      return text.substring(from, to);
    }
  }

  // ---- vllm ----

  /** {@code vllm serve-command | health}. */
  @Command(
      name = "vllm",
      description = "The vLLM server of config/vllm/dali_local_exec.yaml.",
      subcommands = {Vllm.ServeCommand.class, Vllm.Health.class})
  static final class Vllm implements Callable<Integer> {
    @Mixin Options.Help help;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      throw new UsageException(CommandTree.needs(spec));
    }

    /** {@code vllm serve-command}. */
    @Command(
        name = "serve-command",
        description =
            "Print the `vllm serve` command line for the configuration (the API key goes by"
                + " environment, never on the line).")
    static final class ServeCommand implements Callable<Integer> {
      @Mixin Options.Help help;
      private final LocalExecCli cli;

      ServeCommand(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        for (String l : CliBackends.vllmConfig(cli.root()).serveCommand().lines()) {
          cli.out().println(l);
        }
        return LocalExecCli.OK;
      }
    }

    /** {@code vllm health}. */
    @Command(
        name = "health",
        description =
            "Print the server's /health, its models with max_model_len and whether the configured"
                + " model is ready; exit 1 when it is not.")
    static final class Health implements Callable<Integer> {
      @Mixin Options.Help help;
      private final LocalExecCli cli;

      Health(LocalExecCli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        VllmHealth h = cli.backends().model(cli.root()).client().health();
        print(cli, new LinkedHashMap<>(h.toMap()));
        return h.ready() ? LocalExecCli.OK : LocalExecCli.FAILURE;
      }
    }
  }

  // ---- coordinator ----

  /**
   * {@code coordinator GOAL... [--dry-run] [--allow-subprocess] [--allow-network] [--allow-tools]}.
   */
  @Command(
      name = "coordinator",
      description =
          "Ask the model (config/vllm/dali_local_exec.yaml) for a job that reaches GOAL, validate"
              + " it against the limits given, and queue it only if it is valid; exit 3 with the"
              + " errors when it is not.")
  static final class CoordinatorCmd implements Callable<Integer> {
    @Mixin Options.Help help;

    @Parameters(paramLabel = "GOAL", arity = "0..*", description = "What the job should do.")
    List<String> goal = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print the proposal but queue nothing.")
    boolean dryRun;

    @Option(names = "--allow-subprocess", description = "Let the proposed job run subprocesses.")
    boolean allowSubprocess;

    @Option(names = "--allow-network", description = "Let the proposed job use the network.")
    boolean allowNetwork;

    @Option(
        names = "--allow-tools",
        paramLabel = "A,B",
        description = "Let the proposed job call these tools.")
    String allowTools;

    private final LocalExecCli cli;

    CoordinatorCmd(LocalExecCli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (goal.isEmpty()) {
        throw new UsageException("coordinator needs a goal, e.g. coordinator \"index the docs\"");
      }
      Set<String> tools = new TreeSet<>();
      if (allowTools != null) {
        for (String t : allowTools.split(",")) {
          if (!t.isBlank()) {
            tools.add(t.strip());
          }
        }
      }
      Coordinator.Limits limits = new Coordinator.Limits(allowSubprocess, allowNetwork, tools);
      try (LocalExecPlane plane = cli.plane(false)) {
        VllmModelBackend model = cli.backends().model(cli.root());
        Coordinator coordinator =
            new Coordinator(plane, model, limits, Duration.ofSeconds(300), cli.clock());
        Coordinator.Proposal p = coordinator.propose(String.join(" ", goal));
        Map<String, Object> proposed = new LinkedHashMap<>();
        proposed.put("status", "proposed");
        proposed.put("valid", p.valid());
        proposed.put("job", p.job() == null ? null : p.job().toMap());
        proposed.put("errors", p.errors());
        proposed.put("model", p.reply().model());
        proposed.put("finish_reason", p.reply().finishReason());
        proposed.put("prompt_tokens", p.reply().promptTokens());
        proposed.put("completion_tokens", p.reply().completionTokens());
        proposed.put("latency_ms", p.reply().latency().toMillis());
        print(cli, proposed);
        if (!p.valid()) {
          throw new JobValidationException(p.errors());
        }
        if (dryRun) {
          print(
              cli,
              LocalExecCli.line(
                  "status", "not_enqueued", "job_id", p.job().jobId(), "reason", "--dry-run"));
          return LocalExecCli.OK;
        }
        String ts = coordinator.enqueue(p);
        print(
            cli,
            LocalExecCli.line("status", "enqueued", "job_id", p.job().jobId(), "event_ts", ts));
        return LocalExecCli.OK;
      }
    }
  }

  // ---- helpers ----

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private static void print(LocalExecCli cli, Map<String, ?> m) {
    cli.out().println(Json.line(JsonValues.copyObject(m)));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
