package dev.localexec.tasks.testing;

import java.util.List;
import java.util.Map;

/** Writes JSON-like values in the ledger's spacing ({@code ", "} and {@code ": "}); tests only. */
final class MiniJson {
  private MiniJson() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.append(sep);
        append(out, String.valueOf(e.getKey()));
        out.append(": ");
        append(out, e.getValue());
        sep = ", ";
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      String sep = "";
      for (Object item : list) {
        out.append(sep);
        append(out, item);
        sep = ", ";
      }
      out.append(']');
    } else if (value instanceof String s) {
      out.append('"');
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    } else {
      out.append(value); // numbers, booleans, null
    }
  }
}
