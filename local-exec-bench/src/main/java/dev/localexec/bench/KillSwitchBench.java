package dev.localexec.bench;

import dev.localexec.core.plane.LocalExecPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kill-switch latency: a job runs a process tree (a shell with two sleeps, each carrying a unique
 * marker); the switch file is created; the time until no process with the marker is left is
 * measured. Prints p50/p99 over the rounds.
 *
 * <p>Arguments: {@code rounds sandbox} (e.g. {@code 30 bwrap}).
 */
public final class KillSwitchBench {
  private KillSwitchBench() {}

  /** Runs the measurement. */
  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    String sandbox = args[1];
    Path root = BenchSupport.freshRoot("local-exec-kill-bench");
    List<Double> latencies = new ArrayList<>();
    try {
      LocalExecPlane plane = BenchSupport.plane(root, sandbox, true);
      for (int i = 0; i < rounds; i++) {
        String marker = "3000." + (100000 + i) + ProcessHandle.current().pid();
        plane.enqueue(
            plane.parseJob(
                BenchSupport.commandJob(
                    String.format("job-kill%08d", i),
                    List.of("sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"),
                    600,
                    4096)));
        Thread worker =
            new Thread(
                () ->
                    plane
                        .worker()
                        .loop(Duration.ofMillis(5), Duration.ofSeconds(600), () -> false));
        worker.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!BenchSupport.anyProcessWith("sleep " + marker) && System.nanoTime() < deadline) {
          Thread.sleep(2);
        }
        Thread.sleep(50);
        long t0 = System.nanoTime();
        plane.turnKillSwitchOn("benchmark");
        while (BenchSupport.anyProcessWith("sleep " + marker)) {
          Thread.sleep(1);
        }
        latencies.add((System.nanoTime() - t0) / 1e6);
        worker.join();
        plane.turnKillSwitchOff();
      }
    } finally {
      BenchSupport.delete(root);
    }
    latencies.sort(null);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "kill_switch_latency");
    out.put("sandbox", sandbox);
    out.put("rounds", rounds);
    out.put("p50_ms", Math.round(BenchSupport.percentile(latencies, 50) * 10) / 10.0);
    out.put("p99_ms", Math.round(BenchSupport.percentile(latencies, 99) * 10) / 10.0);
    out.put("max_ms", Math.round(latencies.get(latencies.size() - 1) * 10) / 10.0);
    BenchSupport.print(out);
  }
}
