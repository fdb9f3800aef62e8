package dev.localexec.core.exec;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.integrity.SecretNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which host environment variables the operator lets jobs have: a job's {@code env_allow} may only
 * name variables this policy allows, and a command that asks for another is refused with {@code
 * env_not_allowed:<NAME>} before anything runs. {@code PATH} is always the fixed {@value
 * LocalArgvRunner#SAFE_PATH} and may always be named.
 *
 * <p>The operator allows exact names ({@code HOME}) and simple patterns ({@code MAVEN_*}: a prefix
 * and a final {@code *}). The {@linkplain #defaults() default} allows {@link #DEFAULT_ALLOWED}
 * only. A name that {@linkplain #isSecret is a secret's} is allowed only when the operator names it
 * exactly, never by a pattern: the names that {@linkplain SecretNames#looksSecret look like a
 * secret's}, the {@linkplain SecretNames#isPlaneOwn plane's own} ({@code LOCAL_EXEC_*}, {@code
 * OPENCLAW_*}, {@code PGPASSWORD}) and the names the operator {@linkplain #markingSecret marks
 * secret} (whose values are also redacted).
 *
 * <p>Immutable and thread-safe.
 */
public final class EnvPolicy {
  /** What every job may have unless the operator says more: locale, time zone and terminal. */
  public static final List<String> DEFAULT_ALLOWED =
      List.of("LANG", "LANGUAGE", "LC_*", "TZ", "TERM", "NO_COLOR");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*");

  private static final EnvPolicy DEFAULTS =
      new EnvPolicy(Set.of(), Set.of(), Set.of()).allowing(DEFAULT_ALLOWED);

  private final Set<String> exact;
  private final Set<String> prefixes;
  private final Set<String> secretNames;

  private EnvPolicy(Set<String> exact, Set<String> prefixes, Set<String> secretNames) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.secretNames = secretNames;
  }

  /** The default: {@link #DEFAULT_ALLOWED}, no names marked secret. */
  public static EnvPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * This policy, also allowing {@code names}: exact names, or {@code PREFIX_*} patterns that cover
   * every name starting with the prefix except secrets' names.
   *
   * @throws IllegalArgumentException for a name that is neither a variable name nor such a pattern,
   *     or {@code PATH} (always the fixed value)
   */
  public EnvPolicy allowing(Collection<String> names) {
    Set<String> e = new LinkedHashSet<>(exact);
    Set<String> p = new LinkedHashSet<>(prefixes);
    for (String n : names) {
      if (n != null && NAME.matcher(n).matches()) {
        if (n.equals("PATH")) {
          throw new IllegalArgumentException(
              "PATH cannot be allowed: every command gets PATH=" + LocalArgvRunner.SAFE_PATH);
        }
        e.add(n);
      } else if (n != null && PREFIX.matcher(n).matches()) {
        p.add(n.substring(0, n.length() - 1));
      } else {
        throw new IllegalArgumentException(
            "cannot allow the environment variable '"
                + n
                + "': give a name (letters, digits, '_', not starting with a digit) or a prefix"
                + " pattern such as MAVEN_*");
      }
    }
    return new EnvPolicy(Set.copyOf(e), Set.copyOf(p), secretNames);
  }

  /**
   * This policy, with {@code names} (exact) also treated as secrets: their values are redacted from
   * everything recorded, and no pattern allows them.
   *
   * @throws IllegalArgumentException for a name that is not a variable name
   */
  public EnvPolicy markingSecret(Collection<String> names) {
    Set<String> s = new LinkedHashSet<>(secretNames);
    for (String n : names) {
      if (n == null || !NAME.matcher(n).matches()) {
        throw new IllegalArgumentException(
            "cannot mark '"
                + n
                + "' secret: give a variable name (letters, digits, '_', not starting with a"
                + " digit)");
      }
      s.add(n);
    }
    return new EnvPolicy(exact, prefixes, Set.copyOf(s));
  }

  /** The names the operator marked secret. */
  public Set<String> secretNames() {
    return secretNames;
  }

  /** The allowed names and patterns, sorted (patterns with their {@code *}). */
  public List<String> allowed() {
    List<String> all = new ArrayList<>(exact);
    for (String p : prefixes) {
      all.add(p + "*");
    }
    all.sort(null);
    return all;
  }

  /**
   * Whether {@code name} is a secret's: it looks like one, is the plane's own or was marked secret.
   */
  public boolean isSecret(String name) {
    return SecretNames.looksSecret(name)
        || SecretNames.isPlaneOwn(name)
        || secretNames.contains(name);
  }

  /** Whether a job may have {@code name}: named exactly, or covered by a pattern and no secret. */
  public boolean allows(String name) {
    if (name == null) {
      return false;
    }
    if (name.equals("PATH") || exact.contains(name)) {
      return true;
    }
    return pattern(name) != null && !isSecret(name);
  }

  /**
   * Refuses the first of {@code names} this policy does not allow.
   *
   * @throws PolicyViolationException {@code env_not_allowed:<NAME>}, saying how the operator can
   *     allow it; never a value
   */
  public void check(List<String> names) {
    for (String name : names) {
      if (!allows(name)) {
        throw new PolicyViolationException("env_not_allowed:" + name, refusal(name));
      }
    }
  }

  private String refusal(String name) {
    String how =
        "; the operator can allow it with --allow-env "
            + name
            + " (LocalExecPlane.Builder.allowEnv in Java), or the job can leave it out of"
            + " env_allow";
    String pattern = pattern(name);
    if (pattern != null) {
      return "env_allow asks for the environment variable "
          + name
          + ", which is a secret's name (or one the plane reads itself), so the operator's pattern "
          + pattern
          + "* does not cover it; it must be allowed by its exact name"
          + how;
    }
    return "env_allow asks for the environment variable "
        + name
        + ", which the operator has not allowed (allowed: "
        + String.join(", ", allowed())
        + ")"
        + how;
  }

  /** The longest allowed prefix {@code name} starts with, or null. */
  private String pattern(String name) {
    String best = null;
    for (String p : prefixes) {
      if (name.startsWith(p) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EnvPolicy other
        && exact.equals(other.exact)
        && prefixes.equals(other.prefixes)
        && secretNames.equals(other.secretNames);
  }

  @Override
  public int hashCode() {
    return exact.hashCode() * 31 * 31 + prefixes.hashCode() * 31 + secretNames.hashCode();
  }

  @Override
  public String toString() {
    return "EnvPolicy[allowed " + allowed() + ", marked secret " + secretNames.size() + "]";
  }
}
