package dev.localexec.core.sandbox;

import static dev.localexec.core.sandbox.SandboxTesting.budget;
import static dev.localexec.core.sandbox.SandboxTesting.subprocesses;
import static org.assertj.core.api.Assertions.assertThat;

import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code unshare} fallback with real commands: no connection to a server on the host's
 * loopback, and no process outliving its command. It gives no filesystem isolation, so none is
 * tested.
 */
@ExtendWith(NoChildProcessesExtension.class)
class UnshareLauncherIT {

  @TempDir Path root;
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();
  private final String marker = ProcessMarkers.newMarker();
  private ProcessLauncher unshare;

  @BeforeEach
  void setUp() {
    unshare = SandboxTesting.unshareOrSkip(root);
  }

  @AfterEach
  void tearDown() {
    ProcessMarkers.killAll(marker);
  }

  private CommandResult run(boolean network, Duration timeout, String... argv) {
    return SandboxTesting.runner(
            root,
            unshare,
            subprocesses(network),
            budget(),
            evidence,
            Map.of("LOCAL_EXEC_MARKER", marker))
        .build()
        .run(new CommandRequest(List.of(argv), ".", timeout, List.of("LOCAL_EXEC_MARKER")));
  }

  @Test
  void name_isUnshare() {
    assertThat(unshare.name()).isEqualTo("unshare");
    assertThat(Sandbox.of(unshare).notEnforced()).contains("filesystem_isolation");
  }

  @Test
  void tcp_hostLoopback_isUnreachable_butReachableWithAllowNetwork() throws IOException {
    try (LoopbackServer server = LoopbackServer.on("127.0.0.1")) {
      String port = Integer.toString(server.port());

      CommandResult denied =
          run(
              false,
              Duration.ofSeconds(20),
              "python3",
              "-c",
              BwrapLauncherIT.TCP_CLIENT,
              "127.0.0.1",
              port);

      assertThat(denied.exitCode()).as(denied.stderr()).isNotZero();
      // unshare leaves the new namespace's loopback down; bwrap brings it up (then: refused).
      assertThat(denied.stderr()).contains("Network is unreachable");
      assertThat(server.accepted()).isZero();

      CommandResult allowed =
          run(
              true,
              Duration.ofSeconds(20),
              "python3",
              "-c",
              BwrapLauncherIT.TCP_CLIENT,
              "127.0.0.1",
              port);

      assertThat(allowed.exitCode()).as(allowed.stderr()).isZero();
      assertThat(allowed.stdout()).isEqualTo(server.greeting() + "\n");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.localexec.core.sandbox.BwrapLauncherIT#trees")
  void timeout_leavesNoProcessOfTheTree(String name, String script) {
    String sh =
        String.format(
            script,
            ProcessMarkers.uniqueSleepSeconds(),
            ProcessMarkers.uniqueSleepSeconds(),
            ProcessMarkers.uniqueSleepSeconds());
    CommandResult r;
    try (ProcessMarkers.Watch watch = ProcessMarkers.watch(marker)) {
      r = run(false, Duration.ofSeconds(1), "sh", "-c", sh);
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
      r =
          run(
              false,
              Duration.ofSeconds(20),
              "sh",
              "-c",
              "sleep " + a + " & (setsid sleep " + b + " &); sleep 0.3; echo early");
      assertThat(watch.seen()).isGreaterThan(2);
    }

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("early\n");
    assertThat(r.durationMs()).isLessThan(5_000);
    assertThat(ProcessMarkers.describe(marker)).isEmpty();
  }
}
