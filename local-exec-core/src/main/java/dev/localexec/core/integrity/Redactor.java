package dev.localexec.core.integrity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replaces secret values with {@value #MARK} before anything is written: ledger events, evidence,
 * worker events, summaries, output rows and log messages.
 *
 * <p>The secrets are the values of the environment variables whose name looks like a secret ({@link
 * #SECRET_NAME}, case-insensitive, anywhere in the name), plus always {@value #VLLM_API_KEY_ENV};
 * values shorter than {@value #MIN_LENGTH} characters are ignored, as they would blank out ordinary
 * words. Longer secrets are replaced first, so a secret that contains another is replaced whole.
 * Immutable and thread-safe; {@link #toString()} never shows a value.
 */
public final class Redactor {
  /** What a secret is replaced with. */
  public static final String MARK = "[REDACTED]";

  /** Names of environment variables whose values are secrets. */
  public static final Pattern SECRET_NAME =
      Pattern.compile(
          "KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|PRIVATE|COOKIE|SESSION",
          Pattern.CASE_INSENSITIVE);

  /** The vLLM API key's variable, always treated as a secret. */
  public static final String VLLM_API_KEY_ENV = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";

  /** Shorter values are not treated as secrets. */
  public static final int MIN_LENGTH = 6;

  private static final Redactor NONE = new Redactor(List.of());

  private final List<String> secrets;

  private Redactor(List<String> secrets) {
    this.secrets = secrets;
  }

  /** A redactor for the secrets of {@code environment} (see the class comment). */
  public static Redactor fromEnvironment(Map<String, String> environment) {
    Set<String> values = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = e.getKey();
      if (name != null
          && (name.equals(VLLM_API_KEY_ENV) || SECRET_NAME.matcher(name).find())
          && e.getValue() != null) {
        values.add(e.getValue());
      }
    }
    return of(values);
  }

  /**
   * A redactor for exactly these values (those shorter than {@value #MIN_LENGTH} characters are
   * ignored).
   */
  public static Redactor of(Collection<String> values) {
    List<String> kept = new ArrayList<>();
    for (String v : new LinkedHashSet<>(values)) {
      if (v != null && v.length() >= MIN_LENGTH) {
        kept.add(v);
      }
    }
    if (kept.isEmpty()) {
      return NONE;
    }
    kept.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(List.copyOf(kept));
  }

  /** A redactor that changes nothing. */
  public static Redactor none() {
    return NONE;
  }

  /** How many secret values this redactor replaces. */
  public int size() {
    return secrets.size();
  }

  /** {@code text} with every occurrence of every secret replaced by {@value #MARK}. */
  public String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : secrets) {
      if (out.contains(s)) {
        out = out.replace(s, MARK);
      }
    }
    return out;
  }

  /**
   * A copy of a JSON-like tree with every string redacted, object keys included. Maps become
   * insertion-ordered maps, collections and arrays lists; other values are kept.
   */
  public Object redactTree(Object value) {
    if (value instanceof String s) {
      return redact(s);
    }
    if (value instanceof Map<?, ?> m) {
      return redactObject(m);
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      for (Object o : c) {
        out.add(redactTree(o));
      }
      return out;
    }
    if (value instanceof Object[] arr) {
      return redactTree(Arrays.asList(arr));
    }
    return value;
  }

  /** {@link #redactTree} of an object. */
  public Map<String, Object> redactObject(Map<?, ?> object) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : object.entrySet()) {
      out.put(redact(String.valueOf(e.getKey())), redactTree(e.getValue()));
    }
    return out;
  }

  @Override
  public String toString() {
    return "Redactor[" + secrets.size() + " secret values]";
  }
}
