package dev.localexec.api;

/** A job tried to use more of one of its budgets than it was given. */
public final class BudgetExceededException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final String budget;
  private final long limit;
  private final long used;

  /**
   * Creates the exception; its code is {@code "<budget> exceeded"}, e.g. {@code max_tool_calls
   * exceeded}.
   *
   * @param budget the budget's field name, e.g. {@code max_tool_calls}
   * @param limit the job's limit
   * @param used what had been used when the limit was hit
   */
  public BudgetExceededException(String budget, long limit, long used) {
    super(
        budget + " exceeded",
        budget + " exceeded: limit " + limit + ", used " + used + "; raise the job's budget",
        false);
    this.budget = budget;
    this.limit = limit;
    this.used = used;
  }

  /** The budget's field name, e.g. {@code max_output_bytes}. */
  public String budget() {
    return budget;
  }

  /** The job's limit for that budget. */
  public long limit() {
    return limit;
  }

  /** How much had been used when the limit was hit. */
  public long used() {
    return used;
  }
}
