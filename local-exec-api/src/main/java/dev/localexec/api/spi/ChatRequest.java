package dev.localexec.api.spi;

import java.util.List;

/**
 * A chat request to the plane's model.
 *
 * @param messages the conversation, at least one message
 * @param maxTokens the most tokens to generate, or {@code null} for the configured bound; a bound
 *     is always sent
 * @param responseSchemaName a name for {@code responseSchemaJson} ({@code ^[A-Za-z0-9_-]{1,64}$}),
 *     or {@code null}
 * @param responseSchemaJson a JSON Schema the answer must follow (sent as {@code response_format}
 *     {@code json_schema}), or {@code null} for free text
 * @param recordPrompt whether evidence may hold the whole prompt and answer (off by default: only
 *     sizes and counts are recorded)
 */
public record ChatRequest(
    List<ChatMessage> messages,
    Integer maxTokens,
    String responseSchemaName,
    String responseSchemaJson,
    boolean recordPrompt) {

  /** Validates and copies. */
  public ChatRequest {
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("messages must hold at least one message");
    }
    messages = List.copyOf(messages);
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    if ((responseSchemaJson == null) != (responseSchemaName == null)) {
      throw new IllegalArgumentException(
          "responseSchemaName and responseSchemaJson go together; got name "
              + responseSchemaName
              + " with "
              + (responseSchemaJson == null ? "no schema" : "a schema"));
    }
    if (responseSchemaName != null && !responseSchemaName.matches("^[A-Za-z0-9_-]{1,64}$")) {
      throw new IllegalArgumentException(
          "responseSchemaName must match ^[A-Za-z0-9_-]{1,64}$, got '" + responseSchemaName + "'");
    }
  }

  /** A free-text request with the configured token bound. */
  public static ChatRequest of(List<ChatMessage> messages) {
    return new ChatRequest(messages, null, null, null, false);
  }

  /** This request with a token bound. */
  public ChatRequest withMaxTokens(int tokens) {
    return new ChatRequest(messages, tokens, responseSchemaName, responseSchemaJson, recordPrompt);
  }

  /** This request asking for JSON that follows {@code schemaJson}. */
  public ChatRequest withResponseSchema(String name, String schemaJson) {
    return new ChatRequest(messages, maxTokens, name, schemaJson, recordPrompt);
  }

  /** This request with whole prompts and answers recorded in evidence. */
  public ChatRequest recordingPrompt() {
    return new ChatRequest(messages, maxTokens, responseSchemaName, responseSchemaJson, true);
  }

  /** The size of all message contents in UTF-8 bytes. */
  public long promptBytes() {
    long n = 0;
    for (ChatMessage m : messages) {
      n += m.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    return n;
  }
}
