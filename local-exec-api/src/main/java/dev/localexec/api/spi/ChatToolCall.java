package dev.localexec.api.spi;

/**
 * A tool call the model asked for (it is not run by the plane; a task decides what to do).
 *
 * @param id the call's id
 * @param name the function's name
 * @param argumentsJson the arguments as the model wrote them (JSON text, unvalidated)
 */
public record ChatToolCall(String id, String name, String argumentsJson) {

  /** Validates. */
  public ChatToolCall {
    id = id == null ? "" : id;
    if (name == null) {
      throw new IllegalArgumentException("name must not be null");
    }
    argumentsJson = argumentsJson == null ? "" : argumentsJson;
  }
}
