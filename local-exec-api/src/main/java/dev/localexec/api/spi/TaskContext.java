package dev.localexec.api.spi;

import dev.localexec.api.EvidenceSink;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import java.time.Clock;

/**
 * Everything a task may use while it runs one job. A context belongs to one job; its methods are
 * thread-safe so a task may run steps concurrently within its slots.
 */
public interface TaskContext {

  /** The job being run (validated). */
  Job job();

  /** The job's tool policy (the same as {@code job().toolPolicy()}). */
  default ToolPolicy policy() {
    return job().toolPolicy();
  }

  /** The job's budgets and what has been used of them. */
  BudgetTracker budget();

  /** The job's evidence; never throws. */
  EvidenceSink evidence();

  /** Paths confined to the repo root. */
  RepoPaths paths();

  /** Runs argv commands under the job's policy and budgets. */
  ArgvRunner argv();

  /**
   * Opens {@code evidence/<job_id>_<name>} for JSON lines; each line counts against the output
   * budget.
   *
   * @param name the file name suffix, e.g. {@code index.jsonl}; {@code ^[a-z0-9_.-]+$}
   */
  JsonlOutput openJsonl(String name);

  /**
   * Throws if the kill switch is on.
   *
   * @param where the step being started, recorded as {@code kill_switch:<where>}
   * @throws dev.localexec.api.KillSwitchException if the switch is on
   */
  void checkKillSwitch(String where);

  /** The clock of the plane (tests drive it). */
  Clock clock();

  /**
   * Calls MCP tools under the job's policy and budgets. Without a configured tool backend every
   * call is refused with {@code tool_not_enabled}.
   */
  default ToolInvoker tools() {
    return ToolInvoker.none();
  }

  /**
   * Asks the plane's model under the job's policy and budgets. Without a configured model every
   * call is refused with {@code model_not_enabled}.
   */
  default ModelChat model() {
    return ModelChat.none();
  }
}
