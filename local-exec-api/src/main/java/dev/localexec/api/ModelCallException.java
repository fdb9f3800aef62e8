package dev.localexec.api;

/**
 * A model call ({@code model.chat}) was refused or failed. The {@link #code() code} is the kind's
 * code, e.g. {@code model_context_length}; adapters may subclass it to carry more detail.
 */
public class ModelCallException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  /** Why a model call gave no answer. */
  public enum Kind {
    /** The job's {@code allowed_tools} does not name {@code model.chat}. */
    NOT_ALLOWED("model_not_allowed", false),
    /** No model is configured for this plane. */
    NOT_ENABLED("model_not_enabled", false),
    /** The server refused the API key (HTTP 401). */
    UNAUTHORIZED("model_unauthorized", false),
    /** The server does not serve the model asked for (HTTP 404). */
    UNKNOWN_MODEL("model_unknown", false),
    /** The prompt plus the token bound do not fit the model's context length (HTTP 400). */
    CONTEXT_LENGTH("model_context_length", false),
    /** The server rejected the request (another HTTP 400 or 422). */
    BAD_REQUEST("model_bad_request", false),
    /** The server failed (HTTP 5xx). */
    SERVER_ERROR("model_server_error", true),
    /** A streamed answer was interrupted by an error event. */
    STREAM_ERROR("model_stream_error", true),
    /** The server could not be reached (refused, still loading, unhealthy). */
    UNAVAILABLE("model_unavailable", true),
    /** No complete answer within the timeout. */
    TIMEOUT("model_timeout", true),
    /** The answer could not be read, or is not what was asked for (e.g. not schema-valid JSON). */
    BAD_RESPONSE("model_bad_response", false);

    private final String code;
    private final boolean retryable;

    Kind(String code, boolean retryable) {
      this.code = code;
      this.retryable = retryable;
    }

    /** The code, e.g. {@code model_unavailable}. */
    public String code() {
      return code;
    }

    /** Whether asking again may succeed. */
    public boolean retryable() {
      return retryable;
    }
  }

  private final Kind kind;
  private final int httpStatus;

  /**
   * Creates the exception.
   *
   * @param kind why the call gave no answer
   * @param httpStatus the HTTP status, or 0 when there was none
   * @param message what happened, with the values, and what to do
   * @param cause the underlying failure, or {@code null}
   */
  public ModelCallException(Kind kind, int httpStatus, String message, Throwable cause) {
    super(kind.code, message, kind.retryable, cause);
    this.kind = kind;
    this.httpStatus = httpStatus;
  }

  /** Creates the exception without an HTTP status or cause. */
  public ModelCallException(Kind kind, String message) {
    this(kind, 0, message, null);
  }

  /** Why the call gave no answer. */
  public Kind kind() {
    return kind;
  }

  /** The HTTP status, or 0 when there was none. */
  public int httpStatus() {
    return httpStatus;
  }
}
