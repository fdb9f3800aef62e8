package dev.localexec.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.localexec.api.ArgvRejectedException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ArgvPolicy#check(List, Path)}: the files programs resolve to. The host's shells come from
 * a shells file in a temporary folder that lists a fake shell (an ELF header and seeded bytes), so
 * copies and links of it can be made; {@code /bin/sh}, which every POSIX host has, stands for a
 * real one.
 */
class ArgvPolicyFilesTest {

  @TempDir Path tmp;
  Path dir;
  Path work;
  Path fakeShell;
  ArgvPolicy policy;

  @BeforeEach
  void files() throws IOException {
    dir = tmp.toRealPath();
    Path host = Files.createDirectories(dir.resolve("host"));
    fakeShell = host.resolve("fakesh");
    Files.write(fakeShell, elf(4096, 7));
    executable(fakeShell);
    Path shells = dir.resolve("shells");
    Files.writeString(shells, "/bin/sh\n" + fakeShell + "\n");
    policy = new ArgvPolicy(shells);
    work = Files.createDirectories(dir.resolve("work"));
    Files.createDirectories(work.resolve("sub"));
  }

  private static byte[] elf(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    b[0] = 0x7f;
    b[1] = 'E';
    b[2] = 'L';
    b[3] = 'F';
    return b;
  }

  private static void executable(Path p) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Path script(String name, String text) throws IOException {
    Path p = work.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    executable(p);
    return p;
  }

  private ArgvRejectedException refused(List<String> argv) {
    ArgvRejectedException e =
        catchThrowableOfType(ArgvRejectedException.class, () -> policy.check(argv, work));
    assertThat(e).as("argv %s must be refused in %s", argv, work).isNotNull();
    assertThat(e.reason()).isEqualTo("shell_program");
    assertThat(e.code()).isEqualTo("argv_rejected:shell_program");
    assertThatCode(() -> policy.allowingShells().check(argv, work)).doesNotThrowAnyException();
    return e;
  }

  private void accepted(List<String> argv) {
    assertThatCode(() -> policy.check(argv, work)).doesNotThrowAnyException();
  }

  @Test
  void copiedShell_isRefusedByContent() throws IOException {
    Files.copy(fakeShell, work.resolve("tool"));
    executable(work.resolve("tool"));

    assertThat(refused(List.of("./tool", "-c", "id")).getMessage())
        .contains(
            "'./tool' (argv element 0) resolves to "
                + work.resolve("tool")
                + ", which has the same content as "
                + fakeShell
                + ", the shell 'fakesh'; shells are refused by default");
    // The name alone says nothing.
    assertThatCode(() -> policy.check(List.of("./tool", "-c", "id"))).doesNotThrowAnyException();
  }

  @Test
  void copyOfTheHostsSh_isRefusedByContent() throws IOException {
    Path sh = Path.of("/bin/sh").toRealPath();
    Files.copy(sh, work.resolve("mysh"));
    executable(work.resolve("mysh"));

    assertThat(refused(List.of("./mysh", "-c", "id")).getMessage())
        .contains("which has the same content as " + sh + ", the shell '");
  }

  @Test
  void symlinkToAShell_isRefusedByRealPath() throws IOException {
    Files.createSymbolicLink(work.resolve("ls"), fakeShell);
    Files.createSymbolicLink(work.resolve("cat"), Path.of("/bin/sh"));

    assertThat(refused(List.of("./ls")).getMessage())
        .contains(
            "'./ls' (argv element 0) resolves to " + fakeShell + ", which is the shell 'fakesh'");
    assertThat(refused(List.of("./cat", "-c", "id")).getMessage())
        .contains("resolves to " + Path.of("/bin/sh").toRealPath() + ", which is the shell '");
  }

  @Test
  void shebangNamingAShell_isRefused() throws IOException {
    Path run = script("run", "#!/bin/sh\necho hi\n");

    assertThat(refused(List.of("./run")).getMessage())
        .contains(
            "'./run' (argv element 0) resolves to "
                + run
                + ", which is a script whose line '#!/bin/sh' runs: '/bin/sh' (word 0 of that"
                + " line) is the shell 'sh'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "#!/bin/sh",
        "#! /bin/bash -e",
        "#!\t/usr/bin/dash",
        "#!/usr/bin/env sh",
        "#!/usr/bin/env bash",
        "#!/usr/bin/env -S bash -e",
        "#!/usr/bin/env -S python3 -u",
        "#!/bin/busybox sh",
        "#!/usr/bin/rbash",
        "#!/lib64/ld-linux-x86-64.so.2 /bin/sh",
        "#!/usr/bin/nice sh",
        "#!./tool",
        "#!sub/tool",
        "#!",
        "#!   ",
        "echo no interpreter line",
        ""
      })
  void scripts_thatRunAShell_areRefused(String firstLine) throws IOException {
    Files.copy(fakeShell, work.resolve("tool"));
    Files.copy(fakeShell, work.resolve("sub/tool"));
    script("run", firstLine.isEmpty() ? "" : firstLine + "\ntouch canary\n");

    refused(List.of("./run"));
  }

  @Test
  void scriptWithoutInterpreterLine_saysTheLauncherWouldUseSh() throws IOException {
    Path run = script("run", "touch canary\n");

    assertThat(refused(List.of("./run")).getMessage())
        .contains(
            "'./run' (argv element 0) resolves to "
                + run
                + ", which is neither an ELF program nor a #! script, so the launcher would run"
                + " it with /bin/sh");
  }

  @Test
  void scriptWhoseInterpreterIsAShellScript_isRefused() throws IOException {
    script("inner", "#!/bin/sh\n");
    script("outer", "#!" + work.resolve("inner") + "\n");

    assertThat(refused(List.of("./outer")).getMessage())
        .contains("is a script whose line '#!" + work.resolve("inner") + "' runs: '")
        .contains("is a script whose line '#!/bin/sh' runs: '/bin/sh' (word 0 of that line)");
  }

  @Test
  void shellFiles_behindRunners_areRefused() throws IOException {
    Files.copy(fakeShell, work.resolve("tool"));
    Files.copy(fakeShell, work.resolve("sub/tool"));
    script("run", "#!/bin/sh\n");
    script("sub/run", "#!/bin/sh\n");
    Files.createDirectories(work.resolve("jail/bin"));
    Files.copy(fakeShell, work.resolve("jail/bin/x"));

    refused(List.of("env", "./run"));
    refused(List.of("env", "-i", "A=1", "./tool", "-c", "id"));
    refused(List.of("timeout", "5", "./tool"));
    refused(List.of("nice", "sub/run"));
    refused(List.of("find", ".", "-exec", "./run", ";"));
    refused(List.of("find", ".", "-exec", work.resolve("tool").toString(), "-c", "id", ";"));
    refused(List.of("xargs", "./tool", "-c"));
    refused(List.of("flock", "f", "./run"));
    refused(List.of("strace", "-o", "out", "./tool", "-c", "id"));
    refused(List.of("env", "-C", "sub", "./tool"));
    refused(List.of("env", "--chdir=sub", "./run"));
    refused(List.of("unshare", "-r", "-R", "jail", "/bin/x"));
    refused(List.of("chroot", "jail", "/bin/x"));
  }

  @Test
  void copyOfARunner_isThatRunner() throws IOException {
    Files.copy(Path.of("/usr/bin/env"), work.resolve("e"));
    executable(work.resolve("e"));
    Files.createSymbolicLink(work.resolve("n"), Path.of("/usr/bin/nice"));

    assertThat(refused(List.of("./e", "sh", "-c", "id")).getMessage())
        .contains("via './e' (argv element 0): 'sh' (argv element 1) is the shell 'sh'");
    refused(List.of("./e", "-S", "python3 -c 1"));
    refused(List.of("./n", "bash"));
    accepted(List.of("./e", "python3", "-V"));
  }

  @Test
  void programsUnderProcOrDev_areRefused() {
    assertThat(refused(List.of("/proc/self/exe", "-c", "id")).getMessage())
        .contains(
            "'/proc/self/exe' (argv element 0) is under /proc or /dev, where the file that would"
                + " run cannot be checked");
    assertThatCode(() -> policy.check(List.of("/proc/self/exe"))).doesNotThrowAnyException();
  }

  @Test
  void legitimateArgvs_pass() throws IOException {
    script("tool.py", "#!/usr/bin/env python3\nprint('sh')\n");
    script("t2", "#!/usr/bin/python3 -u\n");
    Files.write(work.resolve("bin"), elf(4097, 7));
    executable(work.resolve("bin"));

    accepted(List.of("python3", "-m", "pytest"));
    accepted(List.of("git", "status"));
    accepted(List.of("env"));
    accepted(List.of("find", ".", "-name", "x"));
    accepted(List.of("find", ".", "-exec", "grep", "-l", "x", "{}", "+"));
    accepted(List.of("timeout", "5", "python3", "x.py"));
    accepted(List.of("echo", "an argument with spaces; and $(id)"));
    accepted(List.of("./tool.py", "--flag"));
    accepted(List.of("./t2"));
    accepted(List.of("./bin"));
    accepted(List.of("env", "./tool.py"));
    accepted(List.of("./missing"));
    accepted(List.of("./sub"));
  }

  @Test
  void shellScript_passesWhenShellsAreAllowed_andByNameAlone() throws IOException {
    script("gradlew", "#!/bin/sh\n");

    assertThatCode(() -> policy.allowingShells().check(List.of("./gradlew", "test"), work))
        .doesNotThrowAnyException();
    assertThatCode(() -> policy.check(List.of("./gradlew", "test"))).doesNotThrowAnyException();
    assertThat(refused(List.of("./gradlew", "test")).getMessage())
        .contains("is a script whose line '#!/bin/sh' runs");
  }

  @Test
  void fifo_isNeverOpened() throws Exception {
    Path fifo = work.resolve("pipe");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> accepted(List.of("./pipe")));
    assertTimeoutPreemptively(
        Duration.ofSeconds(5), () -> accepted(List.of("timeout", "5", "./pipe")));
  }

  @Test
  void hugeFile_isNotReadWhole() throws IOException {
    Path big = work.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.write(elf(16, 1));
      f.setLength(8L << 30);
    }
    executable(big);

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> accepted(List.of("./big")));
  }

  @Test
  void fileOfAShellsSize_isHashed_andPassesWhenDifferent() throws IOException {
    Files.write(work.resolve("same-size"), elf(4096, 8));
    executable(work.resolve("same-size"));

    accepted(List.of("./same-size"));
  }
}
