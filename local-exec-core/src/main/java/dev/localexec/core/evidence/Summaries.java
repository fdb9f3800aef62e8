package dev.localexec.core.evidence;

import dev.localexec.api.Job;
import dev.localexec.core.paths.PlaneFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes each finished job's markdown summary, {@code evidence/<job_id>.md}. */
public final class Summaries {
  private Summaries() {}

  /** The default summary of a completed job whose task wrote none. */
  public static String completed(Job job, Map<String, ?> result) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title(job.jobType())).append("\n\n");
    sb.append("- job_id: ").append(job.jobId()).append('\n');
    sb.append("- status: complete\n");
    for (Map.Entry<String, ?> e : result.entrySet()) {
      Object v = e.getValue();
      if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
        sb.append("- ").append(e.getKey()).append(": ").append(v).append('\n');
      }
    }
    return sb.toString();
  }

  /** The summary of a failed job. */
  public static String failed(Job job, String error, String message) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title(job.jobType())).append("\n\n");
    sb.append("- job_id: ").append(job.jobId()).append('\n');
    sb.append("- status: failed\n");
    sb.append("- error: ").append(error).append('\n');
    if (message != null && !message.isBlank() && !message.equals(error)) {
      sb.append("- detail: ").append(message.replace('\n', ' ')).append('\n');
    }
    return sb.toString();
  }

  /**
   * Writes {@code markdown} to {@code evidenceDir/<job_id>.md} atomically, never through a symlink.
   *
   * @throws IOException if it cannot be written
   */
  public static Path write(Path evidenceDir, String jobId, String markdown) throws IOException {
    Files.createDirectories(evidenceDir);
    Path target = evidenceDir.resolve(jobId + ".md");
    PlaneFiles.writeAtomically(target, markdown.getBytes(StandardCharsets.UTF_8), false);
    return target;
  }

  /** {@code repo_index_task} → {@code Repo Index Task}. */
  static String title(String jobType) {
    StringBuilder sb = new StringBuilder();
    for (String part : jobType.split("_")) {
      if (part.isEmpty()) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return sb.toString();
  }
}
