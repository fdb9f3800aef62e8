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
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/** {@code mcp list|call}, {@code vllm serve-command|health} and {@code coordinator}. */
final class CapabilityCommands {
  static final Set<String> MCP_VALUED = Set.of("--args");
  static final Set<String> COORDINATOR_VALUED = Set.of("--allow-tools");
  static final Set<String> COORDINATOR_SWITCHES =
      Set.of("--dry-run", "--allow-subprocess", "--allow-network");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final PrintStream out;
  private final Clock clock;
  private final CliBackends backends;

  /** Builds the plane for a command: (args, whether jobs may use the tool/model backends). */
  private final BiFunction<Args, Boolean, LocalExecPlane> planes;

  CapabilityCommands(
      PrintStream out,
      Clock clock,
      CliBackends backends,
      BiFunction<Args, Boolean, LocalExecPlane> planes) {
    this.out = out;
    this.clock = clock;
    this.backends = backends;
    this.planes = planes;
  }

  // ---- mcp ----

  int mcp(Args a, Path root) {
    if (a.positionals.isEmpty()) {
      throw new UsageException("mcp needs list or call");
    }
    String what = a.positionals.get(0);
    switch (what) {
      case "list":
        if (a.positionals.size() > 1) {
          throw new UsageException("unexpected argument '" + a.positionals.get(1) + "'");
        }
        return mcpList(a, root);
      case "call":
        if (a.positionals.size() != 2) {
          throw new UsageException("mcp call needs one tool name, server.tool");
        }
        return mcpCall(a, a.positionals.get(1));
      default:
        throw new UsageException("mcp needs list or call, got '" + what + "'");
    }
  }

  private int mcpList(Args a, Path root) {
    try (LocalExecPlane plane = planes.apply(a, false)) {
      // the servers (and mcporter) start in the plane's sandbox, as a job's would
      return mcpList(backends.toolsForCommand(a, root, plane.toolProcesses()));
    }
  }

  private int mcpList(ToolBackend backend) {
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
      print(line);
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
    print(total);
    return LocalExecCli.OK;
  }

  private int mcpCall(Args a, String tool) {
    String argsText = a.has("--args") ? a.get("--args") : "{}";
    Object args;
    try {
      args = Json.parse(argsText);
    } catch (JsonParseException e) {
      throw new UsageException("--args is not valid JSON: " + e.getMessage());
    }
    if (!(args instanceof Map<?, ?>)) {
      throw new UsageException("--args must be a JSON object, e.g. '{\"message\":\"hi\"}'");
    }
    try (LocalExecPlane plane = planes.apply(a, true)) {
      Job job = adHocJob(tool, args);
      String ts = plane.enqueue(job);
      print(LocalExecCli.line("status", "enqueued", "job_id", job.jobId(), "event_ts", ts));
      RunOutcome outcome = runUntilDone(plane, job.jobId(), job.budgets().maxWallTimeSec());
      print(outcome.toMap());
      if (!outcome.complete()) {
        return LocalExecCli.FAILURE;
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("status", "result");
      result.put("tool", tool);
      result.put("result", resultFromSummary(plane, outcome, tool));
      print(result);
      return LocalExecCli.OK;
    }
  }

  /** A one-call {@code mcp_call_task} job allowed exactly that tool. */
  private Job adHocJob(String tool, Object args) {
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
  private RunOutcome runUntilDone(LocalExecPlane plane, String jobId, int maxWaitSec) {
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

  int vllm(Args a, Path root) {
    if (a.positionals.size() != 1) {
      throw new UsageException("vllm needs serve-command or health");
    }
    switch (a.positionals.get(0)) {
      case "serve-command":
        for (String l : CliBackends.vllmConfig(root).serveCommand().lines()) {
          out.println(l);
        }
        return LocalExecCli.OK;
      case "health":
        VllmHealth h = backends.model(root).client().health();
        Map<String, Object> m = new LinkedHashMap<>(h.toMap());
        print(m);
        return h.ready() ? LocalExecCli.OK : LocalExecCli.FAILURE;
      default:
        throw new UsageException(
            "vllm needs serve-command or health, got '" + a.positionals.get(0) + "'");
    }
  }

  /** The model's health for {@code health --model vllm}. */
  Map<String, Object> modelHealth(Path root) {
    return backends.model(root).client().health().toMap();
  }

  // ---- coordinator ----

  int coordinator(Args a, Path root) {
    if (a.positionals.isEmpty()) {
      throw new UsageException("coordinator needs a goal, e.g. coordinator \"index the docs\"");
    }
    String goal = String.join(" ", a.positionals);
    Set<String> tools = new TreeSet<>();
    if (a.has("--allow-tools")) {
      for (String t : a.get("--allow-tools").split(",")) {
        if (!t.isBlank()) {
          tools.add(t.strip());
        }
      }
    }
    Coordinator.Limits limits =
        new Coordinator.Limits(a.has("--allow-subprocess"), a.has("--allow-network"), tools);
    try (LocalExecPlane plane = planes.apply(a, false)) {
      VllmModelBackend model = backends.model(root);
      Coordinator coordinator =
          new Coordinator(plane, model, limits, Duration.ofSeconds(300), clock);
      Coordinator.Proposal p = coordinator.propose(goal);
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
      print(proposed);
      if (!p.valid()) {
        throw new JobValidationException(p.errors());
      }
      if (a.has("--dry-run")) {
        print(
            LocalExecCli.line(
                "status", "not_enqueued", "job_id", p.job().jobId(), "reason", "--dry-run"));
        return LocalExecCli.OK;
      }
      String ts = coordinator.enqueue(p);
      print(LocalExecCli.line("status", "enqueued", "job_id", p.job().jobId(), "event_ts", ts));
      return LocalExecCli.OK;
    }
  }

  // ---- helpers ----

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private void print(Map<String, ?> m) {
    out.println(Json.line(JsonValues.copyObject(m)));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
