package dev.localexec.core.sandbox;

import static dev.localexec.core.sandbox.SandboxTesting.budget;
import static dev.localexec.core.sandbox.SandboxTesting.subprocesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.api.TaskFailedException;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.sandbox.BwrapLauncher;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves from inside bubblewrap, with real commands run through {@link LocalArgvRunner} and the
 * default policy ({@code allow_network} false), what {@link BwrapLauncher} promises: no network
 * (host loopback over IPv4 and IPv6, DNS, unix sockets in the host's {@code /tmp}), no write
 * outside the repo root, the plane's folder read-only, no capabilities, no {@code /etc/shadow}, and
 * no process outliving its command. Skipped where bubblewrap does not work, except in CI.
 */
@ExtendWith(NoChildProcessesExtension.class)
class BwrapLauncherIT {

  /** Connects to argv[1]:argv[2] over TCP and prints the first line the server sends. */
  static final String TCP_CLIENT =
      "import socket, sys\n"
          + "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
          + "print(s.recv(200).decode().strip())\n";

  /** Connects to the unix socket argv[1] and prints the first line the server sends. */
  static final String UNIX_CLIENT =
      "import socket, sys\n"
          + "s = socket.socket(socket.AF_UNIX)\n"
          + "s.settimeout(3)\n"
          + "s.connect(sys.argv[1])\n"
          + "print(s.recv(200).decode().strip())\n";

  @TempDir Path root;
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();
  private final String marker = ProcessMarkers.newMarker();
  private ProcessLauncher bwrap;

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(root.resolve("workspace/local_exec/state"));
    Files.createDirectories(root.resolve("sub"));
    bwrap = SandboxTesting.bwrapOrSkip(root);
  }

  @AfterEach
  void tearDown() {
    ProcessMarkers.killAll(marker);
  }

  private CommandResult run(ProcessLauncher launcher, boolean network, String... argv) {
    return SandboxTesting.runner(
            root,
            launcher,
            subprocesses(network),
            budget(),
            evidence,
            Map.of("LOCAL_EXEC_MARKER", marker, "MY_VAR", "v1"))
        .build()
        .run(
            new CommandRequest(
                List.of(argv), ".", Duration.ofSeconds(20), List.of("LOCAL_EXEC_MARKER")));
  }

  private CommandResult run(String... argv) {
    return run(bwrap, false, argv);
  }

  // ---- network ----

  @Test
  void tcp_hostLoopbackV4_isUnreachable_butReachableWithAllowNetwork() throws IOException {
    try (LoopbackServer server = LoopbackServer.on("127.0.0.1")) {
      String port = Integer.toString(server.port());

      CommandResult denied = run("python3", "-c", TCP_CLIENT, "127.0.0.1", port);

      assertThat(denied.exitCode()).as(denied.stderr()).isNotZero();
      assertThat(denied.stderr()).contains("ConnectionRefusedError");
      assertThat(denied.stdout()).doesNotContain(server.greeting());
      assertThat(server.accepted()).isZero();

      CommandResult allowed = run(bwrap, true, "python3", "-c", TCP_CLIENT, "127.0.0.1", port);

      assertThat(allowed.exitCode()).as(allowed.stderr()).isZero();
      assertThat(allowed.stdout()).isEqualTo(server.greeting() + "\n");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void tcp_hostLoopbackV6_isUnreachable_butReachableWithAllowNetwork() throws IOException {
    LoopbackServer server;
    try {
      server = LoopbackServer.on("::1");
    } catch (IOException e) {
      assumeTrue(false, "no IPv6 loopback on this host: " + e);
      return;
    }
    try (server) {
      String port = Integer.toString(server.port());

      CommandResult denied = run("python3", "-c", TCP_CLIENT, "::1", port);

      assertThat(denied.exitCode()).as(denied.stderr()).isNotZero();
      assertThat(denied.stdout()).doesNotContain(server.greeting());
      assertThat(server.accepted()).isZero();

      CommandResult allowed = run(bwrap, true, "python3", "-c", TCP_CLIENT, "::1", port);

      assertThat(allowed.exitCode()).as(allowed.stderr()).isZero();
      assertThat(allowed.stdout()).isEqualTo(server.greeting() + "\n");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void dns_resolvesNothing() {
    CommandResult getent = run("getent", "hosts", "example.com");
    CommandResult python =
        run("python3", "-c", "import socket; print(socket.getaddrinfo('example.com', 443))");

    assertThat(getent.exitCode()).isNotZero();
    assertThat(getent.stdout()).isEmpty();
    assertThat(python.exitCode()).isNotZero();
    assertThat(python.stderr()).contains("socket.gaierror");
  }

  @Test
  void dns_nameserverOfResolvConf_hasNoRoute() throws IOException {
    String nameserver =
        Files.readAllLines(Path.of("/etc/resolv.conf")).stream()
            .map(String::strip)
            .filter(l -> l.startsWith("nameserver "))
            .map(l -> l.substring("nameserver ".length()).strip())
            .filter(a -> a.matches("[0-9.]+"))
            .findFirst()
            .orElse(null);
    assumeTrue(nameserver != null, "no IPv4 nameserver in /etc/resolv.conf");
    String udp =
        "import socket, sys\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.connect((sys.argv[1], 53))\n"
            + "print('route ok')\n";

    CommandResult denied = run("python3", "-c", udp, nameserver);

    assertThat(denied.exitCode()).isNotZero();
    assertThat(denied.stderr()).contains("Network is unreachable");

    CommandResult allowed = run(bwrap, true, "python3", "-c", udp, nameserver);
    assumeTrue(
        allowed.exitCode() == 0, "the host itself has no route to " + nameserver + ": " + allowed);
    assertThat(allowed.stdout()).isEqualTo("route ok\n");
  }

  @Test
  void unixSocketInHostTmp_isUnreachable() throws IOException {
    Path socket = Path.of("/tmp", "lx-" + marker + ".sock");
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread acceptor =
          new Thread(
              () -> {
                while (server.isOpen()) {
                  try (SocketChannel c = server.accept()) {
                    accepted.incrementAndGet();
                    c.write(ByteBuffer.wrap((marker + "\n").getBytes(StandardCharsets.US_ASCII)));
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "unix-server");
      acceptor.setDaemon(true);
      acceptor.start();

      CommandResult inside = run("python3", "-c", UNIX_CLIENT, socket.toString());

      assertThat(inside.exitCode()).isNotZero();
      assertThat(inside.stderr()).contains("FileNotFoundError");
      assertThat(accepted.get()).isZero();

      CommandResult unsandboxed =
          run(new DirectLauncher(), false, "python3", "-c", UNIX_CLIENT, socket.toString());

      assertThat(unsandboxed.stdout()).as("the server works").isEqualTo(marker + "\n");
      assertThat(accepted.get()).isEqualTo(1);
    } finally {
      Files.deleteIfExists(socket);
    }
  }

  // ---- filesystem ----

  @Test
  void writesOutsideTheRepoRoot_fail() throws IOException {
    List<Path> targets =
        List.of(
            Path.of("/usr", "lx-" + marker),
            Path.of("/etc", "lx-" + marker),
            Path.of("/lx-" + marker),
            root.resolve("workspace/local_exec/state/lx-" + marker),
            root.resolve("workspace/local_exec/lx-" + marker));
    try {
      for (Path target : targets) {
        CommandResult r = run("touch", target.toString());

        assertThat(r.exitCode()).as("touch %s: %s", target, r.stderr()).isNotZero();
        assertThat(r.stderr()).contains("Read-only file system");
        assertThat(target).doesNotExist();
      }
    } finally {
      for (Path target : targets) {
        Files.deleteIfExists(target);
      }
    }
  }

  @Test
  void tmp_isPrivate_andTheRepoRootIsWritable() throws IOException {
    Path hostTmp = Path.of("/tmp", "lx-" + marker);
    try {
      CommandResult r =
          run(
              "sh",
              "-c",
              "echo inside > " + hostTmp + " && cat " + hostTmp + " && echo kept > sub/out.txt");

      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.stdout()).isEqualTo("inside\n");
      assertThat(hostTmp).doesNotExist();
      assertThat(root.resolve("sub/out.txt")).hasContent("kept");
    } finally {
      Files.deleteIfExists(hostTmp);
    }
  }

  @Test
  void etcShadow_isNotThere() {
    CommandResult r = run("cat", "/etc/shadow");

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("No such file or directory");
  }

  @Test
  void onlyAllowListedFoldersAreVisible() {
    CommandResult r = run("ls", "-A", "/");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().lines().toList())
        .doesNotContain("root", "home", "var", "srv", "boot", "mnt", "media", "sys")
        .contains("usr", "etc", "tmp", "proc", "dev");
  }

  // ---- privileges ----

  @Test
  void capabilities_areAllDropped() {
    CommandResult r = run("grep", "CapEff", "/proc/self/status");

    assertThat(r.stdout()).isEqualTo("CapEff:\t0000000000000000\n");
  }

  @Test
  void nsenterAndRemount_fail() {
    CommandResult nsenter = run("nsenter", "-t", "1", "-n", "true");
    CommandResult remount = run("mount", "-o", "remount,rw", "/");

    assertThat(nsenter.exitCode()).as(nsenter.stderr()).isNotZero();
    assertThat(nsenter.stderr()).contains("Operation not permitted");
    assertThat(remount.exitCode()).as(remount.stderr()).isNotZero();
  }

  // ---- process and environment ----

  @Test
  void environment_isPathAndTheAllowedNamesOnly() throws IOException {
    CommandResult r = run("env");

    // bwrap itself adds PWD, the working directory it changed to.
    assertThat(r.stdout().lines().sorted().toList())
        .containsExactly(
            "LOCAL_EXEC_MARKER=" + marker,
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "PWD=" + root.toRealPath());
  }

  @Test
  void exitCodeOutputAndCwd_arePassedThrough() throws IOException {
    CommandResult r =
        SandboxTesting.runner(root, bwrap, subprocesses(false), budget(), evidence, Map.of())
            .build()
            .run(
                new CommandRequest(
                    List.of("sh", "-c", "pwd; echo oops >&2; exit 3"),
                    "sub",
                    Duration.ofSeconds(20),
                    List.of()));

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stdout()).isEqualTo(root.toRealPath().resolve("sub") + "\n");
    assertThat(r.stderr()).isEqualTo("oops\n");
  }

  @Test
  void missingProgram_isSpawnFailed() {
    TaskFailedException e =
        catchThrowableOfType(
            TaskFailedException.class, () -> run("local-exec-no-such-program", "x"));

    assertThat(e.code()).isEqualTo("spawn_failed");
  }

  static Stream<Arguments> trees() {
    return Stream.of(
        Arguments.of("double fork", "(sleep %1$s &) ; sleep %2$s"),
        Arguments.of("setsid", "setsid -f sleep %1$s; setsid sleep %2$s & sleep %3$s"),
        Arguments.of("TERM ignored", "trap '' TERM; sleep %1$s & sleep %2$s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trees")
  void timeout_leavesNoProcessOfTheTree(String name, String script) {
    String sh =
        String.format(
            script,
            ProcessMarkers.uniqueSleepSeconds(),
            ProcessMarkers.uniqueSleepSeconds(),
            ProcessMarkers.uniqueSleepSeconds());
    CommandResult r;
    try (ProcessMarkers.Watch watch = ProcessMarkers.watch(marker)) {
      r =
          SandboxTesting.runner(
                  root,
                  bwrap,
                  subprocesses(false),
                  budget(),
                  evidence,
                  Map.of("LOCAL_EXEC_MARKER", marker))
              .build()
              .run(
                  new CommandRequest(
                      List.of("sh", "-c", sh),
                      ".",
                      Duration.ofSeconds(1),
                      List.of("LOCAL_EXEC_MARKER")));
      assertThat(watch.seen()).as("processes of the tree seen while it ran").isGreaterThan(2);
    }

    assertThat(r.timedOut()).isTrue();
    assertThat(ProcessMarkers.describe(marker)).isEmpty();
  }

  @Test
  void normalExit_leavesNoBackgroundProcess() {
    String a = ProcessMarkers.uniqueSleepSeconds();
    String b = ProcessMarkers.uniqueSleepSeconds();
    CommandResult r;
    try (ProcessMarkers.Watch watch = ProcessMarkers.watch(marker)) {
      r = run("sh", "-c", "sleep " + a + " & (setsid sleep " + b + " &); sleep 0.3; echo early");
      assertThat(watch.seen()).isGreaterThan(2);
    }

    assertThat(r.exitCode()).isZero();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.stdout()).isEqualTo("early\n");
    assertThat(r.durationMs()).isLessThan(5_000);
    assertThat(ProcessMarkers.describe(marker)).isEmpty();
  }
}
