package dev.localexec.core.json;

import dev.localexec.core.internal.json.JsonTrees;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes and reads JSON-like trees ({@link Map}, {@link List}, {@link String}, {@link Number},
 * {@link Boolean}, {@code null}).
 *
 * <p>{@link #line} writes the spacing of the original tool's files, so that a line written here is
 * byte-for-byte the shape the original wrote: {@code {"a": 1, "b": [1, 2]}}, every non-ASCII
 * character escaped as {@code \}{@code uXXXX}. {@link #canonical} writes sorted keys without
 * spaces, the form hashes are taken of. Thread-safe.
 */
public final class Json {
  private Json() {}

  /** The value in the ledger's spacing, on one line, without a line break. */
  public static String line(Object value) {
    StringBuilder sb = new StringBuilder(128);
    write(sb, value, false);
    return sb.toString();
  }

  /** The value with sorted keys and no spaces (the canonical form for hashes). */
  public static String canonical(Object value) {
    StringBuilder sb = new StringBuilder(128);
    write(sb, value, true);
    return sb.toString();
  }

  /** The first 16 hex characters of the SHA-256 of {@link #canonical(Object)}. */
  public static String hash16(Object value) {
    return sha256Hex(canonical(value)).substring(0, 16);
  }

  /** The lower-case hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256Hex(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Parses JSON text into a plain tree: objects as insertion-ordered maps, arrays as lists,
   * integers as {@link Integer}, {@link Long} or {@link BigInteger} (the smallest that fits), other
   * numbers as {@link Double}.
   *
   * @throws JsonParseException if the text is not one JSON value
   */
  public static Object parse(String text) {
    return JsonTrees.toJava(JsonTrees.parseTree(text));
  }

  private static void write(StringBuilder sb, Object v, boolean canonical) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      writeString(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger) {
      sb.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      sb.append(pythonFloat(((Number) v).doubleValue()));
    } else if (v instanceof BigDecimal d) {
      sb.append(d.toString());
    } else if (v instanceof Map<?, ?> m) {
      writeObject(sb, m, canonical);
    } else if (v instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) {
          sb.append(canonical ? "," : ", ");
        }
        first = false;
        write(sb, o, canonical);
      }
      sb.append(']');
    } else if (v instanceof Object[] arr) {
      write(sb, List.of(arr), canonical);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  private static void writeObject(StringBuilder sb, Map<?, ?> m, boolean canonical) {
    Map<?, ?> entries = m;
    if (canonical) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      m.forEach((k, val) -> sorted.put(String.valueOf(k), val));
      entries = sorted;
    }
    sb.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      if (!first) {
        sb.append(canonical ? "," : ", ");
      }
      first = false;
      writeString(sb, String.valueOf(e.getKey()));
      sb.append(canonical ? ":" : ": ");
      write(sb, e.getValue(), canonical);
    }
    sb.append('}');
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Formats a double as Python's {@code repr} does: the shortest digits that read back as the same
   * double (the closest such digits when several qualify), positional for exponents -4..15 and
   * {@code 1.5e+16} style otherwise. Does not rely on {@link Double#toString}, which on Java 17
   * sometimes prints one digit more than needed.
   */
  static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal bd = shortest(d).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    if (exp >= -4 && exp < 16) {
      String plain = bd.toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (d < 0 ? "-" : "")
        + mantissa
        + "e"
        + (exp < 0 ? "-" : "+")
        + String.format(Locale.ROOT, "%02d", Math.abs(exp));
  }

  /** The decimal with the fewest significant digits that parses back to {@code d}. */
  private static BigDecimal shortest(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int p = 1; p < 17; p++) {
      BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      BigDecimal best = null;
      for (BigDecimal c :
          List.of(nearest, nearest.subtract(nearest.ulp()), nearest.add(nearest.ulp()))) {
        if (c.doubleValue() == d
            && (best == null
                || c.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
          best = c;
        }
      }
      if (best != null) {
        return best;
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
  }
}
