package dev.localexec.bench;

import dev.localexec.core.json.Json;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.worker.RunOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code repo_index_task} over a large tree through the real plane (enqueue → claim → run →
 * evidence; the sandbox is off: the task starts no process), run several times in one JVM. Prints
 * one JSON line per run with the timings, then writes the paths the last run indexed,
 * NUL-separated, so that a shell pipeline can hash exactly the same files.
 *
 * <p>Arguments: {@code root runs fileList} (e.g. {@code /tmp/linux-6.1 2 /tmp/indexed.lst}). The
 * plane writes its ledger and evidence under {@code root/workspace/local_exec}.
 */
public final class RepoIndexBench {
  private RepoIndexBench() {}

  /** Runs the measurement. */
  public static void main(String[] args) {
    Path root = Path.of(args[0]).toAbsolutePath().normalize();
    int runs = Integer.parseInt(args[1]);
    Path fileList = Path.of(args[2]);
    LocalExecPlane plane = BenchSupport.plane(root, "none", false);
    String stamp = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    String index = null;
    for (int run = 1; run <= runs; run++) {
      String id = "job-reindexbench" + stamp + run;
      long t0 = System.nanoTime();
      plane.enqueue(plane.parseJob(indexJob(id)));
      RunOutcome outcome = plane.runOnce();
      long t1 = System.nanoTime();
      if (!outcome.complete()) {
        throw new IllegalStateException("the index job did not complete: " + outcome);
      }
      Map<String, Object> result = outcome.result();
      double sec = (t1 - t0) / 1e9;
      long bytes = ((Number) result.get("bytes_total")).longValue();
      int files = ((Number) result.get("files_indexed")).intValue();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("bench", "repo_index");
      out.put("run", run);
      out.put("files_indexed", files);
      out.put("bytes_total", bytes);
      out.put("hits_written", result.get("hits_written"));
      out.put("binaries", result.get("binaries"));
      out.put("symlinks_rejected", result.get("symlinks_rejected"));
      out.put("ms", Math.round(sec * 1000));
      out.put("files_per_sec", Math.round(files / sec));
      out.put("mb_per_sec", Math.round(bytes / sec / 1e5) / 10.0);
      BenchSupport.print(out);
      index = (String) result.get("index_jsonl");
    }
    if (index != null) {
      writeFileList(root.resolve(index), fileList);
    }
  }

  private static String indexJob(String id) {
    return Json.line(
        Map.of(
            "job_id",
            id,
            "job_type",
            "repo_index_task",
            "created_at_utc",
            "2026-11-24T00:00:00.000000Z",
            "payload",
            Map.of(
                "include_globs",
                List.of("**/*"),
                "max_files",
                50_000,
                "max_file_bytes",
                1_048_576,
                "keywords",
                List.of("TODO", "FIXME", "deprecated")),
            "budgets",
            Map.of(
                "max_wall_time_sec",
                7200,
                "max_tool_calls",
                0,
                "max_output_bytes",
                104_857_600,
                "max_concurrency_slots",
                1),
            "tool_policy",
            Map.of("allow_network", false, "allow_subprocess", false, "allowed_tools", List.of())));
  }

  /** Writes the {@code path} of every index row, each followed by a NUL. */
  private static void writeFileList(Path index, Path fileList) {
    try (BufferedReader in = Files.newBufferedReader(index, StandardCharsets.UTF_8);
        OutputStream out = Files.newOutputStream(fileList)) {
      String line;
      while ((line = in.readLine()) != null) {
        Object row = Json.parse(line);
        if (row instanceof Map<?, ?> map) {
          out.write(String.valueOf(map.get("path")).getBytes(StandardCharsets.UTF_8));
          out.write(0);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
