package dev.localexec.api.spi;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The model's answer.
 *
 * @param model the served model's name
 * @param content the answer text; {@code ""} when the server sent none (e.g. only tool calls)
 * @param reasoning the reasoning text when the server separates it, else {@code ""}
 * @param finishReason why generation stopped: {@code stop}, {@code length}, {@code tool_calls}, ...
 * @param promptTokens tokens in the prompt, or -1 when the server did not say
 * @param completionTokens tokens generated, or -1 when the server did not say
 * @param toolCalls tool calls the model asked for
 * @param latency how long the call took
 */
public record ChatReply(
    String model,
    String content,
    String reasoning,
    String finishReason,
    int promptTokens,
    int completionTokens,
    List<ChatToolCall> toolCalls,
    Duration latency) {

  /** Validates and copies. */
  public ChatReply {
    model = model == null ? "" : model;
    content = content == null ? "" : content;
    reasoning = reasoning == null ? "" : reasoning;
    finishReason = finishReason == null ? "" : finishReason;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    latency = latency == null ? Duration.ZERO : latency;
  }

  /** The bytes this answer keeps: content, reasoning and tool-call arguments, in UTF-8. */
  public long bytes() {
    long n = content.getBytes(StandardCharsets.UTF_8).length;
    n += reasoning.getBytes(StandardCharsets.UTF_8).length;
    for (ChatToolCall c : toolCalls) {
      n += c.argumentsJson().getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }
}
