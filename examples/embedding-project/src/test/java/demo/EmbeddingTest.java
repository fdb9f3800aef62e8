package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs one job through the library as an embedding application would, then closes the plane. */
class EmbeddingTest {
  @TempDir Path root;

  private static Set<String> liveThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      // Threads the JDK starts for itself (the reaper of child processes, the cleaner, the common
      // pool) stay; they are not the plane's.
      String n = t.getName();
      boolean jdk =
          n.equals("process reaper")
              || n.equals("Common-Cleaner")
              || n.equals("Attach Listener")
              || n.startsWith("ForkJoinPool.commonPool-");
      if (t.isAlive() && !jdk) {
        names.add(t.getName() + "#" + t.getId());
      }
    }
    return names;
  }

  @Test
  void aJobRuns_andClosingThePlaneLeavesNoThread() throws Exception {
    Files.writeString(root.resolve("README.md"), "# Demo\n\nTODO: write more.\n");
    Set<String> before = liveThreads();

    try (LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build()) {
      plane.enqueue(
          plane.parseJob(
              "{\"job_id\": \"job-embedding01\", \"job_type\": \"repo_index_task\","
                  + " \"created_at_utc\": \"2026-12-01T09:00:00Z\","
                  + " \"payload\": {\"include_globs\": [\"**/*.md\"], \"keywords\": [\"TODO\"],"
                  + " \"max_files\": 100, \"max_file_bytes\": 65536},"
                  + " \"budgets\": {\"max_wall_time_sec\": 60, \"max_tool_calls\": 0,"
                  + " \"max_output_bytes\": 1048576, \"max_concurrency_slots\": 1},"
                  + " \"tool_policy\": {\"allow_network\": false, \"allow_subprocess\": false,"
                  + " \"allowed_tools\": []}}"));
      RunOutcome outcome = plane.runOnce();
      assertEquals(RunOutcome.Status.COMPLETE, outcome.status(), String.valueOf(outcome.error()));
      assertEquals("job-embedding01", outcome.jobId());
    }

    Set<String> left = liveThreads();
    left.removeAll(before);
    // A thread that is ending may still be alive for a moment after close() returned.
    for (int i = 0; i < 50 && !left.isEmpty(); i++) {
      Thread.sleep(100);
      left.retainAll(liveThreads());
    }
    assertTrue(left.isEmpty(), "threads left after close(): " + left);
  }
}
