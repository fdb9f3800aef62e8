package dev.localexec.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, immutable copies of JSON-like trees made of {@link Map} (insertion order kept), {@link
 * List}, {@link String}, {@link Number}, {@link Boolean} and {@code null}.
 */
public final class JsonValues {
  private JsonValues() {}

  /**
   * Copies a JSON object into an unmodifiable map that keeps the key order.
   *
   * @throws IllegalArgumentException if a key is not a string or a value is not JSON-like
   */
  public static Map<String, Object> copyObject(Map<?, ?> map) {
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new IllegalArgumentException("JSON object key must be a string, got " + e.getKey());
      }
      copy.put(key, copy(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  /** Copies any JSON-like value; see the class comment for what is accepted. */
  public static Object copy(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Double
        || value instanceof BigDecimal
        || value instanceof BigInteger) {
      return value;
    }
    if (value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof Map<?, ?> m) {
      return copyObject(m);
    }
    if (value instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      for (Object o : l) {
        copy.add(copy(o));
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException(
        "not a JSON value: "
            + value.getClass().getName()
            + " (use Map, List, String, Number,"
            + " Boolean or null)");
  }

  /**
   * Writes a JSON-like value as compact JSON text (no spaces, keys in map order, non-ASCII kept,
   * control characters escaped). Non-finite doubles are refused.
   *
   * @throws IllegalArgumentException if the value is not JSON-like
   */
  public static String toJson(Object value) {
    StringBuilder out = new StringBuilder();
    write(copy(value), out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      quote(s, out);
    } else if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new IllegalArgumentException("JSON has no " + d);
      }
      out.append(d);
    } else if (value instanceof BigDecimal b) {
      out.append(b.toString());
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote((String) e.getKey(), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else {
      out.append('[');
      boolean first = true;
      for (Object o : (List<?>) value) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(o, out);
      }
      out.append(']');
    }
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
