package dev.localexec.core.internal.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a program that runs another program (a runner: {@code env}, {@code nice}, {@code timeout},
 * ...) reads its command line, as far as finding the program it runs needs: which options take an
 * argument, how many operands come before the program, which options start a shell or change the
 * directory or root the program is found in. The grammars follow the GNU coreutils and util-linux
 * tools, which stop reading options at the first operand ({@code +} in their option strings); an
 * option a grammar does not know makes the whole rest of the argv suspect (see {@link
 * ShellFinder}).
 */
final class RunnerGrammar {

  /** What an option does beyond taking or not taking an argument. */
  enum Effect {
    NONE,
    /** Starts a shell ({@code sudo -s}, {@code doas -s}). */
    SHELL,
    /** Splits its argument into a command line ({@code env -S}). */
    SPLIT,
    /** Changes the directory the program runs in ({@code env -C}, {@code unshare -w}). */
    CHDIR,
    /** Changes the root directory the program is found in ({@code sudo -R}, {@code unshare -R}). */
    ROOT,
    /** Names a string that input replaces in the command, program included ({@code xargs -I}). */
    REPLACE,
    /** Acts on running processes instead of starting a program ({@code taskset -p}). */
    PIDS
  }

  /** How an option takes its argument. */
  enum Arity {
    NONE,
    REQUIRED,
    /** Only attached: {@code -lN} or {@code --max-lines=N}. */
    OPTIONAL
  }

  record Option(Arity arity, Effect effect) {}

  final String name;
  final Map<Character, Option> shorts = new HashMap<>();
  final Map<String, Option> longs = new HashMap<>();

  /** Operands before the program ({@code timeout DURATION}, {@code chroot NEWROOT}). */
  int operands;

  /** Whether the last of {@link #operands} may be left out ({@code chrt [PRIORITY] CMD}). */
  boolean operandOptional;

  /** Whether the first operand is the new root ({@code chroot}). */
  boolean operandIsRoot;

  /**
   * Whether the runner starts a shell when no program is given ({@code unshare}, {@code chroot}).
   */
  boolean shellWithoutProgram;

  /** Whether {@code NAME=VALUE} operands come before the program ({@code env}). */
  boolean assignments;

  /** Whether a lone {@code -} is an option ({@code env -}, the same as {@code -i}). */
  boolean dashIsOption;

  /** Whether {@code -N} and {@code --N} are numeric options ({@code nice -5}). */
  boolean numericOptions;

  /**
   * Prefixes of a program slot that mean "run the next argument with a shell" ({@code flock FILE -c
   * CMD}, {@code --command}).
   */
  Set<String> shellProgramSlots = Set.of();

  private RunnerGrammar(String name) {
    this.name = name;
  }

  private RunnerGrammar shorts(String chars, Arity arity, Effect effect) {
    for (char c : chars.toCharArray()) {
      shorts.put(c, new Option(arity, effect));
    }
    return this;
  }

  private RunnerGrammar flags(String chars) {
    return shorts(chars, Arity.NONE, Effect.NONE);
  }

  private RunnerGrammar args(String chars) {
    return shorts(chars, Arity.REQUIRED, Effect.NONE);
  }

  private RunnerGrammar longs(Arity arity, Effect effect, String... names) {
    for (String n : names) {
      longs.put(n, new Option(arity, effect));
    }
    return this;
  }

  private RunnerGrammar longFlags(String... names) {
    return longs(Arity.NONE, Effect.NONE, names);
  }

  private RunnerGrammar longArgs(String... names) {
    return longs(Arity.REQUIRED, Effect.NONE, names);
  }

  private RunnerGrammar operands(int n) {
    this.operands = n;
    return this;
  }

  /**
   * The long option a spelling means: the exact name, or the one long option it is a prefix of
   * (getopt_long accepts unambiguous prefixes, so {@code --split-s} is {@code --split-string}).
   * Null when none or several match.
   */
  String longOption(String spelled) {
    if (longs.containsKey(spelled)) {
      return spelled;
    }
    List<String> matches = new ArrayList<>();
    for (String n : longs.keySet()) {
      if (n.startsWith(spelled)) {
        matches.add(n);
      }
    }
    return matches.size() == 1 ? matches.get(0) : null;
  }

  /** The grammars of the runners this policy parses, by name. */
  static final Map<String, RunnerGrammar> PARSED = parsed();

  /**
   * Runners whose command lines are too varied to parse here: any later argument that names a shell
   * makes the argv refused.
   */
  static final Set<String> UNPARSED =
      Set.of(
          "strace",
          "ltrace",
          "systemd-run",
          "valgrind",
          "perf",
          "bwrap",
          "firejail",
          "proot",
          "fakechroot",
          "eatmydata",
          "faketime",
          "numactl",
          "cpulimit",
          "cgexec",
          "ssh-agent",
          "dbus-launch",
          "dbus-run-session",
          "xvfb-run",
          "tini",
          "dumb-init",
          "chpst",
          "setuidgid",
          "softlimit",
          "envdir",
          "runcon",
          "torsocks",
          "proxychains",
          "proxychains4",
          "catchsegv",
          "nocache",
          "systemd-nspawn",
          "unbuffer",
          "rlwrap",
          "gosu",
          "su-exec",
          "chronic",
          "ifne",
          "sshpass",
          "ip",
          "start-stop-daemon",
          "daemonize",
          "daemon");

  private static Map<String, RunnerGrammar> parsed() {
    Map<String, RunnerGrammar> m = new HashMap<>();
    RunnerGrammar env =
        new RunnerGrammar("env")
            .flags("iv0")
            .args("u")
            .shorts("C", Arity.REQUIRED, Effect.CHDIR)
            .shorts("S", Arity.REQUIRED, Effect.SPLIT)
            .longFlags(
                "ignore-environment", "null", "list-signal-handling", "debug", "help", "version")
            .longArgs("unset")
            .longs(Arity.REQUIRED, Effect.CHDIR, "chdir")
            .longs(Arity.REQUIRED, Effect.SPLIT, "split-string")
            .longs(Arity.OPTIONAL, Effect.NONE, "block-signal", "default-signal", "ignore-signal");
    env.assignments = true;
    env.dashIsOption = true;
    RunnerGrammar nice =
        new RunnerGrammar("nice").args("n").longArgs("adjustment").longFlags("help", "version");
    nice.numericOptions = true;
    RunnerGrammar chroot =
        new RunnerGrammar("chroot")
            .longArgs("groups", "userspec")
            .longFlags("skip-chdir", "help", "version")
            .operands(1);
    chroot.operandIsRoot = true;
    chroot.shellWithoutProgram = true;
    RunnerGrammar unshare =
        new RunnerGrammar("unshare")
            .flags("frchV")
            .shorts("muinpUCT", Arity.OPTIONAL, Effect.NONE)
            .args("SGl")
            .shorts("R", Arity.REQUIRED, Effect.ROOT)
            .shorts("w", Arity.REQUIRED, Effect.CHDIR)
            .longs(
                Arity.OPTIONAL,
                Effect.NONE,
                "mount",
                "uts",
                "ipc",
                "net",
                "pid",
                "user",
                "cgroup",
                "time",
                "kill-child",
                "mount-proc",
                "mount-binfmt")
            .longArgs(
                "map-user",
                "map-group",
                "map-users",
                "map-groups",
                "propagation",
                "setgroups",
                "setuid",
                "setgid",
                "monotonic",
                "boottime",
                "load-interp")
            .longs(Arity.REQUIRED, Effect.ROOT, "root")
            .longs(Arity.REQUIRED, Effect.CHDIR, "wd")
            .longFlags(
                "fork",
                "map-root-user",
                "map-current-user",
                "map-auto",
                "keep-caps",
                "help",
                "version");
    unshare.shellWithoutProgram = true;
    RunnerGrammar nsenter =
        new RunnerGrammar("nsenter")
            .flags("aFZhV")
            .args("tSGW")
            .shorts("muinpCUT", Arity.OPTIONAL, Effect.NONE)
            .shorts("r", Arity.OPTIONAL, Effect.ROOT)
            .shorts("w", Arity.OPTIONAL, Effect.CHDIR)
            .longArgs("target", "setuid", "setgid", "wdns")
            .longs(
                Arity.OPTIONAL,
                Effect.NONE,
                "mount",
                "uts",
                "ipc",
                "net",
                "pid",
                "cgroup",
                "user",
                "time")
            .longs(Arity.OPTIONAL, Effect.ROOT, "root")
            .longs(Arity.OPTIONAL, Effect.CHDIR, "wd")
            .longFlags(
                "all", "preserve-credentials", "no-fork", "follow-context", "help", "version");
    nsenter.shellWithoutProgram = true;
    RunnerGrammar sudo =
        new RunnerGrammar("sudo")
            .flags("ABbEeHKklNnPSVv")
            .shorts("si", Arity.NONE, Effect.SHELL)
            .args("aCcgpRrTtUu")
            .shorts("D", Arity.REQUIRED, Effect.CHDIR)
            .shorts("R", Arity.REQUIRED, Effect.ROOT)
            .shorts("h", Arity.OPTIONAL, Effect.NONE)
            .longArgs(
                "auth-type",
                "close-from",
                "login-class",
                "group",
                "host",
                "prompt",
                "role",
                "type",
                "command-timeout",
                "other-user",
                "user")
            .longs(Arity.REQUIRED, Effect.CHDIR, "chdir")
            .longs(Arity.REQUIRED, Effect.ROOT, "chroot")
            .longs(Arity.OPTIONAL, Effect.NONE, "preserve-env")
            .longs(Arity.NONE, Effect.SHELL, "shell", "login")
            .longFlags(
                "askpass",
                "background",
                "bell",
                "edit",
                "set-home",
                "help",
                "remove-timestamp",
                "reset-timestamp",
                "list",
                "non-interactive",
                "preserve-groups",
                "stdin",
                "version",
                "validate");
    RunnerGrammar flock =
        new RunnerGrammar("flock")
            .flags("sexunoFhV")
            .args("wE")
            .longArgs("wait", "timeout", "conflict-exit-code")
            .longFlags(
                "shared",
                "exclusive",
                "unlock",
                "nonblock",
                "nb",
                "close",
                "no-fork",
                "verbose",
                "help",
                "version")
            .operands(1);
    flock.shellProgramSlots = Set.of("-c", "--c");
    RunnerGrammar chrt =
        new RunnerGrammar("chrt")
            .flags("abdfiorRmvhV")
            .shorts("p", Arity.NONE, Effect.PIDS)
            .args("TPD")
            .longArgs("sched-runtime", "sched-period", "sched-deadline")
            .longs(Arity.NONE, Effect.PIDS, "pid")
            .longFlags(
                "all-tasks",
                "batch",
                "deadline",
                "fifo",
                "idle",
                "other",
                "rr",
                "reset-on-fork",
                "max",
                "verbose",
                "help",
                "version")
            .operands(1);
    chrt.operandOptional = true;
    RunnerGrammar xargs =
        new RunnerGrammar("xargs")
            .flags("0oprtx")
            .args("aELnsPd")
            .shorts("el", Arity.OPTIONAL, Effect.NONE)
            .shorts("I", Arity.REQUIRED, Effect.REPLACE)
            .shorts("i", Arity.OPTIONAL, Effect.REPLACE)
            .longArgs(
                "arg-file",
                "delimiter",
                "max-args",
                "max-procs",
                "max-chars",
                "max-lines",
                "process-slot-var")
            .longs(Arity.OPTIONAL, Effect.NONE, "eof")
            .longs(Arity.OPTIONAL, Effect.REPLACE, "replace")
            .longFlags(
                "null",
                "open-tty",
                "interactive",
                "no-run-if-empty",
                "show-limits",
                "verbose",
                "exit",
                "help",
                "version");
    RunnerGrammar fakeroot =
        new RunnerGrammar("fakeroot")
            .flags("uhv")
            .args("lfsib")
            .longArgs("lib", "faked")
            .longFlags("unknown-is-real", "help", "version");
    fakeroot.shellWithoutProgram = true;
    RunnerGrammar pkexec =
        new RunnerGrammar("pkexec")
            .longArgs("user")
            .longFlags("disable-internal-agent", "keep-cwd", "help", "version");
    pkexec.shellWithoutProgram = true;
    for (RunnerGrammar g :
        List.of(
            env,
            nice,
            chroot,
            unshare,
            nsenter,
            sudo,
            flock,
            chrt,
            xargs,
            fakeroot,
            pkexec,
            new RunnerGrammar("nohup").longFlags("help", "version"),
            new RunnerGrammar("setsid")
                .flags("cfwhV")
                .longFlags("ctty", "fork", "wait", "help", "version"),
            new RunnerGrammar("timeout")
                .flags("fpv")
                .args("ks")
                .longArgs("kill-after", "signal")
                .longFlags("foreground", "preserve-status", "verbose", "help", "version")
                .operands(1),
            new RunnerGrammar("stdbuf")
                .args("ioe")
                .longArgs("input", "output", "error")
                .longFlags("help", "version"),
            new RunnerGrammar("doas").flags("Ln").shorts("s", Arity.NONE, Effect.SHELL).args("aCu"),
            new RunnerGrammar("ionice")
                .flags("thV")
                .args("cn")
                .shorts("pPu", Arity.REQUIRED, Effect.PIDS)
                .longArgs("class", "classdata")
                .longs(Arity.REQUIRED, Effect.PIDS, "pid", "pgid", "uid")
                .longFlags("ignore", "help", "version"),
            new RunnerGrammar("taskset")
                .flags("achV")
                .shorts("p", Arity.NONE, Effect.PIDS)
                .longs(Arity.NONE, Effect.PIDS, "pid")
                .longFlags("all-tasks", "cpu-list", "help", "version")
                .operands(1),
            new RunnerGrammar("time")
                .flags("apqvV")
                .args("fo")
                .longArgs("format", "output")
                .longFlags("append", "portability", "quiet", "verbose", "help", "version"),
            new RunnerGrammar("command").flags("pvV"),
            new RunnerGrammar("exec").flags("cl").args("a"),
            new RunnerGrammar("setpriv")
                .flags("dhV")
                .longArgs(
                    "ambient-caps",
                    "inh-caps",
                    "bounding-set",
                    "ruid",
                    "euid",
                    "rgid",
                    "egid",
                    "reuid",
                    "regid",
                    "groups",
                    "securebits",
                    "pdeathsig",
                    "selinux-label",
                    "apparmor-profile",
                    "landlock-access",
                    "landlock-rule",
                    "seccomp-filter")
                .longFlags(
                    "dump",
                    "nnp",
                    "no-new-privs",
                    "clear-groups",
                    "keep-groups",
                    "init-groups",
                    "reset-env",
                    "help",
                    "version"),
            new RunnerGrammar("prlimit")
                .flags("hV")
                .args("o")
                .shorts("p", Arity.REQUIRED, Effect.PIDS)
                .shorts("cdefilmnqrstuvxy", Arity.OPTIONAL, Effect.NONE)
                .longArgs("output")
                .longs(Arity.REQUIRED, Effect.PIDS, "pid")
                .longs(
                    Arity.OPTIONAL,
                    Effect.NONE,
                    "core",
                    "data",
                    "nice",
                    "fsize",
                    "sigpending",
                    "memlock",
                    "rss",
                    "nofile",
                    "msgqueue",
                    "rtprio",
                    "stack",
                    "cpu",
                    "nproc",
                    "as",
                    "locks",
                    "rttime")
                .longFlags("noheadings", "raw", "verbose", "help", "version"))) {
      m.put(g.name, g);
    }
    return Map.copyOf(m);
  }
}
