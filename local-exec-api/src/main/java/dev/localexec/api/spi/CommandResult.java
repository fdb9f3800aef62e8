package dev.localexec.api.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished command did. Output is kept up to the job's output budget; the byte counts are
 * what the command produced.
 *
 * @param argv the argv that ran
 * @param exitCode the exit code, or {@code null} if the command was stopped (timeout)
 * @param timedOut whether the timeout stopped it
 * @param durationMs wall time in milliseconds
 * @param stdout the kept standard output (UTF-8, malformed bytes replaced)
 * @param stderr the kept standard error
 * @param stdoutBytes bytes the command wrote to standard output
 * @param stderrBytes bytes the command wrote to standard error
 * @param stdoutTruncated whether standard output was cut to fit the budget
 * @param stderrTruncated whether standard error was cut to fit the budget
 */
public record CommandResult(
    List<String> argv,
    Integer exitCode,
    boolean timedOut,
    long durationMs,
    String stdout,
    String stderr,
    long stdoutBytes,
    long stderrBytes,
    boolean stdoutTruncated,
    boolean stderrTruncated) {

  /** Copies the argv. */
  public CommandResult {
    argv = List.copyOf(argv);
  }

  /** The result as the ledger records it ({@code returncode} for the exit code). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("argv", argv);
    m.put("returncode", exitCode);
    m.put("timed_out", timedOut);
    m.put("duration_ms", durationMs);
    m.put("stdout", stdout);
    m.put("stderr", stderr);
    m.put("stdout_bytes", stdoutBytes);
    m.put("stderr_bytes", stderrBytes);
    m.put("stdout_truncated", stdoutTruncated);
    m.put("stderr_truncated", stderrTruncated);
    return m;
  }
}
