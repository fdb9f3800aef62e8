package dev.localexec.examples.embed;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Indexes a folder for a keyword through the plane and prints where the evidence is. */
public final class EmbeddingExample {
  private EmbeddingExample() {}

  /**
   * Runs the example.
   *
   * @param args the repo root (default: the current folder) and a keyword (default: policy)
   */
  public static void main(String[] args) {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    String keyword = args.length > 1 ? args[1] : "policy";
    Job job =
        new Job(
            "job-embed" + Long.toString(System.currentTimeMillis(), 36),
            "repo_index_task",
            Instant.now().toString(),
            Map.of(
                "include_globs",
                List.of("**/*.md"),
                "max_files",
                500,
                "max_file_bytes",
                65536,
                "keywords",
                List.of(keyword)),
            Budget.of(60, 0, 1 << 20, 1),
            ToolPolicy.denyAll(),
            null);
    // The plane holds the queue and its workers' threads: close it when done.
    try (LocalExecPlane plane = LocalExecPlane.builder(root).discoverPlugins().build()) {
      plane.enqueue(job);
      RunOutcome outcome = plane.runOnce();
      System.out.println(
          outcome.status().jsonName()
              + " "
              + outcome.result()
              + " evidence: "
              + outcome.evidence());
    }
  }
}
