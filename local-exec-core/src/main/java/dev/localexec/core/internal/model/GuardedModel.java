package dev.localexec.core.internal.model;

import dev.localexec.api.BudgetExceededException;
import dev.localexec.api.EvidenceSink;
import dev.localexec.api.KillSwitchException;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ModelCallException;
import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.api.spi.ModelChat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The {@link ModelChat} of one job. A call needs {@code model.chat} in the job's {@code
 * allowed_tools} and a configured model; it counts one tool call, is bounded by the job's remaining
 * wall time (and the plane's model timeout), and its answer is kept whole against {@code
 * max_output_bytes}. Each call leaves one {@code model_request_summary} event: model, message
 * count, prompt bytes, tokens, latency, finish reason and outcome; the prompt and answer only when
 * the request asks for them.
 */
public final class GuardedModel implements ModelChat {
  /** The capability's name in {@code allowed_tools}. */
  public static final String CAPABILITY = "model.chat";

  private final ModelBackend backend;
  private final Duration timeout;
  private final ToolPolicy policy;
  private final BudgetTracker budget;
  private final EvidenceSink evidence;
  private final BooleanSupplier cancelled;
  private final Clock clock;

  /**
   * Creates the model of one job.
   *
   * @param backend the plane's model, or {@code null} when none is configured
   * @param timeout the longest one call may take (queueing included)
   * @param policy the job's tool policy
   * @param budget the job's budgets
   * @param evidence the job's evidence
   * @param cancelled true once the kill switch is on or the worker is stopping
   * @param clock the plane's clock
   */
  public GuardedModel(
      ModelBackend backend,
      Duration timeout,
      ToolPolicy policy,
      BudgetTracker budget,
      EvidenceSink evidence,
      BooleanSupplier cancelled,
      Clock clock) {
    this.backend = backend;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.evidence = Objects.requireNonNull(evidence, "evidence");
    this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public ChatReply chat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("model", backend == null ? "" : backend.modelName());
    summary.put("messages", request.messages().size());
    summary.put("prompt_bytes", request.promptBytes());
    summary.put("max_tokens", request.maxTokens());
    summary.put("response_schema", request.responseSchemaName());
    if (!policy.allowedTools().contains(CAPABILITY)) {
      throw refused(
          summary,
          new ModelCallException(
              Kind.NOT_ALLOWED,
              "model call refused: the job's tool_policy.allowed_tools "
                  + policy.allowedTools()
                  + " does not name "
                  + CAPABILITY
                  + "; add it to let the job ask the model"));
    }
    if (backend == null) {
      throw refused(
          summary,
          new ModelCallException(
              Kind.NOT_ENABLED,
              "model call refused: no model is configured for this plane; configure vLLM"
                  + " (config/vllm/dali_local_exec.yaml) and start its server"));
    }
    try {
      budget.useToolCall(CAPABILITY);
    } catch (BudgetExceededException e) {
      throw refused(summary, e);
    }
    if (cancelled.getAsBoolean()) {
      throw refused(summary, new KillSwitchException("before_model_call"));
    }
    Duration wallLeft = budget.wallTimeLeft();
    if (wallLeft.isNegative() || wallLeft.isZero()) {
      throw refused(summary, budget.wallTimeExceeded());
    }
    boolean wallBound = wallLeft.compareTo(timeout) < 0;
    Instant started = clock.instant();
    ChatReply reply;
    try {
      reply = backend.chat(request, wallBound ? wallLeft : timeout);
    } catch (ModelCallException e) {
      LocalExecException thrown =
          e.kind() == Kind.TIMEOUT && wallBound
              ? budget.wallTimeExceeded()
              : (LocalExecException) e;
      summary.put("http_status", e.httpStatus());
      throw failed(summary, started, thrown);
    } catch (LocalExecException e) {
      throw failed(summary, started, e);
    } catch (RuntimeException e) {
      throw failed(
          summary,
          started,
          new ModelCallException(
              Kind.BAD_RESPONSE, 0, "model backend " + backend.name() + " failed: " + e, e));
    }
    try {
      budget.requireOutput(reply.bytes());
    } catch (BudgetExceededException e) {
      summary.put("answer_bytes", reply.bytes());
      throw failed(summary, started, e);
    }
    summary.put("model", reply.model().isEmpty() ? backend.modelName() : reply.model());
    summary.put("outcome", "ok");
    summary.put("finish_reason", reply.finishReason());
    summary.put("prompt_tokens", reply.promptTokens());
    summary.put("completion_tokens", reply.completionTokens());
    summary.put("answer_bytes", reply.bytes());
    summary.put("tool_calls", reply.toolCalls().size());
    summary.put("latency_ms", millisSince(started));
    if (request.recordPrompt()) {
      List<Map<String, Object>> messages = new ArrayList<>();
      for (ChatMessage m : request.messages()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("role", m.role());
        one.put("content", m.content());
        messages.add(one);
      }
      summary.put("prompt", messages);
      summary.put("answer", reply.content());
    }
    evidence.record("model_request_summary", summary);
    return reply;
  }

  private long millisSince(Instant started) {
    return Math.max(0, Duration.between(started, clock.instant()).toMillis());
  }

  private LocalExecException refused(Map<String, Object> summary, LocalExecException e) {
    summary.put("outcome", e.code());
    summary.put("error", e.getMessage());
    evidence.record("model_request_summary", summary);
    return e;
  }

  private LocalExecException failed(
      Map<String, Object> summary, Instant started, LocalExecException e) {
    summary.put("outcome", e.code());
    summary.put("latency_ms", millisSince(started));
    summary.put("error", e.getMessage());
    evidence.record("model_request_summary", summary);
    return e;
  }
}
