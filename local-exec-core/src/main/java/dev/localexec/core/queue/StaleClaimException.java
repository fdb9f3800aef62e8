package dev.localexec.core.queue;

import dev.localexec.api.LocalExecException;

/**
 * A queue refused a write (a heartbeat, a result, a failure) for a claim that is no longer the
 * job's running claim: another attempt took over after the lease expired, or the job finished. Code
 * {@code stale_claim}, not retryable.
 */
public final class StaleClaimException extends LocalExecException {
  private static final long serialVersionUID = 1L;

  /** The error code. */
  public static final String CODE = "stale_claim";

  private final String jobId;
  private final int attempt;
  private final String workerId;

  /**
   * The refusal of a write for {@code claim}; the message names its fencing token when it has one.
   */
  public StaleClaimException(Claim claim) {
    super(
        CODE,
        "job '"
            + claim.job().jobId()
            + "' attempt "
            + claim.attempt()
            + (claim.fence() != 0 ? " (fence " + claim.fence() + ")" : "")
            + " by "
            + claim.workerId()
            + " is no longer the running claim; its write was refused",
        false);
    this.jobId = claim.job().jobId();
    this.attempt = claim.attempt();
    this.workerId = claim.workerId();
  }

  /** The job of the refused write. */
  public String jobId() {
    return jobId;
  }

  /** The attempt of the refused write. */
  public int attempt() {
    return attempt;
  }

  /** The worker of the refused write. */
  public String workerId() {
    return workerId;
  }
}
