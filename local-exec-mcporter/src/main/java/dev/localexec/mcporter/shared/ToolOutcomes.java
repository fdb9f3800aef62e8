package dev.localexec.mcporter.shared;

import dev.localexec.api.ToolCallException;
import dev.localexec.api.ToolCallException.Kind;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.mcporter.config.McpConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** What both backends make of an MCP answer: one wording per outcome, whatever the transport. */
public final class ToolOutcomes {
  private static final int MAX_TEXT = 400;
  private static final Pattern NOT_FOUND = Pattern.compile("Tool \\S+ not found");

  private ToolOutcomes() {}

  /** The error a tool reported ({@code isError: true}), by its text. */
  public static ToolCallException toolError(String tool, String text) {
    String t = clip(text);
    if (t.contains("Input validation error")
        || (t.contains("-32602")
            && t.toLowerCase(java.util.Locale.ROOT).contains("invalid arguments"))) {
      return new ToolCallException(
          Kind.BAD_ARGUMENTS,
          tool,
          tool
              + " rejected its arguments: "
              + t
              + "; pass arguments that match the tool's input schema");
    }
    if (NOT_FOUND.matcher(t).find()) {
      return unknownTool(tool, t);
    }
    return new ToolCallException(Kind.TOOL_ERROR, tool, tool + " reported an error: " + t);
  }

  public static ToolCallException unknownTool(String tool, String detail) {
    return new ToolCallException(
        Kind.UNKNOWN_TOOL,
        tool,
        tool
            + ": the server has no such tool ("
            + clip(detail)
            + "); use an exact name from the server's tool list");
  }

  public static ToolCallException timeout(String tool, Duration timeout) {
    return new ToolCallException(
        Kind.TIMEOUT,
        tool,
        tool
            + " did not answer within "
            + timeout.toMillis()
            + " ms; the call was stopped (raise timeout_sec in config/mcporter.json if it needs"
            + " longer)");
  }

  public static ToolCallException tooLarge(String tool, String size, int max) {
    return new ToolCallException(
        Kind.RESPONSE_TOO_LARGE,
        tool,
        tool
            + " answered "
            + size
            + " bytes, more than max_response_bytes "
            + max
            + "; ask the tool for less or raise max_response_bytes in config/mcporter.json");
  }

  public static ToolCallException unavailable(String tool, String detail, Throwable cause) {
    return new ToolCallException(
        Kind.UNAVAILABLE,
        tool,
        tool
            + ": the MCP server could not be reached ("
            + clip(detail)
            + "); check the server's entry in config/mcporter.json",
        cause);
  }

  /** Refuses a name that is not {@code server.tool} of a configured server. */
  public static void checkName(String tool, McpConfig config) {
    int dot = tool.indexOf('.');
    if (dot <= 0 || dot == tool.length() - 1) {
      throw new ToolCallException(
          Kind.UNKNOWN_TOOL,
          tool,
          "'" + tool + "' is not a server.tool name; use an exact name such as everything.echo");
    }
    String server = tool.substring(0, dot);
    if (config.server(server).isEmpty()) {
      throw new ToolCallException(
          Kind.UNKNOWN_TOOL,
          tool,
          tool
              + ": no server '"
              + server
              + "' in "
              + config.source()
              + " (servers: "
              + config.servers().keySet()
              + "); use an exact server.tool name");
    }
  }

  /** Parses the arguments, which must be a JSON object. */
  public static JsonNode arguments(String tool, String argumentsJson) {
    JsonNode args;
    try {
      args = McpConfig.JSONC.readTree(argumentsJson);
    } catch (RuntimeException e) {
      args = null;
    }
    if (args == null || !args.isObject()) {
      throw new ToolCallException(
          Kind.BAD_ARGUMENTS,
          tool,
          tool
              + ": arguments must be a JSON object, got "
              + clip(argumentsJson)
              + "; pass an object such as {}");
    }
    return args;
  }

  /** A successful answer, refused if larger than the bound. */
  public static ToolResult result(
      String tool, JsonNode json, boolean structured, int maxBytes, Duration took) {
    String text = json.toString();
    long bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw tooLarge(tool, Long.toString(bytes), maxBytes);
    }
    return new ToolResult(tool, text, structured, bytes, took);
  }

  /** The text blocks of a content array, joined by newlines. */
  public static String text(JsonNode envelope) {
    StringBuilder sb = new StringBuilder();
    JsonNode content = envelope.get("content");
    if (content != null && content.isArray()) {
      for (JsonNode c : content) {
        JsonNode t = c.get("text");
        if (t != null && t.isString()) {
          if (sb.length() > 0) {
            sb.append('\n');
          }
          sb.append(t.asString());
        }
      }
    }
    return sb.length() == 0 ? envelope.toString() : sb.toString();
  }

  public static String clip(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replace('\n', ' ').replace('\r', ' ').strip();
    return one.length() > MAX_TEXT ? one.substring(0, MAX_TEXT) + "..." : one;
  }
}
