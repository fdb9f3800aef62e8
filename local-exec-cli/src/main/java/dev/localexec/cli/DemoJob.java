package dev.localexec.cli;

import dev.localexec.api.Budget;
import dev.localexec.api.Job;
import dev.localexec.api.ToolPolicy;
import dev.localexec.core.queue.Timestamps;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The quick start's demo job: a repo index of this root for a few keywords. */
final class DemoJob {
  /** The demo job's id. */
  static final String ID = "job-demorepoindex01";

  private DemoJob() {}

  /** The demo job, created at {@code now}. */
  static Job create(Instant now) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put(
        "include_globs",
        List.of("workspace/**/*.py", "workspace/**/*.md", "scripts/*.py", "**/*.java", "**/*.md"));
    payload.put("exclude_globs", List.of("**/*.bak.*"));
    payload.put("max_files", 200);
    payload.put("max_file_bytes", 32768);
    payload.put("keywords", List.of("policy", "router", "audit"));
    return new Job(
        ID,
        "repo_index_task",
        Timestamps.utc(now),
        payload,
        Budget.of(300, 10, 262144, 1),
        ToolPolicy.denyAll(),
        Map.of("source", "enqueue-demo"));
  }
}
