package dev.localexec.mcporter.config;

import dev.localexec.api.ToolCallException;
import dev.localexec.api.spi.ToolSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP tool configuration, {@code config/mcporter.json}: the plane's {@code enabled_tools},
 * {@code timeout_sec} and {@code max_response_bytes}, and mcporter's own {@code mcpServers} and
 * {@code imports}, in one file that both read. The text may be JSONC (comments, trailing commas),
 * as mcporter accepts.
 *
 * <p>Immutable and thread-safe. Every validation error is a {@link ToolCallException} of kind
 * {@link ToolCallException.Kind#CONFIG_INVALID} (tool {@code *}) whose message is one line: the
 * file, the JSON path, what is wrong with the value, and what to do.
 */
public final class McpConfig {

  /** The tool name configuration errors carry: they concern every tool. */
  public static final String ANY_TOOL = "*";

  private static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_./-]+");

  /** The mapper this module reads and writes JSON with: comments and trailing commas allowed. */
  public static final JsonMapper JSONC =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final String source;
  private final ToolSettings settings;
  private final Map<String, McpServer> servers;
  private final ObjectNode mcpServersNode;

  private McpConfig(
      String source,
      ToolSettings settings,
      Map<String, McpServer> servers,
      ObjectNode mcpServersNode) {
    this.source = source;
    this.settings = settings;
    this.servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    this.mcpServersNode = mcpServersNode;
  }

  /**
   * Reads and validates a configuration file.
   *
   * @param file the file, usually {@code <root>/config/mcporter.json}
   * @throws ToolCallException of kind {@code CONFIG_INVALID} if it is missing, unreadable or
   *     invalid
   */
  public static McpConfig load(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    String text;
    try {
      text = Files.readString(absolute);
    } catch (NoSuchFileException e) {
      throw invalid(absolute + ": file not found; create it with at least {\"mcpServers\": {}}", e);
    } catch (IOException e) {
      throw invalid(
          absolute + ": cannot be read (" + e.getMessage() + "); check its permissions", e);
    }
    return parse(text, absolute.toString());
  }

  /**
   * Parses and validates configuration text.
   *
   * @param text the JSON (or JSONC) text
   * @param source where it came from, used in error messages (a file name)
   * @throws ToolCallException of kind {@code CONFIG_INVALID} if it is invalid
   */
  public static McpConfig parse(String text, String source) {
    JsonNode root;
    try {
      root = JSONC.readTree(text);
    } catch (JacksonException e) {
      throw invalid(
          source
              + ": not valid JSON ("
              + firstLine(e.getOriginalMessage())
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "); fix the syntax",
          e);
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw invalid(
          source
              + ": $: expected a JSON object, got "
              + describe(root)
              + "; start from {\"mcpServers\": {}}");
    }
    ObjectNode mcpServers = mcpServers(root, source);
    Map<String, McpServer> servers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : mcpServers.properties()) {
      servers.put(e.getKey(), server(e.getKey(), e.getValue(), source));
    }
    checkImports(root, source);
    Set<String> enabled = enabledTools(root, source, servers);
    int timeoutSec =
        intIn(
            root,
            "timeout_sec",
            (int) ToolSettings.DEFAULT_TIMEOUT.toSeconds(),
            1,
            300,
            source,
            "a whole number of seconds");
    int maxBytes =
        intIn(
            root,
            "max_response_bytes",
            ToolSettings.DEFAULT_MAX_RESPONSE_BYTES,
            1024,
            1_048_576,
            source,
            "a whole number of bytes");
    ToolSettings settings = new ToolSettings(enabled, Duration.ofSeconds(timeoutSec), maxBytes);
    return new McpConfig(source, settings, servers, mcpServers.deepCopy());
  }

  /** Where the configuration came from (the absolute file for {@link #load}). */
  public String source() {
    return source;
  }

  /** The plane-wide settings. */
  public ToolSettings settings() {
    return settings;
  }

  /** The configured servers by name, in file order. */
  public Map<String, McpServer> servers() {
    return servers;
  }

  /** The server of that name, if configured. */
  public Optional<McpServer> server(String name) {
    return Optional.ofNullable(servers.get(name));
  }

  /** A copy of the server's entry exactly as written (for mcporter's derived configuration). */
  public ObjectNode rawServer(String name) {
    JsonNode node = mcpServersNode.get(name);
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("no server " + name);
    }
    return (ObjectNode) node.deepCopy();
  }

  private static ObjectNode mcpServers(JsonNode root, String source) {
    JsonNode node = root.get("mcpServers");
    if (node == null) {
      throw invalid(
          source
              + ": $.mcpServers: missing; mcporter requires it: add \"mcpServers\": {} (an empty"
              + " object means no servers)");
    }
    if (!node.isObject()) {
      throw invalid(
          source
              + ": $.mcpServers: expected an object of servers by name, got "
              + describe(node)
              + "; write \"mcpServers\": {}");
    }
    return (ObjectNode) node;
  }

  private static McpServer server(String name, JsonNode node, String source) {
    String path = "$.mcpServers." + name;
    if (!SERVER_NAME.matcher(name).matches()) {
      throw invalid(
          source
              + ": $.mcpServers: server name \""
              + name
              + "\" is not allowed; use letters, digits, '-' and '_' only (no dot: tools are"
              + " named server.tool)");
    }
    if (!node.isObject()) {
      throw invalid(
          source
              + ": "
              + path
              + ": expected an object with \"command\" (stdio) or \"baseUrl\" (HTTP), got "
              + describe(node)
              + "; fix the server entry");
    }
    JsonNode command = node.get("command");
    JsonNode url = node.has("baseUrl") ? node.get("baseUrl") : node.get("url");
    if (command == null && url == null) {
      throw invalid(
          source
              + ": "
              + path
              + ": has neither \"command\" nor \"baseUrl\"; give the command that starts the"
              + " server, e.g. \"command\": \"node\"");
    }
    if (command != null && (!command.isString() || command.asString().isBlank())) {
      throw invalid(
          source
              + ": "
              + path
              + ".command: expected a non-empty string, got "
              + describe(command)
              + "; give the program that starts the server");
    }
    if (url != null && (!url.isString() || url.asString().isBlank())) {
      throw invalid(
          source
              + ": "
              + path
              + (node.has("baseUrl") ? ".baseUrl" : ".url")
              + ": expected a non-empty string, got "
              + describe(url)
              + "; give the server's URL");
    }
    List<String> args = new ArrayList<>();
    JsonNode argsNode = node.get("args");
    if (argsNode != null) {
      if (!argsNode.isArray()) {
        throw invalid(
            source
                + ": "
                + path
                + ".args: expected an array of strings, got "
                + describe(argsNode)
                + "; write e.g. \"args\": [\"server.js\", \"stdio\"]");
      }
      for (int i = 0; i < argsNode.size(); i++) {
        JsonNode a = argsNode.get(i);
        if (!a.isString()) {
          throw invalid(
              source
                  + ": "
                  + path
                  + ".args["
                  + i
                  + "]: expected a string, got "
                  + describe(a)
                  + "; quote it");
        }
        args.add(a.asString());
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode envNode = node.get("env");
    if (envNode != null) {
      if (!envNode.isObject()) {
        throw invalid(
            source
                + ": "
                + path
                + ".env: expected an object of strings, got "
                + describe(envNode)
                + "; write e.g. \"env\": {\"NAME\": \"value\"}");
      }
      for (Map.Entry<String, JsonNode> e : envNode.properties()) {
        if (!e.getValue().isString()) {
          throw invalid(
              source
                  + ": "
                  + path
                  + ".env."
                  + e.getKey()
                  + ": expected a string, got "
                  + describe(e.getValue())
                  + "; quote it");
        }
        env.put(e.getKey(), e.getValue().asString());
      }
    }
    String cwd = null;
    JsonNode cwdNode = node.get("cwd");
    if (cwdNode != null) {
      if (!cwdNode.isString()) {
        throw invalid(
            source
                + ": "
                + path
                + ".cwd: expected a string, got "
                + describe(cwdNode)
                + "; give a folder");
      }
      cwd = cwdNode.asString();
    }
    JsonNode networkNode = node.get(McpServer.ALLOW_NETWORK);
    if (networkNode != null && !networkNode.isBoolean()) {
      throw invalid(
          source
              + ": "
              + path
              + "."
              + McpServer.ALLOW_NETWORK
              + ": expected true or false, got "
              + describe(networkNode)
              + "; leave it out for a server that needs no network");
    }
    return new McpServer(
        name,
        command == null ? null : command.asString(),
        args,
        env,
        cwd,
        url == null ? null : url.asString(),
        networkNode != null && networkNode.asBoolean());
  }

  private static void checkImports(JsonNode root, String source) {
    JsonNode imports = root.get("imports");
    if (imports != null && !(imports.isArray() && imports.isEmpty())) {
      throw invalid(
          source
              + ": $.imports: must be [] (no other editors' MCP configurations), got "
              + describe(imports)
              + "; write \"imports\": []");
    }
  }

  private static Set<String> enabledTools(
      JsonNode root, String source, Map<String, McpServer> servers) {
    JsonNode node = root.get("enabled_tools");
    Set<String> enabled = new LinkedHashSet<>();
    if (node == null) {
      return enabled;
    }
    if (!node.isArray()) {
      throw invalid(
          source
              + ": $.enabled_tools: expected an array of \"server.tool\" names, got "
              + describe(node)
              + "; write e.g. \"enabled_tools\": [\"everything.echo\"]");
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode entry = node.get(i);
      String path = "$.enabled_tools[" + i + "]";
      if (!entry.isString()) {
        throw invalid(
            source
                + ": "
                + path
                + ": expected a \"server.tool\" string, got "
                + describe(entry)
                + "; write the exact name, e.g. \"everything.echo\"");
      }
      String name = entry.asString();
      int dot = name.indexOf('.');
      if (dot <= 0
          || dot == name.length() - 1
          || !SERVER_NAME.matcher(name.substring(0, dot)).matches()
          || !TOOL_NAME.matcher(name.substring(dot + 1)).matches()) {
        throw invalid(
            source
                + ": "
                + path
                + ": \""
                + name
                + "\" is not an exact \"server.tool\" name (no spaces or wildcards); write e.g."
                + " \"everything.echo\"");
      }
      String server = name.substring(0, dot);
      if (!servers.containsKey(server)) {
        throw invalid(
            source
                + ": "
                + path
                + ": \""
                + name
                + "\" names server \""
                + server
                + "\", which is not in $.mcpServers "
                + servers.keySet()
                + "; add the server or remove the tool");
      }
      if (!enabled.add(name)) {
        throw invalid(
            source + ": " + path + ": \"" + name + "\" is listed twice; remove the duplicate");
      }
    }
    return enabled;
  }

  private static int intIn(
      JsonNode root, String key, int dflt, int min, int max, String source, String what) {
    JsonNode node = root.get(key);
    if (node == null) {
      return dflt;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.asInt() < min
        || node.asInt() > max) {
      throw invalid(
          source
              + ": $."
              + key
              + ": expected "
              + what
              + " from "
              + min
              + " to "
              + max
              + ", got "
              + describe(node)
              + "; set it in that range or remove it for the default "
              + dflt);
    }
    return node.asInt();
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    String text = node.toString();
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    int marker = line.indexOf(" (start marker at");
    return marker < 0 ? line : line.substring(0, marker);
  }

  static ToolCallException invalid(String message) {
    return new ToolCallException(ToolCallException.Kind.CONFIG_INVALID, ANY_TOOL, message);
  }

  static ToolCallException invalid(String message, Throwable cause) {
    return new ToolCallException(ToolCallException.Kind.CONFIG_INVALID, ANY_TOOL, message, cause);
  }
}
