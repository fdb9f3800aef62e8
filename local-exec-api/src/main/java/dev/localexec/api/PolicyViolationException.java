package dev.localexec.api;

/**
 * A job asked for something its {@link ToolPolicy} does not allow, e.g. a subprocess without {@code
 * allow_subprocess} (code {@code subprocess_not_allowed}).
 */
public final class PolicyViolationException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final String rule;

  /**
   * Creates the exception.
   *
   * @param rule the code of the rule that refused, e.g. {@code subprocess_not_allowed}
   * @param message what was refused and how to allow it
   */
  public PolicyViolationException(String rule, String message) {
    super(rule, message, false);
    this.rule = rule;
  }

  /** The rule that refused. */
  public String rule() {
    return rule;
  }
}
