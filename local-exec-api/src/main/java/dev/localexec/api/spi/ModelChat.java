package dev.localexec.api.spi;

import dev.localexec.api.ModelCallException;

/**
 * Asks the plane's model for an answer. The instance a task gets from {@link TaskContext#model()}
 * requires {@code model.chat} in the job's {@code allowed_tools}, counts each call as a tool call
 * and its answer against {@code max_output_bytes}, bounds it by the job's wall time, and records a
 * {@code model_request_summary} (model, tokens, latency, finish reason; never the key, and the
 * prompt only when the request asks).
 *
 * <p>Thread-safe; {@link #chat} blocks until the answer is complete.
 */
@FunctionalInterface
public interface ModelChat {

  /**
   * Sends one chat request.
   *
   * @throws ModelCallException if the call is refused or fails
   * @throws dev.localexec.api.BudgetExceededException if a job budget is used up
   * @throws dev.localexec.api.KillSwitchException if the kill switch is on
   */
  ChatReply chat(ChatRequest request);

  /** A model that refuses every call: none is configured. */
  static ModelChat none() {
    return request -> {
      throw new ModelCallException(
          ModelCallException.Kind.NOT_ENABLED,
          "no model is configured for this plane; configure vLLM"
              + " (config/vllm/dali_local_exec.yaml) and start its server");
    };
  }
}
