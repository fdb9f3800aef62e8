package dev.localexec.mcporter.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One server of {@code mcpServers}: a stdio server ({@code command}, {@code args}, {@code env},
 * {@code cwd}) or an HTTP one ({@code baseUrl}).
 *
 * @param name its name, the {@code server} part of {@code server.tool}
 * @param command the program that starts a stdio server, or {@code null} for an HTTP server
 * @param args the program's arguments
 * @param env the variables the server gets, as written (values may refer to host variables as
 *     {@code ${NAME}}, {@code ${NAME:-fallback}} or {@code $env:NAME})
 * @param cwd the server's working folder, or {@code null}
 * @param url the HTTP server's URL, or {@code null} for a stdio server
 * @param allowNetwork whether a stdio server may use the network in the sandbox ({@code
 *     allow_network}, default false); an HTTP server is reached over the network always
 */
public record McpServer(
    String name,
    String command,
    List<String> args,
    Map<String, String> env,
    String cwd,
    String url,
    boolean allowNetwork) {

  /** The key of a server entry that lets the server use the network. */
  public static final String ALLOW_NETWORK = "allow_network";

  /** Validates and copies. */
  public McpServer {
    if (name == null || (command == null) == (url == null)) {
      throw new IllegalArgumentException("a server needs a name and either a command or a url");
    }
    args = List.copyOf(args == null ? List.of() : args);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env == null ? Map.of() : env));
  }

  /** A server without network. */
  public McpServer(
      String name,
      String command,
      List<String> args,
      Map<String, String> env,
      String cwd,
      String url) {
    this(name, command, args, env, cwd, url, false);
  }

  /**
   * Whether the process that reaches the server needs the network: an HTTP server, or a stdio
   * server with {@code allow_network}.
   */
  public boolean needsNetwork() {
    return url != null || allowNetwork;
  }

  /** Whether the server is started as a child process speaking MCP on stdin/stdout. */
  public boolean stdio() {
    return command != null;
  }

  /** The command line: {@code command} then {@code args}. */
  public List<String> commandLine() {
    List<String> line = new ArrayList<>();
    line.add(command);
    line.addAll(args);
    return List.copyOf(line);
  }
}
