package dev.localexec.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.ArgvRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArgvPolicyTest {

  private static final ArgvPolicy DEFAULTS = ArgvPolicy.defaults();

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(List.of(), "empty"),
        Arguments.of(Arrays.asList("echo", null), "not_string"),
        Arguments.of(Arrays.asList((String) null), "not_string"),
        Arguments.of(List.of("echo", "a\0b"), "nul_byte"),
        Arguments.of(List.of("ec\0ho"), "nul_byte"),
        Arguments.of(List.of(""), "empty_program"),
        Arguments.of(List.of("   ", "x"), "empty_program"),
        Arguments.of(List.of("echo hello"), "shell_like"),
        Arguments.of(List.of("ls;rm"), "shell_like"),
        Arguments.of(List.of("a&&b"), "shell_like"),
        Arguments.of(List.of("a|b"), "shell_like"),
        Arguments.of(List.of("$(id)"), "shell_like"),
        Arguments.of(List.of("`id`"), "shell_like"),
        Arguments.of(List.of("cat<x"), "shell_like"),
        Arguments.of(List.of("echo>x"), "shell_like"),
        Arguments.of(List.of("f()"), "shell_like"),
        Arguments.of(List.of("{a,b}"), "shell_like"),
        Arguments.of(List.of("*.py"), "shell_like"),
        Arguments.of(List.of("a?"), "shell_like"),
        Arguments.of(List.of("!1"), "shell_like"),
        Arguments.of(List.of("~/bin/x"), "shell_like"),
        Arguments.of(List.of("echo\nid"), "shell_like"),
        Arguments.of(List.of("echo\thi"), "shell_like"),
        Arguments.of(List.of("sh", "-c", "exit 3"), "shell_program"),
        Arguments.of(List.of("/bin/bash", "script.sh"), "shell_program"),
        Arguments.of(List.of("/usr/bin/busybox", "sh"), "shell_program"),
        Arguments.of(List.of("pwsh"), "shell_program"),
        Arguments.of(List.of("env", "bash", "-c", "x"), "shell_program"),
        Arguments.of(List.of("env", "A=1", "/bin/sh", "-c", "x"), "shell_program"),
        Arguments.of(List.of("timeout", "5", "zsh"), "shell_program"),
        Arguments.of(List.of("/usr/bin/nohup", "dash", "x.sh"), "shell_program"),
        Arguments.of(List.of("setsid", "fish"), "shell_program"),
        Arguments.of(List.of("sudo", "-u", "x", "ksh"), "shell_program"),
        Arguments.of(List.of("env", "-S", "sh -c id"), "shell_program"),
        Arguments.of(List.of("env", "-S", " /bin/bash\t-c id"), "shell_program"));
  }

  private static final String SP = "shell_program";

  /** The bypasses of the issue, and more of the same kinds: each must be refused. */
  static Stream<List<String>> shells() {
    return Stream.of(
        // Shells by name, with packagers' spellings.
        List.of("rbash", "-c", "id"),
        List.of("/usr/bin/rbash", "-c", "id"),
        List.of("ksh93", "-c", "id"),
        List.of("lksh", "-c", "id"),
        List.of("pdksh"),
        List.of("yash", "-c", "id"),
        List.of("posh", "-c", "id"),
        List.of("xonsh"),
        List.of("nu", "-c", "id"),
        List.of("elvish"),
        List.of("bash-static", "-c", "id"),
        List.of("zsh-5.9", "-c", "id"),
        List.of("/BIN/BASH", "-c", "id"),
        List.of("powershell.exe"),
        List.of("rzsh"),
        // Multi-call binaries in any use.
        List.of("busybox", "ls"),
        List.of("/bin/busybox", "echo", "x"),
        List.of("toybox", "sh", "-c", "id"),
        List.of("env", "toybox", "cat"),
        // The dynamic loader as a program.
        List.of("/lib64/ld-linux-x86-64.so.2", "/bin/sh", "-c", "id"),
        List.of("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/bin/true"),
        List.of("ld-linux-aarch64.so.1", "/bin/sh"),
        List.of("/lib/ld-musl-x86_64.so.1", "/bin/sh"),
        List.of("ld.so", "/bin/sh"),
        List.of("/lib/ld-2.31.so", "/bin/sh"),
        List.of("/usr/lib64/ld-anything", "/bin/sh"),
        List.of("env", "/lib64/ld-linux-x86-64.so.2", "/bin/sh"),
        // env -S / --split-string in every spelling, harmless or not.
        List.of("env", "-Ssh -c 'touch canary'"),
        List.of("env", "-S", "sh -c id"),
        List.of("env", "-S", "python3 -c 1"),
        List.of("env", "--split-string=sh -c id"),
        List.of("env", "--split-string", "sh -c id"),
        List.of("env", "--split-s=sh -c id"),
        List.of("env", "--sp", "sh -c id"),
        List.of("env", "--s=sh"),
        List.of("env", "-iS", "sh -c id"),
        List.of("env", "-iSsh"),
        List.of("env", "-vS", "sh"),
        List.of("env", "-0iv", "-S", "sh"),
        List.of("env", "-u", "X", "-S", "sh"),
        List.of("env", "-uX", "-Ssh"),
        List.of("env", "-", "-S", "sh"),
        List.of("env", "-S"),
        List.of("/usr/bin/env", "--ignore-environment", "--split-string=sh"),
        List.of("nice", "env", "-S", "sh -c id"),
        // flock -c / --command.
        List.of("flock", "f", "-c", "touch canary"),
        List.of("flock", "-n", "f", "--command", "id"),
        List.of("flock", "-w", "5", "-x", "f", "-c", "id"),
        List.of("flock", "--wait=5", "f", "-c", "id"),
        List.of("flock", "f", "sh", "-c", "id"),
        List.of("flock", "-s", "f", "bash"),
        // find -exec and friends.
        List.of("find", ".", "-exec", "sh", "-c", "touch canary", ";"),
        List.of("find", ".", "-execdir", "bash", "-c", "id", ";"),
        List.of("find", ".", "-ok", "/bin/dash", "-c", "id", ";"),
        List.of("find", ".", "-okdir", "zsh", "-c", "id", ";"),
        List.of("find", "-L", ".", "-name", "x", "-exec", "env", "sh", ";"),
        List.of("find", ".", "-exec", "true", ";", "-exec", "sh", "-c", "id", "+"),
        List.of("find", ".", "-name", "sh", "-exec", "{}", "-c", "id", ";"),
        List.of("find", ".", "-exec", "./{}", ";"),
        List.of("find", ".", "-execdir", "./x", ";"),
        List.of("/usr/bin/find", ".", "-exec", "busybox", "ls", ";"),
        List.of("xargs", "find", ".", "-exec", "sh", ";"),
        // Runners, recursively, with their options skipped.
        List.of("env", "nice", "sh"),
        List.of("nice", "-n", "5", "timeout", "3", "env", "A=1", "bash"),
        List.of("nice", "-5", "sh"),
        List.of("nice", "--adjustment=5", "sh"),
        List.of("timeout", "-k", "1", "-s", "KILL", "5", "sh"),
        List.of("timeout", "--signal=KILL", "--kill-after", "1", "5", "dash", "-c", "id"),
        List.of("timeout", "-v", "5s", "/bin/sh"),
        List.of("stdbuf", "-o", "L", "-eL", "sh"),
        List.of("nohup", "--", "sh"),
        List.of("setsid", "-w", "-f", "sh"),
        List.of("env", "-i", "-C", "/tmp", "--", "A=1", "B=2", "sh"),
        List.of("env", "--chdir=/", "--unset=A", "sh"),
        List.of("env", "--", "sh"),
        List.of("xargs", "-0", "-n", "1", "-P", "2", "sh", "-c", "id"),
        List.of("xargs", "-a", "list", "--max-args=1", "bash"),
        List.of("xargs", "-I{}", "{}"),
        List.of("xargs", "-I", "CMD", "CMD", "-c", "id"),
        List.of("xargs", "-i", "{}", "-c", "id"),
        List.of("xargs", "--replace=X", "/usr/bin/X"),
        List.of("xargs", "--replace", "{}"),
        List.of("sudo", "-u", "x", "ksh"),
        List.of("sudo", "-s"),
        List.of("sudo", "-i"),
        List.of("sudo", "-u", "root", "--shell"),
        List.of("sudo", "--login"),
        List.of("sudo", "-Es", "id"),
        List.of("sudo", "-E", "--", "sh"),
        List.of("doas", "-s"),
        List.of("doas", "-u", "root", "sh"),
        List.of("chroot", "/"),
        List.of("chroot", "--userspec=1:1", "/", "sh"),
        List.of("unshare", "-r"),
        List.of("unshare", "-r", "--map-user=0"),
        List.of("unshare", "--mount-proc", "-f", "bash"),
        List.of("unshare", "-n", "-S", "0", "-G", "0"),
        List.of("unshare", "--net=/x", "-w", "/tmp", "sh"),
        List.of("nsenter", "-t", "1", "-m"),
        List.of("nsenter", "--target=1", "--mount", "sh"),
        List.of("setpriv", "--reuid=0", "--clear-groups", "sh"),
        List.of("setpriv", "--reuid", "0", "sh"),
        List.of("prlimit", "--nofile=10", "sh"),
        List.of("prlimit", "-n10", "-t", "sh"),
        List.of("taskset", "1", "sh"),
        List.of("taskset", "-c", "0", "zsh"),
        List.of("chrt", "-o", "0", "sh"),
        List.of("chrt", "--other", "sh"),
        List.of("chrt", "-T", "1", "-b", "0", "sh"),
        List.of("ionice", "-c", "3", "sh"),
        List.of("ionice", "-c3", "-n7", "sh"),
        List.of("ionice", "-p", "1", "sh"),
        List.of("time", "-f", "%e", "sh"),
        List.of("time", "--output=t", "-a", "sh"),
        List.of("command", "-p", "sh"),
        List.of("exec", "-a", "x", "sh"),
        List.of("pkexec"),
        List.of("pkexec", "--user", "root", "sh"),
        List.of("fakeroot"),
        List.of("fakeroot", "--", "sh"),
        // Runners whose options are not parsed: any later argument naming a shell.
        List.of("strace", "-f", "-o", "out", "sh", "-c", "id"),
        List.of("strace", "-e", "trace=execve", "env", "-S", "sh"),
        List.of("systemd-run", "--user", "--wait", "bash"),
        List.of("ltrace", "-o", "x", "dash"),
        List.of("valgrind", "--tool=none", "sh"),
        List.of("bwrap", "--bind", "/", "/", "sh"),
        // An option a grammar does not know: the rest counts.
        List.of("timeout", "--frobnicate", "5", "sh"),
        List.of("env", "-Z", "sh"),
        // Programs that run a string through a shell, or start one.
        List.of("su", "-c", "id"),
        List.of("runuser", "-u", "x", "--", "ls"),
        List.of("script", "-qc", "id", "/dev/null"),
        List.of("watch", "ls"),
        List.of("parallel", "echo", ":::", "a"),
        List.of("tmux", "new", "-d", "id"),
        List.of("screen", "-dm", "id"),
        List.of("capsh", "--", "-c", "id"),
        List.of("sg", "grp", "id"),
        List.of("at", "now"),
        List.of("env", "su", "-c", "id"),
        List.of("nice", "watch", "ls"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shells")
  void check_refusesShells(List<String> argv) {
    ArgvRejectedException e =
        catchThrowableOfType(ArgvRejectedException.class, () -> DEFAULTS.check(argv));

    assertThat(e).as("argv %s must be refused", argv).isNotNull();
    assertThat(e.reason()).isEqualTo(SP);
    assertThat(e.code()).isEqualTo("argv_rejected:" + SP);
    assertThat(e.argv()).isEqualTo(argv);
    assertThatCode(() -> DEFAULTS.allowingShells().check(argv)).doesNotThrowAnyException();
  }

  static Stream<Arguments> messages() {
    String end =
        "; shells are refused by default, and so are programs that run one. Run the program you"
            + " need directly, e.g. [\"python3\", \"-m\", \"pytest\"]; the embedding application"
            + " can allow shells with ArgvPolicy.defaults().allowingShells() (--allow-shells on"
            + " the command line)";
    return Stream.of(
        Arguments.of(
            List.of("rbash", "-c", "id"),
            "argv [\"rbash\", \"-c\", \"id\"] rejected (shell_program): 'rbash' (argv element 0)"
                + " is the shell 'rbash'"
                + end),
        Arguments.of(
            List.of("env", "-Ssh -c x"),
            "argv [\"env\", \"-Ssh -c x\"] rejected (shell_program): via 'env' (argv element 0):"
                + " its option '-Ssh -c x' (argv element 1) splits a string into a command line,"
                + " as a shell would; pass each word as its own argv element"
                + end),
        Arguments.of(
            List.of("flock", "f", "-c", "x"),
            "argv [\"flock\", \"f\", \"-c\", \"x\"] rejected (shell_program): via 'flock' (argv"
                + " element 0): '-c' (argv element 2) makes 'flock' run its next argument through"
                + " a shell"
                + end),
        Arguments.of(
            List.of("/lib64/ld-linux-x86-64.so.2", "/bin/sh"),
            "argv [\"/lib64/ld-linux-x86-64.so.2\", \"/bin/sh\"] rejected (shell_program):"
                + " '/lib64/ld-linux-x86-64.so.2' (argv element 0) is the dynamic loader, which"
                + " runs whatever program its arguments name"
                + end),
        Arguments.of(
            List.of("find", ".", "-exec", "sh", ";"),
            "argv [\"find\", \".\", \"-exec\", \"sh\", \";\"] rejected (shell_program): via"
                + " 'find' (argv element 0): 'sh' (argv element 3) is the shell 'sh'"
                + end),
        Arguments.of(
            List.of("env", "nice", "-n", "1", "bash"),
            "argv [\"env\", \"nice\", \"-n\", \"1\", \"bash\"] rejected (shell_program): via"
                + " 'env' (argv element 0): via 'nice' (argv element 1): 'bash' (argv element 4)"
                + " is the shell 'bash'"
                + end),
        Arguments.of(
            List.of("busybox", "ls"),
            "argv [\"busybox\", \"ls\"] rejected (shell_program): 'busybox' (argv element 0) is"
                + " the multi-call binary 'busybox', whose applets include a shell"
                + end),
        Arguments.of(
            List.of("unshare", "-r"),
            "argv [\"unshare\", \"-r\"] rejected (shell_program): via 'unshare' (argv element"
                + " 0): 'unshare' starts a shell when no program is given; name the program to run"
                + end),
        Arguments.of(
            List.of("strace", "-o", "x", "sh"),
            "argv [\"strace\", \"-o\", \"x\", \"sh\"] rejected (shell_program): via 'strace'"
                + " (argv element 0): it takes options this check does not parse, and a later"
                + " argument may be the program it runs: 'sh' (argv element 3) is the shell 'sh'"
                + end),
        Arguments.of(
            List.of("xargs", "-I{}", "{}"),
            "argv [\"xargs\", \"-I{}\", \"{}\"] rejected (shell_program): via 'xargs' (argv"
                + " element 0): '{}' (argv element 2) holds the replace string '{}', so 'xargs'"
                + " takes the program it runs from its input, which may name a shell"
                + end));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void check_saysWhatWasFoundAndWhatToDo(List<String> argv, String message) {
    ArgvRejectedException e =
        catchThrowableOfType(ArgvRejectedException.class, () -> DEFAULTS.check(argv));

    assertThat(e.getMessage()).isEqualTo(message);
  }

  @Test
  void check_shellsOfTheShellsFile_areShellsByName(@TempDir Path dir) throws IOException {
    Path shells = dir.resolve("shells");
    Files.writeString(shells, "# a comment\n/opt/odd/bin/oddsh\n/usr/bin/false\n\n");
    ArgvPolicy policy = new ArgvPolicy(shells);

    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> policy.check(List.of("oddsh", "-c", "id")));

    assertThat(e.reason()).isEqualTo(SP);
    assertThat(e.getMessage()).contains("'oddsh' (argv element 0) is the shell 'oddsh'");
    assertThatCode(() -> policy.check(List.of("false"))).doesNotThrowAnyException();
    assertThatCode(() -> DEFAULTS.check(List.of("oddsh"))).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("refused")
  void check_refusesWithReason(List<String> argv, String reason) {
    ArgvRejectedException e =
        catchThrowableOfType(ArgvRejectedException.class, () -> DEFAULTS.check(argv));

    assertThat(e).as("argv %s must be refused", argv).isNotNull();
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.code()).isEqualTo("argv_rejected:" + reason);
  }

  @Test
  void check_null_isEmpty() {
    ArgvRejectedException e =
        catchThrowableOfType(ArgvRejectedException.class, () -> DEFAULTS.check(null));

    assertThat(e.code()).isEqualTo("argv_rejected:empty");
    assertThat(e.argv()).isEmpty();
  }

  @Test
  void check_shellLine_saysWhatToDo() {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> DEFAULTS.check(List.of("echo hello")));

    assertThat(e.code()).isEqualTo("argv_rejected:shell_like");
    assertThat(e.argv()).containsExactly("echo hello");
    assertThat(e.getMessage())
        .contains("[\"echo hello\"]")
        .contains("pass the program and its arguments as separate elements");
  }

  @Test
  void check_shell_saysHowToAllow() {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> DEFAULTS.check(List.of("sh", "-c", "exit 3")));

    assertThat(e.code()).isEqualTo("argv_rejected:shell_program");
    assertThat(e.getMessage())
        .contains("[\"sh\", \"-c\", \"exit 3\"]")
        .contains("shells are refused by default")
        .contains("allowingShells()");
  }

  @Test
  void check_nullElement_keptAsTextInException() {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> DEFAULTS.check(Arrays.asList("echo", null)));

    assertThat(e.argv()).containsExactly("echo", "null");
    assertThat(e.getMessage()).contains("element 1 is null");
  }

  @Test
  void check_nul_isEscapedInMessage() {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> DEFAULTS.check(List.of("echo", "a\0b")));

    assertThat(e.getMessage()).contains("\"a\\u0000b\"").doesNotContain("\0");
  }

  @Test
  void allowingShells_acceptsShells() {
    ArgvPolicy shells = DEFAULTS.allowingShells();

    assertThat(shells.shellsAllowed()).isTrue();
    assertThat(DEFAULTS.shellsAllowed()).isFalse();
    assertThatCode(() -> shells.check(List.of("sh", "-c", "exit 3"))).doesNotThrowAnyException();
    assertThatCode(() -> shells.check(List.of("env", "bash", "-c", "x")))
        .doesNotThrowAnyException();
  }

  @Test
  void allowingShells_stillRefusesShellLines() {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class,
            () -> DEFAULTS.allowingShells().check(List.of("sh -c id")));

    assertThat(e.code()).isEqualTo("argv_rejected:shell_like");
  }

  static Stream<List<String>> accepted() {
    List<String> many = new ArrayList<>();
    many.add("printf");
    for (int i = 0; i < 64; i++) {
      many.add("arg " + i + " ; | $x");
    }
    return Stream.of(
        List.of("python3", "-m", "pytest"),
        List.of("git", "status"),
        List.of("env"),
        List.of("env", "-i"),
        List.of("env", "-u", "HOME", "python3", "-V"),
        List.of("env", "-uS", "python3"),
        List.of("env", "-C", "sub", "make"),
        List.of("env", "A=1", "python3", "sh.py"),
        List.of("find", ".", "-name", "x"),
        List.of("find", ".", "-name", "sh"),
        List.of("find", ".", "-exec", "grep", "-l", "x", "{}", "+"),
        List.of("find", ".", "-execdir", "grep", "-l", "sh", "{}", ";"),
        List.of("timeout", "5", "python3", "x.py"),
        List.of("timeout", "5", "python3", "-c", "print('sh')"),
        List.of("timeout", "-s", "KILL", "5", "make", "sh"),
        List.of("nice", "-n", "5", "python3", "x.py", "bash"),
        List.of("nice", "-5", "make"),
        List.of("nice"),
        List.of("xargs", "grep", "sh"),
        List.of("xargs"),
        List.of("xargs", "-I{}", "cp", "{}", "dst"),
        List.of("flock", "f", "python3", "x.py"),
        List.of("flock", "-n", "f", "make", "-C", "sub"),
        List.of("flock", "f", "grep", "-c", "x", "y"),
        List.of("taskset", "-p", "1"),
        List.of("chrt", "-p", "1"),
        List.of("stdbuf", "-oL", "python3", "-u", "x.py"),
        List.of("unshare", "-r", "id"),
        List.of("ld", "-o", "x", "y.o"),
        List.of("ld.gold", "-o", "x", "y.o"),
        List.of("ls", "-la", "/bin/sh"),
        List.of("grep", "-c", "sh", "/etc/shells"),
        List.of("shellcheck", "x.sh"),
        List.of("python3", "-c", "print(\"x\"*5000)"),
        List.of("echo", "hello world; rm -rf / | $(id) `id` > x"),
        List.of("/usr/bin/env"),
        List.of("env", "python3", "-m", "pytest"),
        List.of("timeout", "5", "make", "test"),
        List.of("./gradlew", "test"),
        List.of("git", "commit", "-m", "sh"),
        List.of("bashful"),
        List.of("my-tool_1.2", "--flag=a,b"),
        many);
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void check_accepts(List<String> argv) {
    assertThatCode(() -> DEFAULTS.check(argv)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sh", "bash", "rbash", "dash", "zsh", "ksh", "ksh93", "mksh", "lksh", "pdksh", "ash",
        "yash", "posh", "csh", "tcsh", "fish", "busybox", "toybox", "pwsh", "nu", "elvish", "xonsh"
      })
  void check_everyShell_refusedByDefault(String shell) {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> DEFAULTS.check(List.of("/bin/" + shell, "-c", "x")));

    assertThat(e.reason()).isEqualTo("shell_program");
  }
}
