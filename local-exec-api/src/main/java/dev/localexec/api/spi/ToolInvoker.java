package dev.localexec.api.spi;

import dev.localexec.api.ToolCallException;

/**
 * Calls a named tool for a task. The invoker a task gets from {@link TaskContext#tools()} checks
 * every call against the job's {@code allowed_tools} and the configuration's {@code enabled_tools},
 * counts it as a tool call, bounds it by the tool timeout, {@code max_response_bytes} and the job's
 * budgets, and records {@code tool_call} and {@code tool_result} evidence.
 *
 * <p>Thread-safe; {@link #call} blocks until the tool answers, fails or times out.
 */
@FunctionalInterface
public interface ToolInvoker {

  /**
   * Calls one tool.
   *
   * @param tool the exact tool name, {@code server.tool}, e.g. {@code everything.echo}
   * @param argumentsJson the arguments, a JSON object, e.g. {@code {"message":"hi"}}
   * @return the tool's result
   * @throws ToolCallException if the call is refused or fails
   * @throws dev.localexec.api.BudgetExceededException if a job budget is used up
   * @throws dev.localexec.api.KillSwitchException if the kill switch trips before or during it
   */
  ToolResult call(String tool, String argumentsJson);

  /** An invoker that refuses every call: no tool backend is configured. */
  static ToolInvoker none() {
    return (tool, args) -> {
      throw new ToolCallException(
          ToolCallException.Kind.NOT_ENABLED,
          tool,
          "no MCP tools are configured for this plane, so '"
              + tool
              + "' cannot be called; configure a tool backend (config/mcporter.json)");
    };
  }
}
