package dev.localexec.api.spi;

/**
 * One chat message.
 *
 * @param role {@code system}, {@code user} or {@code assistant}
 * @param content the text
 */
public record ChatMessage(String role, String content) {

  /** Validates. */
  public ChatMessage {
    if (role == null
        || !(role.equals("system") || role.equals("user") || role.equals("assistant"))) {
      throw new IllegalArgumentException(
          "role must be system, user or assistant, got '" + role + "'");
    }
    if (content == null) {
      throw new IllegalArgumentException("content must not be null");
    }
  }

  /** A system message. */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  /** A user message. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }
}
