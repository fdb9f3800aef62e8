package dev.localexec.cli;

import dev.localexec.api.LocalExecException;
import dev.localexec.core.internal.plane.PlaneInternals;
import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link StorageFailureIT} inside a sandbox whose state folder is a tiny tmpfs: enqueues
 * jobs until the disk is full, then reports what the plane said and what it still knows.
 */
public final class DiskFullProbe {
  private DiskFullProbe() {}

  /** Arguments: the repo root. Prints one JSON line. */
  public static void main(String[] args) {
    LocalExecPlane plane = LocalExecPlane.builder(Path.of(args[0])).discoverPlugins().build();
    String padding = "x".repeat(900);
    int accepted = 0;
    String code = null;
    String message = null;
    for (int i = 0; i < 100_000; i++) {
      String doc =
          Json.line(
              Map.of(
                  "job_id", String.format("job-full%08d", i),
                  "job_type", "repo_index_task",
                  "created_at_utc", "2026-11-24T00:00:00Z",
                  "payload",
                      Map.of(
                          "include_globs", List.of("**/*.md"),
                          "max_files", 10,
                          "max_file_bytes", 1024),
                  "budgets",
                      Map.of(
                          "max_wall_time_sec", 60,
                          "max_tool_calls", 0,
                          "max_output_bytes", 4096,
                          "max_concurrency_slots", 1),
                  "tool_policy",
                      Map.of(
                          "allow_network", false,
                          "allow_subprocess", false,
                          "allowed_tools", List.of()),
                  "meta", Map.of("padding", padding)));
      try {
        plane.enqueue(plane.parseJob(doc));
        accepted++;
      } catch (LocalExecException e) {
        code = e.code();
        message = e.getMessage();
        break;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accepted", accepted);
    out.put("code", code);
    out.put("message", message);
    out.put("queued_after", plane.status().size());
    out.put("unreadable_lines", PlaneInternals.of(plane).queue().unreadableLines());
    System.out.println(Json.line(out));
  }
}
