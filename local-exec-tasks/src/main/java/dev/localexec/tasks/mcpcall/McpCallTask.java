package dev.localexec.tasks.mcpcall;

import dev.localexec.api.JsonValues;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.tasks.payload.PayloadSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls MCP tools in order ({@code mcp_call_task}).
 *
 * <p>Payload: {@code calls}, a list of {@code {"tool": "server.tool", "arguments": {...}}}. Each
 * call goes through {@link TaskContext#tools()}: it needs its name in the job's {@code
 * allowed_tools} and in the configuration's {@code enabled_tools}, counts one tool call, and leaves
 * {@code tool_call} and {@code tool_result} evidence. The first call that fails fails the job with
 * that call's code (e.g. {@code tool_not_allowed:everything.get-sum}); later calls do not run.
 *
 * <p>Result: {@code {"calls": n, "results": [{"tool", "structured", "result_bytes"}]}} (sizes only,
 * so the ledger stays small); the summary holds each call's result JSON. Stateless.
 */
public final class McpCallTask implements TaskPlugin {

  /** The job type. */
  public static final String ID = "mcp_call_task";

  private static final String SCHEMA = PayloadSchema.load(ID);

  /** Creates the plug-in (for {@link java.util.ServiceLoader}). */
  public McpCallTask() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String payloadSchema() {
    return SCHEMA;
  }

  @Override
  public TaskResult run(TaskContext ctx) {
    Object callsValue = ctx.job().payload().get("calls");
    if (!(callsValue instanceof List<?> calls) || calls.isEmpty()) {
      throw new IllegalArgumentException("payload.calls must be a non-empty list");
    }
    List<Map<String, Object>> results = new ArrayList<>();
    StringBuilder summary = new StringBuilder("# MCP calls of ").append(ctx.job().jobId());
    summary.append("\n\n");
    for (Object item : calls) {
      Map<?, ?> call = (Map<?, ?>) item;
      String tool = (String) call.get("tool");
      Object arguments = call.get("arguments");
      String argumentsJson = JsonValues.toJson(arguments == null ? Map.of() : arguments);
      ctx.checkKillSwitch("mcp_call:" + tool);
      ToolResult r = ctx.tools().call(tool, argumentsJson);
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("tool", r.tool());
      one.put("structured", r.structured());
      one.put("result_bytes", r.bytes());
      results.add(one);
      summary.append("## ").append(r.tool()).append("\n\n```json\n");
      summary.append(r.resultJson()).append("\n```\n\n");
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("calls", results.size());
    result.put("results", results);
    return new TaskResult(result, summary.toString());
  }
}
