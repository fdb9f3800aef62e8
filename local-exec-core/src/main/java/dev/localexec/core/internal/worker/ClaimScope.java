package dev.localexec.core.internal.worker;

import dev.localexec.api.Job;
import dev.localexec.api.KillSwitchException;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.evidence.JobEvidence;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.internal.limits.JobResources;
import dev.localexec.core.queue.Claim;
import java.time.Clock;

/**
 * What one claimed job runs under, made once per claim: its claim, tool policy, budget (started
 * when the scope is made), resource limits, evidence, clock and cancellation. The job is cancelled
 * when the kill switch is on or when the grace period of its worker's stop has ended; every guard
 * of the job (argv runner, tools, model, the task's own checks) asks {@link #cancelled()}.
 */
final class ClaimScope {
  private final Claim claim;
  private final JobEvidence evidence;
  private final ClockBudgetTracker budget;
  private final JobResources resources;
  private final Clock clock;
  private final KillSwitch killSwitch;
  private final StopSignal stop;

  ClaimScope(
      Claim claim,
      JobEvidence evidence,
      ClockBudgetTracker budget,
      JobResources resources,
      Clock clock,
      KillSwitch killSwitch,
      StopSignal stop) {
    this.claim = claim;
    this.evidence = evidence;
    this.budget = budget;
    this.resources = resources;
    this.clock = clock;
    this.killSwitch = killSwitch;
    this.stop = stop;
  }

  Claim claim() {
    return claim;
  }

  Job job() {
    return claim.job();
  }

  JobEvidence evidence() {
    return evidence;
  }

  ClockBudgetTracker budget() {
    return budget;
  }

  JobResources resources() {
    return resources;
  }

  Clock clock() {
    return clock;
  }

  /** Whether the job must end now: the kill switch is on, or its worker's stop grace has ended. */
  boolean cancelled() {
    return killSwitch.isOn() || stop.aborting();
  }

  /**
   * Throws when the job is {@link #cancelled()}.
   *
   * @param where where the check is made, the exception's {@code where}
   * @throws KillSwitchException if the job must end
   */
  void checkCancelled(String where) {
    if (cancelled()) {
      throw new KillSwitchException(where);
    }
  }

  /**
   * Whether a cancellation came from the worker's stop rather than the kill switch: a stop was
   * asked and the switch is off.
   */
  boolean stoppedByWorker() {
    return stop.requested() && !killSwitch.isOn();
  }

  /** The grace period of the worker's stop, in milliseconds. */
  long stopGraceMillis() {
    return stop.grace().toMillis();
  }
}
