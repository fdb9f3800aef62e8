package dev.localexec.mcporter.cli;

import dev.localexec.api.ToolCallException;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.mcporter.config.McpConfig;
import dev.localexec.mcporter.shared.ToolOutcomes;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * Reads what {@code mcporter call ... --output json} printed, with its exit code: rc first, then a
 * transport failure ({@code server} + {@code issue}), then a tool error ({@code isError: true}),
 * else the result: the content envelope, or the parsed (structured) result printed alone.
 */
final class McporterOutput {
  private McporterOutput() {}

  /**
   * Makes a result of one finished mcporter run.
   *
   * @throws ToolCallException for every failure
   */
  static ToolResult parse(
      String tool,
      int rc,
      String stdout,
      String stderr,
      Duration timeout,
      int maxResponseBytes,
      Duration took) {
    JsonNode json = null;
    if (!stdout.isBlank()) {
      try {
        json = McpConfig.JSONC.readTree(stdout);
      } catch (RuntimeException e) {
        json = null;
      }
    }
    if (json == null || json.isMissingNode()) {
      String why =
          rc == 0
              ? "mcporter exited 0 but printed no JSON"
              : "mcporter exited " + rc + ": " + firstLine(stderr);
      throw ToolOutcomes.unavailable(tool, why, null);
    }
    boolean isError = json.isObject() && json.path("isError").asBoolean(false);
    if (rc != 0) {
      if (json.isObject() && json.has("server") && json.has("issue")) {
        String error = json.path("error").asString("");
        if (error.contains("timed out")) {
          throw ToolOutcomes.timeout(tool, timeout);
        }
        if (error.startsWith("Unknown MCP server")) {
          throw ToolOutcomes.unknownTool(tool, error);
        }
        throw ToolOutcomes.unavailable(tool, error, null);
      }
      if (isError) {
        throw ToolOutcomes.toolError(tool, ToolOutcomes.text(json));
      }
      throw ToolOutcomes.unavailable(
          tool, "mcporter exited " + rc + ": " + firstLine(stderr), null);
    }
    if (isError) {
      throw ToolOutcomes.toolError(tool, ToolOutcomes.text(json));
    }
    return ToolOutcomes.result(tool, json, !isEnvelope(json), maxResponseBytes, took);
  }

  /** Whether the JSON is a CallToolResult envelope ({@code content} blocks with a type). */
  static boolean isEnvelope(JsonNode json) {
    JsonNode content = json.get("content");
    if (!json.isObject() || content == null || !content.isArray()) {
      return false;
    }
    for (JsonNode c : content) {
      if (!c.isObject() || !c.path("type").isString()) {
        return false;
      }
    }
    return true;
  }

  static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return ToolOutcomes.clip(nl < 0 ? t : t.substring(0, nl));
  }
}
