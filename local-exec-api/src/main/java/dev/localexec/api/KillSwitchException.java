package dev.localexec.api;

/** The kill switch was found tripped; the job stops (code {@code kill_switch:<where>}). */
public final class KillSwitchException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  private final String where;

  /**
   * Creates the exception.
   *
   * @param where the step at which the switch was seen, e.g. {@code before_claim}
   */
  public KillSwitchException(String where) {
    super(
        "kill_switch:" + where,
        "kill switch is on (seen at " + where + "); turn it off to run jobs again",
        false);
    this.where = where;
  }

  /** The step at which the switch was seen. */
  public String where() {
    return where;
  }
}
