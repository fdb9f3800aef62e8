package dev.localexec.mcporter.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a server or mcporter gets: never the host's, only a fixed {@code PATH}, a private
 * {@code HOME} and what the server's {@code env} names, with mcporter's references to host
 * variables ({@code ${NAME}}, {@code ${NAME:-fallback}}, {@code $env:NAME}) resolved from the host
 * environment given to the backend.
 */
public final class ServerEnv {

  /** The fixed search path children get, like the plane's argv runner. */
  public static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

  private static final Pattern REFERENCE =
      Pattern.compile(
          "\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}|\\$env:([A-Za-z_][A-Za-z0-9_]*)");

  private ServerEnv() {}

  /** The host variables the server's {@code env} values refer to. */
  public static Set<String> referencedNames(McpServer server) {
    Set<String> names = new TreeSet<>();
    for (String value : server.env().values()) {
      Matcher m = REFERENCE.matcher(value);
      while (m.find()) {
        names.add(m.group(1) != null ? m.group(1) : m.group(3));
      }
    }
    return names;
  }

  /**
   * The server's {@code env} with host references resolved (a missing one becomes "" or its
   * fallback).
   */
  public static Map<String, String> resolve(McpServer server, Map<String, String> host) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : server.env().entrySet()) {
      Matcher m = REFERENCE.matcher(e.getValue());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(3);
        String value = host.get(name);
        if (value == null || (value.isEmpty() && m.group(2) != null)) {
          value = m.group(2) == null ? "" : m.group(2);
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      out.put(e.getKey(), sb.toString());
    }
    return out;
  }

  /**
   * The values the server's {@code env} takes from the host (4 characters or longer): they may be
   * secrets, so messages and logs never show them.
   */
  public static Set<String> hostValues(McpServer server, Map<String, String> host) {
    Set<String> values = new TreeSet<>();
    for (String name : referencedNames(server)) {
      String v = host.get(name);
      if (v != null && v.length() >= 4) {
        values.add(v);
      }
    }
    return values;
  }

  /** The text with every one of {@code values} replaced by {@code ***}. */
  public static String redact(String text, Set<String> values) {
    String out = text;
    for (String v : values) {
      out = out.replace(v, "***");
    }
    return out;
  }

  /** The base environment: {@code PATH} and {@code HOME} only. */
  public static Map<String, String> base(String path, String home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", path);
    env.put("HOME", home);
    return env;
  }
}
