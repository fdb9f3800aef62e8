package dev.localexec.core.internal.integrity;

import java.util.Locale;
import java.util.Set;

/**
 * Which environment variable names hold secrets, and which belong to the plane itself.
 *
 * <p>A name is split into words at every character that is not a letter or digit and compared in
 * upper case. It {@linkplain #looksSecret looks like a secret's} when it contains {@code PASSWORD},
 * {@code PASSWD}, {@code PASSPHRASE} or {@code SECRET} anywhere; or one of its words is or ends in
 * {@code KEY} or {@code TOKEN} ({@code AWS_ACCESS_KEY_ID}, {@code APIKEY}, {@code GITHUB_TOKEN});
 * or one of its words is {@code CREDENTIAL}, {@code CREDENTIALS}, {@code CREDS}, {@code COOKIE},
 * {@code COOKIES} or {@code AUTHORIZATION}; or its last word, after at least one other, is {@code
 * PAT}, {@code AUTH}, {@code PASS} or {@code PWD} ({@code GITLAB_PAT}, {@code SMTP_PASS}, {@code
 * MYSQL_PWD}, but not {@code PWD}, {@code OLDPWD} or {@code SSH_AUTH_SOCK}). Session names ({@code
 * DESKTOP_SESSION}, {@code SESSION_MANAGER}, {@code XDG_SESSION_TYPE}) are not secrets.
 *
 * <p>The {@linkplain #isPlaneOwn plane's own} names are those starting with {@code LOCAL_EXEC_} or
 * {@code OPENCLAW_}, and {@code PGPASSWORD}: the plane reads its configuration and credentials from
 * them, so no job gets one unless the operator names it.
 */
public final class SecretNames {
  private static final Set<String> WORD_SUFFIXES = Set.of("KEY", "TOKEN");
  private static final Set<String> WORDS =
      Set.of("CREDENTIAL", "CREDENTIALS", "CREDS", "COOKIE", "COOKIES", "AUTHORIZATION");
  private static final Set<String> LAST_WORDS = Set.of("PAT", "AUTH", "PASS", "PWD");
  private static final String[] ANYWHERE = {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET"};

  private SecretNames() {}

  /** Whether {@code name} looks like the name of a secret (see the class comment). */
  public static boolean looksSecret(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    String upper = name.toUpperCase(Locale.ROOT);
    for (String s : ANYWHERE) {
      if (upper.contains(s)) {
        return true;
      }
    }
    String[] words = upper.split("[^A-Z0-9]+");
    int count = 0;
    String last = null;
    for (String w : words) {
      if (w.isEmpty()) {
        continue;
      }
      count++;
      last = w;
      if (WORDS.contains(w)) {
        return true;
      }
      for (String suffix : WORD_SUFFIXES) {
        if (w.endsWith(suffix)) {
          return true;
        }
      }
    }
    return count > 1 && LAST_WORDS.contains(last);
  }

  /**
   * Whether {@code name} is one the plane reads itself: {@code LOCAL_EXEC_*}, {@code OPENCLAW_*} or
   * {@code PGPASSWORD} (exact case).
   */
  public static boolean isPlaneOwn(String name) {
    return name != null
        && (name.startsWith("LOCAL_EXEC_")
            || name.startsWith("OPENCLAW_")
            || name.equals("PGPASSWORD"));
  }
}
