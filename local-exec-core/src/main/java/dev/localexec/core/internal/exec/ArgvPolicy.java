package dev.localexec.core.internal.exec;

import dev.localexec.api.ArgvRejectedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The rules an argv must pass before anything runs. Immutable and thread-safe.
 *
 * <p>{@link #check} refuses, in this order, with an {@link ArgvRejectedException} whose reason is:
 * {@code empty} (no argv), {@code not_string} (a null element), {@code nul_byte} (an element
 * holding {@code \0}), {@code empty_program} (a blank program), {@code shell_like} (the program
 * holds whitespace or one of {@code ; & | $ ` < > ( ) { } * ? ! ~}, so it looks like a shell line)
 * and {@code shell_program}, when the argv would run a shell. Shells are found by name: the
 * built-in list ({@code sh}, {@code bash}, {@code rbash}, {@code dash}, {@code zsh}, {@code ksh},
 * {@code fish}, {@code pwsh}, ...) and the host's {@code /etc/shells}, with packagers' suffixes
 * ({@code ksh93}, {@code bash-static}); {@code busybox} and {@code toybox} in any use; the dynamic
 * loader run as a program ({@code ld-linux*.so*}, {@code ld-musl-*}, {@code /lib*}{@code /ld-*});
 * programs that run a string of their arguments through a shell or start one ({@code su}, {@code
 * runuser}, {@code script}, {@code watch}, {@code parallel}, {@code tmux}, {@code capsh}, {@code
 * sg}, ...); and, recursively, the program a runner runs: {@code env} (and {@code env -S} or {@code
 * --split-string} in any spelling is refused outright), {@code nice}, {@code timeout}, {@code
 * xargs}, {@code sudo} ({@code -s} and {@code -i} too), {@code flock} ({@code -c}), {@code unshare}
 * and {@code chroot} with no program, {@code find -exec}/{@code -execdir}/{@code -ok}/{@code
 * -okdir}, and more; a runner whose options are not parsed here ({@code strace}, {@code
 * systemd-run}, ...) or an option a grammar does not know makes every later argument count as a
 * possible program. {@link #check(List, Path)} also looks at the file each program would run from
 * (a bare name on {@link LocalArgvRunner#SAFE_PATH}, a relative path in the working directory,
 * symlinks followed) and refuses a host shell, loader or runner by real path or by content (a
 * copy), a {@code #!} script whose interpreter line runs a shell ({@code #!/bin/sh}, {@code
 * #!/usr/bin/env bash}), and a file that is neither ELF nor {@code #!}, which the launcher would
 * hand to {@code /bin/sh}. Files are opened only when regular, and read no further than their first
 * 256 bytes, or their whole length when it equals a host shell's (to compare SHA-256).
 *
 * <p>This stops a shell line getting in by accident or through injection. It cannot stop a job
 * determined to run one: interpreters such as {@code python3}, {@code perl}, {@code node} or {@code
 * awk}, and tools that run their own command strings ({@code git} aliases, {@code make}), can do
 * anything a shell can, and a file can change after it is checked. The sandbox is the boundary.
 * Shells are refused unless the embedding application uses {@link #allowingShells()}.
 */
public final class ArgvPolicy {

  private static final String SHELL_CHARS = ";&|$`<>(){}*?!~";
  private static final ArgvPolicy DEFAULTS = new ArgvPolicy(false, HostPrograms.HOST);

  private final boolean shellsAllowed;
  private final HostPrograms host;

  private ArgvPolicy(boolean shellsAllowed, HostPrograms host) {
    this.shellsAllowed = shellsAllowed;
    this.host = host;
  }

  /**
   * A policy that refuses shells and takes the host's shells from {@code shellsFile} instead of
   * {@code /etc/shells} (for tests).
   */
  ArgvPolicy(Path shellsFile) {
    this(false, new HostPrograms(shellsFile));
  }

  /** The default policy: shells are refused. */
  public static ArgvPolicy defaults() {
    return DEFAULTS;
  }

  /** A copy of this policy that accepts shells as programs; the other rules still apply. */
  public ArgvPolicy allowingShells() {
    return new ArgvPolicy(true, host);
  }

  /** Whether shells are accepted as programs. */
  public boolean shellsAllowed() {
    return shellsAllowed;
  }

  /**
   * Checks an argv by its text alone, without running it or reading any file (enough to refuse a
   * document early; {@link #check(List, Path)} also looks at the files that would run).
   *
   * @param argv the program and its arguments
   * @throws ArgvRejectedException if it is refused; see the class comment for the reasons
   */
  public void check(List<String> argv) {
    checkText(argv);
    checkShells(argv, null);
  }

  /**
   * Checks an argv as it would run in {@code cwd}: the rules of {@link #check(List)}, and, unless
   * shells are allowed, the files its programs resolve to. Reads a few bytes of each program file
   * (never a FIFO or device).
   *
   * @param argv the program and its arguments
   * @param cwd the directory it would run in (absolute, already checked to be inside the root)
   * @throws ArgvRejectedException if it is refused; see the class comment for the reasons
   */
  public void check(List<String> argv, Path cwd) {
    Objects.requireNonNull(cwd, "cwd");
    checkText(argv);
    checkShells(argv, cwd.toAbsolutePath());
  }

  private void checkShells(List<String> argv, Path cwd) {
    if (shellsAllowed) {
      return;
    }
    String found = new ShellFinder(host).find(argv, cwd);
    if (found != null) {
      throw reject(
          "shell_program",
          argv,
          found
              + "; shells are refused by default, and so are programs that run one. Run the"
              + " program you need directly, e.g. [\"python3\", \"-m\", \"pytest\"]; the"
              + " embedding application can allow shells with"
              + " ArgvPolicy.defaults().allowingShells() (--allow-shells on the command line)");
    }
  }

  private static void checkText(List<String> argv) {
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
  public static String render(List<String> argv) {
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
