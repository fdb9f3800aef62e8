package dev.localexec.vllm;

import dev.localexec.api.ModelCallException;

/**
 * A call to vLLM failed, with what the server said about it. The {@link #kind() kind} is the
 * classification the plane acts on; {@link #errorType()}, {@link #param()} and {@link
 * #serverMessage()} are the server's own fields, empty when it sent none (a refused connection, a
 * timeout, a body that was not JSON). None of them ever holds the API key.
 */
public class VllmException extends ModelCallException {
  private static final long serialVersionUID = 1L;

  private final String errorType;
  private final String param;
  private final String serverMessage;

  /**
   * Creates the exception.
   *
   * @param kind the classification
   * @param httpStatus the HTTP status, or 0 when no response arrived
   * @param message what happened, with the values, and what to do
   * @param errorType the server's error {@code type}, or {@code ""}
   * @param param the server's error {@code param}, or {@code ""}
   * @param serverMessage the server's error {@code message}, or {@code ""}
   * @param cause the underlying failure, or {@code null}
   */
  public VllmException(
      Kind kind,
      int httpStatus,
      String message,
      String errorType,
      String param,
      String serverMessage,
      Throwable cause) {
    super(kind, httpStatus, message, cause);
    this.errorType = errorType == null ? "" : errorType;
    this.param = param == null ? "" : param;
    this.serverMessage = serverMessage == null ? "" : serverMessage;
  }

  /** Creates the exception for a failure with no server error body. */
  public VllmException(Kind kind, int httpStatus, String message, Throwable cause) {
    this(kind, httpStatus, message, "", "", "", cause);
  }

  /** The server's error {@code type} (e.g. {@code BadRequestError}), or {@code ""}. */
  public String errorType() {
    return errorType;
  }

  /** The server's error {@code param} (e.g. {@code input_tokens}), or {@code ""}. */
  public String param() {
    return param;
  }

  /** The server's error {@code message}, or {@code ""}. */
  public String serverMessage() {
    return serverMessage;
  }
}
