package dev.localexec.core.internal.evidence;

import dev.localexec.api.Job;
import dev.localexec.core.internal.paths.PlaneFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes each finished job's markdown summary, {@code evidence/<job_id>.md}. A summary is chained
 * into the job's evidence: before its final line the worker records a {@code summary} line whose
 * payload ({@link #evidencePayload}) holds the SHA-256 of the exact bytes it then writes, which
 * {@code verify} recomputes.
 */
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
    return failed(job.jobId(), job.jobType(), error, message);
  }

  /** The summary of a failed job known by its id and type (e.g. one that no longer validates). */
  public static String failed(String jobId, String jobType, String error, String message) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(title(jobType)).append("\n\n");
    sb.append("- job_id: ").append(jobId).append('\n');
    sb.append("- status: failed\n");
    sb.append("- error: ").append(error).append('\n');
    if (message != null && !message.isBlank() && !message.equals(error)) {
      sb.append("- detail: ").append(message.replace('\n', ' ')).append('\n');
    }
    return sb.toString();
  }

  /** The summary file of a job, {@code evidenceDir/<job_id>.md}. */
  public static Path path(Path evidenceDir, String jobId) {
    return evidenceDir.resolve(jobId + ".md");
  }

  /** The bytes {@link #write} writes for {@code markdown} (UTF-8). */
  public static byte[] bytes(String markdown) {
    return markdown.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The payload of the {@code summary} evidence line: {@code {"path": <displayPath>, "sha256": <hex
   * of the bytes>, "bytes": N}}.
   *
   * @param displayPath the summary's path as the plane shows it (relative to the repo root)
   * @param bytes exactly what is written
   */
  public static Map<String, Object> evidencePayload(String displayPath, byte[] bytes) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("path", displayPath);
    try {
      p.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
    p.put("bytes", bytes.length);
    return p;
  }

  /**
   * Writes {@code markdown} to {@code evidenceDir/<job_id>.md} atomically, as the bytes {@link
   * #bytes} gives, never through a symlink.
   *
   * @throws IOException if it cannot be written
   */
  public static Path write(Path evidenceDir, String jobId, String markdown) throws IOException {
    Files.createDirectories(evidenceDir);
    Path target = path(evidenceDir, jobId);
    PlaneFiles.writeAtomically(target, bytes(markdown), false);
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
