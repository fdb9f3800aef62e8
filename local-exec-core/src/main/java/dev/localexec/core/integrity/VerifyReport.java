package dev.localexec.core.integrity;

import dev.localexec.core.internal.integrity.Verifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Verifier} found: one {@link FileCheck} per file checked, in the order checked.
 *
 * @param files the files checked
 */
public record VerifyReport(List<FileCheck> files) {

  /** Copies the list. */
  public VerifyReport {
    files = List.copyOf(files);
  }

  /** Whether every file verified. */
  public boolean verified() {
    return problems() == 0;
  }

  /** How many files have a problem. */
  public int problems() {
    return (int) files.stream().filter(f -> !f.ok()).count();
  }

  /**
   * How many files verified with a warning (something verify could not check, or an accepted cut).
   */
  public int warnings() {
    return (int) files.stream().filter(f -> f.warning() != null).count();
  }

  /**
   * {@code {"status": "verified"|"failed", "files": N, "problems": M}}, and {@code "warnings": W}
   * when a file has a warning.
   */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", verified() ? "verified" : "failed");
    m.put("files", files.size());
    m.put("problems", problems());
    if (warnings() > 0) {
      m.put("warnings", warnings());
    }
    return m;
  }

  /**
   * One file's result: the first problem found in it, if any.
   *
   * @param file the file, relative to the repo root ({@code /}-separated)
   * @param lines how many non-blank lines it has
   * @param line the 1-based line of the problem, 0 when there is none
   * @param problem what is wrong, {@code null} when the file verified
   * @param warning what a reader should know although the file verified (e.g. the ledger has no
   *     head file to be checked against), or {@code null}
   */
  public record FileCheck(String file, int lines, int line, String problem, String warning) {

    /** A result without a warning. */
    public FileCheck(String file, int lines, int line, String problem) {
      this(file, lines, line, problem, null);
    }

    /** A file that verified. */
    public static FileCheck ok(String file, int lines) {
      return new FileCheck(file, lines, 0, null);
    }

    /** A file that verified, with a warning. */
    public static FileCheck warning(String file, int lines, String warning) {
      return new FileCheck(file, lines, 0, null, warning);
    }

    /** A file with a problem at {@code line}. */
    public static FileCheck problem(String file, int lines, int line, String problem) {
      return new FileCheck(file, lines, line, problem);
    }

    /** Whether the file verified. */
    public boolean ok() {
      return problem == null;
    }

    /**
     * {@code {"file", "ok": true, "lines": N}} (with {@code "warning"} when there is one) or {@code
     * {"file", "ok": false, "line": K, "problem"}}.
     */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file);
      m.put("ok", ok());
      if (ok()) {
        m.put("lines", lines);
        if (warning != null) {
          m.put("warning", warning);
        }
      } else {
        m.put("line", line);
        m.put("problem", problem);
      }
      return m;
    }
  }
}
