package dev.localexec.api;

import java.util.List;

/**
 * A job document did not satisfy its schemas. {@link #errors()} holds every error at once, each as
 * {@code <json path>: <rule>}, e.g. {@code $.budgets.max_tool_calls: must have a maximum value of
 * 500}.
 */
public final class JobValidationException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  /**
   * Creates the exception.
   *
   * @param errors every error found, each with its JSON path; not empty
   */
  public JobValidationException(List<String> errors) {
    super("job_invalid", "invalid job: " + String.join("; ", errors), false);
    this.errors = List.copyOf(errors);
  }

  /** Every error found, each starting with its JSON path. */
  public List<String> errors() {
    return errors;
  }
}
