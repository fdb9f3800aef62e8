package dev.localexec.core.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds a shell in an argv: the program itself, or the program a runner ({@code env}, {@code nice},
 * {@code find -exec}, ...) runs, recursively. With a working directory it also looks at the file
 * each program resolves to, as the launcher would find it ({@link LocalArgvRunner#SAFE_PATH} for a
 * bare name, the working directory for a relative path, symlinks followed): a host shell by real
 * path or content, a {@code #!} script whose interpreter is one, or a file the launcher would hand
 * to {@code /bin/sh} because it is neither ELF nor {@code #!}. One instance checks one argv; not
 * thread-safe.
 */
final class ShellFinder {

  static final String FIND = "find";

  /** Most bytes read of a program file: the kernel reads no more of a {@code #!} line. */
  static final int HEAD_BYTES = 256;

  private static final int MAX_DEPTH = 64;
  private static final int MAX_SHEBANGS = 4;
  private static final Set<String> FIND_EXEC = Set.of("-exec", "-execdir", "-ok", "-okdir");
  private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

  /** A shell was found; the message says where and what. */
  static final class Found extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Found(String what) {
      super(what, null, false, false);
    }
  }

  /** A command line being read: the job's argv ({@code origin} null) or a {@code #!} line. */
  private record Line(List<String> args, String origin, int end) {
    String get(int i) {
      return args.get(i);
    }

    String at(int i) {
      return origin == null ? "argv element " + i : "word " + i + " of " + origin;
    }

    String named(int i) {
      return "'" + args.get(i) + "' (" + at(i) + ")";
    }
  }

  /** Where programs are looked up; a null {@code cwd} means names only. */
  private record Where(Path cwd, Path root, int shebangs) {
    Path path(String p) {
      return p.startsWith("/") ? root.resolve(p.substring(1)) : cwd.resolve(p);
    }

    Where chdir(String dir) {
      if (cwd == null || dir == null || dir.isEmpty()) {
        return this;
      }
      try {
        return new Where(path(dir), root, shebangs);
      } catch (InvalidPathException e) {
        return this;
      }
    }

    Where chroot(String dir) {
      if (cwd == null || dir == null || dir.isEmpty()) {
        return this;
      }
      try {
        Path r = path(dir);
        return new Where(r, r, shebangs);
      } catch (InvalidPathException e) {
        return this;
      }
    }
  }

  private final HostPrograms host;
  private final Set<String> scanned = new HashSet<>();

  ShellFinder(HostPrograms host) {
    this.host = host;
  }

  /**
   * What shell {@code argv} would run, or null.
   *
   * @param argv a non-empty argv without nulls
   * @param cwd the working directory it runs in, or null to check names only
   */
  String find(List<String> argv, Path cwd) {
    try {
      program(
          new Line(argv, null, argv.size()),
          0,
          new Where(cwd, cwd == null ? null : Path.of("/"), 0),
          0,
          true);
      return null;
    } catch (Found f) {
      return f.getMessage();
    }
  }

  /**
   * Checks {@code l.get(i)} as a program. Strict for a program that surely runs; lenient for an
   * argument that might be one (after a runner whose options are not parsed), where only what names
   * or is a shell counts.
   */
  private void program(Line l, int i, Where w, int depth, boolean strict) {
    if (depth > MAX_DEPTH) {
      throw new Found(
          "it nests more than " + MAX_DEPTH + " programs that run programs, too many to check");
    }
    String prog = l.get(i);
    String base = ShellNames.basename(prog);
    String name = ShellNames.normalize(base);
    if (ShellNames.isLoader(prog)) {
      throw new Found(l.named(i) + " is " + kind(HostPrograms.LOADER));
    }
    String kind = kind(name);
    if (kind != null) {
      throw new Found(l.named(i) + " is " + kind);
    }
    Set<String> runners = new LinkedHashSet<>();
    addRunner(runners, base);
    addRunner(runners, name);
    if (w.cwd() != null) {
      inspect(l, i, w, depth, strict, runners);
    }
    for (String r : runners) {
      try {
        runner(r, l, i, w, depth);
      } catch (Found f) {
        throw new Found("via " + l.named(i) + ": " + f.getMessage());
      }
    }
  }

  /** What a (normalized) name is, as a phrase, or null when it is none of the refused kinds. */
  private String kind(String name) {
    if (ShellNames.SHELLS.contains(name) || host.shellNames().contains(name)) {
      return "the shell '" + name + "'";
    }
    if (ShellNames.MULTI_CALL.contains(name)) {
      return "the multi-call binary '" + name + "', whose applets include a shell";
    }
    if (ShellNames.SHELL_STRING_RUNNERS.contains(name)) {
      return "'" + name + "', which runs its arguments through a shell or starts one";
    }
    if (HostPrograms.LOADER.equals(name)) {
      return "the dynamic loader, which runs whatever program its arguments name";
    }
    return null;
  }

  private static void addRunner(Set<String> runners, String name) {
    if (RunnerGrammar.PARSED.containsKey(name)
        || RunnerGrammar.UNPARSED.contains(name)
        || FIND.equals(name)) {
      runners.add(name);
    }
  }

  /** Looks at the file {@code l.get(i)} resolves to; adds the runners it is a copy or link of. */
  private void inspect(Line l, int i, Where w, int depth, boolean strict, Set<String> runners) {
    String prog = l.get(i);
    Path p;
    try {
      p = resolve(prog, w, l.origin() != null && i == 0);
    } catch (InvalidPathException e) {
      return;
    }
    if (p == null) {
      return;
    }
    Path abs = p.toAbsolutePath().normalize();
    if (strict && (abs.startsWith("/proc") || abs.startsWith("/dev"))) {
      throw new Found(
          l.named(i) + " is under /proc or /dev, where the file that would run cannot be checked");
    }
    Path real;
    BasicFileAttributes a;
    try {
      real = p.toRealPath();
      a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return; // missing or a dangling link: nothing can run from it
    }
    if (!a.isRegularFile()) {
      return; // a directory, FIFO or device cannot be run; never opened
    }
    String subject = l.named(i) + " resolves to " + real + ", which";
    Set<String> names = new LinkedHashSet<>(host.namesOf(real));
    names.add(ShellNames.normalize(ShellNames.basename(real.toString())));
    if (ShellNames.isLoader(real.toString())) {
      names.add(HostPrograms.LOADER);
    }
    for (String n : names) {
      String kind = kind(n);
      if (kind != null) {
        throw new Found(subject + " is " + kind);
      }
      addRunner(runners, n);
    }
    byte[] head;
    try {
      for (Map.Entry<Path, Set<String>> same : host.sameContent(real, a.size()).entrySet()) {
        for (String n : same.getValue()) {
          String kind = kind(n);
          if (kind != null) {
            throw new Found(subject + " has the same content as " + same.getKey() + ", " + kind);
          }
          addRunner(runners, n);
        }
      }
      head = head(real);
    } catch (IOException e) {
      if (strict) {
        throw new Found(subject + " could not be read to check it (" + e.getMessage() + ")");
      }
      return;
    }
    if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
      shebang(l, i, w, depth, subject, real, head);
    } else if (strict && !startsWith(head, ELF)) {
      throw new Found(
          subject
              + " is neither an ELF program nor a #! script, so the launcher would run it with"
              + " /bin/sh");
    }
  }

  /** Checks the interpreter a {@code #!} line names, as the kernel would run it. */
  private void shebang(Line l, int i, Where w, int depth, String subject, Path real, byte[] head) {
    int end = 2;
    while (end < head.length && head[end] != '\n') {
      end++;
    }
    String line = new String(head, 2, end - 2, StandardCharsets.ISO_8859_1);
    String shown = "#!" + line.stripTrailing();
    String rest = stripBlanks(line, true);
    int cut = 0;
    while (cut < rest.length() && " \t\0".indexOf(rest.charAt(cut)) < 0) {
      cut++;
    }
    String interpreter = rest.substring(0, cut);
    String arg = stripBlanks(stripBlanks(rest.substring(cut), true), false);
    int nul = arg.indexOf('\0');
    if (nul >= 0) {
      arg = arg.substring(0, nul);
    }
    if (interpreter.isEmpty()) {
      throw new Found(
          subject
              + " is a script whose line '"
              + shown
              + "' names no interpreter,"
              + " so the launcher would run it with /bin/sh");
    }
    if (w.shebangs() >= MAX_SHEBANGS) {
      throw new Found(subject + " nests #! interpreters more than " + MAX_SHEBANGS + " deep");
    }
    List<String> words = new ArrayList<>();
    words.add(interpreter);
    if (!arg.isEmpty()) {
      words.add(arg);
    }
    words.add(real.toString());
    try {
      program(
          new Line(words, "that line", words.size()),
          0,
          new Where(w.cwd(), w.root(), w.shebangs() + 1),
          depth + 1,
          true);
    } catch (Found f) {
      throw new Found(subject + " is a script whose line '" + shown + "' runs: " + f.getMessage());
    }
  }

  /** Finds and checks the program a runner runs. */
  private void runner(String name, Line l, int at, Where w, int depth) {
    if (FIND.equals(name)) {
      find(l, at, w, depth);
      return;
    }
    RunnerGrammar g = RunnerGrammar.PARSED.get(name);
    if (g == null) {
      scan(l, at + 1, w, depth, "it takes options this check does not parse");
      return;
    }
    int n = l.end();
    int i = at + 1;
    String replace = null;
    Where c = w;
    while (i < n) {
      String a = l.get(i);
      int optionAt = i;
      if (a.equals("--")) {
        i++;
        break;
      }
      if (a.equals("-")) {
        if (g.dashIsOption) {
          i++;
          continue;
        }
        break;
      }
      if (g.numericOptions && a.matches("--?[-+]?[0-9]+")) {
        i++;
        continue;
      }
      if (!a.startsWith("-")) {
        break;
      }
      if (a.startsWith("--")) {
        String spelled = a.substring(2);
        String value = null;
        int eq = spelled.indexOf('=');
        if (eq >= 0) {
          value = spelled.substring(eq + 1);
          spelled = spelled.substring(0, eq);
        }
        String opt = g.longOption(spelled);
        if (opt == null) {
          scan(l, i + 1, c, depth, unknown(l, optionAt));
          return;
        }
        RunnerGrammar.Option o = g.longs.get(opt);
        if (o.arity() == RunnerGrammar.Arity.REQUIRED && value == null && i + 1 < n) {
          value = l.get(++i);
        }
        c = effect(g, o, l, optionAt, value, c);
        if (o.effect() == RunnerGrammar.Effect.REPLACE) {
          replace = value == null || value.isEmpty() ? "{}" : value;
        } else if (o.effect() == RunnerGrammar.Effect.PIDS) {
          scan(l, i + 1, c, depth, "it acts on running processes named by later arguments");
          return;
        }
        i++;
        continue;
      }
      for (int j = 1; j < a.length(); j++) {
        RunnerGrammar.Option o = g.shorts.get(a.charAt(j));
        if (o == null) {
          scan(l, i + 1, c, depth, unknown(l, optionAt));
          return;
        }
        String value = null;
        boolean last = o.arity() != RunnerGrammar.Arity.NONE;
        if (last && j + 1 < a.length()) {
          value = a.substring(j + 1);
        } else if (o.arity() == RunnerGrammar.Arity.REQUIRED && i + 1 < n) {
          value = l.get(++i);
        }
        c = effect(g, o, l, optionAt, value, c);
        if (o.effect() == RunnerGrammar.Effect.REPLACE) {
          replace = value == null || value.isEmpty() ? "{}" : value;
        } else if (o.effect() == RunnerGrammar.Effect.PIDS) {
          scan(l, i + 1, c, depth, "it acts on running processes named by later arguments");
          return;
        }
        if (last) {
          break;
        }
      }
      i++;
    }
    if (g.assignments) {
      while (i < n && l.get(i).indexOf('=') > 0) {
        i++;
      }
    }
    if (g.operandIsRoot && i < n) {
      c = c.chroot(l.get(i));
    }
    int slot = i + g.operands;
    List<Integer> slots = new ArrayList<>();
    slots.add(slot);
    if (g.operandOptional && slot - 1 >= i) {
      slots.add(slot - 1);
    }
    for (int s : slots) {
      if (s >= n) {
        if (g.shellWithoutProgram && s == slot) {
          throw new Found(
              "'" + g.name + "' starts a shell when no program is given; name the program to run");
        }
        continue;
      }
      String prog = l.get(s);
      for (String shellSlot : g.shellProgramSlots) {
        if (prog.startsWith(shellSlot)) {
          throw new Found(
              l.named(s) + " makes '" + g.name + "' run its next argument through a shell");
        }
      }
      if (replace != null && prog.contains(replace)) {
        throw new Found(
            l.named(s)
                + " holds the replace string '"
                + replace
                + "', so '"
                + g.name
                + "' takes the program it runs from its input, which may name a shell");
      }
      program(l, s, c, depth + 1, true);
    }
  }

  private static String unknown(Line l, int i) {
    return "its option " + l.named(i) + " is not one this check knows";
  }

  /** Applies what an option does to where the program is found; throws for a shell option. */
  private static Where effect(
      RunnerGrammar g, RunnerGrammar.Option o, Line l, int at, String value, Where w) {
    switch (o.effect()) {
      case SHELL:
        throw new Found("its option " + l.named(at) + " makes '" + g.name + "' start a shell");
      case SPLIT:
        throw new Found(
            "its option "
                + l.named(at)
                + " splits a string into a command line, as a shell would; pass each word as"
                + " its own argv element");
      case CHDIR:
        return w.chdir(value);
      case ROOT:
        return w.chroot(value);
      default:
        return w;
    }
  }

  /** {@code find ... -exec PROGRAM ... ;} (and {@code -execdir}, {@code -ok}, {@code -okdir}). */
  private void find(Line l, int at, Where w, int depth) {
    for (int i = at + 1; i < l.end(); i++) {
      String action = l.get(i);
      if (!FIND_EXEC.contains(action) || i + 1 >= l.end()) {
        continue;
      }
      int s = i + 1;
      int end = s;
      while (end < l.end() && !l.get(end).equals(";") && !l.get(end).equals("+")) {
        end++;
      }
      String prog = l.get(s);
      if (prog.contains("{}")) {
        throw new Found(
            l.named(s)
                + " after "
                + action
                + " makes 'find' run the files it finds as programs, which may be shells");
      }
      if (action.endsWith("dir") && prog.contains("/") && !prog.startsWith("/")) {
        throw new Found(
            l.named(s)
                + " after "
                + action
                + " is a relative path found in each folder 'find' visits, which cannot be"
                + " checked; use an absolute path or a program on PATH");
      }
      program(new Line(l.args(), l.origin(), end), s, w, depth + 1, true);
      i = end;
    }
  }

  /**
   * Checks every argument from {@code from} on as a program that might run (leniently), because
   * which one is the program cannot be told.
   */
  private void scan(Line l, int from, Where w, int depth, String why) {
    // The last word of a #! line is the script itself, checked already.
    int end = l.origin() == null ? l.end() : l.end() - 1;
    for (int k = from; k < end; k++) {
      String key = System.identityHashCode(l.args()) + ":" + l.end() + ":" + k + ":" + w;
      if (!scanned.add(key)) {
        continue;
      }
      try {
        program(l, k, w, depth + 1, false);
      } catch (Found f) {
        throw new Found(
            why + ", and a later argument may be the program it runs: " + f.getMessage());
      }
    }
  }

  /** The file a program name or path would run from, or null if there is none. */
  private static Path resolve(String prog, Where w, boolean literal) {
    if (prog.isEmpty()) {
      return null;
    }
    if (prog.contains("/") || literal) {
      Path p = w.path(prog);
      return Files.exists(p) ? p : null;
    }
    for (String dir : LocalArgvRunner.SAFE_PATH.split(":")) {
      Path p = w.root().resolve(dir.substring(1)).resolve(prog);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The first {@link #HEAD_BYTES} bytes of a regular file, opened without following a link. */
  private static byte[] head(Path real) throws IOException {
    try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
      return in.readNBytes(HEAD_BYTES);
    }
  }

  private static boolean startsWith(byte[] head, byte[] magic) {
    if (head.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static String stripBlanks(String s, boolean leading) {
    int from = 0;
    int to = s.length();
    if (leading) {
      while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
        from++;
      }
    } else {
      while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
        to--;
      }
    }
    return s.substring(from, to);
  }
}
