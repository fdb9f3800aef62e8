package dev.localexec.core.internal.exec;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a program's name alone says about it: a shell, a multi-call binary with a shell applet, the
 * dynamic loader, or a program that hands a string of its arguments to a shell. Names are compared
 * after {@link #normalize}, so {@code /bin/KSH93}, {@code bash-static} and {@code zsh-5.9} count.
 */
final class ShellNames {

  /** Programs that interpret a command line (more come from the host's {@code /etc/shells}). */
  static final Set<String> SHELLS =
      Set.of(
          "sh",
          "bash",
          "rbash",
          "dash",
          "zsh",
          "rzsh",
          "ksh",
          "rksh",
          "mksh",
          "lksh",
          "pdksh",
          "oksh",
          "loksh",
          "ash",
          "hush",
          "yash",
          "posh",
          "bosh",
          "bsh",
          "jsh",
          "csh",
          "tcsh",
          "bsd-csh",
          "fish",
          "pwsh",
          "powershell",
          "nu",
          "nushell",
          "elvish",
          "xonsh",
          "ion",
          "oil",
          "osh",
          "ysh",
          "murex",
          "rc",
          "sash",
          "scsh");

  /** Multi-call binaries whose applets include a shell: refused in any use. */
  static final Set<String> MULTI_CALL = Set.of("busybox", "toybox");

  /**
   * Programs that run a string of their arguments through a shell, or start a shell when given no
   * command ({@code su -c}, {@code watch CMD}, {@code parallel CMD ::: ...}, {@code capsh -- -c},
   * {@code tmux new CMD}, {@code sg GROUP CMD}, {@code at}): refused like shells.
   */
  static final Set<String> SHELL_STRING_RUNNERS =
      Set.of(
          "su",
          "runuser",
          "script",
          "watch",
          "parallel",
          "sem",
          "tmux",
          "screen",
          "byobu",
          "sg",
          "newgrp",
          "login",
          "capsh",
          "dtach",
          "abduco",
          "at",
          "batch");

  /** Host entries of {@code /etc/shells} that are not shells. */
  static final Set<String> NOT_SHELLS = Set.of("false", "true", "nologin");

  private static final Pattern LOADER_NAME =
      Pattern.compile(
          "ld(-linux.*|-musl-.*|64)?\\.so(\\..*)?|ld-linux.*|ld-musl-.*|ld-[^/]*\\.so.*");
  private static final Pattern LOADER_PATH = Pattern.compile("/(usr/)?lib[^/]*/(.*/)?ld-[^/]*");
  private static final Pattern VERSION = Pattern.compile("[-._]?[0-9]+([._][0-9]+)*$");

  private ShellNames() {}

  /** The last {@code /}- or {@code \}-separated name of a program, lower-cased. */
  static String basename(String program) {
    int cut = Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\'));
    return program.substring(cut + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * A basename without the decorations packagers add: {@code .exe}, {@code -static} or {@code
   * .static}, and a trailing version ({@code ksh93}, {@code bash5.2}, {@code zsh-5.9}).
   */
  static String normalize(String basename) {
    String n = basename.toLowerCase(Locale.ROOT);
    if (n.endsWith(".exe")) {
      n = n.substring(0, n.length() - 4);
    }
    for (String suffix : new String[] {"-static", ".static", "_static"}) {
      if (n.endsWith(suffix)) {
        n = n.substring(0, n.length() - suffix.length());
      }
    }
    String stripped = VERSION.matcher(n).replaceFirst("");
    return stripped.isEmpty() ? n : stripped;
  }

  /** Whether a program given as written (a name or a path) is the dynamic loader. */
  static boolean isLoader(String program) {
    String base = basename(program);
    return LOADER_NAME.matcher(base).matches() || LOADER_PATH.matcher(program).matches();
  }

  /** The text up to the first whitespace ({@code env -S "sh -c id"} splits its argument). */
  static String firstWord(String arg) {
    String trimmed = arg.strip();
    for (int i = 0; i < trimmed.length(); i++) {
      if (Character.isWhitespace(trimmed.charAt(i))) {
        return trimmed.substring(0, i);
      }
    }
    return trimmed;
  }
}
