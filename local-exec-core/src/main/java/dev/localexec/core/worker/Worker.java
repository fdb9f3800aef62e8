package dev.localexec.core.worker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Claims and runs jobs of one plane; {@link dev.localexec.core.plane.LocalExecPlane#worker()} makes
 * one. {@link #runOnce()} runs at most one job; {@link #loop} runs until the kill switch trips or
 * it is told to stop. A worker catches everything a plug-in throws and records it as the job's
 * failure. A worker runs up to {@link WorkerOptions#slots()} jobs at once. Thread-safe.
 */
public interface Worker {

  /** The worker's options. */
  WorkerOptions options();

  /**
   * Checks the kill switch, claims the oldest queued job and runs it to the end on this thread.
   *
   * @return what happened; a failed job is a normal outcome, not an exception
   * @throws dev.localexec.api.LocalExecException if the ledger cannot be read or written
   *     (retryable)
   */
  RunOutcome runOnce();

  /**
   * Asks the worker to stop at once: no new claims, and every running job's process tree is stopped
   * (its job fails with {@code worker_stopped:<where>}). Returns at once; {@link #loop} returns
   * once the running jobs have ended. May be called from a shutdown hook. The same as {@code
   * stop(Duration.ZERO)}.
   */
  void stop();

  /**
   * Asks the worker to stop gracefully: no new claims from now on; running jobs go on for up to
   * {@code grace} and end normally if they finish within it. When the grace period ends, their
   * process trees are stopped and they fail with {@code worker_stopped:<where>} (evidence {@code
   * worker_stopped} with {@code grace_ms}). Returns at once; {@link #loop} returns once the running
   * jobs have ended. A later call may shorten the grace period, never lengthen it. May be called
   * from a shutdown hook.
   *
   * @param grace how long running jobs may go on, zero or more
   * @throws IllegalArgumentException if {@code grace} is negative
   */
  void stop(Duration grace);

  /** {@link #stop(Duration)} with {@link WorkerOptions#stopGrace()}. */
  void stopGracefully();

  /** Whether {@link #stop()} or {@link #stop(Duration)} was called. */
  boolean stopRequested();

  /**
   * Runs jobs until the kill switch is on, {@code stop} says so, or {@link #stop()} is called, up
   * to {@link WorkerOptions#slots()} at once; a job holds {@code max_concurrency_slots} of them (at
   * most all). Writes {@code loop_start}, an {@code idle_heartbeat} every {@code maxIdle} while
   * idle, {@code transient_error} with capped exponential backoff, and {@code loop_exit} once the
   * running jobs have ended, with the {@code reason}, {@code jobs_run} and {@code jobs_interrupted}
   * (jobs that failed with {@code worker_stopped}), plus {@code stop_grace_ms} after a stop.
   *
   * @param idleSleep how long to sleep when nothing is queued
   * @param maxIdle how often an idle worker writes {@code idle_heartbeat}
   * @param stop polled between claims; true ends the loop
   * @return the reason the loop ended: {@code kill_switch} or {@code stopped}
   */
  String loop(Duration idleSleep, Duration maxIdle, BooleanSupplier stop);

  /**
   * Runs jobs like {@link #loop} until the queue is empty and no job of this worker runs; returns
   * {@code drained} then (or {@code kill_switch} / {@code stopped}).
   *
   * @param idleSleep how long to wait for a free slot before looking again
   */
  String drain(Duration idleSleep);

  /**
   * Waits until no {@link #runOnce()}, {@link #loop} or {@link #drain} of this worker runs (with
   * {@link #stop()} first, that is until the running jobs have ended). The threads those calls
   * started have ended by then.
   *
   * @return whether the worker is idle; false if {@code timeout} passed first
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException;
}
