package dev.localexec.core.sandbox;

import static dev.localexec.core.sandbox.SandboxTesting.subprocesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.LocalExecException;
import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.sandbox.BwrapLauncher;
import dev.localexec.core.internal.sandbox.UnshareLauncher;
import dev.localexec.core.testing.NoChildProcessesExtension;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SandboxProbe}: the choice of mechanism, the fallback, and fail closed, with the probe's
 * search path pointed at folders that hold no sandbox, only {@code unshare}, or a broken {@code
 * bwrap}.
 */
@ExtendWith(NoChildProcessesExtension.class)
class SandboxProbeIT {

  @TempDir Path root;
  @TempDir Path bin;
  private final RecordingEvidenceSink evidence = new RecordingEvidenceSink();

  private CommandResult run(SandboxProbe.Choice choice, ClockBudgetTracker budget, String... argv) {
    return SandboxTesting.runner(
            root, choice.launcher(), subprocesses(false), budget, evidence, Map.of())
        .build()
        .run(CommandRequest.of(List.of(argv), Duration.ofSeconds(20)));
  }

  @Test
  void auto_withNoSandboxInstalled_refusesBeforeAnythingRuns() {
    SandboxProbe.Choice choice =
        SandboxProbe.searching(bin.toString()).choose(SandboxMode.AUTO, root);

    assertThat(choice.sandbox()).isEqualTo(Sandbox.unavailable());
    assertThat(choice.sandbox().toMap())
        .isEqualTo(
            Map.of(
                "mechanism",
                "unavailable",
                "enforces",
                List.of("no_subprocesses"),
                "not_enforced",
                List.of()));
    assertThat(choice.reason())
        .contains("bwrap: not installed (no executable 'bwrap' in " + bin + ")")
        .contains("unshare: not installed (no executable 'unshare' in " + bin + ")")
        .contains("apt-get install bubblewrap")
        .contains("SandboxMode.NONE")
        .contains("--sandbox none");

    ClockBudgetTracker budget = SandboxTesting.budget();
    PolicyViolationException e =
        catchThrowableOfType(
            PolicyViolationException.class, () -> run(choice, budget, "touch", "canary"));

    assertThat(e.code()).isEqualTo("sandbox_unavailable");
    assertThat(e.rule()).isEqualTo("sandbox_unavailable");
    assertThat(e.getMessage()).startsWith("subprocess refused: no sandbox works on this host");
    assertThat(root.resolve("canary")).doesNotExist();
    assertThat(budget.toolCallsUsed()).isZero();
    assertThat(evidence.kinds()).containsExactly("tool_call", "tool_result");
    assertThat(evidence.single("tool_result"))
        .isEqualTo(Map.of("name", LocalArgvRunner.TOOL, "error", "sandbox_unavailable"));
  }

  @Test
  void auto_withABrokenBwrapAndNoUnshare_isUnavailable() throws IOException {
    Path fake = bin.resolve("bwrap");
    Files.writeString(
        fake, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

    SandboxProbe.Choice choice =
        SandboxProbe.searching(bin.toString()).choose(SandboxMode.AUTO, root);

    assertThat(choice.sandbox().mechanism()).isEqualTo("unavailable");
    assertThat(choice.reason())
        .contains(
            "bwrap: a trial run of 'true' through "
                + fake
                + " exited with 1: bwrap: No permissions to creating new namespace");
  }

  @Test
  void auto_withoutBwrap_fallsBackToUnshare() throws IOException {
    SandboxTesting.unshareOrSkip(root);
    Files.createSymbolicLink(
        bin.resolve("unshare"),
        Path.of(DirectLauncher.locate("unshare", LocalArgvRunner.SAFE_PATH)));

    SandboxProbe.Choice choice =
        SandboxProbe.searching(bin.toString()).choose(SandboxMode.AUTO, root);

    assertThat(choice.sandbox()).isEqualTo(Sandbox.unshare());
    assertThat(choice.launcher()).isInstanceOf(UnshareLauncher.class);
    assertThat(choice.reason())
        .startsWith("bwrap does not work (not installed")
        .contains("unshare gives no filesystem isolation");
    CommandResult r = run(choice, SandboxTesting.budget(), "sh", "-c", "echo $$");
    assertThat(r.stdout())
        .as("the command is the first child of its PID namespace's init")
        .isEqualTo("2\n");
  }

  @Test
  void auto_onThisHost_choosesBwrap() {
    SandboxTesting.bwrapOrSkip(root);

    SandboxProbe.Choice choice = SandboxProbe.standard().choose(SandboxMode.AUTO, root);

    assertThat(choice.sandbox()).isEqualTo(Sandbox.bwrap());
    assertThat(choice.launcher()).isInstanceOf(BwrapLauncher.class);
    assertThat(choice.reason())
        .startsWith("bwrap works; unshare was not needed")
        .contains("exited 0");
  }

  @Test
  void forcedMechanism_thatDoesNotWork_fails() {
    SandboxProbe probe = SandboxProbe.searching(bin.toString());

    LocalExecException bwrap =
        catchThrowableOfType(LocalExecException.class, () -> probe.choose(SandboxMode.BWRAP, root));
    LocalExecException unshare =
        catchThrowableOfType(
            LocalExecException.class, () -> probe.choose(SandboxMode.UNSHARE, root));

    assertThat(bwrap.code()).isEqualTo("sandbox_unavailable");
    assertThat(bwrap.getMessage())
        .startsWith("sandbox mode bwrap was requested but bwrap does not work: not installed")
        .contains("apt-get install bubblewrap");
    assertThat(unshare.code()).isEqualTo("sandbox_unavailable");
    assertThat(unshare.getMessage()).startsWith("sandbox mode unshare was requested");
  }

  @Test
  void none_runsUnsandboxed() throws IOException {
    SandboxProbe.Choice choice =
        SandboxProbe.searching(bin.toString()).choose(SandboxMode.NONE, root);
    Path hostTmp = Path.of("/tmp", "lx-" + ProcessMarkers.newMarker());
    try {
      CommandResult r = run(choice, SandboxTesting.budget(), "sh", "-c", "touch canary " + hostTmp);

      assertThat(choice.sandbox().mechanism()).isEqualTo("none");
      assertThat(choice.launcher()).isInstanceOf(DirectLauncher.class);
      assertThat(r.exitCode()).isZero();
      assertThat(root.resolve("canary")).exists();
      assertThat(hostTmp).as("no private /tmp without a sandbox").exists();
    } finally {
      Files.deleteIfExists(hostTmp);
    }
  }

  @Test
  void repoRootHoldingSystemFolders_isRefusedByBwrap() {
    IllegalArgumentException e =
        catchThrowableOfType(IllegalArgumentException.class, () -> new BwrapLauncher(Path.of("/")));

    assertThat(e.getMessage()).contains("is or holds the system folder /usr");
  }
}
