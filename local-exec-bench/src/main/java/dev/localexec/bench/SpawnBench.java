package dev.localexec.bench;

import dev.localexec.api.Budget;
import dev.localexec.api.EvidenceSink;
import dev.localexec.api.ToolPolicy;
import dev.localexec.api.spi.BudgetTracker;
import dev.localexec.api.spi.CommandRequest;
import dev.localexec.api.spi.CommandResult;
import dev.localexec.core.internal.exec.LocalArgvRunner;
import dev.localexec.core.internal.paths.RepoRootPaths;
import dev.localexec.core.sandbox.SandboxMode;
import dev.localexec.core.sandbox.SandboxProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one guarded spawn of {@code true} through the argv runner: plain (no sandbox),
 * bubblewrap, or unshare. Includes policy checks, evidence (discarded), output draining and the
 * process-tree check at exit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SpawnBench {

  /** The sandbox mechanism. */
  @Param({"none", "bwrap", "unshare"})
  public String mechanism;

  private Path root;
  private LocalArgvRunner runner;
  private final CommandRequest request = CommandRequest.of(List.of("true"), Duration.ofSeconds(30));

  /** Builds a runner with the mechanism's launcher. */
  @Setup(Level.Trial)
  public void setUp() {
    root = BenchSupport.freshRoot("local-exec-spawn-bench");
    SandboxProbe.Choice choice =
        SandboxProbe.standard()
            .choose(SandboxMode.valueOf(mechanism.toUpperCase(java.util.Locale.ROOT)), root);
    runner =
        LocalArgvRunner.builder()
            .paths(RepoRootPaths.of(root))
            .policy(new ToolPolicy(false, true, List.of()))
            .budget(new UnlimitedCalls())
            .evidence(EvidenceSink.discarding())
            .launcher(choice.launcher())
            .clock(Clock.systemUTC())
            .build();
  }

  /** Removes the root. */
  @TearDown(Level.Trial)
  public void tearDown() {
    BenchSupport.delete(root);
  }

  /** One spawn of {@code true}. */
  @Benchmark
  public CommandResult spawnTrue() {
    return runner.run(request);
  }

  /** A budget that counts nothing, so that a long measurement is never refused. */
  static final class UnlimitedCalls implements BudgetTracker {
    private final Budget budget = Budget.of(7200, 500, 1024, 1);

    @Override
    public Budget budget() {
      return budget;
    }

    @Override
    public void useToolCall(String tool) {}

    @Override
    public int toolCallsUsed() {
      return 0;
    }

    @Override
    public long keepOutput(long bytes) {
      return 0;
    }

    @Override
    public void requireOutput(long bytes) {}

    @Override
    public long outputBytesUsed() {
      return 0;
    }

    @Override
    public Duration wallTimeLeft() {
      return Duration.ofHours(1);
    }

    @Override
    public void checkWallTime() {}
  }
}
