package dev.localexec.bench;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.sandbox.SandboxMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Shared helpers of the benchmark programs. */
final class BenchSupport {
  private BenchSupport() {}

  /** A fresh, empty repo root. */
  static Path freshRoot(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a folder tree. */
  static void delete(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LocalExecPlane plane(Path root, String sandbox, boolean allowShells) {
    return LocalExecPlane.builder(root)
        .discoverPlugins()
        .sandbox(SandboxMode.valueOf(sandbox.toUpperCase(java.util.Locale.ROOT)))
        .allowShells(allowShells)
        .build();
  }

  /** A test_runner_task job document running {@code argv} once. */
  static String commandJob(String id, List<String> argv, int wallSec, long maxOutput) {
    List<Object> cmd = new ArrayList<>(argv);
    return Json.line(
        Map.of(
            "job_id",
            id,
            "job_type",
            "test_runner_task",
            "created_at_utc",
            "2026-11-24T00:00:00.000000Z",
            "payload",
            Map.of("commands", List.of(cmd), "timeout_sec", wallSec),
            "budgets",
            Map.of(
                "max_wall_time_sec",
                wallSec,
                "max_tool_calls",
                10,
                "max_output_bytes",
                maxOutput,
                "max_concurrency_slots",
                1),
            "tool_policy",
            Map.of("allow_network", false, "allow_subprocess", true, "allowed_tools", List.of())));
  }

  /** Whether any process's command line contains {@code marker}. */
  static boolean anyProcessWith(String marker) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .anyMatch(p -> cmdline(p).contains(marker));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String cmdline(Path proc) {
    try {
      byte[] b = Files.readAllBytes(proc.resolve("cmdline"));
      return new String(b, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  static void print(Map<String, ?> m) {
    System.out.println(Json.line(m));
  }
}
