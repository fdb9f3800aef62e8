package dev.localexec.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.localexec.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The original tool's files and small helpers to read what the plane wrote. */
final class Fixtures {
  private Fixtures() {}

  /** The original run's folder; skips the calling test if the shared fixtures are absent. */
  static Path originalRun() {
    Path p =
        Path.of(System.getProperty("user.dir"))
            .resolve("../../shared/fixtures/original-run")
            .normalize();
    assumeTrue(Files.isDirectory(p), "the original run's fixtures are not present at " + p);
    return p;
  }

  /** A repo root with the files the fixture jobs expect: {@code config/mcporter.json}. */
  static void seedRoot(Path root) {
    try {
      Files.createDirectories(root.resolve("config"));
      Files.writeString(
          root.resolve("config/mcporter.json"),
          "{\n  \"enabled_tools\": [],\n  \"timeout_sec\": 30,\n  \"max_response_bytes\": 131072\n}\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> jsonl(Path file) {
    try {
      List<Map<String, Object>> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add((Map<String, Object>) Json.parse(line));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path ledger(Path root) {
    return root.resolve("workspace/local_exec/state/jobs.jsonl");
  }

  static Path evidence(Path root, String name) {
    return root.resolve("workspace/local_exec/evidence").resolve(name);
  }

  static List<String> kinds(Path root, String jobId) {
    List<String> kinds = new ArrayList<>();
    for (Map<String, Object> e : jsonl(evidence(root, jobId + ".jsonl"))) {
      kinds.add((String) e.get("kind"));
    }
    return kinds;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> payloadOf(Path root, String jobId, String kind) {
    for (Map<String, Object> e : jsonl(evidence(root, jobId + ".jsonl"))) {
      if (kind.equals(e.get("kind"))) {
        return (Map<String, Object>) e.get("payload");
      }
    }
    throw new AssertionError("no " + kind + " event for " + jobId);
  }

  static String job(String id, String type, String payload, String budgets, String policy) {
    return "{\"job_id\": \""
        + id
        + "\", \"job_type\": \""
        + type
        + "\", \"created_at_utc\": \"2026-11-24T04:22:16.292796Z\", \"payload\": "
        + payload
        + ", \"budgets\": "
        + budgets
        + ", \"tool_policy\": "
        + policy
        + "}";
  }

  static final String BUDGETS =
      "{\"max_wall_time_sec\": 30, \"max_tool_calls\": 10, \"max_output_bytes\": 65536,"
          + " \"max_concurrency_slots\": 1}";
  static final String POLICY_NONE =
      "{\"allow_network\": false, \"allow_subprocess\": false, \"allowed_tools\": []}";
  static final String POLICY_SUBPROCESS =
      "{\"allow_network\": false, \"allow_subprocess\": true, \"allowed_tools\": []}";

  static Path write(Path dir, String name, String text) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * How many live (not zombie) processes of this host hold {@code marker} in their environment,
   * searched in {@code /proc/<pid>/environ}.
   */
  static long processesWithEnvironment(String marker) {
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> readQuietly(p.resolve("environ")).contains(marker))
          .filter(p -> !readQuietly(p.resolve("stat")).contains(") Z "))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file's text, or empty if it cannot be read (e.g. a process that just ended). */
  static String readQuietly(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
