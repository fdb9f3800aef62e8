package dev.localexec.tasks.doccompact;

import dev.localexec.api.ModelCallException;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatRequest;
import dev.localexec.api.spi.TaskContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The model-assisted mode of {@link DocCompactorTask}: one model call per input section, each asked
 * for a summary within its share of the output budget. A section the model cannot take (too long
 * for its context, or no tool calls left) keeps its deterministic compaction; when the model is
 * absent (not configured, unreachable, failing or too slow) the whole document falls back to the
 * deterministic mode.
 */
final class ModelSections {
  /** The most bytes of one section sent to the model (a context of 8192 tokens holds ~24 KiB). */
  static final int MAX_PROMPT_SECTION_BYTES = 12_000;

  /** Failures that mean "no model here": the deterministic document is used instead. */
  static final Set<ModelCallException.Kind> ABSENT =
      EnumSet.of(
          ModelCallException.Kind.NOT_ENABLED,
          ModelCallException.Kind.UNAVAILABLE,
          ModelCallException.Kind.TIMEOUT,
          ModelCallException.Kind.SERVER_ERROR,
          ModelCallException.Kind.STREAM_ERROR);

  static final String SYSTEM =
      "You compact one section of a repository's documentation for an engineer who will act on"
          + " it. Keep commands, file names, identifiers and numbers exactly as written. Answer"
          + " in Markdown without a preamble and without repeating the section's path.";

  /** The outcome: the sections' texts in input order, and how each was made. */
  record Outcome(List<String> sections, int byModel, int deterministic, int calls) {}

  /** The model was absent: the caller uses the deterministic document. */
  static final class Absent extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    Absent(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  private ModelSections() {}

  /**
   * Summarises each input by the model.
   *
   * @param texts each input's text as read
   * @param deterministic each input's deterministic compaction (used for sections the model cannot
   *     take)
   * @param maxOutputBytes the whole document's bound
   * @throws Absent when the model is absent
   */
  static Outcome summarise(
      TaskContext ctx,
      List<Compactor.Input> inputs,
      List<String> texts,
      List<String> deterministic,
      int maxOutputBytes)
      throws Absent {
    int n = inputs.size();
    int share = Math.max(64, maxOutputBytes / Math.max(1, n));
    int maxTokens = Math.max(16, Math.min(1024, share / 4));
    int callsLeft = ctx.budget().budget().maxToolCalls() - ctx.budget().toolCallsUsed();
    List<String> sections = new ArrayList<>();
    int byModel = 0;
    int calls = 0;
    for (int i = 0; i < n; i++) {
      ctx.checkKillSwitch("doc_compactor_model");
      if (calls >= callsLeft) {
        sections.add(deterministic.get(i));
        continue;
      }
      String text = Utf8.cut(texts.get(i), MAX_PROMPT_SECTION_BYTES);
      ChatRequest request =
          ChatRequest.of(
                  List.of(
                      ChatMessage.system(SYSTEM),
                      ChatMessage.user(
                          "Compact this section to at most "
                              + share
                              + " bytes.\n\nSection "
                              + inputs.get(i).path()
                              + ":\n\n"
                              + text)))
              .withMaxTokens(maxTokens);
      ChatReply reply;
      calls++;
      try {
        reply = ctx.model().chat(request);
      } catch (ModelCallException e) {
        if (ABSENT.contains(e.kind())) {
          throw new Absent(e.code(), e.getMessage());
        }
        if (e.kind() == ModelCallException.Kind.CONTEXT_LENGTH) {
          sections.add(deterministic.get(i));
          continue;
        }
        throw e;
      }
      String summary = reply.content().strip();
      if (summary.isEmpty()) {
        sections.add(deterministic.get(i));
        continue;
      }
      byte[] bytes = summary.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > share) {
        summary = Utf8.cut(summary, share);
      }
      sections.add(summary + "\n");
      byModel++;
    }
    return new Outcome(sections, byModel, n - byModel, calls);
  }
}
