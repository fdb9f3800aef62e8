package dev.localexec.api.spi;

import java.util.List;

/**
 * Runs commands as argv arrays, never through a shell, under the job's policy and budgets. Each
 * {@link #run} counts one tool call and writes {@code tool_call} and {@code tool_result} evidence.
 * Thread-safe: a task may run several commands at once within its slots.
 */
public interface ArgvRunner {

  /**
   * Checks an argv without running it.
   *
   * @throws dev.localexec.api.ArgvRejectedException if it would be refused
   */
  void check(List<String> argv);

  /**
   * Runs one command and waits for it. A command that times out is stopped with its whole process
   * tree and reported with {@code timedOut} true; a non-zero exit is a normal result, not an error.
   *
   * @throws dev.localexec.api.PolicyViolationException {@code subprocess_not_allowed} without
   *     {@code allow_subprocess}
   * @throws dev.localexec.api.ArgvRejectedException if the argv is refused
   * @throws dev.localexec.api.PathRejectedException if the working directory is refused
   * @throws dev.localexec.api.BudgetExceededException if no tool call is left
   * @throws dev.localexec.api.KillSwitchException if the kill switch stopped it
   */
  CommandResult run(CommandRequest request);
}
