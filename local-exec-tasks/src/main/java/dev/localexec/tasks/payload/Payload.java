package dev.localexec.tasks.payload;

import dev.localexec.api.TaskFailedException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed, read-only access to a job's payload (a JSON object of {@code Map}, {@code List}, {@code
 * String}, {@code Number}, {@code Boolean} and {@code null}).
 *
 * <p>The payload has been validated against the task's schema before the task runs, so a failure
 * here means the schema and the task disagree; it is still reported cleanly, as a {@link
 * TaskFailedException} with code {@value #INVALID} naming the field. A {@code null} value counts as
 * absent. Immutable and thread-safe as long as the payload map is not changed.
 */
public final class Payload {

  /** The code of every failure this class throws. */
  public static final String INVALID = "payload_invalid";

  private final Map<String, Object> fields;

  private Payload(Map<String, Object> fields) {
    this.fields = fields;
  }

  /** Wraps a payload object (not copied). */
  public static Payload of(Map<String, Object> fields) {
    if (fields == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
    return new Payload(fields);
  }

  /**
   * A required integer field within {@code min..max}.
   *
   * @throws TaskFailedException {@value #INVALID} if absent, not an integer, or out of range
   */
  public int integer(String key, int min, int max) {
    Object value = required(key);
    if (!(value instanceof Number number)) {
      throw invalid(key, "must be an integer", value);
    }
    int result;
    try {
      BigDecimal exact = new BigDecimal(number.toString());
      result = exact.stripTrailingZeros().intValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw invalid(key, "must be an integer in " + min + ".." + max, value);
    }
    if (result < min || result > max) {
      throw invalid(key, "must be in " + min + ".." + max, value);
    }
    return result;
  }

  /**
   * An optional string field.
   *
   * @throws TaskFailedException {@value #INVALID} if present and not a string
   */
  public String string(String key, String fallback) {
    Object value = fields.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s)) {
      throw invalid(key, "must be a string", value);
    }
    return s;
  }

  /**
   * A required array of strings.
   *
   * @throws TaskFailedException {@value #INVALID} if absent, not an array, or holding a non-string
   */
  public List<String> strings(String key) {
    return toStrings(key, required(key));
  }

  /**
   * An optional array of strings.
   *
   * @throws TaskFailedException {@value #INVALID} if present and not an array of strings
   */
  public List<String> strings(String key, List<String> fallback) {
    Object value = fields.get(key);
    return value == null ? fallback : toStrings(key, value);
  }

  /**
   * A required array of arrays of strings, e.g. a list of argv.
   *
   * @throws TaskFailedException {@value #INVALID} if absent or of another shape
   */
  public List<List<String>> stringLists(String key) {
    Object value = required(key);
    if (!(value instanceof List<?> outer)) {
      throw invalid(key, "must be an array of arrays of strings", value);
    }
    List<List<String>> result = new ArrayList<>(outer.size());
    for (int i = 0; i < outer.size(); i++) {
      result.add(toStrings(key + "[" + i + "]", outer.get(i)));
    }
    return List.copyOf(result);
  }

  private Object required(String key) {
    Object value = fields.get(key);
    if (value == null) {
      throw new TaskFailedException(
          INVALID, "payload." + key + " is required; add it to the job's payload");
    }
    return value;
  }

  private static List<String> toStrings(String key, Object value) {
    if (!(value instanceof List<?> list)) {
      throw invalid(key, "must be an array of strings", value);
    }
    List<String> result = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String s)) {
        throw invalid(key + "[" + i + "]", "must be a string", list.get(i));
      }
      result.add(s);
    }
    return List.copyOf(result);
  }

  private static TaskFailedException invalid(String key, String rule, Object value) {
    String type = value == null ? "null" : value.getClass().getSimpleName();
    String shown = String.valueOf(value);
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "...";
    }
    return new TaskFailedException(
        INVALID, "payload." + key + " " + rule + ", got " + type + " " + shown);
  }
}
