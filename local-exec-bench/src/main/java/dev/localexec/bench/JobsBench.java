package dev.localexec.bench;

import dev.localexec.core.plane.LocalExecPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * N trivial jobs ({@code true}) through enqueue → claim → (sandboxed) run → evidence, with a worker
 * loop of S slots. Prints one JSON line with the timings.
 *
 * <p>Arguments: {@code jobs slots sandbox} (e.g. {@code 1000 2 bwrap}).
 */
public final class JobsBench {
  private JobsBench() {}

  /** Runs the measurement. */
  public static void main(String[] args) {
    int jobs = Integer.parseInt(args[0]);
    int slots = Integer.parseInt(args[1]);
    String sandbox = args[2];
    Path root = BenchSupport.freshRoot("local-exec-jobs-bench");
    try {
      LocalExecPlane plane = BenchSupport.plane(root, sandbox, false);
      long t0 = System.nanoTime();
      for (int i = 0; i < jobs; i++) {
        String id = String.format("job-bench%08d", i);
        plane.enqueue(plane.parseJob(BenchSupport.commandJob(id, List.of("true"), 60, 4096)));
      }
      long t1 = System.nanoTime();
      plane.worker(plane.workerOptions().withSlots(slots)).drain(Duration.ofMillis(2));
      long t2 = System.nanoTime();
      long complete =
          plane.status().stream().filter(s -> s.state().jsonName().equals("complete")).count();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("bench", "jobs");
      out.put("jobs", jobs);
      out.put("slots", slots);
      out.put("sandbox", sandbox);
      out.put("complete", complete);
      out.put("enqueue_ms", (t1 - t0) / 1_000_000);
      out.put("run_ms", (t2 - t1) / 1_000_000);
      out.put("per_job_ms", Math.round((t2 - t0) / 1e4 / jobs) / 100.0);
      out.put("jobs_per_sec", Math.round(jobs / ((t2 - t0) / 1e9) * 10) / 10.0);
      BenchSupport.print(out);
    } finally {
      BenchSupport.delete(root);
    }
  }
}
