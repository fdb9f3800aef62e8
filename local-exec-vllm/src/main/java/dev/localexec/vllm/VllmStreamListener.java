package dev.localexec.vllm;

/**
 * Sees a streamed answer as it arrives. Called on the thread that called {@link
 * VllmClient#chatStream}, in order; a listener must not block for long and should not throw (what
 * it throws ends the call). The assembled answer is still returned at the end, and an error event
 * still fails the call after pieces were delivered: treat the pieces as provisional.
 */
public interface VllmStreamListener {

  /** A piece of answer text. */
  default void onContent(String text) {}

  /** A piece of reasoning text (servers started with a reasoning parser). */
  default void onReasoning(String text) {}

  /** A listener that ignores everything. */
  static VllmStreamListener ignoring() {
    return new VllmStreamListener() {};
  }
}
