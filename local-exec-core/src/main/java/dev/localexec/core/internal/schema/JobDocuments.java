package dev.localexec.core.internal.schema;

import dev.localexec.core.json.Json;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rules a job document's text must pass before its tree is validated against the schemas: what
 * a tree can no longer show. A document is refused when it is larger than the limit, when an object
 * holds a key twice (a reviewer reads the first, a parser keeps the last: the two would disagree on
 * what runs), or when a number is beyond the range of any integer the plane reads (such as {@code
 * 1e308}, which JSON Schema counts as an integer). Each error starts with its JSON path, as schema
 * errors do. Thread-safe.
 */
final class JobDocuments {

  /** The default limit of a whole job document: 1 MiB of UTF-8. */
  static final long DEFAULT_MAX_DOCUMENT_BYTES = 1L << 20;

  /** The limit of a job's {@code meta}: 16 KiB of canonical JSON. */
  static final int MAX_META_BYTES = 16 * 1024;

  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  private JobDocuments() {}

  /**
   * Every error of the document's text; empty when the text may be parsed and validated. A text
   * that is not JSON at all yields no error here (the parser reports it).
   */
  static List<String> errors(String text, long maxDocumentBytes) {
    List<String> errors = new ArrayList<>();
    long bytes = utf8Length(text);
    if (bytes > maxDocumentBytes) {
      errors.add(
          "$: the document is "
              + bytes
              + " bytes, more than the limit of "
              + maxDocumentBytes
              + " bytes; keep large data in files of the repo and name them in the payload");
      return errors;
    }
    Deque<Frame> stack = new ArrayDeque<>();
    try (JsonParser p = MAPPER.createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          stack.pop();
          continue;
        }
        Frame top = stack.peek();
        String path = "$";
        if (top != null) {
          if (t == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            top.name = name;
            if (!top.names.add(name)) {
              errors.add(
                  child(top.path, name)
                      + ": duplicate key; a key may appear once in an object (a reader sees the"
                      + " first, a parser keeps the last)");
            }
            continue;
          }
          path = top.object ? child(top.path, top.name) : top.path + "[" + top.index++ + "]";
        }
        switch (t) {
          case START_OBJECT -> stack.push(new Frame(true, path));
          case START_ARRAY -> stack.push(new Frame(false, path));
          case VALUE_NUMBER_FLOAT -> {
            String number = p.getString();
            if (outOfRange(number)) {
              errors.add(
                  path
                      + ": the number "
                      + number
                      + " is beyond the range of the integers a job may hold ("
                      + Long.MIN_VALUE
                      + ".."
                      + Long.MAX_VALUE
                      + ")");
            }
          }
          default -> {
            // strings, integers (the schema bounds them), booleans, null
          }
        }
      }
    } catch (JacksonException e) {
      return errors; // not JSON: the parser says where
    }
    return errors;
  }

  /** The error of a {@code meta} object larger than {@link #MAX_META_BYTES}, or {@code null}. */
  static String metaError(Object meta) {
    if (meta == null) {
      return null;
    }
    long bytes = utf8Length(Json.canonical(meta));
    if (bytes <= MAX_META_BYTES) {
      return null;
    }
    return "$.meta: "
        + bytes
        + " bytes of JSON, more than the limit of "
        + MAX_META_BYTES
        + " bytes; meta is for short labels";
  }

  private static boolean outOfRange(String number) {
    BigDecimal d;
    try {
      d = new BigDecimal(number);
    } catch (NumberFormatException e) {
      return true;
    }
    return d.compareTo(LONG_MAX) > 0 || d.compareTo(LONG_MIN) < 0;
  }

  private static String child(String path, String name) {
    return PLAIN_NAME.matcher(name).matches()
        ? path + "." + name
        : path + "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']";
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static final class Frame {
    final boolean object;
    final String path;
    final Set<String> names = new HashSet<>();
    String name;
    int index;

    Frame(boolean object, String path) {
      this.object = object;
      this.path = path;
    }
  }
}
