package dev.localexec.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed command-line arguments: flags (with or without values) and positionals. */
final class Args {
  final Map<String, String> flags = new LinkedHashMap<>();
  final List<String> positionals = new ArrayList<>();

  /**
   * Parses {@code argv}.
   *
   * @param valued flags that take a value ({@code --repo-root DIR} or {@code --repo-root=DIR})
   * @param switches flags without a value
   */
  static Args parse(List<String> argv, Set<String> valued, Set<String> switches) {
    Args a = new Args();
    Deque<String> q = new ArrayDeque<>(argv);
    while (!q.isEmpty()) {
      String s = q.removeFirst();
      if (s.startsWith("--")) {
        String name = s;
        String value = null;
        int eq = s.indexOf('=');
        if (eq > 0) {
          name = s.substring(0, eq);
          value = s.substring(eq + 1);
        }
        if (valued.contains(name)) {
          if (value == null) {
            if (q.isEmpty()) {
              throw new UsageException(name + " needs a value");
            }
            value = q.removeFirst();
          }
          a.flags.put(name, value);
        } else if (switches.contains(name) && value == null) {
          a.flags.put(name, "true");
        } else {
          throw new UsageException("unknown option " + s + "; see `local-exec --help`");
        }
      } else {
        a.positionals.add(s);
      }
    }
    return a;
  }

  boolean has(String flag) {
    return flags.containsKey(flag);
  }

  String get(String flag) {
    return flags.get(flag);
  }

  long longFlag(String flag, long dflt, long min, long max) {
    String v = flags.get(flag);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new UsageException(flag + " must be in " + min + ".." + max + ", got " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be an integer, got '" + v + "'");
    }
  }

  int intFlag(String flag, int dflt, int min, int max) {
    return (int) longFlag(flag, dflt, min, max);
  }
}
