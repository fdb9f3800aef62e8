package dev.localexec.api;

/**
 * The root of every exception local-exec throws on purpose. Each carries a short machine-readable
 * {@link #code() code} (for example {@code max_tool_calls exceeded} or {@code
 * argv_rejected:shell_like}) that is what the ledger and evidence record when a job fails.
 */
public class LocalExecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final boolean retryable;

  /**
   * Creates an exception.
   *
   * @param code the stable code recorded in the ledger
   * @param message a sentence for people: what was wrong, the value, what to do
   * @param retryable whether running the same thing again can help
   */
  public LocalExecException(String code, String message, boolean retryable) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }

  /** Creates an exception with a cause. */
  public LocalExecException(String code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  /** The stable code recorded as the job's error, e.g. {@code subprocess_not_allowed}. */
  public String code() {
    return code;
  }

  /** Whether running the same thing again may succeed (a transient condition). */
  public boolean retryable() {
    return retryable;
  }
}
