package dev.localexec.cli.coordinator;

import dev.localexec.api.Job;
import dev.localexec.api.JobValidationException;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.ModelBackend;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.plane.LocalExecPlane;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asks the model for one job that reaches a goal, and accepts it only if it is a valid job within
 * the operator's limits.
 *
 * <p>The request carries the job schema as {@code response_format} {@code json_schema}, the task
 * types with their payload schemas, and the time; the answer is then validated by the plane (the
 * job schema and the payload schema of its type) whatever the server claims to have enforced, and
 * its tool policy is compared with {@link Limits}. {@link #enqueue} queues a proposal only when it
 * is valid.
 */
public final class Coordinator {

  /**
   * What the operator lets a proposed job ask for.
   *
   * @param allowSubprocess whether the job may set {@code allow_subprocess}
   * @param allowNetwork whether the job may set {@code allow_network}
   * @param allowedTools the tool names the job may list in {@code allowed_tools}
   */
  public record Limits(boolean allowSubprocess, boolean allowNetwork, Set<String> allowedTools) {
    /** Copies. */
    public Limits {
      allowedTools = Set.copyOf(allowedTools);
    }

    /** Nothing beyond reading: no subprocess, no network, no tools. */
    public static Limits readOnly() {
      return new Limits(false, false, Set.of());
    }
  }

  /**
   * The model's proposal.
   *
   * @param answer the model's text, as it came
   * @param job the validated job, or {@code null} when refused
   * @param errors why it was refused (JSON paths first), empty when valid
   * @param reply the model's reply (tokens, finish reason, latency)
   */
  public record Proposal(String answer, Job job, List<String> errors, ChatReply reply) {
    /** Copies. */
    public Proposal {
      errors = List.copyOf(errors);
    }

    /** Whether the job may be enqueued. */
    public boolean valid() {
      return job != null && errors.isEmpty();
    }
  }

  static final String SYSTEM =
      "You are the coordinator of a local job plane. Answer with exactly one JSON job document"
          + " that follows the job schema, and nothing else. Pick the job_type whose payload"
          + " schema fits the goal; keep budgets small; ask for no subprocess, network or tools"
          + " unless the goal needs them.";

  private final LocalExecPlane plane;
  private final ModelBackend model;
  private final Limits limits;
  private final Duration timeout;
  private final Clock clock;
  private final int maxTokens;

  /**
   * Creates a coordinator.
   *
   * @param plane the plane whose task types and schemas the job must follow, and where it goes
   * @param model the model to ask
   * @param limits what a proposed job may ask for
   * @param timeout the longest the model may take
   * @param clock the time given to the model for {@code created_at_utc}
   */
  public Coordinator(
      LocalExecPlane plane, ModelBackend model, Limits limits, Duration timeout, Clock clock) {
    this.plane = Objects.requireNonNull(plane, "plane");
    this.model = Objects.requireNonNull(model, "model");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxTokens = 1024;
  }

  /** The request sent for {@code goal}. */
  ChatRequest request(String goal) {
    Map<String, String> schemas = plane.schemaFiles();
    StringBuilder user = new StringBuilder();
    user.append("Goal: ").append(goal.strip()).append("\n\n");
    user.append("Now (use it for created_at_utc): ")
        .append(clock.instant().truncatedTo(ChronoUnit.SECONDS))
        .append("\n\n");
    user.append("Task types and their payload schemas:\n");
    for (Map.Entry<String, String> e : schemas.entrySet()) {
      if (e.getKey().equals(JobValidator.JOB_SCHEMA_FILE)) {
        continue;
      }
      String type = e.getKey().substring(0, e.getKey().length() - ".schema.json".length());
      user.append("\n### ").append(type).append('\n').append(e.getValue().strip()).append('\n');
    }
    return ChatRequest.of(List.of(ChatMessage.system(SYSTEM), ChatMessage.user(user.toString())))
        .withMaxTokens(maxTokens)
        .withResponseSchema("local_exec_job", schemas.get(JobValidator.JOB_SCHEMA_FILE));
  }

  /**
   * Asks the model for a job and validates it; enqueues nothing.
   *
   * @throws dev.localexec.api.ModelCallException if the model cannot be asked
   */
  public Proposal propose(String goal) {
    if (goal == null || goal.isBlank()) {
      throw new IllegalArgumentException("the goal is empty; say what the job should do");
    }
    ChatReply reply = model.chat(request(goal), timeout);
    String answer = reply.content().strip();
    if (answer.isEmpty()) {
      return new Proposal(
          answer,
          null,
          List.of("$: the model gave no answer (finish_reason " + reply.finishReason() + ")"),
          reply);
    }
    Job job;
    try {
      job = plane.parseJob(answer);
    } catch (JobValidationException e) {
      List<String> errors = new ArrayList<>(e.errors());
      if ("length".equals(reply.finishReason())) {
        errors.add("$: the answer was cut at max_tokens (finish_reason length)");
      }
      return new Proposal(answer, null, errors, reply);
    }
    List<String> beyond = beyondLimits(job);
    return beyond.isEmpty()
        ? new Proposal(answer, job, List.of(), reply)
        : new Proposal(answer, null, beyond, reply);
  }

  /** What the job asks for beyond {@link #limits}. */
  List<String> beyondLimits(Job job) {
    List<String> errors = new ArrayList<>();
    if (job.toolPolicy().allowSubprocess() && !limits.allowSubprocess()) {
      errors.add(
          "$.tool_policy.allow_subprocess: true is beyond the coordinator's limits;"
              + " pass --allow-subprocess to accept such jobs");
    }
    if (job.toolPolicy().allowNetwork() && !limits.allowNetwork()) {
      errors.add(
          "$.tool_policy.allow_network: true is beyond the coordinator's limits;"
              + " pass --allow-network to accept such jobs");
    }
    Set<String> extra = new TreeSet<>(job.toolPolicy().allowedTools());
    extra.removeAll(limits.allowedTools());
    if (!extra.isEmpty()) {
      errors.add(
          "$.tool_policy.allowed_tools: "
              + extra
              + " beyond the coordinator's limits "
              + new TreeSet<>(limits.allowedTools())
              + "; pass --allow-tools NAME,... to accept such jobs");
    }
    return errors;
  }

  /**
   * Enqueues a valid proposal.
   *
   * @return the ledger timestamp of the {@code enqueued} event
   * @throws IllegalStateException if the proposal is not valid
   */
  public String enqueue(Proposal proposal) {
    if (!proposal.valid()) {
      throw new IllegalStateException(
          "refusing to enqueue an invalid proposal: " + String.join("; ", proposal.errors()));
    }
    return plane.enqueue(proposal.job());
  }
}
