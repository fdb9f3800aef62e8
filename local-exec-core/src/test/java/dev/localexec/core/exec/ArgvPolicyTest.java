package dev.localexec.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.ArgvRejectedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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
  @ValueSource(strings = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "csh", "tcsh", "fish"})
  void check_everyShell_refusedByDefault(String shell) {
    ArgvRejectedException e =
        catchThrowableOfType(
            ArgvRejectedException.class, () -> DEFAULTS.check(List.of("/bin/" + shell, "-c", "x")));

    assertThat(e.reason()).isEqualTo("shell_program");
  }
}
