package dev.localexec.bench;

import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output flood: a job whose command writes {@code bytes} bytes to standard output under a {@code
 * budget}-byte output budget. Prints throughput, kept bytes vs the budget, and the heap before and
 * after.
 *
 * <p>Arguments: {@code bytes budget sandbox} (e.g. {@code 1000000000 1048576 bwrap}).
 */
public final class FloodBench {
  private FloodBench() {}

  /** Runs the measurement. */
  @SuppressWarnings("unchecked")
  public static void main(String[] args) {
    long bytes = Long.parseLong(args[0]);
    long budget = Long.parseLong(args[1]);
    String sandbox = args[2];
    Path root = BenchSupport.freshRoot("local-exec-flood-bench");
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    try {
      LocalExecPlane plane = BenchSupport.plane(root, sandbox, false);
      plane.enqueue(
          plane.parseJob(
              BenchSupport.commandJob(
                  "job-flood0001",
                  List.of("head", "-c", Long.toString(bytes), "/dev/zero"),
                  600,
                  budget)));
      System.gc();
      long heapBefore = mem.getHeapMemoryUsage().getUsed();
      long t0 = System.nanoTime();
      RunOutcome o = plane.runOnce();
      long t1 = System.nanoTime();
      System.gc();
      long heapAfter = mem.getHeapMemoryUsage().getUsed();
      Map<String, Object> r = ((List<Map<String, Object>>) o.result().get("results")).get(0);
      long kept = ((String) r.get("stdout")).length();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("bench", "output_flood");
      out.put("sandbox", sandbox);
      out.put("bytes_produced", r.get("stdout_bytes"));
      out.put("budget", budget);
      out.put("kept", kept);
      out.put("overshoot_bytes", kept - budget);
      out.put("seconds", Math.round((t1 - t0) / 1e7) / 100.0);
      out.put("mb_per_sec", Math.round(bytes / 1e6 / ((t1 - t0) / 1e9)));
      out.put("heap_before_mb", heapBefore / 1_000_000);
      out.put("heap_after_mb", heapAfter / 1_000_000);
      BenchSupport.print(out);
    } finally {
      BenchSupport.delete(root);
    }
  }
}
