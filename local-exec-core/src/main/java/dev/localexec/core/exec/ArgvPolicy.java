package dev.localexec.core.exec;

import dev.localexec.api.ArgvRejectedException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules an argv must pass before anything runs. Immutable and thread-safe.
 *
 * <p>{@link #check} refuses, in this order, with an {@link ArgvRejectedException} whose reason is:
 * {@code empty} (no argv), {@code not_string} (a null element), {@code nul_byte} (an element
 * holding {@code \0}), {@code empty_program} (a blank program), {@code shell_like} (the program
 * holds whitespace or one of {@code ; & | $ ` < > ( ) { } * ? ! ~}, so it looks like a shell line)
 * and {@code shell_program} (the program is a shell, or a command runner such as {@code env} or
 * {@code timeout} with a later element that names a shell, or a program that passes a string of its
 * arguments to a shell ({@code su}, {@code runuser}, {@code script}, {@code watch}), alone or as
 * its first word, as in {@code env -S "sh -c id"}). Shells are refused unless the embedding
 * application uses {@link #allowingShells()}.
 */
public final class ArgvPolicy {

  /** Programs that interpret a command line. */
  static final Set<String> SHELLS =
      Set.of(
          "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "csh", "tcsh", "fish", "busybox",
          "pwsh");

  /**
   * Programs that hand a command string of their arguments to a shell ({@code su -c}, {@code
   * runuser -c}, {@code script -c}, {@code watch CMD}): refused like shells.
   */
  static final Set<String> SHELL_STRING_RUNNERS = Set.of("su", "runuser", "script", "watch");

  /** Programs that run another program given in their arguments. */
  static final Set<String> RUNNERS =
      Set.of(
          "env", "nice", "nohup", "setsid", "timeout", "stdbuf", "xargs", "sudo", "doas", "chroot",
          "unshare", "nsenter", "ionice", "taskset", "chrt", "flock", "script", "watch", "time",
          "command", "exec", "su", "runuser");

  private static final String SHELL_CHARS = ";&|$`<>(){}*?!~";
  private static final ArgvPolicy DEFAULTS = new ArgvPolicy(false);

  private final boolean shellsAllowed;

  private ArgvPolicy(boolean shellsAllowed) {
    this.shellsAllowed = shellsAllowed;
  }

  /** The default policy: shells are refused. */
  public static ArgvPolicy defaults() {
    return DEFAULTS;
  }

  /** A copy of this policy that accepts shells as programs; the other rules still apply. */
  public ArgvPolicy allowingShells() {
    return new ArgvPolicy(true);
  }

  /** Whether shells are accepted as programs. */
  public boolean shellsAllowed() {
    return shellsAllowed;
  }

  /**
   * Checks an argv without running it.
   *
   * @param argv the program and its arguments
   * @throws ArgvRejectedException if it is refused; see the class comment for the reasons
   */
  public void check(List<String> argv) {
    if (argv == null || argv.isEmpty()) {
      throw reject(
          "empty",
          argv,
          "argv is empty; pass the program and its arguments as separate elements,"
              + " e.g. [\"python3\", \"-m\", \"pytest\"]");
    }
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i) == null) {
        throw reject(
            "not_string", argv, "argv element " + i + " is null; every element must be a string");
      }
    }
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).indexOf('\0') >= 0) {
        throw reject(
            "nul_byte",
            argv,
            "argv element " + i + " contains a NUL byte, which no program can receive; remove it");
      }
    }
    String program = argv.get(0);
    if (program.isBlank()) {
      throw reject(
          "empty_program",
          argv,
          "argv[0] is empty; it must name the program to run, e.g. \"python3\"");
    }
    if (looksLikeShellLine(program)) {
      throw reject(
          "shell_like",
          argv,
          "argv[0] looks like a shell command line (it holds whitespace or one of "
              + SHELL_CHARS
              + "), but commands never run through a shell; pass the program and its arguments"
              + " as separate elements, e.g. [\"echo\", \"hello\"]");
    }
    if (!shellsAllowed) {
      String base = basename(program);
      if (SHELLS.contains(base) || SHELL_STRING_RUNNERS.contains(base)) {
        throw reject(
            "shell_program",
            argv,
            "the program '"
                + base
                + "' is a shell or runs its arguments through one; shells are refused by default. Run the program you need"
                + " directly; the embedding application can allow shells with"
                + " ArgvPolicy.defaults().allowingShells()");
      }
      if (RUNNERS.contains(base)) {
        for (int i = 1; i < argv.size(); i++) {
          String arg = basename(firstWord(argv.get(i)));
          if (SHELLS.contains(arg)) {
            throw reject(
                "shell_program",
                argv,
                "'"
                    + base
                    + "' would run the shell '"
                    + arg
                    + "' (argv element "
                    + i
                    + "); shells are refused by default. Run the program you need directly;"
                    + " the embedding application can allow shells with"
                    + " ArgvPolicy.defaults().allowingShells()");
          }
        }
      }
    }
  }

  private static boolean looksLikeShellLine(String program) {
    for (int i = 0; i < program.length(); i++) {
      char c = program.charAt(i);
      if (Character.isWhitespace(c) || SHELL_CHARS.indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** The text up to the first whitespace ({@code env -S "sh -c id"} splits its argument). */
  private static String firstWord(String arg) {
    String trimmed = arg.strip();
    for (int i = 0; i < trimmed.length(); i++) {
      if (Character.isWhitespace(trimmed.charAt(i))) {
        return trimmed.substring(0, i);
      }
    }
    return trimmed;
  }

  /** The last {@code /}- or {@code \}-separated name of a program, lower-cased. */
  static String basename(String program) {
    int cut = Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\'));
    return program.substring(cut + 1).toLowerCase(Locale.ROOT);
  }

  private static ArgvRejectedException reject(String reason, List<String> argv, String what) {
    return new ArgvRejectedException(
        reason, nullsAsText(argv), "argv " + render(argv) + " rejected (" + reason + "): " + what);
  }

  private static List<String> nullsAsText(List<String> argv) {
    if (argv == null) {
      return null;
    }
    return argv.stream().map(a -> a == null ? "null" : a).toList();
  }

  /** The argv as a JSON-like array, with quotes, backslashes and control characters escaped. */
  static String render(List<String> argv) {
    if (argv == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < argv.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      String a = argv.get(i);
      if (a == null) {
        out.append("null");
        continue;
      }
      out.append('"');
      for (int j = 0; j < a.length(); j++) {
        char c = a.charAt(j);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else if (c == '\t') {
          out.append("\\t");
        } else if (c < 0x20 || c == 0x7f) {
          out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }
    return out.append(']').toString();
  }

  @Override
  public String toString() {
    return shellsAllowed ? "ArgvPolicy[shells allowed]" : "ArgvPolicy[shells refused]";
  }
}
