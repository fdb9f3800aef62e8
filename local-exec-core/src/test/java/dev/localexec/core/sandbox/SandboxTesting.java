package dev.localexec.core.sandbox;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.api.Budget;
import dev.localexec.api.LocalExecException;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.exec.EnvPolicy;
import dev.localexec.core.exec.ProcessLauncher;
import dev.localexec.core.internal.budget.ClockBudgetTracker;
import dev.localexec.core.internal.exec.ArgvPolicy;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.paths.RepoRootPaths;
import dev.localexec.core.testing.RecordingEvidenceSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Shared set-up of the sandbox tests. A test that needs a mechanism asks for it here: it is skipped
 * with the probe's reason when the mechanism does not work on this machine, unless the environment
 * variable {@value #REQUIRE} is {@code 1} (CI sets it), and then it fails.
 */
final class SandboxTesting {

  /** Set to {@code 1} where a missing sandbox must fail the tests instead of skipping them. */
  static final String REQUIRE = "LOCAL_EXEC_REQUIRE_SANDBOX";

  private SandboxTesting() {}

  /** The probe's bubblewrap launcher for {@code root}, or the test is skipped (or fails in CI). */
  static ProcessLauncher bwrapOrSkip(Path root) {
    return forcedOrSkip(SandboxMode.BWRAP, root, "bubblewrap not installed or not working");
  }

  /** The probe's {@code unshare} launcher for {@code root}, or the test is skipped. */
  static ProcessLauncher unshareOrSkip(Path root) {
    return forcedOrSkip(SandboxMode.UNSHARE, root, "unshare not working");
  }

  /**
   * Skips the test (or fails it in CI) unless this host lets the plane make cgroups with the memory
   * and pids controllers.
   */
  static void cgroupsOrSkip() {
    dev.localexec.core.internal.limits.Cgroups c =
        dev.localexec.core.internal.limits.Cgroups.host();
    if (c.memory() && c.pids()) {
      return;
    }
    String what = "no usable memory and pids cgroup: " + c.detail();
    if ("1".equals(System.getenv(REQUIRE))) {
      fail(what + " but " + REQUIRE + "=1");
    }
    assumeTrue(false, what);
  }

  private static ProcessLauncher forcedOrSkip(SandboxMode mode, Path root, String what) {
    try {
      return SandboxProbe.standard().choose(mode, root).launcher();
    } catch (LocalExecException e) {
      if ("1".equals(System.getenv(REQUIRE))) {
        fail(what + " but " + REQUIRE + "=1: " + e.getMessage());
      }
      assumeTrue(false, what + ": " + e.getMessage());
      throw e;
    }
  }

  /** The payload of the first {@code kind} event in a job's evidence. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> evidence(
      dev.localexec.core.plane.LocalExecPlane plane, String jobId, String kind)
      throws java.io.IOException {
    Path file = plane.layout().evidenceDir().resolve(jobId + ".jsonl");
    return java.nio.file.Files.readAllLines(file).stream()
        .map(l -> (Map<String, Object>) dev.localexec.core.json.Json.parse(l))
        .filter(e -> kind.equals(e.get("kind")))
        .map(e -> (Map<String, Object>) e.get("payload"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in " + file));
  }

  /** A tool policy allowing subprocesses, and the network if {@code network}. */
  static ToolPolicy subprocesses(boolean network) {
    return new ToolPolicy(network, true, List.of());
  }

  /** A generous budget: 10 min, 50 calls, 1 MiB of output. */
  static ClockBudgetTracker budget() {
    return ClockBudgetTracker.start(Budget.of(600, 50, 1 << 20, 1), Clock.systemUTC());
  }

  /**
   * A runner for {@code root} through {@code launcher}, shells allowed, a 300 ms kill grace, and
   * {@code hostEnv} as the host environment {@code env_allow} names are taken from, the operator
   * allowing each of its names.
   */
  static LocalArgvRunner.Builder runner(
      Path root,
      ProcessLauncher launcher,
      ToolPolicy policy,
      ClockBudgetTracker budget,
      RecordingEvidenceSink evidence,
      Map<String, String> hostEnv) {
    return LocalArgvRunner.builder()
        .paths(RepoRootPaths.of(root))
        .policy(policy)
        .budget(budget)
        .evidence(evidence)
        .launcher(launcher)
        .argvPolicy(ArgvPolicy.defaults().allowingShells())
        .hostEnvironment(hostEnv)
        .envPolicy(EnvPolicy.defaults().allowing(hostEnv.keySet()))
        .killGrace(Duration.ofMillis(300));
  }
}
