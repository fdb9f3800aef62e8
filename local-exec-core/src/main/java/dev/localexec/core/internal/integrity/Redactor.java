package dev.localexec.core.internal.integrity;

import dev.localexec.api.JobValidationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces secret values, and their common encodings, with {@value #MARK} in what is recorded:
 * ledger events, evidence, worker events, summaries, output rows, log messages and the command
 * line's output. It never changes what runs: a job document holding a secret is refused at enqueue
 * ({@link #refuseSecretsIn}), never rewritten.
 *
 * <p>The secrets are the values of the {@linkplain #CONFIGURED configured secrets} ({@value
 * #VLLM_API_KEY_ENV}, {@value #PG_PASSWORD_ENV}), of the names the operator marks secret, and of
 * every variable whose name {@linkplain SecretNames#looksSecret looks like a secret's}. Values
 * shorter than {@value #MIN_LENGTH} characters are ignored: they would blank out ordinary words.
 *
 * <p>Each secret is replaced as written and in these encodings of its UTF-8 bytes: base64 with the
 * standard and the URL-safe alphabet, with and without {@code =} padding, and the part of the
 * encoding that does not depend on the neighbouring bytes when the secret starts at any of the
 * three byte positions of a base64 group (so a secret inside a larger base64 text is caught too);
 * hex in lower and upper case; URL (percent) encoding as {@code URLEncoder} writes it, with {@code
 * %20} for a space, with {@code ~} kept, and with every byte encoded ({@code %73%33...}, both
 * cases). Longer forms are replaced first, so a form that contains another is replaced whole. Other
 * transformations (a reversed copy, any cipher) are not recognised: redaction guards against
 * accidental leaks, the environment allowlist keeps secrets from jobs. Immutable and thread-safe;
 * {@link #toString()} never shows a value.
 */
public final class Redactor {
  /** What a secret is replaced with. */
  public static final String MARK = "[REDACTED]";

  /** The vLLM API key's variable, always a secret. */
  public static final String VLLM_API_KEY_ENV = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";

  /** The PostgreSQL queue's password variable, always a secret. */
  public static final String PG_PASSWORD_ENV = "LOCAL_EXEC_PG_PASSWORD";

  /** The variables whose values are secrets whatever the name rule says. */
  public static final Set<String> CONFIGURED = Set.of(VLLM_API_KEY_ENV, PG_PASSWORD_ENV);

  /** Shorter values are not treated as secrets. */
  public static final int MIN_LENGTH = 8;

  private static final Redactor NONE = new Redactor(0, List.of());

  private final int secretCount;

  /** Every form of every secret, longest first. */
  private final List<String> needles;

  private Redactor(int secretCount, List<String> needles) {
    this.secretCount = secretCount;
    this.needles = needles;
  }

  /** A redactor for the secrets of {@code environment} (see the class comment). */
  public static Redactor fromEnvironment(Map<String, String> environment) {
    return fromEnvironment(environment, Set.of());
  }

  /**
   * A redactor for the secrets of {@code environment}, the values of {@code secretNames} (names the
   * operator marks secret, exact) included.
   */
  public static Redactor fromEnvironment(
      Map<String, String> environment, Collection<String> secretNames) {
    Set<String> values = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = e.getKey();
      if (name != null
          && e.getValue() != null
          && (CONFIGURED.contains(name)
              || secretNames.contains(name)
              || SecretNames.looksSecret(name))) {
        values.add(e.getValue());
      }
    }
    return of(values);
  }

  /**
   * A redactor for exactly these values (those shorter than {@value #MIN_LENGTH} characters are
   * ignored) and their encodings.
   */
  public static Redactor of(Collection<String> values) {
    Set<String> kept = new LinkedHashSet<>();
    Set<String> forms = new LinkedHashSet<>();
    for (String v : values) {
      if (v != null && v.length() >= MIN_LENGTH && kept.add(v)) {
        forms.addAll(SecretForms.of(v));
      }
    }
    if (kept.isEmpty()) {
      return NONE;
    }
    List<String> sorted = new ArrayList<>(forms);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(kept.size(), List.copyOf(sorted));
  }

  /** A redactor that changes nothing. */
  public static Redactor none() {
    return NONE;
  }

  /** How many secret values this redactor replaces. */
  public int size() {
    return secretCount;
  }

  /** Whether {@code text} holds a secret in one of the forms this redactor replaces. */
  public boolean holdsSecret(String text) {
    if (text == null) {
      return false;
    }
    for (String n : needles) {
      if (text.contains(n)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses a job document that holds a secret (in any form this redactor replaces) in a value or a
   * key, so that what is recorded is what runs: a document is never rewritten. The errors name the
   * JSON paths, never the secret nor its variable.
   *
   * @param document the job document
   * @throws JobValidationException listing every path that holds a secret
   */
  public void refuseSecretsIn(Map<String, ?> document) {
    if (needles.isEmpty()) {
      return;
    }
    List<String> errors = new ArrayList<>();
    findSecrets(document, "$", errors);
    if (!errors.isEmpty()) {
      throw new JobValidationException(errors);
    }
  }

  /** The error of a document path that holds a secret. */
  static final String HOLDS_SECRET =
      "holds the value of a secret of the plane's environment (or an encoding of it); secrets"
          + " cannot be written into job documents: list the variable in env_allow and have the"
          + " operator allow it (--allow-env NAME)";

  private void findSecrets(Object value, String path, List<String> errors) {
    if (value instanceof String s) {
      if (holdsSecret(s)) {
        errors.add(path + ": " + HOLDS_SECRET);
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (holdsSecret(key)) {
          errors.add(path + ": a key " + HOLDS_SECRET);
        }
        findSecrets(e.getValue(), path + "." + redact(key), errors);
      }
    } else if (value instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        findSecrets(o, path + "[" + i++ + "]", errors);
      }
    } else if (value instanceof Object[] arr) {
      findSecrets(Arrays.asList(arr), path, errors);
    }
  }

  /** {@code text} with every occurrence of every secret replaced by {@value #MARK}. */
  public String redact(String text) {
    if (text == null || needles.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : needles) {
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
    return "Redactor[" + secretCount + " secret values]";
  }
}
