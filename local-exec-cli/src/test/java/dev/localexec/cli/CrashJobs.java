package dev.localexec.cli;

import dev.localexec.core.json.Json;
import java.util.List;
import java.util.Map;

/** The jobs of the crash tests: a short subprocess that carries a marker to find it in /proc. */
final class CrashJobs {
  private CrashJobs() {}

  /** A {@code test_runner_task} job running {@code env <marker>=1 sleep 0.1}. */
  static String sleepJob(String jobId, String marker) {
    return Json.line(
        Map.of(
            "job_id",
            jobId,
            "job_type",
            "test_runner_task",
            "created_at_utc",
            "2026-11-24T00:00:00Z",
            "payload",
            Map.of(
                "commands",
                List.of(List.of("env", marker + "=1", "sleep", "0.1")),
                "timeout_sec",
                30),
            "budgets",
            Map.of(
                "max_wall_time_sec", 60,
                "max_tool_calls", 10,
                "max_output_bytes", 4096,
                "max_concurrency_slots", 1),
            "tool_policy",
            Map.of(
                "allow_network", false,
                "allow_subprocess", true,
                "allowed_tools", List.of())));
  }
}
