package dev.localexec.core.internal.tools;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.EvidenceSink;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolCallException;
import dev.localexec.api.ToolCallException.Kind;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolInvoker;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import dev.localexec.core.json.Json;
import dev.localexec.core.json.JsonParseException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The {@link ToolInvoker} of one job. In order, a call is: recorded ({@code tool_call}: name,
 * backend, argument bytes, never the arguments), checked (a {@code server.tool} name, a JSON object
 * of arguments, the name in the job's {@code allowed_tools} and in the configuration's {@code
 * enabled_tools}), counted against {@code max_tool_calls}, bounded by the tool timeout and the
 * job's remaining wall time, handed to the backend, and its response kept whole against {@code
 * max_output_bytes}. Every outcome ends in one {@code tool_result} event: {@code outcome} is {@code
 * ok} or the failure's code.
 */
public final class GuardedTools implements ToolInvoker {
  /** {@code server.tool}: a server name, a dot, a tool name. */
  static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_-]{1,64}\\.[A-Za-z0-9_.:/-]{1,128}$");

  private final ToolBackend backend;
  private final ToolPolicy policy;
  private final BudgetTracker budget;
  private final EvidenceSink evidence;
  private final BooleanSupplier cancelled;
  private final Clock clock;

  /**
   * Creates the invoker of one job.
   *
   * @param backend the plane's tool backend, or {@code null} when none is configured
   * @param policy the job's tool policy
   * @param budget the job's budgets
   * @param evidence the job's evidence
   * @param cancelled true once the kill switch is on or the worker is stopping
   * @param clock the plane's clock
   */
  public GuardedTools(
      ToolBackend backend,
      ToolPolicy policy,
      BudgetTracker budget,
      EvidenceSink evidence,
      BooleanSupplier cancelled,
      Clock clock) {
    this.backend = backend;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.evidence = Objects.requireNonNull(evidence, "evidence");
    this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public ToolResult call(String tool, String argumentsJson) {
    String name = String.valueOf(tool);
    String args = argumentsJson == null ? "{}" : argumentsJson;
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("name", name);
    call.put("backend", backendName());
    call.put("argument_bytes", args.getBytes(StandardCharsets.UTF_8).length);
    evidence.record("tool_call", call);

    if (!NAME.matcher(name).matches()) {
      throw refused(
          name,
          new ToolCallException(
              Kind.UNKNOWN_TOOL,
              name,
              "tool name '"
                  + name
                  + "' is not of the form server.tool (e.g. everything.echo); use the exact name"
                  + " that `local-exec mcp list` shows"));
    }
    try {
      if (!(Json.parse(args) instanceof Map<?, ?>)) {
        throw refused(
            name,
            new ToolCallException(
                Kind.BAD_ARGUMENTS,
                name,
                "arguments of " + name + " must be a JSON object, e.g. {\"message\":\"hi\"}"));
      }
    } catch (JsonParseException e) {
      throw refused(
          name,
          new ToolCallException(
              Kind.BAD_ARGUMENTS,
              name,
              "arguments of " + name + " are not valid JSON: " + e.getMessage(),
              e));
    }
    if (!policy.allowedTools().contains(name)) {
      throw refused(
          name,
          new ToolCallException(
              Kind.NOT_ALLOWED,
              name,
              "tool "
                  + name
                  + " refused: it is not in the job's tool_policy.allowed_tools "
                  + policy.allowedTools()
                  + "; add the exact name to let the job call it"));
    }
    ToolSettings settings;
    try {
      settings = backend == null ? ToolSettings.none() : backend.settings();
    } catch (ToolCallException e) {
      throw refused(
          name,
          new ToolCallException(
              Kind.CONFIG_INVALID, name, "tool " + name + " refused: " + e.getMessage(), e));
    }
    if (backend == null || !settings.enabledTools().contains(name)) {
      throw refused(
          name,
          new ToolCallException(
              Kind.NOT_ENABLED,
              name,
              "tool "
                  + name
                  + " refused: "
                  + (backend == null
                      ? "no MCP tool backend is configured for this plane"
                      : "it is not in enabled_tools " + settings.enabledTools())
                  + "; add the exact name to enabled_tools in config/mcporter.json"));
    }
    try {
      budget.useToolCall(name);
    } catch (BudgetExceededException e) {
      throw refused(name, e);
    }
    if (cancelled.getAsBoolean()) {
      throw refused(name, new KillSwitchException("before_tool_call"));
    }
    Duration wallLeft = budget.wallTimeLeft();
    if (wallLeft.isNegative() || wallLeft.isZero()) {
      throw refused(name, budget.wallTimeExceeded());
    }
    boolean wallBound = wallLeft.compareTo(settings.timeout()) < 0;
    Duration timeout = wallBound ? wallLeft : settings.timeout();
    int maxBytes = settings.maxResponseBytes();

    Instant started = clock.instant();
    ToolResult result;
    try {
      result = backend.call(new ToolRequest(name, args, timeout, maxBytes, cancelled));
    } catch (ToolCallException e) {
      LocalExecException thrown =
          e.kind() == Kind.TIMEOUT && wallBound
              ? budget.wallTimeExceeded()
              : (LocalExecException) e;
      throw failed(name, started, thrown, e.getMessage());
    } catch (LocalExecException e) {
      throw failed(name, started, e, e.getMessage());
    } catch (RuntimeException e) {
      ToolCallException wrapped =
          new ToolCallException(
              Kind.UNAVAILABLE,
              name,
              "tool " + name + " failed in backend " + backendName() + ": " + e,
              e);
      throw failed(name, started, wrapped, wrapped.getMessage());
    }
    if (result.bytes() > maxBytes) {
      ToolCallException e =
          new ToolCallException(
              Kind.RESPONSE_TOO_LARGE,
              name,
              "tool "
                  + name
                  + " answered "
                  + result.bytes()
                  + " bytes, more than max_response_bytes "
                  + maxBytes
                  + "; ask for less or raise max_response_bytes in config/mcporter.json");
      throw failed(name, started, e, e.getMessage());
    }
    try {
      budget.requireOutput(result.bytes());
    } catch (BudgetExceededException e) {
      throw failed(name, started, e, e.getMessage());
    }
    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("name", name);
    ok.put("backend", backendName());
    ok.put("outcome", "ok");
    ok.put("structured", result.structured());
    ok.put("result_bytes", result.bytes());
    ok.put("duration_ms", millisSince(started));
    evidence.record("tool_result", ok);
    return result;
  }

  private String backendName() {
    return backend == null ? "none" : backend.name();
  }

  private long millisSince(Instant started) {
    return Math.max(0, Duration.between(started, clock.instant()).toMillis());
  }

  /** Records the {@code tool_result} of a call refused before it started. */
  private LocalExecException refused(String name, LocalExecException e) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("name", name);
    result.put("backend", backendName());
    result.put("outcome", e.code());
    result.put("error", e.getMessage());
    evidence.record("tool_result", result);
    return e;
  }

  /** Records the {@code tool_result} of a call that started and failed. */
  private LocalExecException failed(
      String name, Instant started, LocalExecException e, String message) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("name", name);
    result.put("backend", backendName());
    result.put("outcome", e.code());
    result.put("duration_ms", millisSince(started));
    result.put("error", message);
    evidence.record("tool_result", result);
    return e;
  }
}
