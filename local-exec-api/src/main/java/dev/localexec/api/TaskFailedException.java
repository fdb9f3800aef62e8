package dev.localexec.api;

/** A task could not do its work for a reason of its own; the job fails with {@link #code()}. */
public final class TaskFailedException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param code the stable code recorded as the job's error
   * @param message what went wrong and what to do
   */
  public TaskFailedException(String code, String message) {
    super(code, message, false);
  }

  /** Creates the exception with a cause. */
  public TaskFailedException(String code, String message, Throwable cause) {
    super(code, message, false, cause);
  }
}
